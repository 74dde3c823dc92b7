// The benchmarks' settings from the environment (BENCH_SECONDS, BENCH_EVENTS...).

/** The positive integer in the environment variable `name`, or `fallback` when it is unset or empty; else exit 2. */
export function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return value;
}
