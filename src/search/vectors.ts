/**
 * Dense vectors: one contiguous, row-major matrix of L2-normalised rows, so cosine similarity is a
 * dot product; exact scoring of every row, then a partial top-k (a k-sized heap, never a sort of
 * all n scores).
 *
 * Storage lives in WebAssembly memory when the SIMD kernel is available (see kernel.ts) so the
 * kernel reads the rows in place; otherwise in a plain Float32Array scored by unrolled JS loops.
 */

import { instantiateKernel, loadKernel, type KernelExports } from './kernel';

export interface ScoredRow {
  row: number;
  score: number;
}

/** Rows for which this returns true are left out of a ranking. */
export type RowExclude = (row: number) => boolean;

export type VectorBackend = 'wasm-simd' | 'js';

export interface VectorMatrixOptions {
  /** 'auto' (default) uses WebAssembly SIMD where it works, else JS. 'js' forces the JS loops. */
  backend?: 'auto' | VectorBackend;
}

const PAGE = 65536;

export class VectorMatrix {
  readonly dims: number;
  readonly backend: VectorBackend;
  private rows = 0;
  private capacity = 0;
  private memory: WebAssembly.Memory | null = null;
  private kernel: KernelExports | null = null;
  private plain: Float32Array | null = null;
  private scratch: Float32Array | null = null;
  private view: Float32Array | null = null;
  private writes = 0;

