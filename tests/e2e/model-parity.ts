/**
 * The real model in the browser: the page's own worker gives the vectors Node gives, and ranks the
 * PARP paper first. Run by model-wasm.spec.ts and model-webgpu.spec.ts (one browser launch each).
 */
import type { Page } from '@playwright/test';
import type { CorpusData } from '../../src/corpus/types';
import { createEmbedder } from '../../src/embed/embedder';
import { nodeModelsDir } from '../../src/embed/node';
import { activeModelId, getModel } from '../../src/embed/registry';
import { RUNTIME_FILES } from '../../src/embed/runtime';
import { expect, loadCorpus, serveCorpus, paperWith, probe, resultTitles, shot, waitReady } from './fixtures';

const spec = getModel(activeModelId());

const SENTENCES = [
  'A man is eating food.',
  'A man is eating a piece of bread.',
  'A man is riding a horse.',
  'pruning self-supervised speech models for low-resource speech recognition',
  'Contrastive Language-Image Pre-training (CLIP) is an approach that has advanced research and applications in computer vision.',
  'ترغب بنشر مسار تعليمي؟ اضغط هنا',
  '',
];

async function nodeVectors(kind: 'query' | 'passage'): Promise<Float32Array> {
  const embedder = await createEmbedder({ spec, modelBase: nodeModelsDir() });
  try {
    return await embedder.embed(SENTENCES, kind);
  } finally {
    await embedder.dispose();
  }
}

async function browserVectors(page: Page, kind: 'query' | 'passage'): Promise<Float32Array> {
  const flat = await page.evaluate(
    ([texts, k]) => (window as unknown as { __paperscopeEmbed: (t: string[], k: string) => Promise<number[]> }).__paperscopeEmbed(texts, k),
    [SENTENCES, kind] as const,
  );
  return Float32Array.from(flat);
}

function cosines(a: Float32Array, b: Float32Array): number[] {
  const out: number[] = [];
  for (let r = 0; r < a.length / spec.dims; r++) {
    let s = 0;
    for (let i = r * spec.dims; i < (r + 1) * spec.dims; i++) s += a[i] * b[i];
    out.push(s);
  }
  return out;
}

/**
 * Serves a smaller corpus: the PARP paper and `others` more, their first chunk each. Software
 * WebGPU (SwiftShader) is so slow on long batches that Chromium's GPU watchdog can end the browser
 * on a busy 2-core machine; the backend comparison does not need the whole corpus.
 */
export async function serveSubset(page: Page, corpus: CorpusData, parpId: string, others: number): Promise<void> {
  const papers = [corpus.papers.find((p) => p.id === parpId)!, ...corpus.papers.filter((p) => p.id !== parpId).slice(0, others)];
  const keep = new Set(papers.map((p) => p.id));
  const chunks = corpus.chunks.filter((c) => keep.has(c.paperId) && c.index === 0);
  const data: CorpusData = { ...corpus, papers, chunks };
  await serveCorpus(page, data);
}

export async function checkBackend(page: Page, backend: 'wasm' | 'webgpu', subset?: number): Promise<void> {
  const corpus = await loadCorpus(page);
  const parp = paperWith(corpus, 'Prune-Adjust- Re-Prune');
  if (subset !== undefined) await serveSubset(page, corpus, parp.id, subset);
  // the runtime build each backend needs, and only that (the plain build is half the size)
  const runtimeFetched = new Set<string>();
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/ort/') && !r.serviceWorker()) runtimeFetched.add(path.slice('/ort/'.length));
  });
  await page.goto(`/?backend=${backend}`);
  // Software WebGPU (SwiftShader) runs the model many times slower than WASM.
  const ready = await waitReady(page, backend === 'webgpu' ? 540_000 : 170_000);
  expect(ready.backend.name).toBe(backend);
  await expect(page.getByTestId('backend')).toContainText(backend === 'wasm' ? 'WASM' : 'WebGPU');
  const build = RUNTIME_FILES[backend === 'wasm' ? 'plain' : 'asyncify'];
  expect([...runtimeFetched].sort()).toEqual([build.mjs, build.wasm].sort());

  for (const kind of ['passage', 'query'] as const) {
    const [inBrowser, inNode] = [await browserVectors(page, kind), await nodeVectors(kind)];
    expect(inBrowser.length).toBe(SENTENCES.length * spec.dims);
    const cos = cosines(inBrowser, inNode);
    console.log(`[${backend} vs Node, ${kind}] cosine per sentence: ${cos.map((c) => c.toFixed(5)).join(' ')}`);
    for (const c of cos) expect(c).toBeGreaterThanOrEqual(0.999);
  }

  await page.getByRole('searchbox').fill('pruning self-supervised speech models');
  await page.getByRole('searchbox').press('Enter');
  await expect.poll(async () => (await resultTitles(page))[0]).toBe(parp.title);
  expect((await probe(page)).backend.name).toBe(backend);
}

/**
 * Issue 8, "WebGPU device lost mid-run": the device is destroyed while the corpus is being embedded
 * on it; the app switches to WASM, says so, embeds every passage, and ranks as before.
 */
export async function checkGpuLoss(page: Page): Promise<void> {
  const corpus = await loadCorpus(page);
  const parp = paperWith(corpus, 'Prune-Adjust- Re-Prune');
  await serveSubset(page, corpus, parp.id, 5);
  await page.goto('/?backend=webgpu');
  await expect.poll(async () => (await probe(page)).backend.name, { timeout: 540_000, intervals: [200] }).toBe('webgpu');
  const atLoss = await probe(page);
  // mid-run: the corpus batch went to the WebGPU worker and has not come back (SwiftShader takes minutes)
  expect(atLoss.embedding.total).toBe(6);
  expect(atLoss.embedding.done).toBeLessThan(atLoss.embedding.total);
  await page.evaluate(() => (window as unknown as { __paperscopeLoseGpu: () => void }).__paperscopeLoseGpu());

  const ready = await waitReady(page, 170_000);
  expect(ready.backend.name).toBe('wasm');
  expect(ready.embedding).toMatchObject({ done: 6, total: 6, rejected: 0 });
  await expect(page.getByTestId('backend')).toContainText('WASM');
  await expect(page.getByRole('status').filter({ hasText: 'WebGPU device lost' })).toContainText('Switched to WASM');

  const [inBrowser, inNode] = [await browserVectors(page, 'query'), await nodeVectors('query')];
  for (const c of cosines(inBrowser, inNode)) expect(c).toBeGreaterThanOrEqual(0.999);
  await page.getByRole('searchbox').fill('pruning self-supervised speech models');
  await page.getByRole('searchbox').press('Enter');
  await expect.poll(async () => (await resultTitles(page))[0]).toBe(parp.title);
  expect((await probe(page)).lastResults?.coverage).toMatchObject({ embedded: 6, total: 6 });
  await shot(page, '07-webgpu-lost-now-wasm');
}
