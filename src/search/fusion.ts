/**
 * Hybrid ranking: fuses a dense and a lexical ranking of the same documents.
 *  - 'rrf': reciprocal-rank fusion (Cormack et al. 2009): sum over lists of w / (k + rank), rank
 *    1-based within each list's top `depth`; a list that does not hold a document adds nothing.
 *  - 'convex': alpha * dense' + (1 - alpha) * lexical', where x' is the score on a common scale:
 *      'minmax'  (x - min) / (max - min) over the list's top `depth`, clamped to [0, 1]: stretches
 *                any list to the full range, however flat or weak its matches;
 *      'zscore'  (x - mean) / sd over the list's top `depth`;
 *      'cosine'  (dense only) the cosine itself: a fixed scale, the same for every corpus;
 *      'ideal'   (lexical only) BM25 / ((k1 + 1) x sum of the query terms' IDF in this corpus), the
 *                score a document holding every query term at saturation would get: a match on a
 *                few of the query's terms stays small, however alone it is in the list;
 *      'corpus'  (lexical only) BM25 / ((k1 + 1) x n x IDF of a term only one document holds), n
 *                the query's terms found in the corpus: matches on words most documents hold stay
 *                small (on 14 papers on one topic, "speech" or "model" say little).
 *    A document with no lexical match has lexical score 0 ('minmax': 0, 'zscore': that of 0).
 */

import type { LexicalQueryStats } from './lexical';

export interface Ranked {
  index: number;
  score: number;
}

export type Fusion =
  | { kind: 'rrf'; k: number; depth: number; denseWeight?: number; lexicalWeight?: number }
  | { kind: 'convex'; alpha: number; depth: number; dense?: DenseScale; lexical?: LexicalScale };

export type DenseScale = 'minmax' | 'zscore' | 'cosine';
export type LexicalScale = 'minmax' | 'zscore' | 'ideal' | 'corpus';

/**
 * Chosen on the SciFact train split (809 queries; `npm run eval -- --split train --fusions`), at
 * every corpus size measured (sub-corpora of 15, 150 and 1,500 papers, 5 draws each, and all
 * 5,183): the best mean nDCG@10 over the sizes among the fusions that beat both dense and BM25 at
 * each. 0.9825 / 0.9367 / 0.8331 / 0.7400, where min-max convex (alpha 0.5, the default before)
 * had 0.9757 / 0.9297 / 0.8212 / 0.7299 and fell below dense alone (0.9789) on 15 papers:
 * min-max stretches a flat list of weak keyword matches to the full [0, 1]. The cosine keeps its
 * own scale; BM25 is taken relative to the score a document holding every query term would get.
 */
export const DEFAULT_FUSION: Fusion = { kind: 'convex', alpha: 0.6, depth: 100, dense: 'cosine', lexical: 'ideal' };

export interface FusedHit {
  index: number;
  score: number;
}

/**
 * `dense` and `lexical` are rankings best first (at least `depth` long where available).
 * `denseScore` / `lexicalScore` give any document's raw score (undefined = not scored); convex
 * fusion uses them for documents outside one list's top `depth`. `stats` (the query's terms in
 * the lexical index, LexicalIndex.queryStats) is needed by the 'ideal' and 'corpus' scales only.
 */
