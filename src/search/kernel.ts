/**
 * A tiny WebAssembly SIMD kernel for the hot loops of dense ranking: dot products of one query
 * (or of several, in one read of the matrix) against every row of a matrix, and one read pass over
 * the matrix (the memory floor the benchmark compares against).
 *
 * Why WebAssembly: plain JS has no SIMD, and scalar JS tops out at about 40 ms for 100k x 384
 * dot products on the dev machine (even a bare sum over the same floats takes ~24 ms), while
 * the ranking target is 20 ms. f32x4 SIMD brings it to ~12 ms, i.e. close to memory bandwidth.
 *
 * The module is assembled here from its instructions (about 400 bytes) rather than shipped as a
 * binary file, so src/search stays plain TypeScript with no build step, loader or fetch, and it
 * runs unchanged in Node, the page and a worker. Where WebAssembly SIMD is unavailable (or a
 * content security policy forbids compiling), `loadKernel()` returns null and callers use JS.
 */

export interface KernelExports {
  /** out[r] = dot(mat row r, q) for r < n; mat, q, out are byte offsets; dims % 16 === 0. */
  score(mat: number, q: number, out: number, n: number, dims: number): void;
  /** Sum of `count` floats starting at byte offset `ptr`; count % 16 === 0. */
  sum(ptr: number, count: number): number;
  /** out[r] = inv[r] * dot(int8 row r, int16 query) for r < n; byte offsets; dims % 16 === 0. */
  score8(mat: number, q: number, inv: number, out: number, n: number, dims: number): void;
  /** as score8 for packed 4-bit rows (dims / 2 bytes each) and a query in even/odd order per 32 dims; dims % 32 === 0. */
  score4(mat: number, q: number, inv: number, out: number, n: number, dims: number): void;
  /**
   * As score for `count` queries stored one after another at q: out[l * n + r] = dot(row r, query l).
   * Each row is read from memory once for all the queries; every score equals score's for that query.
   */
  scoreMany(mat: number, q: number, out: number, n: number, dims: number, count: number): void;
  /**
   * As score8 / score4 for 4 × `groups` int16 queries, each group's four interleaved per 16 bytes
   * of codes (see quantScoreManyFunction): out[l * n + r], each equal to score8's / score4's.
   */
  score8Many(mat: number, q: number, inv: number, out: number, n: number, dims: number, groups: number): void;
  score4Many(mat: number, q: number, inv: number, out: number, n: number, dims: number, groups: number): void;
}

// ---- binary encoding helpers (https://webassembly.github.io/spec/core/binary/) ----------------

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(byte & 0x40)) || (n === -1 && byte & 0x40)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];
const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;
const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const tee = (i: number) => [0x22, ...uleb(i)];
const i32 = (n: number) => [0x41, ...sleb(n)];
const I32_ADD = 0x6a;
const I32_SHL = 0x74;
const I32_SHR_U = 0x76;
const I32_LT_U = 0x49;
const I32_GE_U = 0x4f;
const F32_ADD = 0x92;
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const END = 0x0b;
const br = (depth: number) => [0x0c, depth];
const brIf = (depth: number) => [0x0d, depth];
const simd = (op: number) => [0xfd, ...uleb(op)];
/** v128.load with a 16-byte alignment hint (hints never trap) and a constant byte offset. */
const load = (offset: number) => [...simd(0), 4, ...uleb(offset)];
const ZERO = [...simd(12), ...new Array<number>(16).fill(0)];
const F32X4_ADD = simd(228);
const F32X4_MUL = simd(230);
const lane = (i: number) => [...simd(31), i];
const F32_STORE = [0x38, 2, 0];
const F32_LOAD = [0x2a, 2, 0];
const F32_MUL = 0x94;
const F32_CONVERT_I32_S = 0xb2;
const I32X4_ADD = simd(174);
const I32X4_DOT_I16X8_S = simd(186);
const I16X8_EXTEND_LOW_I8X16_S = simd(135);
const I16X8_EXTEND_HIGH_I8X16_S = simd(136);
const i32lane = (i: number) => [...simd(27), i];
const V128_AND = simd(78);
const V128_XOR = simd(81);
const I8X16_SUB = simd(113);
const I8X16_SHR_U = simd(109);
const bytes16 = (b: number) => [...simd(12), ...new Array<number>(16).fill(b)];

