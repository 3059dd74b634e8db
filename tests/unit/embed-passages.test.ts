/**
 * embedPassages (src/embed/embed-passages.ts) over the disk cache: only missing keys are embedded,
 * batch by batch, longest first, each batch stored as it completes. A fake embedder with the
 * Embedder interface stands in for the model except in the last test, which compares with the real
 * model's createEmbedder output.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CorpusData } from '../../src/corpus/types';
import { DiskVectorCache } from '../../src/embed/disk-cache';
import { embedPassages, type EmbedProgress } from '../../src/embed/embed-passages';
import { createEmbedder, type Embedder } from '../../src/embed/embedder';
import { modelFingerprint } from '../../src/embed/model-info';
import { nodeModelsDir, readModelInfo } from '../../src/embed/node';
import { activeModelId, getModel, type ModelSpec } from '../../src/embed/registry';
import { corpusPassages } from '../../src/search/passage';

const DIMS = 4;
const FP = 'fake-model|q8|0|mean|||256';
const spec: ModelSpec = { ...getModel(), id: 'fake/model', dims: DIMS };

/** A deterministic vector per text; records every call. */
function fakeEmbedder() {
  const calls: string[][] = [];
  const vectorOf = (text: string) => {
    let h = 2166136261;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
    return Float32Array.from({ length: DIMS }, (_, j) => Math.sin(h + j));
  };
  const embedder: Pick<Embedder, 'spec' | 'embed'> = {
    spec,
    async embed(texts, kind) {
      expect(kind).toBe('passage');
      calls.push([...texts]);
      const out = new Float32Array(texts.length * DIMS);
      texts.forEach((t, i) => out.set(vectorOf(t), i * DIMS));
      return out;
    },
  };
  return { embedder, calls, vectorOf };
}

function corpus(chunkTexts: string[]): CorpusData {
  return {
    chunker: { version: 'test1', maxTokens: 254, overlapSentences: 0 },
    papers: [{ id: 'p1', title: 'A title', titleDerived: false, abstract: chunkTexts.join(' '), source: { file: 'x.txt', line: 1 } }],
    // the hash stands in for sha256(text): it only has to change when the text does
    chunks: chunkTexts.map((text, index) => ({ id: `p1#${index}`, paperId: 'p1', index, text, start: 0, end: text.length, hash: `h${index}-${text.length}-${text.charCodeAt(0)}` })),
  };
}

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'paperscope-embed-passages-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});
const openCache = () => DiskVectorCache.open({ root, fingerprint: FP, dims: DIMS, durable: false });

const TEXTS = ['short one', 'a somewhat longer passage of text', 'mid length text', 'x', 'the longest passage of them all, by quite a margin', 'another'];

