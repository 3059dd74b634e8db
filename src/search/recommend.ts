/**
 * "Recommended from your list": papers ranked by what the listed (saved) papers have in common,
 * each with the listed paper(s) it is most like ("because you saved …"). One module for the
 * page (Session.recommend) and the eval that chose the method (src/cli/eval-recommend.ts).
 *
 * Every method scores a paper by its best passage (as search does) against something built from
 * the listed papers' passage vectors:
 *   max      — its best match to any listed paper (max over listed papers of "more like this")
 *   mean     — the mean of its best matches to each listed paper
 *   top-sum  — the sum of its m best matches to listed papers
 *   max-plus — its best match plus `weight` x its second best (a bonus for matching two listed papers)
 *   rrf      — reciprocal-rank fusion of every listed paper's "more like this" list
 *   centroid — one query: the mean of the listed papers' (mean) vectors
 *   linear   — a linear model on the listed passages vs random passages of the corpus
 *              (L2-regularised logistic regression, class-balanced; as arxiv-sanity-lite's SVM)
 * DEFAULT_RECOMMEND is the one the eval measured best (README, Reading list and recommendations).
 */
import type { Paper } from '../corpus/types';
import type { PaperHit, SearchEngine } from './engine';
import { normalise, selectTopK } from './vectors';

export type RecommendMethod =
  | { kind: 'max' }
  | { kind: 'mean' }
  | { kind: 'top-sum'; m: number }
  | { kind: 'max-plus'; weight: number }
  | { kind: 'rrf'; k: number; depth: number }
  | { kind: 'centroid' }
  | { kind: 'linear'; negatives: number; lambda: number; iterations: number };

/**
 * Measured on SciFact train (npm run eval -- --recommend; numbers in the README): best match has
 * the highest mean nDCG@10 over the four kinds of list (0.488; next max+0.1*second 0.484, top-2
 * sum 0.443, linear 0.398, centroid 0.371). Methods that pool the list (mean, centroid, linear)
 * win on lists about one topic (0.65 vs 0.60) but fall apart on a list with several interests
 * (mixed 10: 0.07–0.12 vs 0.31), which is what a reading list is.
 */
export const DEFAULT_RECOMMEND: RecommendMethod = { kind: 'max' };

export function describeRecommend(m: RecommendMethod): string {
  switch (m.kind) {
    case 'top-sum':
      return `top-${m.m} sum`;
    case 'max-plus':
      return `max+${m.weight}*second`;
    case 'rrf':
      return `rrf(k=${m.k}, depth=${m.depth})`;
    case 'linear':
      return `linear(neg=${m.negatives}, λ=${m.lambda}, it=${m.iterations})`;
    default:
      return m.kind;
  }
}

export interface Because {
  /** a listed paper's id */
  id: string;
  /** cosine of its best passage with the recommended paper's best passage */
  similarity: number;
}

export interface Recommendation extends PaperHit {
  /** the listed papers it is most like, best first (one, or two when the second is nearly as close) */
  because: Because[];
}

export interface RecommendOptions {
  k?: number;
  method?: RecommendMethod;
  /** rows with a vector (the page's filled rows); default every row */
  rows?: ArrayLike<number>;
  /** a paper whose score is within this of the best listed paper's is named too */
  becauseMargin?: number;
}

/** Rows of each paper and the paper of each row, for one engine (cached: the engine's data does not change). */
interface Layout {
  paperOfRow: Int32Array;
  rowsOfPaper: number[][];
  indexOf: Map<string, number>;
}

const layouts = new WeakMap<SearchEngine, Layout>();

function layout(engine: SearchEngine): Layout {
  let l = layouts.get(engine);
  if (!l) {
    const indexOf = new Map(engine.data.papers.map((p, i) => [p.id, i]));
    const paperOfRow = new Int32Array(engine.data.chunks.length);
    const rowsOfPaper: number[][] = engine.data.papers.map(() => []);
    engine.data.chunks.forEach((c, r) => {
      const p = indexOf.get(c.paperId)!;
      paperOfRow[r] = p;
      rowsOfPaper[p].push(r);
    });
    l = { paperOfRow, rowsOfPaper, indexOf };
    layouts.set(engine, l);
  }
  return l;
}

/**
 * The k papers most like the listed ones (which are left out), best first. Dense when the engine
 * has vectors for at least one listed paper's passages; otherwise each listed paper's keyword
 * "more like this" list, a paper scored by its best match (hits then have no `dense`).
 */
