import { StringDecoder } from 'node:string_decoder';

/**
 * Splits the Engine API's multiplexed stream (a container without TTY): frames of an 8-byte header (stream type 1
 * for stdout, 2 for stderr; big-endian uint32 length at offset 4) and the payload. Text is decoded as UTF-8 per stream,
 * so characters split across frames stay whole.
 */
export class Demultiplexer {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };

  constructor(private readonly onText: (stream: 'stdout' | 'stderr', text: string) => void) {}

  /** Feeds a chunk of the stream. */
  push(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    while (this.buffer.length >= 8) {
      const size = this.buffer.readUInt32BE(4);
      if (this.buffer.length < 8 + size) break;
      const type = this.buffer[0];
      const payload = this.buffer.subarray(8, 8 + size);
      this.buffer = this.buffer.subarray(8 + size);
      const stream = type === 2 ? 'stderr' : 'stdout';
      const text = this.decoders[stream].write(payload);
      if (text) this.onText(stream, text);
    }
  }

  /** Flushes what is left of split characters. */
  end(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const text = this.decoders[stream].end();
      if (text) this.onText(stream, text);
    }
  }
}
