/**
 * Passage vectors stored as int8 or packed int4 codes (a quarter or an eighth of float32), scored
 * in WebAssembly SIMD against an int16 copy of the query. This is how shipped vectors are ranked:
 * the 163k passages of the arXiv set take 60 MiB (int8) or 30 MiB (int4) instead of 239 MiB, and
 * one scoring pass reads that much.
 *
 * Row r is codes_r with inv_r = 1 / |codes_r|, so dot(q, codes_r) · inv_r is the cosine of q with
 * the dequantised (codes × scale) vector — the per-vector scale cancels out. The query is rounded
 * to int16 (relative error ≤ 1/65534 per component), negligible next to the int8 rows.
 */
import { instantiateKernel, loadKernel, type KernelExports } from './kernel';
import { encodeCodes, nibble, type CodeBits } from '../format/quantise';
import { normalise, type VectorBackend } from './vectors';

export type { CodeBits };

const asBytes = (codes: Int8Array | Uint8Array): Uint8Array => (codes instanceof Uint8Array ? codes : new Uint8Array(codes.buffer, codes.byteOffset, codes.length));

/** code byte → its square (int8) / the sum of its two nibbles' squares (packed int4) */
const SQUARE_INT8 = Uint16Array.from({ length: 256 }, (_, b) => ((b << 24) >> 24) ** 2);
const SQUARES_INT4 = Uint16Array.from({ length: 256 }, (_, b) => nibble(b & 15) ** 2 + nibble(b >> 4) ** 2);

const PAGE = 65536;
const align16 = (n: number) => (n + 15) & ~15;

export class QuantMatrix {
  readonly dims: number;
  readonly bits: CodeBits;
  readonly count: number;
  readonly backend: VectorBackend;
  private readonly kernel: KernelExports | null;
  private readonly memory: WebAssembly.Memory | null;
  /** int8: one code a byte; int4: two a byte (dim 2b low nibble, 2b+1 high), two's complement (views: rebound when the memory grows) */
  private codes!: Int8Array;
  private readonly rowBytes: number;
  private inv!: Float32Array;
  private query!: Int16Array;
  private out!: Float32Array;
  private readonly offsets: { codes: number; inv: number; query: number; out: number };
  private writes = 0;