describe('embedPassages', () => {
  it('embeds every passage once; a second run (cache reopened from disk) embeds nothing', async () => {
    const { texts, keys } = corpusPassages(corpus(TEXTS), FP);
    const fake = fakeEmbedder();
    let cache = openCache();
    const first = await embedPassages({ texts, keys, cache, embedder: fake.embedder, batchSize: 4 });
    expect(first).toMatchObject({ total: 6, cached: 0, embedded: 6 });
    cache.close();

    cache = openCache();
    const calls = fake.calls.length;
    const second = await embedPassages({ texts, keys, cache, embedder: fake.embedder, batchSize: 4 });
    expect(second).toMatchObject({ total: 6, cached: 6, embedded: 0 });
    expect(fake.calls.length).toBe(calls);
    // the stored vectors are the passage texts' (title + chunk), in key order
    const stored = cache.read(keys);
    texts.forEach((t, i) => expect(stored.subarray(i * DIMS, (i + 1) * DIMS)).toEqual(fake.vectorOf(t)));
    cache.close();
  });

  it('a corpus update embeds only the passage whose text changed', async () => {
    const fake = fakeEmbedder();
    const cache = openCache();
    const before = corpusPassages(corpus(TEXTS), FP);
    await embedPassages({ ...before, cache, embedder: fake.embedder });
    const changed = [...TEXTS];
    changed[2] = 'mid length text, now edited';
    const after = corpusPassages(corpus(changed), FP);
    fake.calls.length = 0;
    const result = await embedPassages({ ...after, cache, embedder: fake.embedder });
    expect(result).toMatchObject({ total: 6, cached: 5, embedded: 1 });
    expect(fake.calls).toEqual([[after.texts[2]]]);
    expect(cache.get(after.keys[2])).toEqual(fake.vectorOf('A title mid length text, now edited'));
    cache.close();
  });

  it('embeds longest first, one model call and one cache write per batch, and reports progress after each', async () => {
    const fake = fakeEmbedder();
    const { texts, keys } = corpusPassages(corpus(TEXTS), FP);
    const appends: number[] = [];
    const store = new Map<string, Float32Array>();
    const cache = {
      dims: DIMS,
      has: (k: string) => store.has(k),
      append: (ks: readonly string[], v: Float32Array) => {
        appends.push(ks.length);
        ks.forEach((k, i) => store.set(k, v.slice(i * DIMS, (i + 1) * DIMS)));
      },
    };
    const progress: EmbedProgress[] = [];
    await embedPassages({ texts, keys, cache, embedder: fake.embedder, batchSize: 4, onProgress: (p) => progress.push(p) });
    expect(appends).toEqual([4, 2]);
    const lengths = fake.calls.flat().map((t) => t.length);
    expect(lengths).toEqual([...lengths].sort((a, b) => b - a));
    expect(progress.map((p) => p.done)).toEqual([0, 4, 6]);
    expect(progress.at(-1)).toMatchObject({ total: 6, embedded: 6, cached: 0 });
    expect(progress.at(-1)!.doneChars).toBe(progress.at(-1)!.totalChars);
  });

  it('stops between batches on abort: the finished batch is stored, the next run embeds the rest', async () => {
    const fake = fakeEmbedder();
    const { texts, keys } = corpusPassages(corpus(TEXTS), FP);
    const cache = openCache();
    const stop = new AbortController();
    const run = embedPassages({ texts, keys, cache, embedder: fake.embedder, batchSize: 2, signal: stop.signal, onProgress: (p) => p.embedded === 2 && stop.abort() });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(cache.size).toBe(2);
    cache.close();
    const again = openCache();
    expect(await embedPassages({ texts, keys, cache: again, embedder: fake.embedder, batchSize: 2 })).toMatchObject({ cached: 2, embedded: 4 });
    again.close();
  });

  it('embeds a key given twice once, and refuses mismatched inputs', async () => {
    const fake = fakeEmbedder();
    const cache = openCache();
    const k = `${FP}#v#a`;
    expect(await embedPassages({ texts: ['same', 'same'], keys: [k, k], cache, embedder: fake.embedder })).toMatchObject({ total: 1, embedded: 1 });
    await expect(embedPassages({ texts: ['a'], keys: [], cache, embedder: fake.embedder })).rejects.toThrow(/1 texts but 0 keys/);
    await expect(embedPassages({ texts: ['a'], keys: [`${FP}#v#b`], cache, embedder: { ...fake.embedder, spec: { ...spec, dims: 8 } } })).rejects.toThrow(/4-d vectors but fake\/model makes 8-d/);
    cache.close();
  });
});

describe('embedPassages with the real model', () => {
  const real = getModel(activeModelId());
  let embedder: Embedder | undefined;
  afterAll(async () => {
    await embedder?.dispose();
  });

  it("stores the vectors createEmbedder's embed() gives for the same passages (cos ≥ 0.9999)", async () => {
    const info = await readModelInfo(nodeModelsDir(), real);
    const fingerprint = modelFingerprint(real, info);
    embedder = await createEmbedder({ spec: real, modelBase: nodeModelsDir(), threads: 1 });
    const data = corpus([
      'Self-supervised speech models learn representations from unlabelled audio.',
      'We prune attention heads and lose little accuracy.',
      'Graph neural networks for molecule property prediction, evaluated on eleven benchmarks with scaffold splits.',
    ]);
    const { texts, keys } = corpusPassages(data, fingerprint);
    const cache = DiskVectorCache.open({ root, fingerprint, dims: real.dims });
    expect(await embedPassages({ texts, keys, cache, embedder, batchSize: 2 })).toMatchObject({ embedded: 3 });
    const stored = cache.read(keys);
    cache.close();
    const direct = await embedder.embed(texts, 'passage');
    for (let i = 0; i < 3; i++) {
      let cos = 0;
      for (let j = 0; j < real.dims; j++) cos += stored[i * real.dims + j] * direct[i * real.dims + j];
      expect(cos).toBeGreaterThanOrEqual(0.9999);
    }
  }, 60_000);
});
