import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPANDED_INDEX, expandWeights, parseExpandedIndex, type ExpandedIndex } from '../../src/embed/expanded';
import { nodeModelsDir } from '../../src/embed/node';
import { getModel } from '../../src/embed/registry';

const dir = join(nodeModelsDir(), getModel().id);

/** A hand-made pack: a per-row q8 tensor, a per-column one, a scalar one and a raw one. */
function handMade(): { index: ExpandedIndex; pack: Uint8Array; expected: Float32Array } {
  const pack = new Uint8Array(64);
  const view = new DataView(pack.buffer);
  const codes = new Int8Array(pack.buffer, 0, 6);
  codes.set([1, -2, 3, 127, -128, 0]); // 2 rows x 3
  view.setFloat32(8, 0.5, true); // row scales
  view.setFloat32(12, 0.1, true);
  view.setFloat32(16, 0.25, true); // scalar scale for the same codes
  view.setFloat32(20, 1.5, true); // raw
  view.setFloat32(24, -2.75, true);
  const segments: ExpandedIndex['segments'] = [
    { name: 'rows', at: 0, length: 24, kind: 'q8', codes: 0, count: 6, scales: 8, scaleCount: 2, div: 3 },
    { name: 'scalar', at: 24, length: 24, kind: 'q8', codes: 0, count: 6, scales: 16, scaleCount: 1, div: 1 },
    { name: 'cols', at: 48, length: 24, kind: 'q8', codes: 0, count: 6, scales: 8, scaleCount: 3, div: 1 },
    { name: 'raw', at: 76, length: 8, kind: 'raw', data: 20 },
  ];
  const index = parseExpandedIndex(
    { format: 'paperscope-expanded/1', source: { sha256: 'x' }, onnxruntime: 't', graph: 'g.onnx', weights: { path: 'w', bytes: 84, sha256: '' }, pack: { path: 'p', bytes: 64, sha256: '' }, segments },
    'test',
  );
  const f = Math.fround;
  const q = [1, -2, 3, 127, -128, 0];
  const cols = [0.5, 0.1, 0.25].map(f);
  const expected = new Float32Array(21);
  q.forEach((c, i) => {
    expected[i] = c * (i < 3 ? 0.5 : f(0.1));
    expected[6 + i] = c * 0.25;
    expected[12 + i] = c * cols[i % 3];
  });
  // bytes 72..75 are a gap: zeros
  expected[19] = 1.5;
  expected[20] = -2.75;
  return { index, pack, expected };
}

describe('expanded weights', () => {
  it('rebuilds per-row, per-column, scalar and raw tensors as float32(code) * scale, gaps zero', () => {
    const { index, pack, expected } = handMade();
    const out = new Float32Array(expandWeights(index, pack).buffer);
    expect(Array.from(out)).toEqual(Array.from(expected));
  });

  it('refuses a pack of the wrong size and an index that is not one, naming the file', () => {
    const { index, pack } = handMade();
    expect(() => expandWeights(index, pack.subarray(0, 60))).toThrow(/p: 60 bytes, the index says 64/);
    expect(() => parseExpandedIndex({ format: 'other' }, 'onnx/expanded.json')).toThrow(/onnx\/expanded\.json: format "other".*setup:model -- --force/);
    const past = { ...index, segments: [{ ...index.segments[0], at: 80 }] };
    expect(() => parseExpandedIndex(past, 'onnx/expanded.json')).toThrow(/segment "rows" ends past the weights/);
  });

  it("rebuilds the installed model's weights byte for byte (the sha256 onnxruntime wrote)", () => {
    // set-up makes it wherever python3 with pip is (CI included): without it the page loads slower
    expect(existsSync(join(dir, EXPANDED_INDEX)), `${EXPANDED_INDEX} missing: run "npm run setup:model -- --force"`).toBe(true);
    const index = parseExpandedIndex(JSON.parse(readFileSync(join(dir, EXPANDED_INDEX), 'utf8')), EXPANDED_INDEX);
    const weights = expandWeights(index, new Uint8Array(readFileSync(join(dir, 'onnx', index.pack.path))));
    expect(weights.byteLength).toBe(index.weights.bytes);
    expect(createHash('sha256').update(weights).digest('hex')).toBe(index.weights.sha256);
  });
});

describe('readWithProgress (the pack as the progress bar shows it)', () => {
  it("reports the file's known size as its total, not a compressed response's Content-Length", async () => {
    const { readWithProgress } = await import('../../src/embed/embedder');
    const body = Uint8Array.from({ length: 100 }, (_, i) => i);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(body.subarray(0, 30));
        c.enqueue(body.subarray(30));
        c.close();
      },
    });
    const realFetch = globalThis.fetch;
    globalThis.fetch = (async () => new Response(stream, { headers: { 'content-encoding': 'gzip', 'content-length': '41' } })) as typeof fetch;
    const seen: { loaded: number; total: number }[] = [];
    try {
      const got = await readWithProgress('http://host/onnx/expanded.pack', 'onnx/expanded.pack', 100, (p) => seen.push({ loaded: p.loaded, total: p.total }));
      expect(Array.from(got)).toEqual(Array.from(body));
    } finally {
      globalThis.fetch = realFetch;
    }
    expect(seen).toEqual([{ loaded: 30, total: 100 }, { loaded: 100, total: 100 }]);
  });
});
