import type { BuildEvent, PushEvent } from './progress.js';

/** A progress display fed with build and push events; `done()` settles it (call it in a `finally`). */
export interface ProgressRenderer {
  /** Shows a build event. */
  onBuild: (event: BuildEvent) => void;
  /** Shows a push event. */
  onPush: (event: PushEvent) => void;
  /** Stops the live display, leaving its last state on screen. Idempotent. */
  done(): void;
}

/** Options of {@link renderProgress}, mostly for tests. */
export interface RenderOptions {
  /** Force the live (TTY) or the plain display. Default: `stream.isTTY`. */
  tty?: boolean;
  /** Terminal width. Default: `stream.columns` (when the terminal reports one), else `$COLUMNS`, else 100. */
  columns?: number;
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number;
  /** Milliseconds between redraws of the live display (elapsed times). Default 200; 0 for none. */
  refreshMs?: number;
}

interface Layer {
  id: string;
  status: string;
  current?: number | undefined;
  total?: number | undefined;
  start: number;
  end?: number | undefined;
}

/** `12.3s`, `2m05s`. */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const whole = Math.floor(seconds);
  return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
}

/** `3.4 MB`, `512 B`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

const FINAL_LAYER_STATUS = /^(Pushed|Layer already exists|Mounted from|Already exists)/;

/**
 * A progress display for builds and pushes on `stream` (usually `process.stderr`).
 *
 * On a TTY it is live: each finished build step stays as one line with its elapsed time (`[3/9] RUN npm ci  12.3s`),
 * the running step's line updates in place with its elapsed time and last output line; during a push, one line per
 * layer updates in place (status, bytes, elapsed time). Elsewhere (CI logs, pipes) it writes plain prefixed lines:
 * `[build] Step 3/9 : RUN npm ci`, `[build]   <output>`, `[push] <layer>: Pushed`, one per status change.
 *
 * @example
 * ```ts
 * const progress = renderProgress(process.stderr);
 * try { await docker.build({ ...options, onEvent: progress.onBuild }); } finally { progress.done(); }
 * ```
 */
export function renderProgress(stream: NodeJS.WriteStream, options: RenderOptions = {}): ProgressRenderer {
  const tty = options.tty ?? stream.isTTY === true;
  const now = options.now ?? Date.now;
  // A pseudo-terminal without a size (e.g. under `script` or CI) reports 0 columns.
  const width = (): number => Math.max(20, (options.columns ?? (stream.columns || Number(process.env['COLUMNS']) || 100)) - 1);
  const fit = (text: string): string => {
    const w = width();
    // eslint-disable-next-line no-control-regex -- control characters (ESC, CR, tabs...) would move the cursor of the terminal this renders to
    const plain = text.replace(/[\u0000-\u001f\u007f]/g, ' ');
    return plain.length > w ? `${plain.slice(0, w - 1)}…` : plain;
  };

  const buildStart = now();
  let step: { label: string; start: number; last: string; cached: boolean } | undefined;
  const layers = new Map<string, Layer>();
  let liveLines = 0;
  let finished = false;
  let timer: NodeJS.Timeout | undefined;

  const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, Math.max(1, max - 1))}…` : text);
  // The instruction gets at most 60% of the line, so that the time (and the last output line) always show.
  const stepLine = (s: NonNullable<typeof step>, end: number | undefined): string => {
    const time = s.cached ? 'cached' : formatElapsed((end ?? now()) - s.start);
    const head = `${clip(s.label, Math.max(20, Math.floor(width() * 0.6)))}  ${time}`;
    return end === undefined && s.last ? `${head}  │ ${s.last}` : head;
  };
  const layerLine = (l: Layer): string => {
    const bytes = l.total ? `  ${formatBytes(l.current ?? 0)}/${formatBytes(l.total)}` : '';
    return `  ${l.id}  ${l.status}${bytes}  ${formatElapsed((l.end ?? now()) - l.start)}`;
  };
  const live = (): string[] => {
    const lines: string[] = [];
    if (step) lines.push(stepLine(step, undefined));
    for (const layer of layers.values()) lines.push(layerLine(layer));
    return lines;
  };

  /** Redraws the live block below the permanent lines (written first). */
  const draw = (permanent: string[] = []): void => {
    let out = liveLines > 0 ? `\x1b[${liveLines}A\r\x1b[J` : '';
    for (const line of permanent) out += `${fit(line)}\n`;
    const lines = finished ? [] : live();
    for (const line of lines) out += `${fit(line)}\n`;
    liveLines = lines.length;
    if (out) stream.write(out);
  };
  const ensureTimer = (): void => {
    const refresh = options.refreshMs ?? 200;
    if (!timer && refresh > 0 && !finished) {
      timer = setInterval(() => draw(), refresh);
      timer.unref();
    }
  };
  const plain = (line: string): void => {
    stream.write(`${line}\n`);
  };
  const finishStep = (): string[] => {
    if (!step) return [];
    const line = stepLine(step, now());
    step = undefined;
    return [line];
  };

  const onBuild = (event: BuildEvent): void => {
    if (finished) return;
    if (!tty) {
      if (event.kind === 'step') plain(`[build] Step ${event.step}/${event.total} : ${event.instruction}`);
      else if (event.kind === 'log') plain(`[build]   ${event.text}`);
      else plain(`[build] done in ${formatElapsed(now() - buildStart)}: ${event.id}`);
      return;
    }
    if (event.kind === 'step') {
      const permanent = finishStep();
      step = { label: `[${event.step}/${event.total}] ${event.instruction}`, start: now(), last: '', cached: false };
      draw(permanent);
      ensureTimer();
    } else if (event.kind === 'log') {
      if (!step) return;
      if (event.text === ' ---> Using cache') step.cached = true;
      else if (!event.text.startsWith(' ---> ') && !event.text.startsWith('Removing intermediate container')) step.last = event.text.trim();
      draw();
    } else {
      draw(finishStep());
    }
  };

  const onPush = (event: PushEvent): void => {
    if (finished) return;
    if (event.kind === 'log') {
      if (tty) draw([event.text]);
      else plain(`[push] ${event.text}`);
      return;
    }
    const previous = layers.get(event.id);
    if (!tty) {
      if (previous?.status !== event.status) plain(`[push] ${event.id}: ${event.status}`);
      layers.set(event.id, { id: event.id, status: event.status, start: previous?.start ?? now() });
      return;
    }
    const layer: Layer = previous ?? { id: event.id, status: event.status, start: now() };
    layer.status = event.status;
    layer.current = event.current;
    layer.total = event.total;
    if (FINAL_LAYER_STATUS.test(event.status)) layer.end ??= now();
    layers.set(event.id, layer);
    draw();
    ensureTimer();
  };

  return {
    onBuild,
    onPush,
    done() {
      if (finished) return;
      if (timer) clearInterval(timer);
      timer = undefined;
      if (tty) {
        const permanent = [...finishStep(), ...[...layers.values()].map(layerLine)];
        finished = true;
        draw(permanent);
      }
      finished = true;
    },
  };
}
