/** int8 and int4 rows scored in WebAssembly SIMD equal the JS reference and the float cosines within rounding. */
import { describe, expect, it } from 'vitest';
import { QuantMatrix } from '../../src/search/quant-matrix';
import { encodeCodes } from '../../src/format/quantise';
import { quantiseInt8 } from '../../src/format/quantise';
import { VectorMatrix } from '../../src/search/vectors';

function unitRows(n: number, dims: number, seed: number): Float32Array {
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const flat = new Float32Array(n * dims);
  for (let r = 0; r < n; r++) {
    let len = 0;
    for (let j = 0; j < dims; j++) len += (flat[r * dims + j] = rnd() * (j % 7 === 0 ? 3 : 1)) ** 2;
    for (let j = 0; j < dims; j++) flat[r * dims + j] /= Math.sqrt(len);
  }
  return flat;
}

describe('QuantMatrix', () => {
  const dims = 384;
  const n = 1000;
  const flat = unitRows(n, dims, 5);
  const block = quantiseInt8(flat, dims);
  const simd = new QuantMatrix(dims, n);
  const js = new QuantMatrix(dims, n, { backend: 'js' });
  for (let r = 0; r < n; r++) {
    simd.setCodes(r, block.codes, r * dims);
    js.setCodes(r, block.codes, r * dims);
  }
  const exact = VectorMatrix.fromFlat(flat, dims, { backend: 'js' });
  const q = unitRows(1, dims, 99);

  it('uses the SIMD kernel here and agrees with the JS loop', () => {
    expect(simd.backend).toBe('wasm-simd');
    const a = Array.from(simd.scores(q));
    const b = Array.from(js.scores(q));
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 5));
  });

  it('scores are float cosines within int8 rounding, and the top 10 is the same', () => {
    const got = simd.scores(q, new Float32Array(n));
    const want = exact.scores(q, new Float32Array(n));
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    expect(worst).toBeLessThan(0.01);
    const top = (s: Float32Array) => Array.from(s.keys()).sort((x, y) => s[y] - s[x]).slice(0, 10);
    expect(top(got)).toEqual(top(want));
  });

  it('setRow quantises a float vector; row() gives it back as a unit vector; zero rows are refused', () => {
    const m = new QuantMatrix(dims, 2);
    m.setRow(0, flat.subarray(0, dims));
    const back = m.row(0);
    let dot = 0;
    let len = 0;
    for (let j = 0; j < dims; j++) {
      dot += back[j] * flat[j];
      len += back[j] * back[j];
    }
    expect(len).toBeCloseTo(1, 5);
    expect(dot).toBeGreaterThan(0.999);
    expect(() => m.setCodes(1, new Int8Array(dims))).toThrow(/all zeros/);
    expect(m.scores(q)[1]).toBe(0);
    expect(() => m.scores(new Float32Array(10))).toThrow(/different model/);
  });
});

describe('QuantMatrix, 4-bit', () => {
  const dims = 384;
  const n = 800;
  const flat = unitRows(n, dims, 11);
  const simd = new QuantMatrix(dims, n, { bits: 4 });
  const js = new QuantMatrix(dims, n, { bits: 4, backend: 'js' });
  for (let r = 0; r < n; r++) {
    const { codes } = encodeCodes(flat.subarray(r * dims, (r + 1) * dims), 4);
    simd.setCodes(r, codes);
    js.setCodes(r, codes);
  }
  const exact = VectorMatrix.fromFlat(flat, dims, { backend: 'js' });
  const q = unitRows(1, dims, 42);

  it('the SIMD kernel unpacks nibbles as the JS loop does', () => {
    expect(simd.backend).toBe('wasm-simd');
    const a = simd.scores(q, new Float32Array(n));
    const b = js.scores(q, new Float32Array(n));
    for (let i = 0; i < n; i++) expect(a[i]).toBeCloseTo(b[i], 5);
  });

  it('scores stay close to float cosines and row() decodes the nibbles', () => {
    const got = simd.scores(q, new Float32Array(n));
    const want = exact.scores(q, new Float32Array(n));
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    expect(worst).toBeLessThan(0.05);
    let dot = 0;
    const back = simd.row(3);
    for (let j = 0; j < dims; j++) dot += back[j] * flat[3 * dims + j];
    expect(dot).toBeGreaterThan(0.97);
  });
});

describe('QuantMatrix.copyRows (imports append rows to the shipped ones)', () => {
  it('copies codes and norms exactly, for int8 and int4, and refuses another layout', () => {
    const dims = 64;
    for (const bits of [8, 4] as const) {
      const flat = unitRows(50, dims, 7 + bits);
      const a = new QuantMatrix(dims, 50, { bits });
      for (let r = 0; r < 50; r++) a.setRow(r, flat.subarray(r * dims, (r + 1) * dims));
      const b = new QuantMatrix(dims, 80, { bits });
      b.copyRows(a, 50);
      const q = unitRows(1, dims, 3);
      const sa = Array.from(a.scores(q));
      const sb = Array.from(b.scores(q)).slice(0, 50);
      expect(sb).toEqual(sa);
      expect(Array.from(b.row(49))).toEqual(Array.from(a.row(49)));
      expect(Array.from(b.scores(q)).slice(50).every((x) => x === 0)).toBe(true);
    }
    expect(() => new QuantMatrix(dims, 10, { bits: 4 }).copyRows(new QuantMatrix(dims, 10, { bits: 8 }), 10)).toThrow(/int8 into 64-d int4/);
    expect(() => new QuantMatrix(dims, 5).copyRows(new QuantMatrix(dims, 10), 10)).toThrow(/10 rows/);
  });
});

describe('QuantMatrix.setCodeRows (a whole vector shard at once)', () => {
  it('gives the same scores and rows as setCodes row by row, for int8 and int4, and names all-zero rows', () => {
    const dims = 384;
    const n = 300;
    for (const bits of [8, 4] as const) {
      const flat = unitRows(n, dims, 21 + bits);
      const rb = bits === 8 ? dims : dims / 2;
      const codes = new Int8Array(n * rb);
      for (let r = 0; r < n; r++) codes.set(encodeCodes(flat.subarray(r * dims, (r + 1) * dims), bits).codes, r * rb);
      codes.fill(0, 17 * rb, 18 * rb); // a damaged vector
      const one = new QuantMatrix(dims, n + 10, { bits });
      for (let r = 0; r < n; r++) {
        if (r !== 17) one.setCodes(r + 10, codes, r * rb);
      }
      const block = new QuantMatrix(dims, n + 10, { bits });
      // as a shard's bytes arrive: a Uint8Array over the file, codes after a header
      const file = new Uint8Array(32 + codes.length);
      file.set(new Uint8Array(codes.buffer), 32);
      expect(block.setCodeRows(10, file, 32, n)).toEqual([27]);
      const q = unitRows(1, dims, 5);
      expect(Array.from(block.scores(q))).toEqual(Array.from(one.scores(q)));
      expect(Array.from(block.row(200))).toEqual(Array.from(one.row(200)));
      expect(() => block.setCodeRows(n, file, 32, n)).toThrow(RangeError);
      expect(() => block.setCodeRows(0, file, 64, n)).toThrow(/need/);
    }
  });
});
