import { PassThrough } from 'node:stream';
import type { ExecutionProgress } from '@unionml/remote';
import { describe, expect, it } from 'vitest';
import { executionView, formatElapsed } from './execution-view.js';

const ESC = String.fromCharCode(27);

/** A stream that keeps what is written. */
function sink(): NodeJS.WritableStream & { text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return Object.assign(stream, { text: () => text });
}

const target = { name: 'fexec123', launchPlan: 'tiny_classifier.train', url: 'http://localhost:30080/console/projects/p/domains/d/executions/fexec123' };

function progress(
  phase: ExecutionProgress['phase'],
  elapsedSeconds: number,
  nodes: [string, ExecutionProgress['nodes'][number]['phase'], number][],
): ExecutionProgress {
  return { name: 'fexec123', phase, elapsedSeconds, nodes: nodes.map(([id, nodePhase, seconds]) => ({ id, phase: nodePhase, seconds })) };
}

describe('the execution view', () => {
  it('on a terminal, redraws one block in place: the phase and time, each node, the console link; done() leaves it', () => {
    const stream = sink();
    let clock = 0;
    const view = executionView(stream, target, { tty: true, columns: 200, now: () => clock, refreshMs: 0 });
    view.update(progress('UNDEFINED', 0, []));
    clock = 1000;
    view.update(progress('RUNNING', 1, [['n0', 'RUNNING', 0]]));
    clock = 3500;
    view.update(
      progress('RUNNING', 3.5, [
        ['n0', 'SUCCEEDED', 2.2],
        ['n1', 'RUNNING', 0.3],
      ]),
    );
    clock = 4500;
    view.done();
    view.done();
    const text = stream.text();
    expect(text.split('\n')[0]).toBe('[unionml] waiting for fexec123 (Ctrl-C stops waiting, not the execution)');
    // Each redraw moves the cursor up over the previous block and clears to the end of the screen.
    expect(text).toContain('\x1b[2A\r\x1b[Jexecution fexec123 (tiny_classifier.train)  STARTING  0.0s\n');
    expect(text).toContain('\x1b[2A\r\x1b[Jexecution fexec123 (tiny_classifier.train)  RUNNING  1.0s\n  n0    RUNNING    0.0s\n');
    expect(text).toContain('\x1b[3A\r\x1b[Jexecution fexec123 (tiny_classifier.train)  RUNNING  3.5s\n  n0    SUCCEEDED  2.2s\n  n1    RUNNING    0.3s\n');
    // The final block: the running node's time grew from its last report (0.3 s) by the second since.
    const final = text.slice(text.lastIndexOf('\x1b[J') + 3);
    expect(final).toBe(
      ['execution fexec123 (tiny_classifier.train)  RUNNING  4.5s', '  n0    SUCCEEDED  2.2s', '  n1    RUNNING    1.3s', `  ${target.url}`, ''].join('\n'),
    );
    view.update(progress('SUCCEEDED', 5, []));
    expect(stream.text()).toBe(text);
  });

  it('clips lines to the terminal width, except the console link, whose rows it counts when it redraws', () => {
    const stream = sink();
    const view = executionView(stream, { name: 'fexec123' }, { tty: true, columns: 30, refreshMs: 0 });
    view.update(progress('RUNNING', 1, [['n0', 'RUNNING', 0]]));
    view.done();
    for (const line of stream
      .text()
      .replace(new RegExp(`${ESC}\\[\\d*[AJ]|\\r`, 'g'), '')
      .split('\n'))
      expect(line.length).toBeLessThanOrEqual(29);

    // The link takes ceil(length / 30) rows of a 30-column terminal: with the execution's line, the rows to go up.
    const up = 1 + Math.ceil((target.url.length + 2) / 30);
    expect(up).toBe(4);
    const linked = sink();
    const withLink = executionView(linked, target, { tty: true, columns: 30, refreshMs: 0 });
    withLink.update(progress('RUNNING', 1, []));
    withLink.done();
    expect(linked.text()).toContain(`\n  ${target.url}\n`);
    expect(linked.text()).toContain(`${ESC}[${up}A\r${ESC}[J`);
  });

  it('elsewhere, writes one plain line per change, a finished execution after its last nodes', () => {
    const stream = sink();
    const view = executionView(stream, target, { tty: false });
    view.update(progress('RUNNING', 0.2, [['n0', 'RUNNING', 0]]));
    view.update(progress('RUNNING', 0.4, [['n0', 'RUNNING', 0.1]]));
    view.update(
      progress('RUNNING', 5, [
        ['n0', 'SUCCEEDED', 4.5],
        ['n1', 'QUEUED', 0],
      ]),
    );
    view.update(
      progress('SUCCEEDED', 9, [
        ['n0', 'SUCCEEDED', 4.5],
        ['n1', 'SUCCEEDED', 3.9],
      ]),
    );
    view.done();
    expect(stream.text()).toBe(
      [
        '[unionml] waiting for fexec123 (Ctrl-C stops waiting, not the execution)',
        `[unionml] console: ${target.url}`,
        '[unionml] execution fexec123 (tiny_classifier.train): RUNNING after 0.2s',
        '[unionml]   node n0: RUNNING',
        '[unionml]   node n0: SUCCEEDED in 4.5s',
        '[unionml]   node n1: QUEUED',
        '[unionml]   node n1: SUCCEEDED in 3.9s',
        '[unionml] execution fexec123 (tiny_classifier.train): SUCCEEDED after 9.0s',
        '',
      ].join('\n'),
    );
    expect(view.last?.phase).toBe('SUCCEEDED');
  });

  it("names nodes by their task when the workflow gave names, plain and on a terminal ('train_task (n1)')", () => {
    const named = (phase: 'RUNNING' | 'SUCCEEDED', seconds: number): ExecutionProgress => ({
      name: 'fexec123',
      phase,
      elapsedSeconds: seconds,
      nodes: [
        { id: 'n0', name: 'dataset_task', phase: 'SUCCEEDED', seconds: 1.5 },
        { id: 'n1', name: 'train_task', phase, seconds: seconds - 1.5 },
      ],
    });
    const plain = sink();
    const view = executionView(plain, { name: 'fexec123' }, { tty: false, plainUrl: false });
    view.update(named('RUNNING', 2));
    view.update(named('SUCCEEDED', 4));
    view.done();
    expect(plain.text()).toContain('[unionml]   dataset_task (n0): SUCCEEDED in 1.5s\n[unionml]   train_task (n1): RUNNING\n');
    expect(plain.text()).toContain('[unionml]   train_task (n1): SUCCEEDED in 2.5s\n');

    const terminal = sink();
    const live = executionView(terminal, { name: 'fexec123' }, { tty: true, columns: 200, now: () => 0, refreshMs: 0 });
    live.update(named('RUNNING', 2));
    live.done();
    expect(terminal.text()).toContain('\n  dataset_task (n0)  SUCCEEDED  1.5s\n  train_task (n1)    RUNNING    0.5s\n');
  });

  it('lazy: shows nothing for an execution that has already finished, and starts once one is running', () => {
    const done = sink();
    const quiet = executionView(done, { name: 'fexec123' }, { tty: false, lazy: true });
    quiet.update(progress('SUCCEEDED', 0.1, [['n0', 'SUCCEEDED', 2]]));
    quiet.done();
    expect(done.text()).toBe('');

    const running = sink();
    const view = executionView(running, { name: 'fexec123' }, { tty: false, lazy: true, plainUrl: false });
    view.update(progress('RUNNING', 0.1, []));
    expect(running.text()).toBe('[unionml] waiting for fexec123 (Ctrl-C stops waiting, not the execution)\n[unionml] execution fexec123: RUNNING after 0.1s\n');
  });

  it('formats times as unionml build does', () => {
    expect([formatElapsed(0), formatElapsed(12.34), formatElapsed(59.94), formatElapsed(125.2), formatElapsed(-1)]).toEqual([
      '0.0s',
      '12.3s',
      '59.9s',
      '2m05s',
      '0.0s',
    ]);
  });
});