export function recommend(engine: SearchEngine, listedIds: readonly string[], options: RecommendOptions = {}): Recommendation[] {
  const k = options.k ?? 10;
  const method = options.method ?? DEFAULT_RECOMMEND;
  const { paperOfRow, rowsOfPaper, indexOf } = layout(engine);
  const rows = options.rows;
  const has = (r: number) => !rows || !!rows[r];
  const listed = [...new Set(listedIds)].flatMap((id) => {
    const i = indexOf.get(id);
    return i === undefined ? [] : [i];
  });
  if (listed.length === 0) return [];
  const listedSet = new Set(listed);
  const matrix = engine.matrix;
  const listedRows = listed.map((p) => rowsOfPaper[p].filter(has));
  const dense = matrix !== null && listedRows.some((r) => r.length > 0);
  if (!dense) return keywordRecommend(engine, listed, listedSet, k);

  const nPapers = engine.data.papers.length;
  const nRows = paperOfRow.length;
  const withVectors = listed.filter((_, i) => listedRows[i].length > 0);
  const withRows = listedRows.filter((r) => r.length > 0);
  /** paper score by its best passage for a query vector */
  const byPaper = (scores: Float32Array, out: Float64Array = new Float64Array(nPapers).fill(-Infinity), best?: Int32Array) => {
    for (let r = 0; r < nRows; r++) {
      if (!has(r)) continue;
      const p = paperOfRow[r];
      if (scores[r] > out[p]) {
        out[p] = scores[r];
        if (best) best[p] = r;
      }
    }
    return out;
  };
  /**
   * each listed paper's similarity to every paper: max over its passages and theirs. The listed
   * passages are scored MANY_QUERIES at a time in one read of the matrix where it can
   * (scoresMany: the same scores as a pass per passage).
   */
  const perListed = () => {
    const sims = withRows.map(() => new Float64Array(nPapers).fill(-Infinity));
    const queries = withRows.flatMap((lr, g) => lr.map((r) => ({ r, g })));
    for (let at = 0; at < queries.length; at += MANY_QUERIES) {
      const block = queries.slice(at, at + MANY_QUERIES);
      const scored = matrix.scoresMany ? matrix.scoresMany(block.map((q) => matrix.row(q.r))) : null;
      block.forEach((q, i) => bestPerPaper(scored ? scored[i] : matrix.scores(matrix.row(q.r)), paperOfRow, rows, sims[q.g]));
    }
    return sims;
  };

  let score: Float64Array;
  let sims: Float64Array[] | null = null;
  switch (method.kind) {
    case 'max':
    case 'mean':
    case 'top-sum':
    case 'max-plus': {
      sims = perListed();
      score = new Float64Array(nPapers);
      const m = method.kind === 'max' ? 1 : method.kind === 'mean' ? sims.length : method.kind === 'max-plus' ? Math.min(2, sims.length) : Math.min(method.m, sims.length);
      const weight = method.kind === 'max-plus' ? method.weight : 1;
      const top = new Float64Array(m);
      for (let p = 0; p < nPapers; p++) {
        top.fill(-Infinity);
        for (const s of sims) {
          const v = s[p];
          if (v > top[m - 1]) {
            let i = m - 1;
            while (i > 0 && top[i - 1] < v) {
              top[i] = top[i - 1];
              i--;
            }
            top[i] = v;
          }
        }
        let sum = top[0];
        for (let i = 1; i < m; i++) sum += weight * top[i];
        score[p] = top[0] === -Infinity ? -Infinity : method.kind === 'mean' ? sum / m : sum;
      }
      break;
    }
    case 'rrf': {
      sims = perListed();
      score = new Float64Array(nPapers).fill(-Infinity);
      for (const s of sims) {
        const list = selectTopK(s, method.depth + listed.length, (p) => listedSet.has(p) || s[p] === -Infinity);
        list.forEach((h, rank) => (score[h.row] = (score[h.row] === -Infinity ? 0 : score[h.row]) + 1 / (method.k + rank + 1)));
      }
      break;
    }
    case 'centroid': {
      const acc = new Float64Array(matrix.dims);
      for (const lr of withRows) {
        const mean = new Float64Array(matrix.dims);
        for (const r of lr) {
          const v = matrix.row(r);
          for (let j = 0; j < v.length; j++) mean[j] += v[j];
        }
        const unit = normalise(mean);
        for (let j = 0; j < unit.length; j++) acc[j] += unit[j];
      }
      score = byPaper(matrix.scores(normalise(acc)));
      break;
    }
    case 'linear': {
      const w = trainLinear(matrix, withRows.flat(), sampleNegatives(nRows, listedSet, paperOfRow, has, method.negatives), method);
      score = byPaper(matrix.scores(normalise(w)));
      break;
    }
  }

  const top = selectTopK(score, k, (p) => listedSet.has(p) || score[p] === -Infinity);
  return top.map((h) => {
    const p = h.row;
    // the paper's passage closest to the list, and the listed papers it is most like
    const closeness = withRows.map((lr, i) => (sims ? sims[i][p] : bestPair(matrix, lr, rowsOfPaper[p].filter(has))));
    const bestChunk = engine.data.chunks[bestRowFor(matrix, rowsOfPaper[p].filter(has), withRows.flat())];
    return {
      paper: engine.data.papers[p],
      score: h.score,
      dense: closeness.reduce((a, b) => Math.max(a, b), -Infinity),
      bestChunk,
      because: because(withVectors.map((i) => engine.data.papers[i]), closeness, options.becauseMargin ?? 0.02),
    };
  });
}

/**
 * Saved passages scored per read of the matrix: their scores take MANY_QUERIES × rows floats of
 * scratch (4 MiB at 16 × 65k rows), and past ~16 the pass is no longer bound by reading the matrix.
 */