  /**
   * An all-zero matrix of `count` rows (fill them with setRow); append() adds more.
   * Zero rows score 0 against any query: callers that fill lazily pass an exclude/rows mask.
   */
  constructor(dims: number, count = 0, options: VectorMatrixOptions = {}) {
    if (!Number.isInteger(dims) || dims <= 0) throw new RangeError(`VectorMatrix: dims must be a positive integer, got ${dims}.`);
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`VectorMatrix: count must be a non-negative integer, got ${count}.`);
    this.dims = dims;
    const wanted = options.backend ?? 'auto';
    const module = wanted !== 'js' && dims % 16 === 0 ? loadKernel() : null;
    if (wanted === 'wasm-simd' && !module) {
      throw new Error(`VectorMatrix: WebAssembly SIMD is unavailable here (or dims=${dims} is not a multiple of 16); use backend 'auto' or 'js'.`);
    }
    this.backend = module ? 'wasm-simd' : 'js';
    if (module) {
      this.memory = new WebAssembly.Memory({ initial: 1 });
      this.kernel = instantiateKernel(module, this.memory);
    }
    this.reserve(Math.max(count, 1));
    this.rows = count;
  }

  /** Builds a matrix from `flat` (rows.length * dims floats, row-major); rows are normalised. */
  static fromFlat(flat: ArrayLike<number>, dims: number, options?: VectorMatrixOptions): VectorMatrix {
    const m = new VectorMatrix(dims, 0, options);
    m.append(flat);
    return m;
  }

  /** Builds a matrix from one array per row; rows are normalised. */
  static fromRows(rows: ArrayLike<number>[], dims?: number, options?: VectorMatrixOptions): VectorMatrix {
    const d = dims ?? rows[0]?.length;
    if (!d) throw new RangeError('VectorMatrix.fromRows: no rows and no dims given.');
    const m = new VectorMatrix(d, 0, options);
    m.reserve(rows.length);
    for (const r of rows) {
      if (r.length !== d) throw new RangeError(`VectorMatrix.fromRows: row ${m.rows} has ${r.length} values, expected ${d}.`);
      m.append(r);
    }
    return m;
  }

  get count(): number {
    return this.rows;
  }

  /** Changes with every setRow/append: lets a cache of scores know the rows are still the same. */
  get version(): number {
    return this.writes;
  }

  /** The rows, row-major, exactly count * dims floats. Re-read after append(): growth may move it. */
  get data(): Float32Array {
    const storage = this.storage();
    if (!this.view || this.view.buffer !== storage.buffer || this.view.length !== this.rows * this.dims) {
      this.view = storage.subarray(0, this.rows * this.dims);
    }
    return this.view;
  }

  /** A view of one row (not a copy; re-read after append()). */
  row(i: number): Float32Array {
    this.checkRow(i, 'row');
    return this.storage().subarray(i * this.dims, (i + 1) * this.dims);
  }

  /** Copies `vector` into row i, L2-normalised. */
  setRow(i: number, vector: ArrayLike<number>): void {
    this.checkRow(i, 'setRow');
    if (vector.length !== this.dims) throw new RangeError(`VectorMatrix.setRow(${i}): vector has ${vector.length} values, expected ${this.dims}.`);
    writeNormalised(this.storage(), i * this.dims, vector, 0, this.dims, `row ${i}`);
    this.writes++;
  }

  /** Appends rows (a multiple of dims floats, row-major), each L2-normalised. Returns the first new row. */
  append(flat: ArrayLike<number>): number {
    if (flat.length % this.dims !== 0) {
      throw new RangeError(`VectorMatrix.append: ${flat.length} values is not a whole number of ${this.dims}-d rows.`);
    }
    const first = this.rows;
    const n = flat.length / this.dims;
    this.reserve(first + n);
    const storage = this.storage();
    for (let r = 0; r < n; r++) writeNormalised(storage, (first + r) * this.dims, flat, r * this.dims, this.dims, `row ${first + r}`);
    this.rows += n;
    this.writes++;
    return first;
  }

  /**
   * Dot product of `query` with every row. Without `out` the result is a scratch view owned by
   * this matrix, valid only until its next scoring call; pass `out` to keep the scores.
   */
  scores(query: ArrayLike<number>, out?: Float32Array): Float32Array {
    this.checkQuery(query);
    const n = this.rows;
    let result: Float32Array;
    if (this.kernel && this.memory) {
      const matBytes = this.capacity * this.dims * 4;
      const buffer = this.memory.buffer;
      new Float32Array(buffer, matBytes, this.dims).set(query);
      const outOffset = matBytes + this.dims * 4;
      this.kernel.score(0, matBytes, outOffset, n, this.dims);
      result = new Float32Array(buffer, outOffset, n);
    } else {
      if (!this.scratch || this.scratch.length < n) this.scratch = new Float32Array(Math.max(n, this.capacity));
      scoreRowsJs(this.plain!, this.dims, n, Float32Array.from(query), this.scratch);
      result = this.scratch.subarray(0, n);
    }
    if (!out) return result;
    if (out.length < n) throw new RangeError(`VectorMatrix.scores: out has ${out.length} slots, need ${n}.`);
    out.set(result);
    return out.subarray(0, n);
  }

  /**
   * scores() of each query, from one read of the matrix (the kernel scores every query against a
   * row while it is in cache): each array equals scores(queries[l]) exactly. Scratch views, valid
   * until the next scoring call; the caller bounds how many queries it passes at once (the scratch
   * holds queries.length × count scores).
   */
  scoresMany(queries: readonly ArrayLike<number>[]): Float32Array[] {
    for (const q of queries) this.checkQuery(q);
    if (!this.kernel || !this.memory) return queries.map((q) => this.scores(q).slice());
    const n = this.rows;
    const dims = this.dims;
    // after the matrix, the single query and its scores (see reserve)
    const qAt = (this.capacity * dims + dims + this.capacity) * 4;
    const outAt = qAt + queries.length * dims * 4;
    const bytes = outAt + queries.length * n * 4;
    // growing detaches views of the old memory, such as this.row(i) passed as a query: copied first
    const staged = bytes > this.memory.buffer.byteLength ? queries.map((q) => Float32Array.from(q)) : queries;
    this.growTo(bytes, `the scores of ${queries.length} queries at once over ${n} vectors`);
    const buffer = this.memory.buffer;
    staged.forEach((q, l) => new Float32Array(buffer, qAt + l * dims * 4, dims).set(q));
    this.kernel.scoreMany(0, qAt, outAt, n, dims, queries.length);
    return queries.map((_, l) => new Float32Array(buffer, outAt + l * n * 4, n));
  }

  /** Grows the WebAssembly memory to at least `bytes` (the matrix stays where it is); `what` names the need in the error. */
  private growTo(bytes: number, what: string): void {
    const memory = this.memory!;
    const pages = Math.ceil(bytes / PAGE) - memory.buffer.byteLength / PAGE;
    if (pages <= 0) return;
    try {
      memory.grow(pages);
    } catch (err) {
      throw new Error(`VectorMatrix: cannot allocate ${(bytes / 2 ** 20).toFixed(0)} MiB for ${what} (${(err as Error).message}). Use a smaller corpus.`);
    }
    this.view = null;
  }

  /** Makes room for `rows` rows without changing count. */
  reserve(rows: number): void {
    if (rows <= this.capacity) return;
    const capacity = Math.max(rows, Math.ceil(this.capacity * 1.5));
    const floats = capacity * this.dims;
    if (this.memory) {
      // Layout: [matrix rows][query: dims][scores: capacity]. The matrix stays at offset 0 when
      // memory grows, so growing copies nothing; query and scores are scratch.
      this.growTo((floats + this.dims + capacity) * 4, `${capacity} vectors of ${this.dims} floats`);
    } else {
      const next = new Float32Array(floats);
      if (this.plain) next.set(this.plain.subarray(0, this.rows * this.dims));
      this.plain = next;
    }
    this.capacity = capacity;
    this.view = null;
  }

  private storage(): Float32Array {
    if (this.memory) return new Float32Array(this.memory.buffer, 0, this.capacity * this.dims);
    return this.plain!;
  }

  private checkRow(i: number, what: string): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.rows) throw new RangeError(`VectorMatrix.${what}: row ${i} is outside 0..${this.rows - 1}.`);
  }

  private checkQuery(query: ArrayLike<number>): void {
    if (query.length !== this.dims) {
      throw new RangeError(`Query vector has ${query.length} values but the matrix has ${this.dims}-d rows: the query was embedded with a different model?`);
    }
  }

  /** @internal Sum over every stored float of the first count rows (the memory-floor pass). */
  sumAll(): number {
    const n = this.rows * this.dims;
    if (this.kernel && this.dims % 16 === 0) return this.kernel.sum(0, n);
    return sumJs(this.plain!, n);
  }
}

