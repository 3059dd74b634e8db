import { describe, expect, it } from 'vitest';
import { cacheKey, splitCacheKey } from '../../src/store/cache-key';
import { checksum, encodePack, packKeysProblem, packVector, payloadProblem, vectorProblem } from '../../src/store/record';

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

describe('splitCacheKey', () => {
  it('splits at the last separator so group + rest is the key, and one model/chunker is one group', () => {
    const k = cacheKey(fingerprint(), 'v1', sha('1'));
    const [group, rest] = splitCacheKey(k);
    expect(group + rest).toBe(k);
    expect(rest).toBe(sha('1'));
    expect(splitCacheKey(cacheKey(fingerprint(), 'v1', sha('2')))[0]).toBe(group);
    expect(splitCacheKey(cacheKey(fingerprint(), 'v2', sha('1')))[0]).not.toBe(group);
    expect(splitCacheKey(cacheKey(fingerprint({ weights: sha('b') }), 'v1', sha('1')))[0]).not.toBe(group);
    expect(splitCacheKey('plain')).toEqual(['', 'plain']);
  });
});

describe('packed vector records', () => {
  it('round-trips vectors exactly, copying views out of their larger buffer', () => {
    const big = new Float32Array(12);
    big.set(unit([1, 2, 3, 4]), 4);
    const other = unit([4, 3, 2, 1]);
    const { keys, payload } = encodePack('g#', ['x', 'y'], [big.subarray(4, 8), other], 4);
    expect(keys).toEqual({ g: 'g#', h: ['x', 'y'], d: 4 });
    expect(payload.v.byteLength).toBe(2 * 4 * 4);
    const cloned = structuredClone(payload);
    expect(payloadProblem(keys, cloned)).toBeNull();
    expect(packVector(keys, cloned, 0)).toEqual(big.subarray(4, 8));
    expect(packVector(keys, cloned, 1)).toEqual(other);
  });

  it('rejects a pack of other dims, a truncated or missing payload and missing checksums', () => {
    const { keys, payload } = encodePack('g#', ['x', 'y'], [unit([1, 0, 0, 1]), unit([0, 1, 1, 0])], 4);
    expect(packKeysProblem(keys, 4)).toBeNull();
    expect(packKeysProblem(keys, 3)).toMatch(/has 4 dims, expected 3/);
    expect(packKeysProblem('junk', 4)).toMatch(/not a pack key record/);
    expect(payloadProblem(keys, { ...payload, v: payload.v.slice(0, 20) })).toMatch(/holds 20 bytes, expected 32/);
    expect(payloadProblem(keys, undefined)).toMatch(/missing/);
    expect(payloadProblem(keys, { v: [1, 2], s: payload.s })).toMatch(/ArrayBuffer/);
    expect(payloadProblem(keys, { v: payload.v, s: [payload.s[0]] })).toMatch(/checksums/);
  });

  it('rejects a single vector with a flipped bit, NaN, Infinity or not unit length, leaving its neighbours usable', () => {
    const vs = [unit([3, 1, 4, 1]), unit([1, 5, 9, 2]), unit([6, 5, 3, 5])];
    const good = encodePack('g#', ['a', 'b', 'c'], vs, 4);
    const flipped = good.payload.v.slice(0);
    new Uint8Array(flipped)[4 * 4 + 5] ^= 1; // inside vector 1
    const p = { v: flipped, s: good.payload.s };
    expect(packVector(good.keys, p, 1)).toMatch(/checksum/);
    expect(packVector(good.keys, p, 0)).toEqual(vs[0]);
    expect(packVector(good.keys, p, 2)).toEqual(vs[2]);

    // Checksums recomputed over the bad values, so the value checks themselves must catch them.
    for (const bad of [[NaN, 0, 0, 0], [Infinity, 0, 0, 0], [0.5, 0.5, 0.5, 0.49]]) {
      const v = Float32Array.from(bad);
      const buf = good.payload.v.slice(0);
      new Float32Array(buf).set(v, 4);
      const s = [...good.payload.s];
      s[1] = checksum(buf, 16, 16);
      expect(packVector(good.keys, { v: buf, s }, 1)).toMatch(/value 0 is|norm/);
    }
  });

  it('checksum changes when any single word changes, and covers only its own range', () => {
    const buf = unit([1, 2, 3, 4, 5, 6, 7, 8]).buffer as ArrayBuffer;
    const base = checksum(buf);
    for (let i = 0; i < 8; i++) {
      const copy = buf.slice(0);
      new Uint32Array(copy)[i] ^= 1 << (i * 3);
      expect(checksum(copy)).not.toBe(base);
    }
    const copy = buf.slice(0);
    new Uint32Array(copy)[0] ^= 1;
    expect(checksum(copy, 16, 16)).toBe(checksum(buf, 16, 16));
  });

  it('accepts unit vectors within 1e-3 and names the problem otherwise', () => {
    expect(vectorProblem(unit([1, 1]))).toBeNull();
    expect(vectorProblem(Float32Array.from([1.0009, 0]))).toBeNull();
    expect(vectorProblem(Float32Array.from([1.002, 0]))).toMatch(/norm/);
    expect(vectorProblem(new Float32Array(0))).toMatch(/empty/);
    expect(vectorProblem(Float32Array.from([0, NaN]))).toMatch(/value 1 is NaN/);
  });
});