export function fuse(
  dense: readonly Ranked[],
  lexical: readonly Ranked[],
  fusion: Fusion = DEFAULT_FUSION,
  denseScore?: (index: number) => number | undefined,
  lexicalScore?: (index: number) => number | undefined,
  stats?: LexicalQueryStats,
): FusedHit[] {
  const depth = fusion.depth;
  if (!(depth >= 1)) throw new RangeError(`fusion depth must be >= 1, got ${depth}.`);
  const d = dense.slice(0, depth);
  const l = lexical.slice(0, depth);
  const fused = new Map<number, number>();
  if (fusion.kind === 'rrf') {
    const wd = fusion.denseWeight ?? 1;
    const wl = fusion.lexicalWeight ?? 1;
    d.forEach((h, i) => fused.set(h.index, (fused.get(h.index) ?? 0) + wd / (fusion.k + i + 1)));
    l.forEach((h, i) => fused.set(h.index, (fused.get(h.index) ?? 0) + wl / (fusion.k + i + 1)));
  } else {
    const { alpha } = fusion;
    const dNorm = scaler(d, fusion.dense ?? 'minmax', stats);
    const lNorm = scaler(l, fusion.lexical ?? 'minmax', stats);
    const dMissing = (fusion.dense ?? 'minmax') === 'minmax' ? 0 : dNorm(d.length ? d[d.length - 1].score : 0);
    const lMissing = (fusion.lexical ?? 'minmax') === 'minmax' ? 0 : lNorm(0);
    const denseOf = new Map(d.map((h) => [h.index, h.score]));
    const lexOf = new Map(l.map((h) => [h.index, h.score]));
    for (const index of new Set([...denseOf.keys(), ...lexOf.keys()])) {
      const ds = denseOf.get(index) ?? denseScore?.(index);
      const ls = lexOf.get(index) ?? lexicalScore?.(index);
      fused.set(index, alpha * (ds === undefined ? dMissing : dNorm(ds)) + (1 - alpha) * (ls === undefined ? lMissing : lNorm(ls)));
    }
  }
  const out: FusedHit[] = [];
  for (const [index, score] of fused) out.push({ index, score });
  out.sort((a, b) => b.score - a.score || a.index - b.index);
  return out;
}

function scaler(list: readonly Ranked[], scale: DenseScale | LexicalScale, stats?: LexicalQueryStats): (s: number) => number {
  switch (scale) {
    case 'minmax':
      return minMax(list);
    case 'cosine':
      return (s) => s;
    case 'zscore': {
      if (list.length === 0) return () => 0;
      let sum = 0;
      for (const h of list) sum += h.score;
      const mean = sum / list.length;
      let sq = 0;
      for (const h of list) sq += (h.score - mean) ** 2;
      const sd = Math.sqrt(sq / list.length);
      return sd > 0 ? (s) => (s - mean) / sd : () => 0;
    }
    case 'ideal':
    case 'corpus': {
      if (!stats) throw new Error(`fuse: the '${scale}' lexical scale needs the query's lexical statistics (LexicalIndex.queryStats); pass them as the last argument.`);
      const n = stats.docCount;
      const unit = scale === 'ideal' ? stats.termIdf.reduce((a, x) => a + x, 0) : stats.termIdf.length * Math.log(1 + (n - 0.5) / 1.5);
      const top = unit * (stats.k1 + 1);
      return top > 0 ? (s) => Math.min(1, Math.max(0, s / top)) : () => 0;
    }
  }
}

function minMax(list: readonly Ranked[]): (s: number) => number {
  if (list.length === 0) return () => 0;
  let max = -Infinity;
  let min = Infinity;
  for (const h of list) {
    if (h.score > max) max = h.score;
    if (h.score < min) min = h.score;
  }
  const span = max - min;
  return span > 0 ? (s) => Math.min(1, Math.max(0, (s - min) / span)) : () => 1;
}

export function describeFusion(f: Fusion): string {
  if (f.kind === 'convex') {
    const scales = (f.dense ?? 'minmax') === 'minmax' && (f.lexical ?? 'minmax') === 'minmax' ? '' : `, ${f.dense ?? 'minmax'}/${f.lexical ?? 'minmax'}`;
    return `convex(alpha=${f.alpha}, depth=${f.depth}${scales})`;
  }
  const w = f.denseWeight !== undefined || f.lexicalWeight !== undefined ? `, w=${f.denseWeight ?? 1}/${f.lexicalWeight ?? 1}` : '';
  return `rrf(k=${f.k}, depth=${f.depth}${w})`;
}