/** Horizontal sum of the four accumulators in locals a..a+3, left on the stack as one f32. */
function reduce(a: number): number[] {
  return [
    ...get(a), ...get(a + 1), ...F32X4_ADD, ...get(a + 2), ...get(a + 3), ...F32X4_ADD, ...F32X4_ADD, ...tee(a),
    ...lane(0), ...get(a), ...lane(1), F32_ADD, ...get(a), ...lane(2), ...get(a), ...lane(3), F32_ADD, F32_ADD,
  ];
}

function body(locals: number[][], code: number[]): number[] {
  const b = [...vec(locals), ...code, END];
  return [...uleb(b.length), ...b];
}

/**
 * score(mat, q, out, n, dims). Locals: 5 r, 6 rowEnd, 7 qp, 8..11 accumulators.
 * Four independent accumulators (16 floats per step) hide the latency of the adds.
 */
function scoreFunction(): number[] {
  const acc = 8;
  const inner: number[] = [];
  for (let u = 0; u < 4; u++) {
    inner.push(...get(acc + u), ...get(0), ...load(16 * u), ...get(7), ...load(16 * u), ...F32X4_MUL, ...F32X4_ADD, ...set(acc + u));
  }
  const code = [
    ...i32(0), ...set(5),
    ...BLOCK, ...LOOP,
    ...get(5), ...get(3), I32_GE_U, ...brIf(1),
    ...ZERO, ...set(acc), ...ZERO, ...set(acc + 1), ...ZERO, ...set(acc + 2), ...ZERO, ...set(acc + 3),
    ...get(0), ...get(4), ...i32(2), I32_SHL, I32_ADD, ...set(6),
    ...get(1), ...set(7),
    ...LOOP,
    ...inner,
    ...get(7), ...i32(64), I32_ADD, ...set(7),
    ...get(0), ...i32(64), I32_ADD, ...tee(0), ...get(6), I32_LT_U, ...brIf(0),
    END,
    ...get(2), ...get(5), ...i32(2), I32_SHL, I32_ADD, ...reduce(acc), ...F32_STORE,
    ...get(5), ...i32(1), I32_ADD, ...set(5),
    ...br(0),
    END, END,
  ];
  return body([[3, I32], [4, V128]], code);
}

/**
 * scoreMany(mat, q, out, n, dims, count): for each row, the row's dot product with each of the
 * `count` queries (the row stays in L1 while they pass), in the same order of operations as score
 * so each score is bit-for-bit the same. Locals: 6 r, 7 rowEnd, 8 qp, 9 l, 10 p, 11 outp, 12..15 accumulators.
 */
function scoreManyFunction(): number[] {
  const [mat, q, out, n, dims, count, r, rowEnd, qp, l, p, outp] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const acc = 12;
  const inner: number[] = [];
  for (let u = 0; u < 4; u++) {
    inner.push(...get(acc + u), ...get(p), ...load(16 * u), ...get(qp), ...load(16 * u), ...F32X4_MUL, ...F32X4_ADD, ...set(acc + u));
  }
  const code = rowsByQueries(
    { mat, q, out, n, count, r, rowEnd, qp, l, p, outp },
    [...get(dims), ...i32(2), I32_SHL],
    64,
    [...ZERO, ...set(acc), ...ZERO, ...set(acc + 1), ...ZERO, ...set(acc + 2), ...ZERO, ...set(acc + 3)],
    [...inner, ...get(qp), ...i32(64), I32_ADD, ...set(qp)],
    [...get(outp), ...reduce(acc), ...F32_STORE, ...get(outp), ...get(n), ...i32(2), I32_SHL, I32_ADD, ...set(outp)],
  );
  return body([[6, I32], [4, V128]], code);
}

/**
 * The loops of the *Many kernels (locals named in `v`): for each row r < n, `count` times: `zero`,
 * then `step` over the row `stepBytes` at a time (p walks the row), then `store`; the query pointer
 * qp starts again at q for each row, and `mat` moves on to the next row.
 */
