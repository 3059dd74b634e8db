/** Pure summary statistics for the benchmark (Node and browser). */

/**
 * The p-th percentile (0..100) of `values` by linear interpolation between closest ranks (the
 * definition of numpy's default and of most spreadsheets). Does not modify `values`.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('percentile: no values (did the measurement run?)');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile: p must be within 0..100, got ${p}`);
  for (const v of values) if (!Number.isFinite(v)) throw new RangeError(`percentile: value ${v} is not a finite number`);
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** a / b, or null when b is not a positive finite number (a ratio that cannot be formed). */
export function ratio(a: number, b: number): number | null {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b <= 0) return null;
  return a / b;
}
