/**
 * The binary vector shard: one file per corpus shard, the int8 vectors of its passages in
 * corpus order. Pure (Node + browser).
 *
 * Layout (little-endian):
 *   0  "PSV2" magic        4  u32 layout version (1)   8  u32 dims   12  u32 count
 *   16 u32 kind (1 = int8, 2 = int4 packed two a byte; per-vector f32 scale)   20..32 zero
 *   32 f32 scales[count]   then  codes[count * rowBytes] (rowBytes = dims or dims / 2)
 * The manifest records each file's sha256 and size; decodeVectorShard checks the structure and
 * every scale, so a truncated, foreign or damaged file is refused, never ranked.
 */
import type { CodeBits, QuantisedBlock } from './quantise';

const MAGIC = 0x32565350; // "PSV2" read as little-endian u32
const LAYOUT = 1;
const KIND_INT8 = 1;
const KIND_INT4 = 2;
export const VECTOR_HEADER_BYTES = 32;

export class ShardFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShardFormatError';
  }
}

export function vectorShardBytes(count: number, dims: number, bits: CodeBits = 8): number {
  return VECTOR_HEADER_BYTES + count * 4 + count * (bits === 8 ? dims : dims / 2);
}

export function encodeVectorShard(block: QuantisedBlock): Uint8Array {
  const { dims, count } = block;
  const out = new Uint8Array(vectorShardBytes(count, dims, block.bits));
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, LAYOUT, true);
  view.setUint32(8, dims, true);
  view.setUint32(12, count, true);
  view.setUint32(16, block.bits === 8 ? KIND_INT8 : KIND_INT4, true);
  for (let r = 0; r < count; r++) view.setFloat32(VECTOR_HEADER_BYTES + r * 4, block.scales[r], true);
  out.set(new Uint8Array(block.codes.buffer, block.codes.byteOffset, block.codes.length), VECTOR_HEADER_BYTES + count * 4);
  return out;
}

/**
 * Parses a vector shard and checks it against what the manifest promises (`name` is used in
 * errors). The returned block views `bytes` (no copy of the codes).
 */
export function decodeVectorShard(bytes: Uint8Array, expect: { dims: number; count: number; bits: CodeBits; name: string }): QuantisedBlock {
  const { name } = expect;
  if (bytes.length < VECTOR_HEADER_BYTES) throw new ShardFormatError(`${name}: ${bytes.length} bytes is too short for a vector shard (truncated?)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new ShardFormatError(`${name}: not a Paperscope vector shard (bad magic)`);
  const kind = view.getUint32(16, true);
  if (view.getUint32(4, true) !== LAYOUT || (kind !== KIND_INT8 && kind !== KIND_INT4)) {
    throw new ShardFormatError(`${name}: vector layout ${view.getUint32(4, true)}/kind ${kind} is not supported by this app (rebuild the corpus)`);
  }
  const bits: CodeBits = kind === KIND_INT8 ? 8 : 4;
  if (bits !== expect.bits) throw new ShardFormatError(`${name}: int${bits} vectors, the manifest says int${expect.bits}`);
  const dims = view.getUint32(8, true);
  const count = view.getUint32(12, true);
  if (dims !== expect.dims) throw new ShardFormatError(`${name}: vectors of ${dims} dimensions, the manifest says ${expect.dims}`);
  if (count !== expect.count) throw new ShardFormatError(`${name}: ${count} vectors, the manifest says ${expect.count} passages`);
  const want = vectorShardBytes(count, dims, bits);
  if (bytes.length !== want) throw new ShardFormatError(`${name}: ${bytes.length} bytes, expected ${want} for ${count} vectors of ${dims} dimensions (truncated or padded)`);
  // Copies keep the block aligned (Float32Array needs a 4-byte aligned offset) and independent of the fetch buffer.
  const scales = new Float32Array(count);
  for (let r = 0; r < count; r++) {
    const s = view.getFloat32(VECTOR_HEADER_BYTES + r * 4, true);
    if (!(s > 0) || !Number.isFinite(s)) throw new ShardFormatError(`${name}: vector ${r} has an invalid scale (${s}): the file is damaged`);
    scales[r] = s;
  }
  const at = VECTOR_HEADER_BYTES + count * 4;
  const rowBytes = bits === 8 ? dims : dims / 2;
  const codes = new Int8Array(bytes.buffer, bytes.byteOffset + at, count * rowBytes);
  return { dims, count, bits, rowBytes, scales, codes };
}
