/**
 * Vector quantisation for shipped vectors: int8 codes with one float32 scale per vector
 * (symmetric, scale = max |v| / 127). Pure (Node + browser).
 *
 * Why per-vector int8: the vectors are L2-normalised 384-d sentence embeddings; one scale per
 * vector keeps the cosine to the float vector above 0.9999 (measured at build time and recorded
 * in the manifest), a quarter of the bytes of float32, and no codebook to train or ship.
 */

export interface QuantisedBlock {
  dims: number;
  count: number;
  /** count scales: vector r ≈ codes[r*dims .. (r+1)*dims) * scales[r] */
  scales: Float32Array;
  codes: Int8Array;
}

/** Quantises `count` rows of `flat` (row-major float32). Throws on a non-finite or zero row. */
export function quantiseInt8(flat: Float32Array, dims: number): QuantisedBlock {
  if (flat.length % dims !== 0) throw new RangeError(`quantiseInt8: ${flat.length} values is not a whole number of ${dims}-d vectors.`);
  const count = flat.length / dims;
  const scales = new Float32Array(count);
  const codes = new Int8Array(flat.length);
  for (let r = 0; r < count; r++) {
    const o = r * dims;
    let max = 0;
    for (let j = 0; j < dims; j++) {
      const v = flat[o + j];
      if (!Number.isFinite(v)) throw new RangeError(`quantiseInt8: vector ${r} has a non-finite value at ${j}.`);
      const a = Math.abs(v);
      if (a > max) max = a;
    }
    if (max === 0) throw new RangeError(`quantiseInt8: vector ${r} is all zeros.`);
    const scale = max / 127;
    scales[r] = scale;
    const inv = 1 / scale;
    for (let j = 0; j < dims; j++) codes[o + j] = Math.max(-127, Math.min(127, Math.round(flat[o + j] * inv)));
  }
  return { dims, count, scales, codes };
}

/** Row r of a block as float32 (not normalised). */
export function dequantiseRow(block: QuantisedBlock, r: number, out: Float32Array = new Float32Array(block.dims)): Float32Array {
  const { dims, codes } = block;
  const s = block.scales[r];
  const o = r * dims;
  for (let j = 0; j < dims; j++) out[j] = codes[o + j] * s;
  return out;
}

export interface QuantisationError {
  /** cosine(float vector, dequantised vector) over all rows */
  minCosine: number;
  meanCosine: number;
}

export function quantisationError(flat: Float32Array, block: QuantisedBlock): QuantisationError {
  const { dims, count } = block;
  const row = new Float32Array(dims);
  let min = 1;
  let sum = 0;
  for (let r = 0; r < count; r++) {
    dequantiseRow(block, r, row);
    const c = cosine(flat.subarray(r * dims, (r + 1) * dims), row);
    if (c < min) min = c;
    sum += c;
  }
  return { minCosine: count ? min : 1, meanCosine: count ? sum / count : 1 };
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let j = 0; j < a.length; j++) {
    dot += a[j] * b[j];
    na += a[j] * a[j];
    nb += b[j] * b[j];
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}
