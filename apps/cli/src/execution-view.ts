/**
 * What the CLI shows while it waits for an execution on Flyte: on a terminal, a block redrawn in place (the
 * execution's phase and time, each node's phase and time, the console URL), as `unionml build` shows its steps;
 * elsewhere (pipes, CI logs), one plain line per change.
 */
import type { ExecutionProgress, NodeProgress } from '@unionml/remote';

/** The execution being waited for. */
export interface ViewTarget {
  name: string;
  /** Its launch plan, e.g. `digits_classifier.train`. */
  launchPlan?: string | undefined;
  /** Its page in the console, when known. */
  url?: string | undefined;
}

/** Options of {@link executionView}, mostly for tests. */
export interface ExecutionViewOptions {
  /** Force the live (TTY) or the plain display. Default: `stream.isTTY`. */
  tty?: boolean | undefined;
  /** Terminal width. Default: `stream.columns`, else `$COLUMNS`, else 100. */
  columns?: number | undefined;
  /** Clock in milliseconds. Default `Date.now`. */
  now?: (() => number) | undefined;
  /** Milliseconds between redraws of the live display (elapsed times). Default 200; 0 for none. */
  refreshMs?: number | undefined;
  /**
   * Show nothing until a poll finds the execution still running (`fetch-model -m NAME` waits only for executions that
   * have not finished).
   */
  lazy?: boolean | undefined;
  /** The plain display's `console: URL` line; off when the URL was just printed. Default true. */
  plainUrl?: boolean | undefined;
}

/** A display fed with an execution's progress; `done()` settles it (call it in a `finally`). */
export interface ExecutionView {
  update(progress: ExecutionProgress): void;
  /** Stops the live display, leaving its last state on screen. Idempotent. */
  done(): void;
  /** The last progress shown, if any. */
  readonly last: ExecutionProgress | undefined;
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'ABORTED', 'TIMED_OUT', 'SKIPPED', 'RECOVERED']);

/** A phase as shown: Flyte reports UNDEFINED for an execution or node that has not started yet. */
function shownPhase(phase: string): string {
  return phase === 'UNDEFINED' ? 'STARTING' : phase;
}

/** A node as shown: its task's name and its id (`train_task (n1)`, as compiled local runs log it), or the id alone. */
function nodeLabel(node: NodeProgress): string {
  return node.name ? `${node.name} (${node.id})` : node.id;
}

/** `12.3s`, `2m05s` (as `unionml build`'s progress). */
export function formatElapsed(seconds: number): string {
  const s = Math.max(0, seconds);
  if (s < 60) return `${s.toFixed(1)}s`;
  const whole = Math.floor(s);
  return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
}

/**
 * A display of an execution's progress on `stream` (the CLI passes `process.stderr`).
 *
 * @example
 * ```ts
 * const view = executionView(process.stderr, execution);
 * try { await app.wait(execution, { onProgress: view.update }); } finally { view.done(); }
 * ```
 */
export function executionView(
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
  target: ViewTarget,
  options: ExecutionViewOptions = {},
): ExecutionView {
  const tty = options.tty ?? stream.isTTY === true;
  const now = options.now ?? Date.now;
  const width = (): number => Math.max(20, (options.columns ?? (stream.columns || Number(process.env['COLUMNS']) || 100)) - 1);
  const fit = (text: string): string => {
    const w = width();
    // eslint-disable-next-line no-control-regex -- control characters would move the cursor of the terminal this draws on
    const plain = text.replace(/[\u0000-\u001f\u007f]/g, ' ');
    return plain.length > w ? `${plain.slice(0, w - 1)}…` : plain;
  };

  let started = false;
  let finished = false;
  let liveLines = 0;
  let timer: NodeJS.Timeout | undefined;
  let last: ExecutionProgress | undefined;
  /** When `last` arrived: running times grow from there between polls. */
  let lastAt = now();
  const shown = new Map<string, string>();

  const running = (phase: string) => !TERMINAL.has(phase);
  const grown = (seconds: number, phase: string) => (running(phase) && !finished ? seconds + (now() - lastAt) / 1000 : seconds);
  const what = `execution ${target.name}${target.launchPlan ? ` (${target.launchPlan})` : ''}`;

  const live = (): string[] => {
    const link = target.url ? [`  ${target.url}`] : [];
    if (!last) return [`${what}  waiting for FlyteAdmin…`, ...link];
    const idWidth = Math.max(4, ...last.nodes.map((n) => nodeLabel(n).length));
    const phaseWidth = Math.max(9, ...last.nodes.map((n) => n.phase.length));
    return [
      `${what}  ${shownPhase(last.phase)}  ${formatElapsed(grown(last.elapsedSeconds, last.phase))}`,
      ...last.nodes.map((n) => `  ${nodeLabel(n).padEnd(idWidth)}  ${shownPhase(n.phase).padEnd(phaseWidth)}  ${formatElapsed(grown(n.seconds, n.phase))}`),
      ...link,
    ];
  };
  /** A line as drawn: clipped to the width, except the console link, which wraps (a clipped link cannot be opened). */
  const drawn = (line: string): string => (target.url && line === `  ${target.url}` ? line : fit(line));
  /** The terminal rows a drawn line takes. */
  const rows = (line: string): number => Math.max(1, Math.ceil(line.length / (width() + 1)));
  const draw = (permanent: string[] = []): void => {
    let out = liveLines > 0 ? `\x1b[${liveLines}A\r\x1b[J` : '';
    for (const line of permanent) out += `${drawn(line)}\n`;
    const lines = (finished ? [] : live()).map(drawn);
    for (const line of lines) out += `${line}\n`;
    liveLines = lines.reduce((sum, line) => sum + rows(line), 0);
    if (out) stream.write(out);
  };
  const start = (): void => {
    if (started) return;
    started = true;
    const intro = `[unionml] waiting for ${target.name} (Ctrl-C stops waiting, not the execution)`;
    if (!tty) {
      stream.write(`${intro}\n${target.url && options.plainUrl !== false ? `[unionml] console: ${target.url}\n` : ''}`);
      return;
    }
    draw([intro]);
    const refresh = options.refreshMs ?? 200;
    if (refresh > 0) {
      timer = setInterval(() => draw(), refresh);
      timer.unref();
    }
  };
  if (!options.lazy) start();

  return {
    get last() {
      return last;
    },
    update(progress: ExecutionProgress): void {
      if (finished) return;
      if (!started && running(progress.phase)) start();
      const previous = last;
      last = progress;
      lastAt = now();
      if (!started) return;
      if (tty) {
        draw();
        return;
      }
      const execution =
        previous?.phase !== progress.phase ? `[unionml] ${what}: ${shownPhase(progress.phase)} after ${formatElapsed(progress.elapsedSeconds)}\n` : '';
      let nodes = '';
      for (const node of progress.nodes) {
        if (shown.get(node.id) === node.phase) continue;
        shown.set(node.id, node.phase);
        nodes += `[unionml]   ${node.name ? nodeLabel(node) : `node ${node.id}`}: ${shownPhase(node.phase)}${running(node.phase) ? '' : ` in ${formatElapsed(node.seconds)}`}\n`;
      }
      // A finished execution's line comes after its last nodes'.
      const out = running(progress.phase) ? execution + nodes : nodes + execution;
      if (out) stream.write(out);
    },
    done(): void {
      if (finished) return;
      if (timer) clearInterval(timer);
      timer = undefined;
      if (tty && started) {
        const permanent = live();
        finished = true;
        draw(permanent);
      }
      finished = true;
    },
  };
}