const MANY_QUERIES = 16;

/** out[p] = max(out[p], the best score among paper p's rows that have a vector) */
function bestPerPaper(scores: Float32Array, paperOfRow: Int32Array, rows: ArrayLike<number> | undefined, out: Float64Array): void {
  const n = paperOfRow.length;
  for (let r = 0; r < n; r++) {
    if (rows && !rows[r]) continue;
    const p = paperOfRow[r];
    const s = scores[r];
    if (s > out[p]) out[p] = s;
  }
}

function because(papers: Paper[], closeness: number[], margin: number): Because[] {
  const order = closeness.map((s, i) => ({ id: papers[i].id, similarity: s })).sort((a, b) => b.similarity - a.similarity);
  return order.filter((b, i) => i === 0 || (i === 1 && b.similarity >= order[0].similarity - margin));
}

/** max cosine over pairs of passages */
function bestPair(matrix: NonNullable<SearchEngine['matrix']>, a: number[], b: number[]): number {
  let best = -Infinity;
  for (const r of a) {
    const v = matrix.row(r);
    for (const q of b) best = Math.max(best, dot(v, matrix.row(q)));
  }
  return best;
}

/** the row of `own` closest to any of `to` (the passage to show) */
function bestRowFor(matrix: NonNullable<SearchEngine['matrix']>, own: number[], to: number[]): number {
  let best = own[0];
  let bestScore = -Infinity;
  for (const q of own) {
    const v = matrix.row(q);
    for (const r of to) {
      const s = dot(v, matrix.row(r));
      if (s > bestScore) {
        bestScore = s;
        best = q;
      }
    }
  }
  return best;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

/** `n` rows of papers not on the list, spread evenly with a fixed-seed jitter: the same list gives the same model. */
function sampleNegatives(nRows: number, listed: Set<number>, paperOfRow: Int32Array, has: (r: number) => boolean, n: number): number[] {
  const out: number[] = [];
  let x = 0x9e3779b9;
  const step = nRows / n;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    let r = Math.floor(i * step + ((x >>> 0) / 4294967296) * step);
    // the next usable row after it (a listed paper's or one without a vector is passed over)
    for (let tries = 0; tries < nRows && (!has(r) || listed.has(paperOfRow[r])); tries++) r = (r + 1) % nRows;
    if (has(r) && !listed.has(paperOfRow[r])) out.push(r);
  }
  return out;
}

/**
 * Logistic regression of "listed passage" (1) vs "random passage" (0) on unit passage vectors,
 * class-balanced, L2 penalty `lambda`, full-batch gradient descent from the difference of the two
 * means (Rocchio's query). Returns the weight vector (the bias does not change the ranking).
 */
export function trainLinear(
  matrix: NonNullable<SearchEngine['matrix']>,
  positives: number[],
  negatives: number[],
  opts: { lambda: number; iterations: number },
): Float32Array {
  const dims = matrix.dims;
  const xs = [...positives, ...negatives].map((r) => matrix.row(r).slice());
  const ys = [...positives.map(() => 1), ...negatives.map(() => 0)];
  const weight = [...positives.map(() => 0.5 / positives.length), ...negatives.map(() => 0.5 / Math.max(1, negatives.length))];
  const w = new Float64Array(dims);
  for (let i = 0; i < xs.length; i++) for (let j = 0; j < dims; j++) w[j] += (ys[i] ? 1 : -1) * weight[i] * 2 * xs[i][j];
  let b = 0;
  const grad = new Float64Array(dims);
  const lr = 4;
  for (let it = 0; it < opts.iterations; it++) {
    grad.fill(0);
    let gb = 0;
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      let z = b;
      for (let j = 0; j < dims; j++) z += w[j] * x[j];
      const err = (1 / (1 + Math.exp(-z)) - ys[i]) * weight[i];
      gb += err;
      for (let j = 0; j < dims; j++) grad[j] += err * x[j];
    }
    for (let j = 0; j < dims; j++) w[j] -= lr * (grad[j] + opts.lambda * w[j]);
    b -= lr * gb;
  }
  return Float32Array.from(w);
}

/** Without vectors: each listed paper's keyword "more like this", a paper scored by its best match. */
function keywordRecommend(engine: SearchEngine, listed: number[], listedSet: Set<number>, k: number): Recommendation[] {
  const best = new Map<string, { hit: PaperHit; from: string }>();
  const listedIds = new Set([...listedSet].map((p) => engine.data.papers[p].id));
  for (const p of listed) {
    const id = engine.data.papers[p].id;
    for (const h of engine.moreLikeThis(id, { k: k + listed.length, mode: 'keyword' })) {
      const prev = best.get(h.paper.id);
      if (!listedIds.has(h.paper.id) && (!prev || h.score > prev.hit.score)) best.set(h.paper.id, { hit: h, from: id });
    }
  }
  return [...best.values()]
    .sort((a, b) => b.hit.score - a.hit.score)
    .slice(0, k)
    .map(({ hit, from }) => Object.assign(hit, { because: [{ id: from, similarity: hit.score }] }));
}

