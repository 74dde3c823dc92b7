import { describe, expect, it } from 'vitest';
import { formatBytes, formatElapsed, renderProgress } from './render.js';

/** A fake terminal or pipe that records what is written. */
function fakeStream(isTTY: boolean, columns = 60): NodeJS.WriteStream & { text: () => string } {
  const chunks: string[] = [];
  return {
    isTTY,
    columns,
    write(chunk: string) {
      chunks.push(chunk);
      return true;
    },
    text: () => chunks.join(''),
  } as unknown as NodeJS.WriteStream & { text: () => string };
}

/** What a terminal would show: applies "cursor up N" + "clear to end" to the written text. */
function screen(text: string): string[] {
  const lines: string[] = [];
  // eslint-disable-next-line no-control-regex -- splits on the renderer's ANSI "cursor up N" + "clear to end" (ESC [ N A, CR, ESC [ J)
  for (const part of text.split(/(\x1b\[\d+A\r\x1b\[J)/)) {
    // eslint-disable-next-line no-control-regex -- the same ANSI sequence, to replay it as a terminal would
    const up = /^\x1b\[(\d+)A\r\x1b\[J$/.exec(part);
    if (up) lines.splice(lines.length - Number(up[1]));
    else lines.push(...part.split('\n').filter((_, i, all) => i < all.length - 1));
  }
  return lines;
}

describe('renderProgress', () => {
  it('writes plain prefixed lines when not on a TTY (push: one line per status change)', () => {
    const stream = fakeStream(false);
    let t = 0;
    const progress = renderProgress(stream, { now: () => t });
    progress.onBuild({ kind: 'step', step: 1, total: 2, instruction: 'FROM base' });
    progress.onBuild({ kind: 'log', text: 'hello' });
    t = 1500;
    progress.onBuild({ kind: 'done', id: 'sha256:abc' });
    progress.onPush({ kind: 'log', text: 'The push refers to repository [r/app]' });
    progress.onPush({ kind: 'layer', id: 'l1', status: 'Pushing', current: 1, total: 10 });
    progress.onPush({ kind: 'layer', id: 'l1', status: 'Pushing', current: 5, total: 10 });
    progress.onPush({ kind: 'layer', id: 'l1', status: 'Pushed' });
    progress.done();
    expect(stream.text().split('\n')).toEqual([
      '[build] Step 1/2 : FROM base',
      '[build]   hello',
      '[build] done in 1.5s: sha256:abc',
      '[push] The push refers to repository [r/app]',
      '[push] l1: Pushing',
      '[push] l1: Pushed',
      '',
    ]);
  });

  it('on a TTY keeps one line per finished step with its time, and updates the running step and layers in place', () => {
    const stream = fakeStream(true, 50);
    let t = 0;
    const progress = renderProgress(stream, { now: () => t, refreshMs: 0 });
    progress.onBuild({ kind: 'step', step: 1, total: 3, instruction: 'FROM base' });
    progress.onBuild({ kind: 'log', text: ' ---> Using cache' });
    t = 100;
    progress.onBuild({ kind: 'step', step: 2, total: 3, instruction: 'RUN npm ci --omit=dev --no-audit --no-fund --loglevel=info' });
    t = 2100;
    progress.onBuild({ kind: 'log', text: 'added 12 packages' });
    expect(screen(stream.text())).toEqual(['[1/3] FROM base  cached', '[2/3] RUN npm ci --omit=dev …  2.0s  │ added 12 …']);
    t = 12_100;
    progress.onBuild({ kind: 'done', id: 'sha256:abc' });
    progress.onPush({ kind: 'layer', id: 'aaa', status: 'Pushing', current: 2_000_000, total: 4_000_000 });
    progress.onPush({ kind: 'layer', id: 'bbb', status: 'Waiting' });
    expect(screen(stream.text())).toEqual([
      '[1/3] FROM base  cached',
      '[2/3] RUN npm ci --omit=dev …  12.0s',
      '  aaa  Pushing  2.0 MB/4.0 MB  0.0s',
      '  bbb  Waiting  0.0s',
    ]);
    t = 13_100;
    progress.onPush({ kind: 'layer', id: 'aaa', status: 'Pushed' });
    progress.done();
    progress.done();
    const final = screen(stream.text());
    expect(final.slice(2)).toEqual(['  aaa  Pushed  1.0s', '  bbb  Waiting  1.0s']);
    expect(final.every((line) => line.length <= 49)).toBe(true);
  });

  it('shows the running step with its elapsed time and last output line', () => {
    const stream = fakeStream(true, 80);
    let t = 0;
    const progress = renderProgress(stream, { now: () => t, refreshMs: 0 });
    progress.onBuild({ kind: 'step', step: 3, total: 9, instruction: 'RUN npm ci' });
    t = 4200;
    progress.onBuild({ kind: 'log', text: 'npm http fetch GET 200 https://registry.npmjs.org/zod' });
    expect(screen(stream.text())).toEqual(['[3/9] RUN npm ci  4.2s  │ npm http fetch GET 200 https://registry.npmjs.org/zod']);
    progress.done();
    expect(screen(stream.text())).toEqual(['[3/9] RUN npm ci  4.2s']);
  });
});

describe('formatting', () => {
  it('formats elapsed times and sizes', () => {
    expect(formatElapsed(1234)).toBe('1.2s');
    expect(formatElapsed(125_000)).toBe('2m05s');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2_500_000)).toBe('2.5 MB');
  });
});