function rowsByQueries(
  v: { mat: number; q: number; out: number; n: number; count: number; r: number; rowEnd: number; qp: number; l: number; p: number; outp: number },
  rowBytes: number[],
  stepBytes: number,
  zero: number[],
  step: number[],
  store: number[],
): number[] {
  return [
    ...i32(0), ...set(v.r),
    ...BLOCK, ...LOOP,
    ...get(v.r), ...get(v.n), I32_GE_U, ...brIf(1),
    ...get(v.mat), ...rowBytes, I32_ADD, ...set(v.rowEnd),
    ...get(v.q), ...set(v.qp),
    ...get(v.out), ...get(v.r), ...i32(2), I32_SHL, I32_ADD, ...set(v.outp),
    ...i32(0), ...set(v.l),
    ...BLOCK, ...LOOP,
    ...get(v.l), ...get(v.count), I32_GE_U, ...brIf(1),
    ...zero,
    ...get(v.mat), ...set(v.p),
    ...LOOP,
    ...step,
    ...get(v.p), ...i32(stepBytes), I32_ADD, ...tee(v.p), ...get(v.rowEnd), I32_LT_U, ...brIf(0),
    END,
    ...store,
    ...get(v.l), ...i32(1), I32_ADD, ...set(v.l),
    ...br(0),
    END, END,
    ...get(v.rowEnd), ...set(v.mat),
    ...get(v.r), ...i32(1), I32_ADD, ...set(v.r),
    ...br(0),
    END, END,
  ];
}

/** sum(ptr, count). Locals: 2 end, 3..6 accumulators. */
function sumFunction(): number[] {
  const acc = 3;
  const inner: number[] = [];
  for (let u = 0; u < 4; u++) inner.push(...get(acc + u), ...get(0), ...load(16 * u), ...F32X4_ADD, ...set(acc + u));
  const code = [
    ...get(0), ...get(1), ...i32(2), I32_SHL, I32_ADD, ...set(2),
    ...BLOCK,
    ...get(0), ...get(2), I32_GE_U, ...brIf(0),
    ...LOOP,
    ...inner,
    ...get(0), ...i32(64), I32_ADD, ...tee(0), ...get(2), I32_LT_U, ...brIf(0),
    END, END,
    ...reduce(acc),
  ];
  return body([[1, I32], [4, V128]], code);
}

/**
 * score8 / score4 (mat, q, inv, out, n, dims): out[r] = inv[r] * dot(codes of row r, int16 query).
 *  - bits 8: rows of dims int8 codes. Each 16-byte step widens 16 codes to two i16x8 halves and
 *    multiplies-adds them with the query by i32x4.dot_i16x8_s (dims % 16 === 0).
 *  - bits 4: rows of dims / 2 bytes, dim 2b in the low nibble of byte b, 2b+1 in the high one (two's
 *    complement). Each 16-byte step holds 32 dims: the nibbles are sign-extended to i8
 *    ((x ^ 8) - 8), widened and multiplied with the query, which the caller lays out per 32 dims as
 *    [even dims 0..30, odd dims 1..31] (QuantMatrix.scores; dims % 32 === 0).
 * 384 x 127 x 32767 < 2^31: the i32 sums cannot overflow.
 * Locals: 6 r, 7 rowEnd, 8 qp, 9 v, then (bits 4) 10 lo, 11 hi, then two i32x4 accumulators.
 */
function quantScoreFunction(bits: 8 | 4): number[] {
  const v = 9;
  const lo = 10;
  const hi = 11;
  const acc = bits === 8 ? 10 : 12;
  const step = quantStep(bits, { v, lo, hi, acc, qp: 8 });
  // bytes of query read per 16 bytes of codes: 16 or 32 int16 values
  const queryStep = bits === 8 ? 32 : 64;
  const rowBytes = bits === 8 ? get(5) : [...get(5), ...i32(1), I32_SHR_U];
  const code = [
    ...i32(0), ...set(6),
    ...BLOCK, ...LOOP,
    ...get(6), ...get(4), I32_GE_U, ...brIf(1),
    ...ZERO, ...set(acc), ...ZERO, ...set(acc + 1),
    ...get(0), ...rowBytes, I32_ADD, ...set(7),
    ...get(1), ...set(8),
    ...LOOP,
    ...get(0), ...load(0), ...set(v),
    ...step,
    ...get(8), ...i32(queryStep), I32_ADD, ...set(8),
    ...get(0), ...i32(16), I32_ADD, ...tee(0), ...get(7), I32_LT_U, ...brIf(0),
    END,
    // out[r] = f32(sum of lanes) * inv[r]
    ...get(3), ...get(6), ...i32(2), I32_SHL, I32_ADD,
    ...quantRowScore(acc, 2, 6),
    ...F32_STORE,
    ...get(6), ...i32(1), I32_ADD, ...set(6),
    ...br(0),
    END, END,
  ];
  return body([[3, I32], [bits === 8 ? 3 : 5, V128]], code);
}