/** L2-normalised copy of a vector (throws on a zero or non-finite vector). */
export function normalise(vector: ArrayLike<number>): Float32Array {
  const out = new Float32Array(vector.length);
  writeNormalised(out, 0, vector, 0, vector.length, 'vector');
  return out;
}

function writeNormalised(target: Float32Array, at: number, source: ArrayLike<number>, from: number, dims: number, label: string): void {
  let sum = 0;
  for (let j = 0; j < dims; j++) {
    const v = source[from + j];
    sum += v * v;
  }
  if (!(sum > 0) || !Number.isFinite(sum)) {
    throw new RangeError(`Cannot normalise ${label}: its length is ${Math.sqrt(sum)} (zero or not a number). The embedder produced an invalid vector.`);
  }
  const inv = 1 / Math.sqrt(sum);
  for (let j = 0; j < dims; j++) target[at + j] = source[from + j] * inv;
}

/** Four accumulators per row: about 1.5x faster than a single one in V8 (measured). */
function scoreRowsJs(data: Float32Array, dims: number, n: number, q: Float32Array, out: Float32Array): void {
  const tail = dims & 3;
  const body = dims - tail;
  for (let r = 0, o = 0; r < n; r++, o += dims) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let j = 0; j < body; j += 4) {
      s0 += data[o + j] * q[j];
      s1 += data[o + j + 1] * q[j + 1];
      s2 += data[o + j + 2] * q[j + 2];
      s3 += data[o + j + 3] * q[j + 3];
    }
    for (let j = body; j < dims; j++) s0 += data[o + j] * q[j];
    out[r] = s0 + s1 + s2 + s3;
  }
}

function sumJs(data: Float32Array, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const body = n - (n & 3);
  for (let i = 0; i < body; i += 4) {
    s0 += data[i];
    s1 += data[i + 1];
    s2 += data[i + 2];
    s3 += data[i + 3];
  }
  for (let i = body; i < n; i++) s0 += data[i];
  return s0 + s1 + s2 + s3;
}

/**
 * The k best of `scores[0..n)`, best first; equal scores rank the lower index first (so the
 * result equals a stable full sort by descending score). A min-heap of size k: O(n log k), and
 * `exclude` is asked only about rows that would enter the heap.
 */
