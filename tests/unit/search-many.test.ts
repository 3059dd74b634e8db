/**
 * Several queries scored in one read of the matrix (scoresMany, used by "Recommended from your
 * list" for every saved passage at once) give exactly the scores of one pass per query: float32,
 * int8 and int4, SIMD and JS, including a matrix grown after scoring and rows left unset.
 */
import { describe, expect, it } from 'vitest';
import { QuantMatrix } from '../../src/search/quant-matrix';
import { VectorMatrix } from '../../src/search/vectors';

function rows(n: number, dims: number, seed: number): Float32Array[] {
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  return Array.from({ length: n }, () => Float32Array.from({ length: dims }, (_, j) => rnd() * (j % 5 === 0 ? 4 : 1)));
}

/** every query's scoresMany array, bit for bit, against scores() of that query alone */
function expectSameAsSingle(m: VectorMatrix | QuantMatrix, queries: Float32Array[]): void {
  const many = m.scoresMany(queries).map((a) => Array.from(a));
  expect(many).toHaveLength(queries.length);
  queries.forEach((q, l) => {
    const one = Array.from(m.scores(q));
    expect(many[l]).toHaveLength(m.count);
    // toEqual on numbers is Object.is: exact, -0 and 0 told apart
    expect(many[l]).toEqual(one);
  });
}

describe('scoresMany equals one scores() pass per query, exactly', () => {
  const dims = 384;
  const n = 1237; // not a multiple of anything the kernel steps by
  const data = rows(n, dims, 7);
  const queries = rows(45, dims, 99);

  for (const backend of ['wasm-simd', 'js'] as const) {
    it(`float32 (${backend})`, () => {
      const m = VectorMatrix.fromRows(data, dims, { backend });
      expect(m.backend).toBe(backend);
      expectSameAsSingle(m, queries);
      expectSameAsSingle(m, queries.slice(0, 1));
      expect(m.scoresMany([])).toEqual([]);
      // the matrix's own rows as queries (views of its memory, which the call may grow)
      const fresh = VectorMatrix.fromRows(data, dims, { backend });
      const picks = Array.from({ length: 40 }, (_, i) => i * 30);
      const own = fresh.scoresMany(picks.map((i) => fresh.row(i))).map((x) => Array.from(x));
      expect(own).toEqual(picks.map((i) => Array.from(fresh.scores(fresh.row(i)))));
      // grown after a multi-query call: the scratch moves with the capacity
      m.append(rows(300, dims, 3).flatMap((r) => Array.from(r)));
      expectSameAsSingle(m, queries.slice(0, 17));
    });

    for (const bits of [8, 4] as const) {
      it(`int${bits} (${backend})`, () => {
        const m = new QuantMatrix(dims, n, { bits, backend });
        expect(m.backend).toBe(backend);
        // every 10th row left unset: it scores 0 in both paths
        data.forEach((r, i) => i % 10 !== 3 && m.setRow(i, r));
        expectSameAsSingle(m, queries);
        // after the memory grew for 45 queries, single scoring still reads the same rows
        expect(Array.from(m.scores(queries[0]))).toEqual(Array.from(m.scoresMany([queries[0]])[0]));
        expect(m.scores(queries[0])[3]).toBe(0);
      });
    }
  }

  it('matches the float cosines within int8 rounding (the scores are cosines, not raw sums)', () => {
    const exact = VectorMatrix.fromRows(data, dims);
    const m = new QuantMatrix(dims, n, { bits: 8 });
    data.forEach((r, i) => m.setRow(i, r));
    const [a] = m.scoresMany([queries[5]]);
    const b = exact.scores(queries[5].map((x) => x / Math.hypot(...queries[5])));
    for (let r = 0; r < n; r++) expect(Math.abs(a[r] - b[r])).toBeLessThan(0.01);
  });

  it('names a query of the wrong width', () => {
    const m = VectorMatrix.fromRows(data.slice(0, 4), dims);
    expect(() => m.scoresMany([queries[0], new Float32Array(10)])).toThrow(/10 values but the matrix has 384-d rows/);
    const q = new QuantMatrix(dims, 4);
    expect(() => q.scoresMany([new Float32Array(10)])).toThrow(/10 values but the matrix has 384-d rows/);
  });
});