/**
 * score8Many / score4Many (mat, q, inv, out, n, dims, groups): as score8 / score4 for 4 × `groups`
 * int16 queries, out[l * n + r]. Each row's codes are loaded and widened once per group of four
 * queries (four accumulator pairs), so the widening and unpacking is shared; the int32 sums are
 * the same integers as score8's / score4's, and so is every score. The queries of a group are
 * interleaved per 16-byte step of codes (QuantMatrix.scoresMany): [q0's 16 or 32 int16 for this
 * step][q1's]…[q3's]. Locals: 7 r, 8 rowEnd, 9 qp, 10 g, 11 p, 12 outp, 13 v, 14..17 widened
 * codes, 18 lo, 19 hi, 20..27 accumulators (2 per query).
 */
function quantScoreManyFunction(bits: 8 | 4): number[] {
  const [mat, q, inv, out, n, dims, groups, r, rowEnd, qp, g, p, outp, v, w, lo, hi, acc] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 18, 19, 20];
  // bytes of one query per 16 bytes of codes; a group's step is four of them
  const queryStep = bits === 8 ? 32 : 64;
  const dot = (src: number, offset: number, a: number) => [...get(a), ...get(src), ...get(qp), ...load(offset), ...I32X4_DOT_I16X8_S, ...I32X4_ADD, ...set(a)];
  const step: number[] = bits === 8
    ? [...get(v), ...I16X8_EXTEND_LOW_I8X16_S, ...set(w), ...get(v), ...I16X8_EXTEND_HIGH_I8X16_S, ...set(w + 1)]
    : [
        ...get(v), ...bytes16(0x0f), ...V128_AND, ...bytes16(0x08), ...V128_XOR, ...bytes16(0x08), ...I8X16_SUB, ...set(lo),
        ...get(v), ...i32(4), ...I8X16_SHR_U, ...bytes16(0x08), ...V128_XOR, ...bytes16(0x08), ...I8X16_SUB, ...set(hi),
        ...get(lo), ...I16X8_EXTEND_LOW_I8X16_S, ...set(w), ...get(lo), ...I16X8_EXTEND_HIGH_I8X16_S, ...set(w + 1),
        ...get(hi), ...I16X8_EXTEND_LOW_I8X16_S, ...set(w + 2), ...get(hi), ...I16X8_EXTEND_HIGH_I8X16_S, ...set(w + 3),
      ];
  for (let l = 0; l < 4; l++) {
    const at = l * queryStep;
    step.push(...dot(w, at, acc + 2 * l), ...dot(w + 1, at + 16, acc + 2 * l + 1));
    if (bits === 4) step.push(...dot(w + 2, at + 32, acc + 2 * l), ...dot(w + 3, at + 48, acc + 2 * l + 1));
  }
  const zero: number[] = [];
  const store: number[] = [];
  for (let a = 0; a < 8; a++) zero.push(...ZERO, ...set(acc + a));
  for (let l = 0; l < 4; l++) {
    store.push(...get(outp), ...quantRowScore(acc + 2 * l, inv, r), ...F32_STORE);
    store.push(...get(outp), ...get(n), ...i32(2), I32_SHL, I32_ADD, ...set(outp));
  }
  const rowBytes = bits === 8 ? get(dims) : [...get(dims), ...i32(1), I32_SHR_U];
  const code = rowsByQueries(
    { mat, q, out, n, count: groups, r, rowEnd, qp, l: g, p, outp },
    rowBytes,
    16,
    zero,
    [...get(p), ...load(0), ...set(v), ...step, ...get(qp), ...i32(4 * queryStep), I32_ADD, ...set(qp)],
    store,
  );
  return body([[6, I32], [15, V128]], code);
}

