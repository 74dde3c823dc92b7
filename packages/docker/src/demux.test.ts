import { describe, expect, it } from 'vitest';
import { Demultiplexer } from './demux.js';

function frame(type: number, text: string | Buffer): Buffer {
  const payload = typeof text === 'string' ? Buffer.from(text) : text;
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('Demultiplexer', () => {
  it('splits stdout and stderr frames, across arbitrary chunk boundaries and split UTF-8 characters', () => {
    const euro = Buffer.from('€'); // 3 bytes
    const stream = Buffer.concat([
      frame(1, 'out 1\n'),
      frame(2, 'err 1\n'),
      frame(1, euro.subarray(0, 1)),
      frame(1, Buffer.concat([euro.subarray(1), Buffer.from('\n')])),
      frame(2, ''),
    ]);
    for (const size of [1, 3, 7, 1000]) {
      const got = { stdout: '', stderr: '' };
      const demux = new Demultiplexer((kind, text) => {
        got[kind] += text;
      });
      for (let i = 0; i < stream.length; i += size) demux.push(stream.subarray(i, i + size));
      demux.end();
      expect(got).toEqual({ stdout: 'out 1\n€\n', stderr: 'err 1\n' });
    }
  });
});
