import { JsonSyntaxError } from './errors.js';

/**
 * `JSON.parse` with an error that says where: the source name, line, column and the offending line.
 *
 * @param text the JSON text
 * @param source a name for messages, e.g. a file path or `--inputs`
 */
export function parseJson(text: string, source = 'input'): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    // Only on failure: rescan to find where and why (V8's messages do not always give a position).
    const { offset, reason } = findSyntaxError(text) ?? { offset: text.length, reason: error instanceof Error ? error.message : String(error) };
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - before.lastIndexOf('\n');
    const lineText = text.split('\n')[line - 1] ?? '';
    const start = Math.max(0, column - 40);
    const excerpt = `  ${lineText.slice(start, start + 80)}\n  ${' '.repeat(Math.max(0, column - 1 - start))}^`;
    throw new JsonSyntaxError(source, line, column, reason, excerpt);
  }
}

interface SyntaxProblem {
  offset: number;
  reason: string;
}

/** The scanner's way out on the first problem; caught in {@link findSyntaxError}, never seen outside. */
class Fail extends Error {
  constructor(readonly problem: SyntaxProblem) {
    super(problem.reason);
  }
}

/** A small JSON scanner that reports the first error's offset and a readable reason. */
export function findSyntaxError(text: string): SyntaxProblem | undefined {
  let i = 0;
  const fail = (reason: string, at = i): never => {
    throw new Fail({ offset: at, reason });
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const describe = () => (i >= text.length ? 'end of input' : `'${text[i]}'`);
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(`unexpected ${describe()}, expected a value`);
  };
  const string = () => {
    const start = i++;
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail('control character or line break inside a string (use \\n)');
      if (text[i] === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('bad \\u escape in a string');
          i += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) fail(`bad escape '\\${e ?? ''}' in a string`);
        i += 2;
        continue;
      }
      i++;
    }
    if (i >= text.length) fail('unterminated string', start);
    i++;
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '-' || m[0] === '') fail(`unexpected ${describe()}, expected a value`);
    i += m![0].length;
  };
  // A property name and its colon; the value follows.
  const key = () => {
    if (text[i] !== '"') fail(`unexpected ${describe()}, expected a "quoted" property name`);
    string();
    ws();
    if (text[i] !== ':') fail(`unexpected ${describe()}, expected ':' after a property name`);
    i++;
  };
  // Iterative, with the open brackets on a stack of their own: any nesting depth is scanned without recursion.
  const open: ('}' | ']')[] = [];
  try {
    ws();
    if (i >= text.length) fail('empty input, expected a JSON value');
    for (;;) {
      // A value starts here.
      ws();
      const c = text[i];
      if (c === '{' || c === '[') {
        const close = c === '{' ? '}' : ']';
        i++;
        ws();
        if (text[i] !== close) {
          open.push(close);
          if (close === '}') key();
          continue;
        }
        i++;
      } else if (c === '"') string();
      else if (c === 't') literal('true');
      else if (c === 'f') literal('false');
      else if (c === 'n') literal('null');
      else if (c === "'") fail("strings must use double quotes, not '");
      else number();
      // The value ended: close the brackets it ends, until a comma starts the next value.
      for (;;) {
        const close = open[open.length - 1];
        ws();
        if (close === undefined) {
          if (i < text.length) fail(`unexpected ${describe()} after the end of the JSON value`);
          return undefined;
        }
        if (text[i] === ',') {
          i++;
          ws();
          if (text[i] === close) fail(`trailing comma before ${close}`);
          if (close === '}') key();
          break;
        }
        if (text[i] !== close) fail(`unexpected ${describe()}, expected ',' or '${close}'`);
        i++;
        open.pop();
      }
    }
  } catch (e) {
    if (e instanceof Fail) return e.problem;
    throw e;
  }
}

/** A bigint as JSON data: a number within 2^53, its decimal string beyond (which z.bigint() fields revive). */
export function bigintToJson(value: bigint): number | string {
  return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
}

/** A `JSON.stringify` replacer that writes bigints as {@link bigintToJson} does (JSON.stringify throws on them). */
export function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? bigintToJson(value) : value;
}