/** f32(sum of the lanes of the accumulators acc, acc+1) * inv[r], on the stack (`inv`, `r`: locals). */
function quantRowScore(acc: number, inv: number, r: number): number[] {
  return [
    ...get(acc), ...get(acc + 1), ...I32X4_ADD, ...tee(acc),
    ...i32lane(0), ...get(acc), ...i32lane(1), I32_ADD, ...get(acc), ...i32lane(2), I32_ADD, ...get(acc), ...i32lane(3), I32_ADD,
    F32_CONVERT_I32_S,
    ...get(inv), ...get(r), ...i32(2), I32_SHL, I32_ADD, ...F32_LOAD, F32_MUL,
  ];
}

/** One 16-byte step of codes (in local v) against the query at local qp, into the accumulators acc, acc+1. */
function quantStep(bits: 8 | 4, l: { v: number; lo: number; hi: number; acc: number; qp: number }): number[] {
  const { v, lo, hi, acc } = l;
  const dot = (src: number, widen: number[], qOffset: number, a: number) => [
    ...get(a), ...get(src), ...widen, ...get(l.qp), ...load(qOffset), ...I32X4_DOT_I16X8_S, ...I32X4_ADD, ...set(a),
  ];
  return bits === 8
    ? [
        ...dot(v, I16X8_EXTEND_LOW_I8X16_S, 0, acc),
        ...dot(v, I16X8_EXTEND_HIGH_I8X16_S, 16, acc + 1),
      ]
    : [
        ...get(v), ...bytes16(0x0f), ...V128_AND, ...bytes16(0x08), ...V128_XOR, ...bytes16(0x08), ...I8X16_SUB, ...set(lo),
        ...get(v), ...i32(4), ...I8X16_SHR_U, ...bytes16(0x08), ...V128_XOR, ...bytes16(0x08), ...I8X16_SUB, ...set(hi),
        ...dot(lo, I16X8_EXTEND_LOW_I8X16_S, 0, acc),
        ...dot(lo, I16X8_EXTEND_HIGH_I8X16_S, 16, acc + 1),
        ...dot(hi, I16X8_EXTEND_LOW_I8X16_S, 32, acc),
        ...dot(hi, I16X8_EXTEND_HIGH_I8X16_S, 48, acc + 1),
      ];
}

export function kernelBytes(): Uint8Array<ArrayBuffer> {
  const types = section(1, vec([
    [0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), ...vec([])],
    [0x60, ...vec([[I32], [I32]]), ...vec([[F32]])],
    [0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32]]), ...vec([])],
    [0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32], [I32]]), ...vec([])],
  ]));
  const imports = section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x00]]));
  const functions = section(3, vec([[0], [1], [2], [2], [2], [3], [3]]));
  const exports = section(7, vec([
    [...name('score'), 0x00, 0], [...name('sum'), 0x00, 1], [...name('score8'), 0x00, 2], [...name('score4'), 0x00, 3],
    [...name('scoreMany'), 0x00, 4], [...name('score8Many'), 0x00, 5], [...name('score4Many'), 0x00, 6],
  ]));
  const code = section(10, vec([
    scoreFunction(), sumFunction(), quantScoreFunction(8), quantScoreFunction(4),
    scoreManyFunction(), quantScoreManyFunction(8), quantScoreManyFunction(4),
  ]));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imports, ...functions, ...exports, ...code]);
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled kernel module, or null where WebAssembly SIMD cannot be used here. */
export function loadKernel(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  try {
    if (typeof WebAssembly === 'object') {
      const bytes = kernelBytes();
      if (WebAssembly.validate(bytes)) compiled = new WebAssembly.Module(bytes);
    }
  } catch {
    // No SIMD support or compiling is forbidden (CSP): the JS loops are the documented fallback.
    compiled = null;
  }
  return compiled;
}

export function instantiateKernel(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports as unknown as KernelExports;
}
