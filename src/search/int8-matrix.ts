/**
 * Passage vectors stored as int8 codes (a quarter of float32), scored in WebAssembly SIMD against
 * an int16 copy of the query. This is how shipped vectors are ranked: the 163k passages of the
 * arXiv set take 63 MB here instead of 250 MB, and one scoring pass reads a quarter of the bytes.
 *
 * Row r is codes_r with inv_r = 1 / |codes_r|, so dot(q, codes_r) · inv_r is the cosine of q with
 * the dequantised (codes × scale) vector — the per-vector scale cancels out. The query is rounded
 * to int16 (relative error ≤ 1/65534 per component), negligible next to the int8 rows.
 */
import { instantiateKernel, loadKernel, type KernelExports } from './kernel';
import { normalise, type VectorBackend } from './vectors';

const PAGE = 65536;
const align16 = (n: number) => (n + 15) & ~15;

export class Int8Matrix {
  readonly dims: number;
  readonly count: number;
  readonly backend: VectorBackend;
  private readonly kernel: KernelExports | null;
  private readonly memory: WebAssembly.Memory | null;
  private readonly codes: Int8Array;
  private readonly inv: Float32Array;
  private readonly query: Int16Array;
  private readonly out: Float32Array;
  private readonly offsets: { codes: number; inv: number; query: number; out: number };

  /** An all-zero matrix of `count` rows; rows never set score 0 (callers mask them). */
  constructor(dims: number, count: number, options: { backend?: 'auto' | VectorBackend } = {}) {
    if (!Number.isInteger(dims) || dims <= 0) throw new RangeError(`Int8Matrix: dims must be a positive integer, got ${dims}.`);
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`Int8Matrix: count must be a non-negative integer, got ${count}.`);
    this.dims = dims;
    this.count = count;
    const codes = 0;
    const inv = align16(count * dims);
    const query = align16(inv + count * 4);
    const out = align16(query + dims * 2);
    const bytes = out + count * 4;
    this.offsets = { codes, inv, query, out };
    const module = (options.backend ?? 'auto') !== 'js' && dims % 16 === 0 ? loadKernel() : null;
    if (options.backend === 'wasm-simd' && !module) throw new Error('Int8Matrix: WebAssembly SIMD is unavailable here; use backend auto or js.');
    let buffer: ArrayBufferLike;
    if (module) {
      try {
        this.memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE)) });
      } catch (err) {
        throw new Error(`Int8Matrix: cannot allocate ${(bytes / 2 ** 20).toFixed(0)} MiB for ${count} vectors (${(err as Error).message}). Use a smaller corpus.`);
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
    this.codes = new Int8Array(buffer, codes, count * dims);
    this.inv = new Float32Array(buffer, inv, count);
    this.query = new Int16Array(buffer, query, dims);
    this.out = new Float32Array(buffer, out, count);
  }

  /** Sets row r from int8 codes (e.g. a shipped vector shard). Throws on an all-zero row. */
  setCodes(r: number, codes: Int8Array, from = 0): void {
    this.checkRow(r);
    const d = this.dims;
    let sum = 0;
    for (let j = 0; j < d; j++) {
      const c = codes[from + j];
      sum += c * c;
    }
    if (sum === 0) throw new RangeError(`Int8Matrix: row ${r} is all zeros (a damaged vector).`);
    this.codes.set(codes.subarray(from, from + d), r * d);
    this.inv[r] = 1 / Math.sqrt(sum);
  }

  /** Sets row r from a float vector (quantised here, one scale per vector). */
  setRow(r: number, vector: ArrayLike<number>): void {
    if (vector.length !== this.dims) throw new RangeError(`Int8Matrix.setRow(${r}): vector has ${vector.length} values, expected ${this.dims}.`);
    let max = 0;
    for (let j = 0; j < vector.length; j++) {
      const a = Math.abs(vector[j]);
      if (!(a <= Number.MAX_VALUE)) throw new RangeError(`Int8Matrix.setRow(${r}): not a finite vector.`);
      if (a > max) max = a;
    }
    if (max === 0) throw new RangeError(`Int8Matrix.setRow(${r}): zero vector.`);
    const codes = new Int8Array(this.dims);
    for (let j = 0; j < this.dims; j++) codes[j] = Math.round((vector[j] / max) * 127);
    this.setCodes(r, codes);
  }

  /** Row r as a unit float vector (a copy). */
  row(r: number): Float32Array {
    this.checkRow(r);
    const d = this.dims;
    const out = new Float32Array(d);
    const inv = this.inv[r];
    for (let j = 0; j < d; j++) out[j] = this.codes[r * d + j] * inv;
    return out;
  }

  /** Cosine of `query` with every row (0 for rows never set). A scratch view unless `out` is given. */
  scores(query: ArrayLike<number>, out?: Float32Array): Float32Array {
    if (query.length !== this.dims) {
      throw new RangeError(`Query vector has ${query.length} values but the matrix has ${this.dims}-d rows: the query was embedded with a different model?`);
    }
    const q = normalise(query);
    let max = 0;
    for (let j = 0; j < q.length; j++) max = Math.max(max, Math.abs(q[j]));
    const scale = 32767 / max;
    for (let j = 0; j < q.length; j++) this.query[j] = Math.round(q[j] * scale);
    const n = this.count;
    const result = this.out;
    if (this.kernel) {
      const o = this.offsets;
      this.kernel.score8(o.codes, o.query, o.inv, o.out, n, this.dims);
    } else {
      const d = this.dims;
      const codes = this.codes;
      const q16 = this.query;
      for (let r = 0; r < n; r++) {
        let s = 0;
        for (let j = 0, o = r * d; j < d; j++) s += codes[o + j] * q16[j];
        result[r] = s * this.inv[r];
      }
    }
    const unscale = 1 / scale;
    const target = out ?? result;
    if (out && out.length < n) throw new RangeError(`Int8Matrix.scores: out has ${out.length} slots, need ${n}.`);
    for (let r = 0; r < n; r++) target[r] = result[r] * unscale;
    return out ? out.subarray(0, n) : result;
  }

  private checkRow(r: number): void {
    if (!Number.isInteger(r) || r < 0 || r >= this.count) throw new RangeError(`Int8Matrix: row ${r} is outside 0..${this.count - 1}.`);
  }
}
