// "Did you mean ...?": the known name a misspelled one most likely meant.

/** Levenshtein distance (insertions, deletions, substitutions), in O(|a|·|b|) time and O(|b|) space. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The candidate a misspelled name most likely meant: the same but for case, `_`, `-` and spaces; else one sharing a
 * stem (most of the shorter name, and at least 4 characters); else the nearest by edit distance (at most a third of
 * the name's length, and at least 1). `undefined` when none is close.
 *
 * @example
 * ```ts
 * closest('hyperparams', ['hyperparameters', 'trainerKwargs']); // 'hyperparameters'
 * closest('learning_rate', ['learningRate']); // 'learningRate'
 * ```
 */
export function closest(name: string, candidates: readonly string[], maxDistance = Math.max(1, Math.floor(name.length / 3))): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[_\s-]/g, '');
  // Among equally good candidates, the one spelled most like the name (trainer_kwarg: trainer_kwargs, not trainerKwargs).
  const best = (matches: readonly string[]) => (matches.length ? matches.reduce((a, b) => (editDistance(b, name) < editDistance(a, name) ? b : a)) : undefined);
  const exact = best(candidates.filter((c) => norm(c) === norm(name)));
  if (exact !== undefined) return exact;
  // An abbreviation or a longer form: `hyperparams` for `hyperparameters`.
  const stem = best(
    candidates.filter((c) => {
      const [a, b] = [norm(c), norm(name)];
      let n = 0;
      while (n < a.length && n < b.length && a[n] === b[n]) n++;
      return n >= 4 && n >= 0.7 * Math.min(a.length, b.length);
    }),
  );
  if (stem !== undefined) return stem;
  let nearest: string[] = [];
  let nearestDistance = maxDistance + 1;
  for (const candidate of candidates) {
    if (Math.abs(candidate.length - name.length) > maxDistance) continue;
    const d = editDistance(norm(name), norm(candidate));
    if (d < nearestDistance) [nearest, nearestDistance] = [[candidate], d];
    else if (d === nearestDistance) nearest.push(candidate);
  }
  return best(nearest);
}
