/**
 * The stored form of vectors and its checks. Pure (Node + browser).
 *
 * Vectors are stored in packs: up to a few hundred vectors of one cache group (same model and
 * chunker) per record, because reading one record per vector is several times slower in Chromium
 * (75k vectors: ~5 s one per record, ~0.7 s in packs of 256). A pack is two records with the
 * same id:
 *   PackKeys    { g: group, h: key suffixes, d: dims }   small; eviction reads only these
 *   PackPayload { v: ArrayBuffer of h.length * d float32, s: checksum per vector }
 * Reading checks the pack's shape and every vector used; a vector that fails any check is a miss,
 * never a vector used for ranking.
 */

export interface PackKeys {
  /** cacheGroup() of every key in the pack */
  g: string;
  /** the keys without their group prefix, in vector order */
  h: string[];
  /** floats per vector */
  d: number;
}

export interface PackPayload {
  /** exactly h.length * d * 4 bytes, its own buffer */
  v: ArrayBuffer;
  /** checksum of each vector's bytes */
  s: number[];
}

/** How far an L2 norm may be from 1 before a vector counts as corrupt. */
export const NORM_TOLERANCE = 1e-3;

/**
 * FNV-1a over 32-bit words (not bytes: 4x fewer steps) of buffer[offset, offset + length).
 * Each step is a bijection of the running hash, so changing any single word changes the result.
 */
export function checksum(buffer: ArrayBuffer, offset = 0, length = buffer.byteLength - offset): number {
  const words = new Uint32Array(buffer, offset, length >>> 2);
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) {
    h ^= words[i];
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Why a vector may not be stored or used (empty, non-finite value, not unit length), or null if it is fine. */
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

/** Copies the vectors (views into larger buffers are fine) into one pack. All must have d values. */
export function encodePack(group: string, suffixes: string[], vectors: Float32Array[], d: number): { keys: PackKeys; payload: PackPayload } {
  const flat = new Float32Array(vectors.length * d);
  const s: number[] = new Array(vectors.length);
  vectors.forEach((vector, j) => {
    flat.set(vector, j * d);
    s[j] = checksum(flat.buffer, j * d * 4, d * 4);
  });
  return { keys: { g: group, h: suffixes, d }, payload: { v: flat.buffer, s } };
}

function isArrayBuffer(x: unknown): x is ArrayBuffer {
  // instanceof fails across realms (structured clone in another global); the tag does not.
  return Object.prototype.toString.call(x) === '[object ArrayBuffer]';
}

/** Why a pack's key record cannot be used, or null. */
export function packKeysProblem(value: unknown, dims: number): string | null {
  const k = value as Partial<PackKeys> | null;
  if (!k || typeof k !== 'object' || typeof k.g !== 'string' || !Array.isArray(k.h)) return 'not a pack key record';
  if (k.d !== dims) return `has ${String(k.d)} dims, expected ${dims}`;
  return null;
}

/** Why a payload does not fit its key record (missing, truncated, checksums missing), or null. */
export function payloadProblem(keys: PackKeys, value: unknown): string | null {
  const p = value as Partial<PackPayload> | null;
  if (!p || typeof p !== 'object') return 'payload missing';
  if (!isArrayBuffer(p.v)) return 'payload has no ArrayBuffer';
  if (p.v.byteLength !== keys.h.length * keys.d * 4) return `payload holds ${p.v.byteLength} bytes, expected ${keys.h.length * keys.d * 4}`;
  if (!Array.isArray(p.s) || p.s.length !== keys.h.length) return 'payload checksums missing';
  return null;
}

/** Vector j of a checked pack (a view, no copy), or why it cannot be used. */
export function packVector(keys: PackKeys, payload: PackPayload, j: number): Float32Array | string {
  const offset = j * keys.d * 4;
  if (checksum(payload.v, offset, keys.d * 4) !== payload.s[j]) return 'checksum mismatch';
  const vector = new Float32Array(payload.v, offset, keys.d);
  return vectorProblem(vector) ?? vector;
}
