import { describe, expect, it } from 'vitest';
import { VectorMatrix, meanOfRows, memoryFloor, naiveTopK, normalise, selectTopK, topK, type ScoredRow } from '../../src/search/vectors';

/** Deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomRows(n: number, dims: number, seed: number): Float32Array {
  const r = rng(seed);
  const a = new Float32Array(n * dims);
  for (let i = 0; i < a.length; i++) a[i] = r() * 2 - 1;
  return a;
}

/** Reference: exact dot products in float64, stable full sort. */
function bruteForce(m: VectorMatrix, q: ArrayLike<number>, k: number, exclude?: (r: number) => boolean): ScoredRow[] {
  const all: ScoredRow[] = [];
  for (let r = 0; r < m.count; r++) {
    if (exclude?.(r)) continue;
    let s = 0;
    const row = m.row(r);
    for (let j = 0; j < m.dims; j++) s += row[j] * q[j];
    all.push({ row: r, score: s });
  }
  all.sort((a, b) => b.score - a.score || a.row - b.row);
  return all.slice(0, k);
}

const backends = ['wasm-simd', 'js'] as const;

describe.each(backends)('VectorMatrix (%s)', (backend) => {
  it('stores rows L2-normalised, contiguous and row-major', () => {
    const m = VectorMatrix.fromRows([[3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], new Array(16).fill(2)], 16, { backend });
    expect(m.backend).toBe(backend);
    expect(m.count).toBe(2);
    expect(m.data.length).toBe(32);
    expect(m.data[0]).toBeCloseTo(0.6, 6);
    expect(m.data[1]).toBeCloseTo(0.8, 6);
    expect(m.data[16]).toBeCloseTo(0.25, 6);
  });

  it('scores equal exact dot products (dims 384 and growth across appends)', () => {
    const dims = 384;
    const m = new VectorMatrix(dims, 0, { backend });
    const rows = randomRows(700, dims, 1);
    for (let i = 0; i < 700; i += 100) m.append(rows.subarray(i * dims, (i + 100) * dims));
    const q = normalise(randomRows(1, dims, 2));
    const expected = bruteForce(m, q, 700);
    const scores = m.scores(q);
    for (const e of expected) expect(scores[e.row]).toBeCloseTo(e.score, 5);
  });

  it('topK equals a brute-force stable sort, for many k including k > n and k = 0', () => {
    const dims = 32;
    const m = VectorMatrix.fromFlat(randomRows(257, dims, 3), dims, { backend });
    const q = normalise(randomRows(1, dims, 4));
    for (const k of [0, 1, 2, 10, 100, 256, 257, 300]) {
      const got = topK(m, q, k);
      const want = bruteForce(m, q, k);
      expect(got.map((h) => h.row)).toEqual(want.map((h) => h.row));
      got.forEach((h, i) => expect(h.score).toBeCloseTo(want[i].score, 5));
    }
  });

  it('breaks ties by lower row first and honours exclusions', () => {
    const dims = 16;
    // 40 rows, only 4 distinct directions: lots of exact ties.
    const base = randomRows(4, dims, 5);
    const rows = new Float32Array(40 * dims);
    for (let r = 0; r < 40; r++) rows.set(base.subarray((r % 4) * dims, (r % 4 + 1) * dims), r * dims);
    const m = VectorMatrix.fromFlat(rows, dims, { backend });
    const q = normalise(base.subarray(0, dims));
    const exclude = (r: number) => r % 3 === 0;
    for (const k of [1, 5, 10, 13, 27, 40]) {
      expect(topK(m, q, k).map((h) => h.row)).toEqual(bruteForce(m, q, k).map((h) => h.row));
      const got = topK(m, q, k, exclude);
      expect(got.map((h) => h.row)).toEqual(bruteForce(m, q, k, exclude).map((h) => h.row));
      expect(got.some((h) => exclude(h.row))).toBe(false);
    }
  });

  it('setRow fills a pre-sized matrix; meanOfRows is the normalised mean', () => {
    const m = new VectorMatrix(16, 3, { backend });
    m.setRow(1, new Array(16).fill(0).map((_, i) => (i === 0 ? 5 : 0)));
    m.setRow(2, new Array(16).fill(0).map((_, i) => (i === 1 ? 2 : 0)));
    const q = new Float32Array(16);
    q[0] = 1;
    expect(topK(m, q, 1)[0]).toEqual({ row: 1, score: 1 });
    const mean = meanOfRows(m, [1, 2]);
    expect(mean[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(mean[1]).toBeCloseTo(Math.SQRT1_2, 6);
  });

  it('memoryFloor reads every value once (sum over the matrix)', () => {
    const m = VectorMatrix.fromFlat(randomRows(50, 32, 6), 32, { backend });
    let s = 0;
    for (const v of m.data) s += v;
    expect(memoryFloor(m)).toBeCloseTo(s, 3);
  });

  it('naive baseline returns the same rows as topK', () => {
    const m = VectorMatrix.fromFlat(randomRows(500, 64, 7), 64, { backend });
    const q = normalise(randomRows(1, 64, 8));
    expect(naiveTopK(m, q, 20).map((h) => h.row)).toEqual(topK(m, q, 20).map((h) => h.row));
  });

  it('rejects invalid input with a message that names it', () => {
    const m = new VectorMatrix(16, 1, { backend });
    expect(() => m.scores(new Float32Array(8))).toThrow(/8 values.*16-d/);
    expect(() => m.setRow(0, new Float32Array(16))).toThrow(/Cannot normalise row 0/);
    expect(() => m.append(new Float32Array(20))).toThrow(/not a whole number of 16-d rows/);
    expect(() => m.row(5)).toThrow(/row 5/);
    expect(() => topK(m, new Float32Array(16), -1)).toThrow(/non-negative integer/);
  });
});

describe('selectTopK', () => {
  it('matches a full stable sort on random scores with many duplicates', () => {
    const r = rng(9);
    const scores = Float32Array.from({ length: 5000 }, () => Math.round(r() * 50) / 50);
    const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b);
    for (const k of [1, 7, 64, 1000, 5000, 6000]) {
      expect(selectTopK(scores, k).map((h) => h.row)).toEqual(order.slice(0, k));
    }
    const excluded = new Set(order.slice(0, 100));
    expect(selectTopK(scores, 10, (row) => excluded.has(row)).map((h) => h.row)).toEqual(order.slice(100, 110));
  });

  it('only considers the first n scores when n is given', () => {
    expect(selectTopK([0.1, 0.5, 0.9, 0.3], 2, undefined, 2).map((h) => h.row)).toEqual([1, 0]);
  });
});
