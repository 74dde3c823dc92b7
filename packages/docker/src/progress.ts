/**
 * What a build reports while it runs. `step` is parsed from the classic builder's `Step 3/9 : RUN npm ci` lines;
 * `log` is every other line of output (the steps' own output and the builder's ` ---> ...` bookkeeping); `done`
 * comes once, with the image id, when the build succeeded.
 */
export type BuildEvent = { kind: 'step'; step: number; total: number; instruction: string } | { kind: 'log'; text: string } | { kind: 'done'; id: string };

/**
 * What a push reports while it runs: one `layer` event per status change or progress tick of a layer (`Preparing`,
 * `Waiting`, `Pushing` with `current`/`total` bytes, `Pushed`, `Layer already exists`), and `log` lines for the rest
 * (`The push refers to repository [...]`, `v1: digest: sha256:... size: 1234`).
 */
export type PushEvent = { kind: 'layer'; id: string; status: string; current?: number; total?: number } | { kind: 'log'; text: string };

/** One JSON message of the Engine API's progress streams (build, push, pull). */
export interface JsonMessage {
  stream?: string;
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  aux?: Record<string, unknown>;
  error?: string;
  errorDetail?: { code?: number; message?: string };
  message?: string;
}

/** What {@link readJsonMessages} rejects with when `onMessage` (a caller's progress callback) throws. */
export class ListenerError extends Error {
  constructor(readonly original: unknown) {
    super('a progress listener threw');
  }
}

/**
 * Reads a stream of JSON messages (one per line, as the daemon writes them; chunks may split or join lines) and calls
 * `onMessage` for each. A line that is not JSON is passed on as `{ stream: line }`. Resolves when the stream ends. If
 * `onMessage` throws, the stream is destroyed and the promise rejects with a {@link ListenerError}.
 */
export function readJsonMessages(stream: NodeJS.ReadableStream, onMessage: (message: JsonMessage) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let pending = '';
    let failed = false;
    const decoder = new TextDecoder();
    const handleLine = (line: string): void => {
      if (failed) return;
      try {
        parseLine(line);
      } catch (e) {
        failed = true;
        reject(new ListenerError(e));
        (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      }
    };
    const parseLine = (line: string): void => {
      const text = line.trim();
      if (!text) return;
      let message: JsonMessage;
      try {
        const parsed: unknown = JSON.parse(text);
        message = typeof parsed === 'object' && parsed !== null ? parsed : { stream: `${text}\n` };
      } catch {
        message = { stream: `${text}\n` };
      }
      onMessage(message);
    };
    stream.on('data', (chunk: Buffer | string) => {
      pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        handleLine(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
    });
    stream.on('end', () => {
      pending += decoder.decode();
      handleLine(pending);
      resolve();
    });
    stream.on('error', reject);
    stream.on('close', () => resolve());
  });
}

const STEP = /^Step (\d+)\/(\d+) : (.*)$/;
/** Lines the classic builder prints about itself rather than as a step's output. */
const BOOKKEEPING = /^( ---> |Removing intermediate container |Successfully built |Successfully tagged )/;
const TAIL_LINES = 20;
// eslint-disable-next-line no-control-regex -- matches the ESC of ANSI escape sequences, to strip them from build output
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/**
 * Follows a classic-builder build stream: parses steps, keeps the tail of each step's output, the image id and the
 * error, and turns them into {@link BuildEvent}s.
 */
export class BuildStreamParser {
  /** The current step as printed, e.g. `Step 3/9 : RUN npm ci`. */
  step: string | undefined;
  /** The last lines of the current step's own output (builder bookkeeping excluded). */
  stepTail: string[] = [];
  /** The last lines of the whole build's output (builder bookkeeping excluded). */
  buildTail: string[] = [];
  /** The image id (`sha256:...`) once the daemon reported it. */
  imageId: string | undefined;
  /** The daemon's error, if the build failed. */
  error: string | undefined;
  private partial = '';

  constructor(private readonly onEvent: (event: BuildEvent) => void = () => {}) {}

  /** Handles one JSON message of the stream. */
  handle(message: JsonMessage): void {
    if (typeof message.stream === 'string') {
      this.partial += message.stream;
      const lines = this.partial.split(/\r\n|\n|\r/);
      this.partial = lines.pop() ?? '';
      for (const line of lines) this.line(line);
    }
    if (typeof message.status === 'string') {
      // Pulls of a base image during FROM: only the status changes, not every progress tick.
      if (!message.progressDetail || message.progressDetail.total === undefined) this.line(message.id ? `${message.id}: ${message.status}` : message.status);
    }
    const auxId = message.aux?.['ID'];
    if (typeof auxId === 'string') this.imageId = auxId;
    const error = message.errorDetail?.message ?? message.error;
    if (typeof error === 'string' && error !== '') {
      this.flush();
      this.error = error.trim();
    } else if (typeof message.message === 'string' && Object.keys(message).length === 1) {
      // A bare `{"message": ...}` is how the daemon reports errors before the build starts.
      this.flush();
      this.error = message.message.trim();
    }
  }

  /** Handles the end of the stream (the last partial line). The caller emits `done` once it has the full image id. */
  end(): void {
    this.flush();
  }

  private flush(): void {
    if (this.partial !== '') {
      const line = this.partial;
      this.partial = '';
      this.line(line);
    }
  }

  private line(raw: string): void {
    // The classic builder wraps a step's stderr in colour codes (`\x1b[91m`...`\x1b[0m`): drop them.
    const text = raw.replace(ANSI, '').replace(/\s+$/, '');
    if (text === '') return;
    const step = STEP.exec(text);
    if (step) {
      this.step = text;
      this.stepTail = [];
      this.onEvent({ kind: 'step', step: Number(step[1]), total: Number(step[2]), instruction: step[3] ?? '' });
      return;
    }
    const built = /^Successfully built ([0-9a-f]+)$/.exec(text);
    if (built && !this.imageId) this.imageId = built[1];
    if (!BOOKKEEPING.test(text)) {
      pushTail(this.stepTail, text);
      pushTail(this.buildTail, text);
    }
    this.onEvent({ kind: 'log', text });
  }
}

function pushTail(tail: string[], line: string): void {
  tail.push(line);
  if (tail.length > TAIL_LINES) tail.shift();
}

/** Follows a push stream: turns messages into {@link PushEvent}s and keeps the digest and the error. */
export class PushStreamParser {
  /** The pushed manifest's digest, once the daemon reported it. */
  digest: string | undefined;
  /** The daemon's error, if the push failed. */
  error: string | undefined;

  constructor(private readonly onEvent: (event: PushEvent) => void = () => {}) {}

  /** Handles one JSON message of the stream. */
  handle(message: JsonMessage): void {
    const error = message.errorDetail?.message ?? message.error;
    if (typeof error === 'string' && error !== '') {
      this.error = error.trim();
      return;
    }
    const digest = message.aux?.['Digest'];
    if (typeof digest === 'string') this.digest = digest;
    if (typeof message.status !== 'string') return;
    if (message.id && !message.status.startsWith('The push refers to')) {
      const event: PushEvent = { kind: 'layer', id: message.id, status: message.status };
      if (typeof message.progressDetail?.current === 'number') event.current = message.progressDetail.current;
      if (typeof message.progressDetail?.total === 'number') event.total = message.progressDetail.total;
      this.onEvent(event);
    } else {
      const text = message.id ? `${message.id}: ${message.status}` : message.status;
      const m = /digest: (sha256:[0-9a-f]{64})/.exec(text);
      if (m && !this.digest) this.digest = m[1];
      this.onEvent({ kind: 'log', text });
    }
  }
}
