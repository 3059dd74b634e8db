/**
 * From chunk scores to paper scores. A paper's best passage is its best-scoring chunk; its score
 * is an aggregate of its chunk scores, chosen by evaluation (see DEFAULT_AGGREGATION).
 */

export type Aggregation =
  /** the best chunk's score */
  | { kind: 'max' }
  /** best + weight x second best (a small bonus for a second matching passage) */
  | { kind: 'max-plus-second'; weight: number }
  /** mean of the best two (a one-chunk paper: its only score) */
  | { kind: 'top2-mean' }
  /** mean over all of the paper's chunks */
  | { kind: 'mean' };

/**
 * Chosen on the SciFact train split with all-MiniLM-L6-v2 (see the README's Quality section):
 * max. The alternatives were within noise or worse (numbers in the eval report).
 */
export const DEFAULT_AGGREGATION: Aggregation = { kind: 'max' };

export interface PaperScores {
  /** Paper score per paper index; -Infinity where the paper had no scored chunk. */
  score: Float64Array;
  /** Row (chunk index) of each paper's best chunk; -1 where none. */
  best: Int32Array;
}

/**
 * Aggregates chunk scores into paper scores in one pass over the chunks.
 * `chunkPaper[row]` is the paper index of chunk `row`; rows with `rows[row] === 0` are skipped
 * (no vector yet). Ties between chunks of one paper keep the earlier chunk as the best.
 */
export function paperScores(
  chunkScores: ArrayLike<number>,
  chunkPaper: Int32Array,
  paperCount: number,
  aggregation: Aggregation = DEFAULT_AGGREGATION,
  rows?: ArrayLike<number>,
): PaperScores {
  const s1 = new Float64Array(paperCount).fill(-Infinity);
  const best = new Int32Array(paperCount).fill(-1);
  const n = chunkPaper.length;
  const needSecond = aggregation.kind === 'max-plus-second' || aggregation.kind === 'top2-mean';
  const s2 = needSecond ? new Float64Array(paperCount).fill(-Infinity) : null;
  const sum = aggregation.kind === 'mean' ? new Float64Array(paperCount) : null;
  const count = aggregation.kind === 'mean' ? new Int32Array(paperCount) : null;
  for (let r = 0; r < n; r++) {
    if (rows && !rows[r]) continue;
    const p = chunkPaper[r];
    const s = chunkScores[r];
    if (s > s1[p]) {
      if (s2) s2[p] = s1[p];
      s1[p] = s;
      best[p] = r;
    } else if (s2 && s > s2[p]) {
      s2[p] = s;
    }
    if (sum) {
      sum[p] += s;
      count![p]++;
    }
  }
  let score = s1;
  if (aggregation.kind === 'max-plus-second') {
    const w = aggregation.weight;
    score = s1.map((v, p) => (s2![p] === -Infinity ? v : v + w * s2![p]));
  } else if (aggregation.kind === 'top2-mean') {
    score = s1.map((v, p) => (s2![p] === -Infinity ? v : (v + s2![p]) / 2));
  } else if (aggregation.kind === 'mean') {
    score = s1.map((v, p) => (count![p] ? sum![p] / count![p] : v));
  }
  return { score, best };
}

export function describeAggregation(a: Aggregation): string {
  return a.kind === 'max-plus-second' ? `max+${a.weight}*second` : a.kind;
}
