import { describe, expect, it } from 'vitest';
import { cacheKey } from '../../src/store/cache-key';
import { checksum, decodeVector, encodeVector, vectorProblem } from '../../src/store/record';

const sha = (c: string) => c.repeat(64);
/** Same shape as modelFingerprint(): id|dtype|weights sha256|pooling|queryPrefix|passagePrefix|maxTokens */
function fingerprint(over: Partial<Record<'id' | 'dtype' | 'weights' | 'pooling' | 'query' | 'passage', string>> = {}): string {
  const f = { id: 'Xenova/all-MiniLM-L6-v2', dtype: 'q8', weights: sha('a'), pooling: 'mean', query: '', passage: '', ...over };
  return [f.id, f.dtype, f.weights, f.pooling, f.query, f.passage, '256'].join('|');
}

function unit(values: number[]): Float32Array {
  const v = Float32Array.from(values);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

describe('cacheKey', () => {
  const base = cacheKey(fingerprint(), 'v1', sha('1'));

  it('is stable for the same inputs', () => {
    expect(cacheKey(fingerprint(), 'v1', sha('1'))).toBe(base);
  });

  it('changes with every part of the model fingerprint, the chunker version and the chunk hash', () => {
    const variants = [
      cacheKey(fingerprint({ id: 'Xenova/bge-small-en-v1.5' }), 'v1', sha('1')),
      cacheKey(fingerprint({ dtype: 'fp32' }), 'v1', sha('1')),
      cacheKey(fingerprint({ weights: sha('b') }), 'v1', sha('1')),
      cacheKey(fingerprint({ pooling: 'cls' }), 'v1', sha('1')),
      cacheKey(fingerprint({ query: 'query: ' }), 'v1', sha('1')),
      cacheKey(fingerprint({ passage: 'passage: ' }), 'v1', sha('1')),
      cacheKey(fingerprint(), 'v2', sha('1')),
      cacheKey(fingerprint(), 'v1', sha('2')),
    ];
    for (const k of variants) expect(k).not.toBe(base);
    expect(new Set(variants).size).toBe(variants.length);
  });

  it('cannot be made ambiguous by shifting text between parts', () => {
    // With a plain join, ("a#b", "1", h) and ("a", "b#1", h) would collide; the version may not hold the separator.
    expect(() => cacheKey('a', 'b#1', sha('1'))).toThrow(/chunker version/);
    expect(() => cacheKey('a', '1', 'x#' + sha('1'))).toThrow(/chunk hash/);
    expect(cacheKey('a#b', '1', sha('1'))).not.toBe(cacheKey('a', 'b', sha('1')));
  });

  it('refuses empty parts', () => {
    expect(() => cacheKey('', 'v1', sha('1'))).toThrow(/fingerprint/);
    expect(() => cacheKey(fingerprint(), '', sha('1'))).toThrow(/chunker version/);
    expect(() => cacheKey(fingerprint(), 'v1', '')).toThrow(/chunk hash/);
  });

  it('keeps keys of one model and chunker in one contiguous key range', () => {
    const a = [sha('0'), sha('f')].map((h) => cacheKey(fingerprint(), 'v1', h));
    const other = cacheKey(fingerprint({ weights: sha('b') }), 'v1', sha('5'));
    expect(other < a[0] || other > a[1]).toBe(true);
  });
});

describe('stored vector records', () => {
  it('round-trips a vector exactly and copies a view out of its larger buffer', () => {
    const big = new Float32Array(12);
    big.set(unit([1, 2, 3, 4]), 4);
    const view = big.subarray(4, 8);
    const rec = encodeVector(view);
    expect(rec.v.byteLength).toBe(16);
    expect(rec.d).toBe(4);
    const back = decodeVector(structuredClone(rec), 4);
    expect(back).toEqual(view);
  });

  it('rejects wrong dims, truncated buffers, bad checksums, NaN, Infinity, non-unit vectors and junk', () => {
    const v = unit([3, 1, 4, 1]);
    const good = encodeVector(v);
    expect(decodeVector(good, 3)).toMatch(/dims/);

    const truncated = { d: 4, v: good.v.slice(0, 12), s: checksum(good.v.slice(0, 12)) };
    expect(decodeVector(truncated, 4)).toMatch(/bytes/);

    const flipped = good.v.slice(0);
    new Uint8Array(flipped)[5] ^= 1;
    expect(decodeVector({ ...good, v: flipped }, 4)).toMatch(/checksum/);

    // Checksums computed over the bad values, so the value checks themselves must catch them.
    for (const bad of [[NaN, 0, 0, 0], [Infinity, 0, 0, 0], [0.5, 0.5, 0.5, 0.49]]) {
      const buf = Float32Array.from(bad).buffer;
      expect(typeof decodeVector({ d: 4, v: buf, s: checksum(buf) }, 4)).toBe('string');
    }
    expect(decodeVector('junk', 4)).toMatch(/not a vector record/);
    expect(decodeVector({ d: 4, v: [1, 0, 0, 0], s: 0 }, 4)).toMatch(/ArrayBuffer/);
  });

  it('checksum changes when any single word changes', () => {
    const buf = unit([1, 2, 3, 4, 5, 6, 7, 8]).buffer as ArrayBuffer;
    const base = checksum(buf);
    for (let i = 0; i < 8; i++) {
      const copy = buf.slice(0);
      new Uint32Array(copy)[i] ^= 1 << (i * 3);
      expect(checksum(copy)).not.toBe(base);
    }
  });

  it('accepts unit vectors within 1e-3 and names the problem otherwise', () => {
    expect(vectorProblem(unit([1, 1]))).toBeNull();
    expect(vectorProblem(Float32Array.from([1.0009, 0]))).toBeNull();
    expect(vectorProblem(Float32Array.from([1.002, 0]))).toMatch(/norm/);
    expect(vectorProblem(new Float32Array(0))).toMatch(/empty/);
    expect(vectorProblem(Float32Array.from([0, NaN]))).toMatch(/value 1 is NaN/);
  });
});
