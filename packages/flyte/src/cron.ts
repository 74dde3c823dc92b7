import { FlyteSpecError } from './errors.js';

interface Bounds {
  name: string;
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DAYS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

// robfig/cron v3 parser.go: the bounds of each field of a standard (5-field) spec.
const FIELDS: Bounds[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day of week', min: 0, max: 6, names: DAYS },
];

const DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/** Go's `time.ParseDuration` syntax (`1h30m`, `90s`, `1.5h`, `0`). */
const GO_DURATION = /^[-+]?(0|(\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))*$/;

function invalid(expression: string, reason: string): FlyteSpecError {
  return new FlyteSpecError(`Schedule is invalid. The cron expression ${JSON.stringify(expression)} cannot be parsed: ${reason}`, {
    field: 'schedule.cron',
    hint: 'use 5 fields (minute hour day-of-month month day-of-week, e.g. "0 2 * * MON-FRI") or @hourly, @daily, @weekly, @monthly, @yearly, @every 1h30m',
  });
}

/**
 * Checks a cron expression as Flyte's scheduler parses it (robfig/cron `ParseStandard`): 5 fields (minute, hour, day
 * of month, month `1-12`/`JAN-DEC`, day of week `0-6`/`SUN-SAT`; each a list of `*`, `?`, `N`, `N-M`, with
 * optional `/step`), or a descriptor (`@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`,
 * `@hourly`, `@every <Go duration>`), optionally prefixed by `TZ=<zone>` or `CRON_TZ=<zone>`.
 * Throws {@link FlyteSpecError} `Schedule is invalid. ...` with robfig's reason.
 */
export function validateCron(expression: string): void {
  if (typeof expression !== 'string') throw invalid(String(expression), 'it is not a string');
  let spec = expression.trim();
  if (spec === '') throw invalid(expression, 'empty spec string');
  const tz = /^(?:CRON_)?TZ=(\S+)\s*/.exec(spec);
  if (tz) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz[1]! });
    } catch {
      throw invalid(expression, `provided bad location ${tz[1]}`);
    }
    spec = spec.slice(tz[0].length).trim();
  }
  if (spec.startsWith('@')) {
    if (DESCRIPTORS.has(spec)) return;
    if (spec.startsWith('@every ')) {
      const duration = spec.slice('@every '.length).trim();
      if (!GO_DURATION.test(duration)) throw invalid(expression, `failed to parse duration ${spec}: invalid duration ${JSON.stringify(duration)}`);
      return;
    }
    throw invalid(expression, `unrecognized descriptor: ${spec}`);
  }
  const fields = spec.split(/\s+/);
  if (fields.length !== 5) throw invalid(expression, `expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  fields.forEach((field, i) => {
    for (const part of field.split(',')) checkRange(expression, part, FIELDS[i]!);
  });
}

function checkRange(expression: string, expr: string, bounds: Bounds): void {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0]!.split('-');
  const singleDigit = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = bounds.min;
    end = bounds.max;
  } else {
    start = parseIntOrName(expression, lowAndHigh[0]!, bounds);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(expression, lowAndHigh[1]!, bounds);
    else throw invalid(expression, `too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = mustParseInt(expression, rangeAndStep[1]!);
    if (singleDigit) end = bounds.max;
  } else if (rangeAndStep.length > 2) {
    throw invalid(expression, `too many slashes: ${expr}`);
  }
  if (start < bounds.min) throw invalid(expression, `beginning of range (${start}) below minimum (${bounds.min}): ${expr} (${bounds.name})`);
  if (end > bounds.max) throw invalid(expression, `end of range (${end}) above maximum (${bounds.max}): ${expr} (${bounds.name})`);
  if (start > end) throw invalid(expression, `beginning of range (${start}) beyond end of range (${end}): ${expr} (${bounds.name})`);
  if (step === 0) throw invalid(expression, `step of range should be a positive number: ${expr} (${bounds.name})`);
}

function parseIntOrName(expression: string, text: string, bounds: Bounds): number {
  const named = bounds.names?.[text.toLowerCase()];
  if (named !== undefined) return named;
  return mustParseInt(expression, text);
}

function mustParseInt(expression: string, text: string): number {
  // Go's strconv.Atoi: optional sign, decimal digits only.
  if (!/^[+-]?\d+$/.test(text)) throw invalid(expression, `failed to parse int from ${text}: strconv.Atoi: parsing ${JSON.stringify(text)}: invalid syntax`);
  const value = Number.parseInt(text, 10);
  if (value < 0) throw invalid(expression, `negative number (${value}) not allowed: ${text}`);
  return value;
}
