import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BuildStreamParser, ListenerError, PushStreamParser, readJsonMessages, type BuildEvent, type JsonMessage, type PushEvent } from './progress.js';

/** Feeds `text` to readJsonMessages in chunks of `size` bytes. */
async function messages(text: string, size: number): Promise<JsonMessage[]> {
  const stream = new PassThrough();
  const got: JsonMessage[] = [];
  const done = readJsonMessages(stream, (m) => got.push(m));
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) stream.write(bytes.subarray(i, i + size));
  stream.end();
  await done;
  return got;
}

// What Docker 20.10's classic builder sends for a build whose step 3 fails (recorded, stderr colours included).
const FAILED_BUILD = [
  { stream: 'Step 1/4 : FROM unionml-node-base:latest' },
  { stream: '\n' },
  { stream: ' ---> 1f8e566e1de5\n' },
  { stream: 'Step 2/4 : COPY hello.txt /app/hello.txt' },
  { stream: '\n' },
  { stream: ' ---> 814dc8c85e2a\n' },
  { stream: 'Step 3/4 : RUN node -e "process.exit(3)"' },
  { stream: '\n' },
  { stream: ' ---> Running in fe0984ec84fb\n' },
  { stream: 'line1\n' },
  { stream: '\u001b[91merr1\n' },
  { stream: '\u001b[0m' },
  { stream: 'Removing intermediate container fe0984ec84fb\n' },
  {
    errorDetail: { code: 3, message: 'The command \'/bin/sh -c node -e "process.exit(3)"\' returned a non-zero code: 3' },
    error: 'The command \'/bin/sh -c node -e "process.exit(3)"\' returned a non-zero code: 3',
  },
]
  .map((m) => `${JSON.stringify(m)}\r\n`)
  .join('');

describe('readJsonMessages', () => {
  it('parses one message a line whatever the chunking, and passes non-JSON lines on as output', async () => {
    const text = `${FAILED_BUILD}not json\n`;
    const whole = await messages(text, 100_000);
    expect(whole).toHaveLength(15);
    expect(whole.at(-1)).toEqual({ stream: 'not json\n' });
    for (const size of [1, 5, 64]) expect(await messages(text, size)).toEqual(whole);
  });
});

describe('readJsonMessages with a throwing listener', () => {
  it('rejects with a ListenerError carrying the original error, and destroys the stream', async () => {
    const stream = new PassThrough();
    const boom = new Error('boom');
    const done = readJsonMessages(stream, () => {
      throw boom;
    });
    stream.write('{"stream":"a"}\n{"stream":"b"}\n');
    const e = await done.catch((error: unknown) => error);
    expect(e).toBeInstanceOf(ListenerError);
    expect((e as ListenerError).original).toBe(boom);
    expect(stream.destroyed).toBe(true);
  });
});

describe('BuildStreamParser', () => {
  it('parses steps, output lines (colour codes dropped), the failing step, its output tail and the error', async () => {
    const events: BuildEvent[] = [];
    const parser = new BuildStreamParser((e) => events.push(e));
    for (const m of await messages(FAILED_BUILD, 7)) parser.handle(m);
    parser.end();
    expect(events.filter((e) => e.kind === 'step')).toEqual([
      { kind: 'step', step: 1, total: 4, instruction: 'FROM unionml-node-base:latest' },
      { kind: 'step', step: 2, total: 4, instruction: 'COPY hello.txt /app/hello.txt' },
      { kind: 'step', step: 3, total: 4, instruction: 'RUN node -e "process.exit(3)"' },
    ]);
    expect(events.filter((e) => e.kind === 'log').map((e) => (e.kind === 'log' ? e.text : ''))).toEqual([
      ' ---> 1f8e566e1de5',
      ' ---> 814dc8c85e2a',
      ' ---> Running in fe0984ec84fb',
      'line1',
      'err1',
      'Removing intermediate container fe0984ec84fb',
    ]);
    expect(parser.step).toBe('Step 3/4 : RUN node -e "process.exit(3)"');
    expect(parser.stepTail).toEqual(['line1', 'err1']);
    expect(parser.error).toMatch(/returned a non-zero code: 3$/);
    expect(events.some((e) => e.kind === 'done')).toBe(false);
  });

  it('keeps the image id from aux (or from "Successfully built") and the last 20 lines of a step', () => {
    const parser = new BuildStreamParser();
    parser.handle({ stream: 'Step 1/1 : RUN seq 30\n' });
    for (let i = 1; i <= 30; i++) parser.handle({ stream: `${i}\n` });
    parser.handle({ aux: { ID: 'sha256:abc' } });
    parser.handle({ stream: 'Successfully built abc\nSuccessfully tagged x:1\n' });
    parser.end();
    expect(parser.imageId).toBe('sha256:abc');
    expect(parser.stepTail).toEqual(Array.from({ length: 20 }, (_, i) => String(i + 11)));
    const old = new BuildStreamParser();
    old.handle({ stream: 'Successfully built 0123abcd\n' });
    expect(old.imageId).toBe('0123abcd');
  });

  it('reports a bare {"message"} as the error', () => {
    const parser = new BuildStreamParser();
    parser.handle({ message: 'dockerfile parse error line 2: unknown instruction: FROMM' });
    expect(parser.error).toBe('dockerfile parse error line 2: unknown instruction: FROMM');
  });
});

describe('PushStreamParser', () => {
  it('turns layer statuses into layer events, the rest into log lines, and keeps the digest and the error', () => {
    const events: PushEvent[] = [];
    const parser = new PushStreamParser((e) => events.push(e));
    const stream: JsonMessage[] = [
      { status: 'The push refers to repository [localhost:5000/app]' },
      { status: 'Preparing', progressDetail: {}, id: '5f70bf18a086' },
      { status: 'Pushing', progressDetail: { current: 512, total: 1024 }, progress: '[====>   ]', id: '5f70bf18a086' },
      { status: 'Pushed', progressDetail: {}, id: '5f70bf18a086' },
      { status: `v1: digest: sha256:${'a'.repeat(64)} size: 528` },
      { progressDetail: {}, aux: { Tag: 'v1', Digest: `sha256:${'a'.repeat(64)}`, Size: 528 } },
    ];
    for (const m of stream) parser.handle(m);
    expect(events).toEqual([
      { kind: 'log', text: 'The push refers to repository [localhost:5000/app]' },
      { kind: 'layer', id: '5f70bf18a086', status: 'Preparing' },
      { kind: 'layer', id: '5f70bf18a086', status: 'Pushing', current: 512, total: 1024 },
      { kind: 'layer', id: '5f70bf18a086', status: 'Pushed' },
      { kind: 'log', text: `v1: digest: sha256:${'a'.repeat(64)} size: 528` },
    ]);
    expect(parser.digest).toBe(`sha256:${'a'.repeat(64)}`);
    parser.handle({ errorDetail: { message: 'unauthorized: authentication required' }, error: 'unauthorized: authentication required' });
    expect(parser.error).toBe('unauthorized: authentication required');
  });
});