export function selectTopK(scores: ArrayLike<number>, k: number, exclude?: RowExclude, n: number = scores.length): ScoredRow[] {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`top-k: k must be a non-negative integer, got ${k}.`);
  const size = Math.min(k, n);
  if (size === 0) return [];
  const hs = new Float64Array(size);
  const hr = new Int32Array(size);
  let filled = 0;
  let r = 0;
  // Fill phase: the first `size` admissible rows.
  for (; r < n && filled < size; r++) {
    if (exclude && exclude(r)) continue;
    const s = scores[r];
    if (s !== s) throw new RangeError(`top-k: score of row ${r} is NaN.`);
    // sift up; "worse" = lower score, or equal score and higher row
    let i = filled++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (hs[p] < s || (hs[p] === s && hr[p] > r)) break;
      hs[i] = hs[p];
      hr[i] = hr[p];
      i = p;
    }
    hs[i] = s;
    hr[i] = r;
  }
  // Scan phase: a later row with a score equal to the root's is worse than it (higher row).
  let min = hs[0];
  for (; r < n; r++) {
    const s = scores[r];
    if (!(s > min)) {
      if (s !== s) throw new RangeError(`top-k: score of row ${r} is NaN.`);
      continue;
    }
    if (exclude && exclude(r)) continue;
    siftDown(hs, hr, size, s, r);
    min = hs[0];
  }
  const out: ScoredRow[] = new Array(filled);
  for (let i = 0; i < filled; i++) out[i] = { row: hr[i], score: hs[i] };
  out.sort((a, b) => b.score - a.score || a.row - b.row);
  return out;
}

function siftDown(hs: Float64Array, hr: Int32Array, size: number, s: number, r: number): void {
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= size) break;
    let c = l;
    const rr = l + 1;
    if (rr < size && (hs[rr] < hs[l] || (hs[rr] === hs[l] && hr[rr] > hr[l]))) c = rr;
    if (hs[c] > s || (hs[c] === s && hr[c] < r)) break;
    hs[i] = hs[c];
    hr[i] = hr[c];
    i = c;
  }
  hs[i] = s;
  hr[i] = r;
}

/** The k rows most similar to `query` (cosine = dot product of normalised vectors), best first. */
export function topK(matrix: VectorMatrix, query: ArrayLike<number>, k: number, exclude?: RowExclude): ScoredRow[] {
  return selectTopK(matrix.scores(query), k, exclude, matrix.count);
}

/**
 * Baseline for the benchmark: how ranking is commonly written — one plain loop per row into an
 * array of objects, then a full sort of all n of them.
 */
export function naiveTopK(matrix: VectorMatrix, query: ArrayLike<number>, k: number): ScoredRow[] {
  const data = matrix.data;
  const dims = matrix.dims;
  const all: ScoredRow[] = [];
  for (let r = 0; r < matrix.count; r++) {
    let s = 0;
    for (let j = 0; j < dims; j++) s += data[r * dims + j] * query[j];
    all.push({ row: r, score: s });
  }
  all.sort((a, b) => b.score - a.score);
  return all.slice(0, k);
}

/**
 * The memory floor for the benchmark: one read pass over the same matrix with the same machinery
 * as topK (SIMD where topK uses it), no multiplies and no selection. Returns the sum so the work
 * cannot be optimised away.
 */
export function memoryFloor(matrix: VectorMatrix): number {
  return matrix.sumAll();
}

/** Mean of some rows, re-normalised: e.g. a paper's chunk vectors as one "more like this" query. */
/** What dense ranking needs of a vector store: VectorMatrix (float32) or Int8Matrix (shipped int8 vectors). */
export interface DenseMatrix {
  readonly dims: number;
  readonly count: number;
  /** cosine of the query with every row; a scratch view unless `out` is given */
  scores(query: ArrayLike<number>, out?: Float32Array): Float32Array;
  /** row i as a unit vector */
  row(i: number): Float32Array;
  /** changes whenever a row is written; without it the engine does not reuse scores across calls */
  readonly version?: number;
  /** scores() of several queries from one read of the matrix (scratch views, valid until the next call) */
  scoresMany?(queries: readonly ArrayLike<number>[]): Float32Array[];
}

export function meanOfRows(matrix: DenseMatrix, rows: readonly number[]): Float32Array {
  if (rows.length === 0) throw new RangeError('meanOfRows: no rows given.');
  const dims = matrix.dims;
  const acc = new Float64Array(dims);
  for (const r of rows) {
    if (!Number.isInteger(r) || r < 0 || r >= matrix.count) throw new RangeError(`meanOfRows: row ${r} is outside 0..${matrix.count - 1}.`);
    const v = matrix.row(r);
    for (let j = 0; j < dims; j++) acc[j] += v[j];
  }
  return normalise(acc);
}
