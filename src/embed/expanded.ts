/**
 * The model's weights as the page runs them: set-up (src/cli/expand-model.py) saves the graph that
 * onnxruntime's optimiser makes of the installed ONNX file, with its fp32 tensors in an external
 * file that is not shipped; what ships is a pack of the int8 codes and scales those tensors are
 * folded from. This module rebuilds the external file from the pack, byte for byte, and checks the
 * index. Pure (Node + browser): set-up and its test rebuild it with this code and compare sha256.
 *
 * Why: onnxruntime-web folds the int8 codes into fp32 (Cast, Mul) and optimises the graph on every
 * session creation; a returning visit spent most of its model load there (README, Performance).
 */

export const EXPANDED_INDEX = 'onnx/expanded.json';
export const EXPANDED_FORMAT = 'paperscope-expanded/1';

export type ExpandedSegment =
  | { name: string; at: number; length: number; kind: 'raw'; data: number }
  | { name: string; at: number; length: number; kind: 'q8'; codes: number; count: number; scales: number; scaleCount: number; div: number };

export interface ExpandedIndex {
  format: string;
  /** sha256 of the ONNX file the graph was made from */
  source: { sha256: string };
  onnxruntime: string;
  /** file name of the graph, beside the index */
  graph: string;
  /** the external file the graph names: rebuilt, never shipped */
  weights: { path: string; bytes: number; sha256: string };
  pack: { path: string; bytes: number; sha256: string };
  segments: ExpandedSegment[];
}

/** Checks the shape of a parsed expanded.json; `where` names it in errors. */
export function parseExpandedIndex(value: unknown, where: string): ExpandedIndex {
  const v = value as Partial<ExpandedIndex> | null;
  const bad = (what: string) => new Error(`${where}: ${what}; run "npm run setup:model -- --force" to make it again.`);
  if (!v || typeof v !== 'object') throw bad('not a JSON object');
  if (v.format !== EXPANDED_FORMAT) throw bad(`format ${JSON.stringify(v.format)}, expected ${EXPANDED_FORMAT}`);
  if (typeof v.graph !== 'string' || !v.weights || !v.pack || !Array.isArray(v.segments)) throw bad('missing graph, weights, pack or segments');
  const total = v.weights.bytes;
  if (!Number.isInteger(total) || total <= 0) throw bad('bad weights size');
  for (const s of v.segments) {
    const ints = [s.at, s.length, ...(s.kind === 'raw' ? [s.data] : s.kind === 'q8' ? [s.codes, s.count, s.scales, s.scaleCount, s.div] : [NaN])];
    if (!ints.every((n) => Number.isInteger(n) && n >= 0)) throw bad(`bad segment ${JSON.stringify(s.name)}`);
    if (s.at + s.length > total) throw bad(`segment ${JSON.stringify(s.name)} ends past the weights`);
    if (s.kind === 'q8' && (s.count * 4 !== s.length || s.scaleCount < 1 || s.div < 1 || s.scales % 4 !== 0)) throw bad(`bad q8 segment ${JSON.stringify(s.name)}`);
  }
  return v as ExpandedIndex;
}

/**
 * The external weights file, rebuilt from the pack: each q8 tensor as float32(code) * scale (the
 * product onnxruntime folds; exact, since an int8 times a float32 fits a double), raw ones copied.
 */
export function expandWeights(index: ExpandedIndex, pack: Uint8Array): Uint8Array {
  if (pack.byteLength !== index.pack.bytes) {
    throw new Error(`${index.pack.path}: ${pack.byteLength} bytes, the index says ${index.pack.bytes}`);
  }
  const out = new Uint8Array(index.weights.bytes);
  const view = new DataView(pack.buffer, pack.byteOffset, pack.byteLength);
  for (const s of index.segments) {
    if (s.kind === 'raw') {
      if (s.data + s.length > pack.byteLength) throw new Error(`${index.pack.path}: ${s.name} lies past its end`);
      out.set(pack.subarray(s.data, s.data + s.length), s.at);
      continue;
    }
    if (s.codes + s.count > pack.byteLength || s.scales + s.scaleCount * 4 > pack.byteLength) {
      throw new Error(`${index.pack.path}: ${s.name} lies past its end`);
    }
    const codes = new Int8Array(pack.buffer, pack.byteOffset + s.codes, s.count);
    const scales = new Float32Array(s.scaleCount);
    for (let i = 0; i < s.scaleCount; i++) scales[i] = view.getFloat32(s.scales + i * 4, true);
    if (s.at % 4 !== 0) throw new Error(`${index.weights.path}: ${s.name} is not 4-byte aligned`);
    const dst = new Float32Array(out.buffer, s.at, s.count);
    const { div, scaleCount } = s;
    if (scaleCount === 1) {
      const k = scales[0];
      for (let i = 0; i < s.count; i++) dst[i] = codes[i] * k;
    } else if (div === 1) {
      for (let i = 0; i < s.count; i++) dst[i] = codes[i] * scales[i % scaleCount];
    } else {
      for (let r = 0, i = 0; i < s.count; r = (r + 1) % scaleCount) {
        const k = scales[r];
        const end = Math.min(s.count, i + div);
        for (; i < end; i++) dst[i] = codes[i] * k;
      }
    }
  }
  return out;
}
