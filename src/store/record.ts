/**
 * The stored form of one vector and its checks. Pure (Node + browser).
 *
 * A record is { d: dims, v: ArrayBuffer of d float32 values, s: checksum }. Reading checks all of
 * it; a record that fails any check is a miss, never a vector used for ranking.
 */

export interface StoredVector {
  /** Number of float32 values in v. */
  d: number;
  /** Exactly d * 4 bytes: an ArrayBuffer of its own, never a view's larger backing buffer. */
  v: ArrayBuffer;
  /** checksum(v) at write time. */
  s: number;
}

/** How far an L2 norm may be from 1 before a vector counts as corrupt. */
export const NORM_TOLERANCE = 1e-3;

/**
 * FNV-1a over 32-bit words (not bytes: 4x fewer steps). Each step is a bijection of the running
 * hash, so changing any single word always changes the result.
 */
export function checksum(buffer: ArrayBuffer): number {
  const words = new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) {
    h ^= words[i];
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Why a vector may not be stored or used (non-finite value, not unit length), or null if it is fine. */
export function vectorProblem(vector: Float32Array): string | null {
  if (vector.length === 0) return 'it is empty';
  let sq = 0;
  for (let i = 0; i < vector.length; i++) {
    const x = vector[i];
    if (!Number.isFinite(x)) return `value ${i} is ${x}`;
    sq += x * x;
  }
  const norm = Math.sqrt(sq);
  if (Math.abs(norm - 1) > NORM_TOLERANCE) return `its L2 norm is ${norm.toPrecision(6)}, not 1`;
  return null;
}

/** Copies the vector into a buffer of its own (a subarray's backing buffer may be far larger). */
export function encodeVector(vector: Float32Array): StoredVector {
  const v = vector.slice().buffer;
  return { d: vector.length, v, s: checksum(v) };
}

function isArrayBuffer(x: unknown): x is ArrayBuffer {
  // instanceof fails across realms (structured clone in another global); the tag does not.
  return Object.prototype.toString.call(x) === '[object ArrayBuffer]';
}

/**
 * The vector in a stored record, or a reason it cannot be used: wrong shape, wrong length,
 * checksum mismatch, non-finite values or not unit length.
 */
export function decodeVector(value: unknown, dims: number): Float32Array | string {
  if (!value || typeof value !== 'object') return 'not a vector record';
  const r = value as Partial<StoredVector>;
  if (r.d !== dims) return `has ${String(r.d)} dims, expected ${dims}`;
  if (!isArrayBuffer(r.v)) return 'has no ArrayBuffer';
  if (r.v.byteLength !== dims * 4) return `holds ${r.v.byteLength} bytes, expected ${dims * 4}`;
  if (checksum(r.v) !== r.s) return 'checksum mismatch';
  const vector = new Float32Array(r.v);
  const problem = vectorProblem(vector);
  return problem ?? vector;
}