  /** An all-zero matrix of `count` rows; rows never set score 0 (callers mask them). */
  constructor(dims: number, count: number, options: { bits?: CodeBits; backend?: 'auto' | VectorBackend } = {}) {
    if (!Number.isInteger(dims) || dims <= 0 || dims % 2) throw new RangeError(`QuantMatrix: dims must be a positive even integer, got ${dims}.`);
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`QuantMatrix: count must be a non-negative integer, got ${count}.`);
    this.dims = dims;
    this.count = count;
    this.bits = options.bits ?? 8;
    this.rowBytes = this.bits === 8 ? dims : dims / 2;
    const codes = 0;
    const inv = align16(count * this.rowBytes);
    const query = align16(inv + count * 4);
    const out = align16(query + dims * 2);
    const bytes = out + count * 4;
    this.offsets = { codes, inv, query, out };
    const module = (options.backend ?? 'auto') !== 'js' && dims % (this.bits === 8 ? 16 : 32) === 0 ? loadKernel() : null;
    if (options.backend === 'wasm-simd' && !module) throw new Error('QuantMatrix: WebAssembly SIMD is unavailable here; use backend auto or js.');
    let buffer: ArrayBufferLike;
    if (module) {
      try {
        this.memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE)) });
      } catch (err) {
        throw new Error(`QuantMatrix: cannot allocate ${(bytes / 2 ** 20).toFixed(0)} MiB for ${count} vectors (${(err as Error).message}). Use a smaller corpus.`);
      }
      this.kernel = instantiateKernel(module, this.memory);
      buffer = this.memory.buffer;
      this.backend = 'wasm-simd';
    } else {
      this.memory = null;
      this.kernel = null;
      buffer = new ArrayBuffer(bytes);
      this.backend = 'js';
    }
    this.bind(buffer);
  }

  /** The views over the matrix's memory (again after it grew: growing replaces the buffer). */
  private bind(buffer: ArrayBufferLike): void {
    const o = this.offsets;
    this.codes = new Int8Array(buffer, o.codes, this.count * this.rowBytes);
    this.inv = new Float32Array(buffer, o.inv, this.count);
    this.query = new Int16Array(buffer, o.query, this.dims);
    this.out = new Float32Array(buffer, o.out, this.count);
  }

  /**
   * Sets row r from its stored codes (`rowBytes` bytes at `from`: a shipped vector shard's layout,
   * int8 or packed int4). Throws on an all-zero row.
   */
  setCodes(r: number, codes: Int8Array | Uint8Array, from = 0): void {
    this.checkRow(r);
    const src = asBytes(codes);
    const sum = this.squareSum(src, from);
    if (sum === 0) throw new RangeError(`QuantMatrix: row ${r} is all zeros (a damaged vector).`);
    this.codes.set(new Int8Array(src.buffer, src.byteOffset + from, this.rowBytes), r * this.rowBytes);
    this.inv[r] = 1 / Math.sqrt(sum);
    this.writes++;
  }

  /**
   * Sets `count` rows from `first` on, from codes laid out as setCodes takes them, one after another
   * (a whole vector shard): one copy and one pass for the norms, instead of a call per row (the
   * returning arXiv visit spent 0.6 s of its main thread in per-row setCodes). Returns the rows that
   * are all zeros (damaged vectors): they score 0, as rows never set do (setCodes refuses them).
   */
  setCodeRows(first: number, codes: Int8Array | Uint8Array, from: number, count: number): number[] {
    if (count === 0) return [];
    this.checkRow(first);
    this.checkRow(first + count - 1);
    const rb = this.rowBytes;
    const src = asBytes(codes);
    if (from < 0 || from + count * rb > src.length) throw new RangeError(`QuantMatrix.setCodeRows: ${count} rows from byte ${from} need ${count * rb} bytes, ${src.length - from} given.`);
    const bad: number[] = [];
    for (let k = 0; k < count; k++) {
      const sum = this.squareSum(src, from + k * rb);
      if (sum === 0) bad.push(first + k);
      else this.inv[first + k] = 1 / Math.sqrt(sum);
    }
    this.codes.set(new Int8Array(src.buffer, src.byteOffset + from, count * rb), first * rb);
    this.writes++;
    return bad;
  }

  /** |codes|² of the row stored at src[o ..] (rowBytes bytes), by the byte → square tables. */
  private squareSum(src: Uint8Array, o: number): number {
    const squares = this.bits === 8 ? SQUARE_INT8 : SQUARES_INT4;
    let sum = 0;
    for (let b = 0; b < this.rowBytes; b++) sum += squares[src[o + b]];
    return sum;
  }

  /** Copies rows [0, rows) of `from` (same dims and code width) as they are: no re-quantising. */
  copyRows(from: QuantMatrix, rows: number): void {
    if (from.dims !== this.dims || from.bits !== this.bits) throw new RangeError(`QuantMatrix.copyRows: ${from.dims}-d int${from.bits} into ${this.dims}-d int${this.bits}.`);
    if (rows > from.count || rows > this.count) throw new RangeError(`QuantMatrix.copyRows: ${rows} rows, the matrices hold ${from.count} and ${this.count}.`);
    this.codes.set(from.codes.subarray(0, rows * this.rowBytes));
    this.inv.set(from.inv.subarray(0, rows));
    this.writes++;
  }

  /** Changes with every row written (see DenseMatrix.version). */
  get version(): number {
    return this.writes;
  }

  /** Sets row r from a float vector (quantised here, one scale per vector). */
  setRow(r: number, vector: ArrayLike<number>): void {
    if (vector.length !== this.dims) throw new RangeError(`QuantMatrix.setRow(${r}): vector has ${vector.length} values, expected ${this.dims}.`);
    this.setCodes(r, encodeCodes(vector, this.bits).codes);
  }

  /** Row r as a unit float vector (a copy). */
  row(r: number): Float32Array {
    this.checkRow(r);
    const out = new Float32Array(this.dims);
    const inv = this.inv[r];
    const o = r * this.rowBytes;
    if (this.bits === 8) {
      for (let j = 0; j < this.dims; j++) out[j] = this.codes[o + j] * inv;
    } else {
      for (let b = 0; b < this.rowBytes; b++) {
        const byte = this.codes[o + b] & 0xff;
        out[2 * b] = nibble(byte & 15) * inv;
        out[2 * b + 1] = nibble(byte >> 4) * inv;
      }
    }
    return out;
  }

  /**
   * The query as the kernel reads it, written at target[at ..]: normalised, scaled to int16 (its
   * largest component to ±32767), for int4 in the kernel's order. Returns the scale.
   */
  private encodeQuery(query: ArrayLike<number>, target: Int16Array, at: number): number {
    if (query.length !== this.dims) {
      throw new RangeError(`Query vector has ${query.length} values but the matrix has ${this.dims}-d rows: the query was embedded with a different model?`);
    }
    const q = normalise(query);
    let max = 0;
    for (let j = 0; j < q.length; j++) max = Math.max(max, Math.abs(q[j]));
    const scale = 32767 / max;
    const d = this.dims;
    if (this.kernel && this.bits === 4) {
      // per 32 dims: the even dims, then the odd ones (the nibble order the kernel unpacks)
      for (let base = 0; base < d; base += 32) {
        for (let k = 0; k < 16; k++) {
          target[at + base + k] = Math.round(q[base + 2 * k] * scale);
          target[at + base + 16 + k] = Math.round(q[base + 2 * k + 1] * scale);
        }
      }
    } else {
      for (let j = 0; j < d; j++) target[at + j] = Math.round(q[j] * scale);
    }
    return scale;
  }

  /** Cosine of `query` with every row (0 for rows never set). A scratch view unless `out` is given. */
  scores(query: ArrayLike<number>, out?: Float32Array): Float32Array {
    const scale = this.encodeQuery(query, this.query, 0);
    const n = this.count;
    const result = this.out;
    const d = this.dims;
    if (this.kernel) {
      const o = this.offsets;
      if (this.bits === 4) this.kernel.score4(o.codes, o.query, o.inv, o.out, n, d);
      else this.kernel.score8(o.codes, o.query, o.inv, o.out, n, d);
    } else {
      const codes = this.codes;
      const q16 = this.query;
      for (let r = 0; r < n; r++) {
        let s = 0;
        const o = r * this.rowBytes;
        if (this.bits === 8) {
          for (let j = 0; j < d; j++) s += codes[o + j] * q16[j];
        } else {
          for (let b = 0; b < this.rowBytes; b++) {
            const byte = codes[o + b] & 0xff;
            s += nibble(byte & 15) * q16[2 * b] + nibble(byte >> 4) * q16[2 * b + 1];
          }
        }
        result[r] = s * this.inv[r];
      }
    }
    const unscale = 1 / scale;
    const target = out ?? result;
    if (out && out.length < n) throw new RangeError(`QuantMatrix.scores: out has ${out.length} slots, need ${n}.`);
    for (let r = 0; r < n; r++) target[r] = result[r] * unscale;
    return out ? out.subarray(0, n) : result;
  }

  /**
   * scores() of each query, from one read of the matrix (the kernel scores every query against a
   * row while it is in cache): each array equals scores(queries[l]) exactly. Scratch views, valid
   * until the next scoring call; the caller bounds how many queries it passes at once (the scratch
   * holds queries.length × count scores).
   */
  scoresMany(queries: readonly ArrayLike<number>[]): Float32Array[] {
    if (!this.kernel || !this.memory) return queries.map((q) => this.scores(q).slice());
    const n = this.count;
    const d = this.dims;
    // the kernel takes groups of four queries (a short last group is padded with zero queries)
    const groups = Math.ceil(queries.length / 4);
    const qAt = align16(this.offsets.out + n * 4);
    const outAt = align16(qAt + groups * 4 * d * 2);
    const bytes = outAt + groups * 4 * n * 4;
    if (bytes > this.memory.buffer.byteLength) {
      try {
        this.memory.grow(Math.ceil((bytes - this.memory.buffer.byteLength) / PAGE));
      } catch (err) {
        throw new Error(`QuantMatrix.scoresMany: cannot allocate ${(bytes / 2 ** 20).toFixed(0)} MiB to score ${queries.length} queries at once (${(err as Error).message}); pass fewer queries per call.`);
      }
      this.bind(this.memory.buffer);
    }
    const buffer = this.memory.buffer;
    // each query as scores() encodes it, then interleaved per 16 bytes of codes within its group
    const one = new Int16Array(d);
    const step = this.bits === 8 ? 16 : 32;
    const grouped = new Int16Array(buffer, qAt, groups * 4 * d);
    grouped.fill(0);
    const scales = queries.map((q, l) => {
      const scale = this.encodeQuery(q, one, 0);
      const base = Math.floor(l / 4) * 4 * d;
      const slot = l % 4;
      for (let s = 0; s < d / step; s++) grouped.set(one.subarray(s * step, (s + 1) * step), base + (s * 4 + slot) * step);
      return scale;
    });
    const o = this.offsets;
    if (this.bits === 4) this.kernel.score4Many(o.codes, qAt, o.inv, outAt, n, d, groups);
    else this.kernel.score8Many(o.codes, qAt, o.inv, outAt, n, d, groups);
    return scales.map((scale, l) => {
      const view = new Float32Array(buffer, outAt + l * n * 4, n);
      const unscale = 1 / scale;
      for (let r = 0; r < n; r++) view[r] = view[r] * unscale;
      return view;
    });
  }

  private checkRow(r: number): void {
    if (!Number.isInteger(r) || r < 0 || r >= this.count) throw new RangeError(`QuantMatrix: row ${r} is outside 0..${this.count - 1}.`);
  }
}
