/**
 * A corpus that ships its vectors (format 2, int8 shards): the page embeds none of its passages,
 * checks a sample against its own model first, keeps the shards for the next visit, and copes with
 * every kind of bad shard or manifest by saying what is wrong and searching what is valid.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { CorpusData } from '../../src/corpus/types';
import { createEmbedder } from '../../src/embed/embedder';
import { fingerprintInfo, parseModelInfo } from '../../src/embed/model-info';
import { nodeModelsDir } from '../../src/embed/node';
import { activeModelId, getModel } from '../../src/embed/registry';
import { corpusPassages, DEFAULT_PASSAGES } from '../../src/search/passage';
import type { ShippedVectors } from '../../src/format/write';
import { expect, loadCorpus, paperWith, probe, resultTitles, serveCorpus, shot, test, waitReady } from './fixtures';

const spec = getModel(activeModelId());
let corpus: CorpusData;
let vectors: ShippedVectors;
const PLAN = { target: 4 }; // several shards even for the 14 seed papers

test.beforeAll(async ({ request }) => {
  test.setTimeout(180_000);
  const info = parseModelInfo(JSON.parse(readFileSync(join(nodeModelsDir(), spec.id, 'paperscope-model.json'), 'utf8')), 'model info');
  const fake = { request } as unknown as Page;
  corpus = await loadCorpus(fake);
  // The build's path: the app's passage texts, embedded in Node with the same embedder and model.
  const fp = fingerprintInfo(spec, info);
  const { texts } = corpusPassages(corpus, fp.fingerprint);
  const embedder = await createEmbedder({ spec, modelBase: nodeModelsDir() });
  try {
    vectors = { flat: await embedder.embed(texts, 'passage'), info: { model: fp, passageMode: DEFAULT_PASSAGES, keyVersion: `${corpus.chunker.version}+${DEFAULT_PASSAGES}` } };
  } finally {
    await embedder.dispose();
  }
});

async function search(page: Page, q: string): Promise<void> {
  await page.getByRole('searchbox').fill(q);
  await page.getByRole('searchbox').press('Enter');
}

test('shipped vectors: nothing embedded in the page, a sample checked, shards kept for the next visit', async ({ page }) => {
  const parp = paperWith(corpus, 'Prune-Adjust- Re-Prune');
  const written = await serveCorpus(page, corpus, vectors, PLAN);
  expect(written.manifest.shards.length).toBeGreaterThan(2);
  const fetched: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/corpus/shards/')) fetched.push(r.url());
  });
  await page.goto('/');
  const first = await waitReady(page);
  expect(first.embedding.embeddedNow).toBe(0);
  expect(first.embedding.fromCache).toBe(corpus.chunks.length);
  expect(first.verification?.sample).toBeGreaterThan(0);
  expect(first.verification!.minCosine).toBeGreaterThanOrEqual(first.verification!.threshold);
  await expect(page.getByTestId('shipped')).toContainText(`${corpus.chunks.length} vectors shipped`);
  await search(page, 'pruning self-supervised speech models for low-resource speech recognition');
  await expect.poll(async () => (await resultTitles(page))[0]).toBe(parp.title);
  await expect(page.getByTestId('result-meta')).toContainText('hybrid');
  await shot(page, '08-shipped-vectors');
  expect(fetched.length).toBe(written.files.length);

  // Next visit: every shard from the kept copy, none from the network.
  fetched.length = 0;
  await page.reload();
  const again = await waitReady(page);
  expect(again.embedding.embeddedNow).toBe(0);
  expect(fetched).toEqual([]);
  expect(again.corpusDownload.fromCache).toBe(written.files.length);
});

test('a kept copy damaged on disk is found after the page is up, named, removed, and downloaded again on the next visit', async ({ page }) => {
  const written = await serveCorpus(page, corpus, vectors, PLAN);
  const shards = written.manifest.shards;
  const fetched: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/corpus/shards/')) fetched.push(new URL(r.url()).pathname.replace(/^.*\/corpus\//, ''));
  });
  await page.goto('/');
  await waitReady(page);
  const keptUrls = () => page.evaluate(async () => (await (await caches.open('paperscope-corpus-v2')).keys()).map((r) => r.url));
  await expect.poll(async () => (await keptUrls()).filter((u) => u.includes('/corpus/shards/')).length, { timeout: 60_000 }).toBe(written.files.length);
  // One byte changed in two kept files, sizes unchanged (what damage on disk would do).
  const damaged = [shards[0].text.file, shards[1].vectors!.file];
  await page.evaluate(async (files) => {
    const cache = await caches.open('paperscope-corpus-v2');
    for (const file of files) {
      const req = (await cache.keys()).find((r) => r.url.endsWith(file))!;
      const bytes = new Uint8Array(await (await cache.match(req))!.arrayBuffer());
      bytes[bytes.length >> 1] ^= 0x01;
      await cache.put(req, new Response(bytes));
    }
  }, damaged);
  fetched.length = 0;
  await page.reload();
  await waitReady(page);
  await expect.poll(async () => (await probe(page)).timings.keptChecked, { timeout: 60_000 }).toBe(written.files.length);
  expect((await probe(page)).timings.keptDamaged).toBe(2);
  expect(fetched).toEqual([]);
  const notice = page.getByTestId('notice');
  for (const file of damaged) await expect(notice.filter({ hasText: `${file}: sha256` }).filter({ hasText: 'downloaded again on the next visit' })).toBeVisible();
  const kept = await keptUrls();
  for (const file of damaged) expect(kept.some((u) => u.endsWith(file))).toBe(false);
  await shot(page, '11-damaged-kept-copy');

  // Next visit: just those two from the network, nothing damaged, the corpus whole.
  fetched.length = 0;
  await page.reload();
  const again = await waitReady(page);
  await expect.poll(async () => (await probe(page)).timings.keptChecked, { timeout: 60_000 }).toBe(written.files.length - 2);
  expect(fetched.sort()).toEqual([...damaged].sort());
  expect((await probe(page)).timings.keptDamaged).toBe(0);
  expect(again.embedding.done).toBe(corpus.chunks.length);
  await expect(notice.filter({ hasText: 'damaged' })).toHaveCount(0);
});

test('vectors of another model are refused with a notice, and the page embeds the corpus itself', async ({ page }) => {
  const other = { ...vectors, info: { ...vectors.info, model: { ...vectors.info.model, fingerprint: vectors.info.model.fingerprint.replace(/\|q8\|/, '|fp32|'), dtype: 'fp32' } } };
  await serveCorpus(page, corpus, other, PLAN);
  await page.goto('/');
  const ready = await waitReady(page);
  await expect(page.getByTestId('notice').filter({ hasText: 'dtype fp32, this page runs q8' })).toBeVisible();
  expect(ready.embedding.embeddedNow).toBe(corpus.chunks.length);
});

test('vectors that claim this model but are not its vectors fail the sample check', async ({ page }) => {
  // rows shifted by one: every vector belongs to another passage
  const dims = spec.dims;
  const shifted = new Float32Array(vectors.flat.length);
  shifted.set(vectors.flat.subarray(dims));
  shifted.set(vectors.flat.subarray(0, dims), vectors.flat.length - dims);
  await serveCorpus(page, corpus, { ...vectors, flat: shifted }, PLAN);
  await page.goto('/');
  const ready = await waitReady(page);
  await expect(page.getByTestId('notice').filter({ hasText: "do not match this page's model" })).toBeVisible();
  expect(ready.verification!.minCosine).toBeLessThan(ready.verification!.threshold);
  expect(ready.embedding.embeddedNow).toBe(corpus.chunks.length);
  await shot(page, '09-shipped-vectors-refused');
});

test('a damaged vector shard, a missing text shard and a truncated keyword index are named; everything valid stays searchable', async ({ page }) => {
  const written = await serveCorpus(page, corpus, vectors, PLAN);
  const shards = written.manifest.shards;
  const [damagedText, damagedVectors, damagedLexical] = [shards[0].text.file, shards[1].vectors!.file, shards[2].lexical!.file];
  await page.route(new RegExp(damagedText.replace('.', '\\.')), (route) => route.fulfill({ status: 404, body: 'gone' }));
  await page.route(new RegExp(damagedVectors.replace('.', '\\.')), (route) => {
    const bytes = Buffer.from(written.files.find((f) => f.path === damagedVectors)!.bytes);
    bytes[bytes.length - 1] ^= 0xff;
    return route.fulfill({ body: bytes });
  });
  await page.route(new RegExp(damagedLexical.replace('.', '\\.')), (route) => {
    const bytes = Buffer.from(written.files.find((f) => f.path === damagedLexical)!.bytes);
    return route.fulfill({ body: bytes.subarray(0, bytes.length >> 1) });
  });
  await page.goto('/');
  const ready = await waitReady(page);
  const lost = shards[0];
  const notice = page.getByTestId('notice');
  await expect(notice.filter({ hasText: `Part 1 of ${shards.length}` }).filter({ hasText: 'HTTP 404' })).toBeVisible();
  await expect(notice.filter({ hasText: `${damagedVectors}: sha256` })).toBeVisible();
  await expect(notice.filter({ hasText: `keyword index of corpus part 3 of ${shards.length}` }).filter({ hasText: damagedLexical })).toBeVisible();
  expect(ready.embedding.total).toBe(corpus.chunks.length - lost.passages);
  expect(ready.embedding.done).toBe(corpus.chunks.length - lost.passages - shards[1].passages);
  expect(ready.embedding.embeddedNow).toBe(0);
  // every other part's keyword index came with the corpus; part 3's was rebuilt from its text
  expect(ready.timings.lexicalShipped).toBe(shards.length - 2);
  expect(ready.timings.lexicalBuilt).toBe(1);
  await search(page, 'speech');
  await expect(page.getByTestId('results')).toBeVisible();
  expect((await probe(page)).lastResults!.hits).toBeGreaterThan(0);
  // part 3's papers are still found by keyword: a word only they use, keyword mode
  const start = shards[0].papers + shards[1].papers;
  const part3 = corpus.papers.slice(start, start + shards[2].papers);
  const others = corpus.papers.filter((p) => !part3.includes(p)).map((p) => `${p.title} ${p.abstract}`.toLowerCase()).join(' ');
  const word = part3.flatMap((p) => p.abstract.toLowerCase().match(/\b[a-z]{7,}\b/g) ?? []).find((w) => !others.includes(w))!;
  expect(word).toBeTruthy();
  await page.goto(`/?mode=keyword&q=${word}`);
  await expect(page.getByTestId('results')).toBeVisible();
  await expect(page.getByTestId('results')).toContainText(word, { ignoreCase: true });
  await shot(page, '10-damaged-shards');
});

test('keyword results over the parts that have arrived while one is slow, saying so; the whole corpus once it is in', async ({ page }) => {
  const written = await serveCorpus(page, corpus, vectors, PLAN);
  const shards = written.manifest.shards;
  const last = shards.at(-1)!;
  const slow = last.text.file;
  let release: () => void = () => undefined;
  const held = new Promise<void>((r) => (release = r));
  await page.route(new RegExp(slow.replace('.', '\\.')), async (route) => {
    await held;
    await route.fulfill({ body: Buffer.from(written.files.find((f) => f.path === slow)!.bytes) });
  });
  // a word only the last part's papers use, and one only the first part's
  const start = corpus.papers.length - last.papers;
  const words = (ps: typeof corpus.papers) => ps.flatMap((p) => `${p.title} ${p.abstract}`.toLowerCase().match(/\b[a-z]{7,}\b/g) ?? []);
  const text = (ps: typeof corpus.papers) => ps.map((p) => `${p.title} ${p.abstract}`.toLowerCase()).join(' ');
  const lateOnly = words(corpus.papers.slice(start)).find((w) => !text(corpus.papers.slice(0, start)).includes(w))!;
  const earlyOnly = words(corpus.papers.slice(0, shards[0].papers)).find((w) => !text(corpus.papers.slice(shards[0].papers)).includes(w))!;
  expect(lateOnly && earlyOnly).toBeTruthy();
  await page.goto(`/?q=${earlyOnly}`);
  const coverage = page.getByTestId('corpus-coverage');
  await expect(coverage).toBeVisible();
  await expect(coverage).toContainText(`of ${corpus.papers.length} papers by keyword`);
  await expect(page.getByTestId('results')).toContainText(earlyOnly, { ignoreCase: true });
  const partial = (await probe(page)).lastResults!;
  expect(partial.mode).toBe('keyword');
  expect(partial.coverage.papers).toBeGreaterThan(0);
  expect(partial.coverage.papers).toBeLessThanOrEqual(corpus.papers.length - last.papers);
  // the slow part's words find nothing yet (typed while it loads), and say so
  await page.getByRole('searchbox').fill(lateOnly);
  await page.getByRole('searchbox').press('Enter');
  await expect(coverage).toBeVisible();
  await expect.poll(async () => (await probe(page)).lastResults?.query).toBe(lateOnly);
  expect((await probe(page)).lastResults!.hits).toBe(0);
  await shot(page, '12-keyword-preview');
  release();
  // once it is in: the same query over the whole corpus, no partial note
  await expect(page.getByTestId('results')).toContainText(lateOnly, { ignoreCase: true });
  await expect(coverage).toBeHidden();
  const ready = await waitReady(page);
  expect(ready.lastResults!.coverage.papers).toBeNull();
  expect(ready.lastResults!.query).toBe(lateOnly);
});

test('a returning visit reads every part from the kept copy and searches the whole corpus at once, with no partial preview', async ({ page }) => {
  const written = await serveCorpus(page, corpus, vectors, PLAN);
  expect(written.manifest.shards.length).toBeGreaterThan(2);
  const word = 'speech';
  await page.goto(`/?q=${word}`);
  await waitReady(page);
  // the first visit may show keyword results over the parts in so far; the next one has them all kept
  await page.addInitScript(() => {
    const w = window as unknown as { __partialSeen: boolean };
    w.__partialSeen = false;
    new MutationObserver(() => {
      if (document.querySelector('[data-testid=corpus-coverage]')) w.__partialSeen = true;
    }).observe(document, { subtree: true, childList: true });
  });
  await page.reload();
  const ready = await waitReady(page);
  expect(ready.corpusDownload.fromCache).toBe(ready.corpusDownload.files);
  expect(await page.evaluate(() => (window as unknown as { __partialSeen: boolean }).__partialSeen)).toBe(false);
  expect(ready.lastResults!.coverage.papers).toBeNull();
  await expect(page.getByTestId('results')).toContainText(word, { ignoreCase: true });
});

test('a tab closed mid-download keeps only whole shards; the next visit fetches just the rest', async ({ page, context }) => {
  const written = await serveCorpus(page, corpus, vectors, PLAN);
  const stalled = written.manifest.shards.at(-1)!.vectors!.file;
  let release: () => void = () => undefined;
  const held = new Promise<void>((r) => (release = r));
  await page.route(new RegExp(stalled.replace('.', '\\.')), async (route) => {
    await held; // never answered while this tab is open
    await route.abort();
  });
  await page.goto('/');
  await expect.poll(async () => (await probe(page)).corpusDownload.files, { timeout: 60_000 }).toBe(written.files.length - 1);
  await page.close();
  release();

  const next = await context.newPage();
  const fetched: string[] = [];
  next.on('request', (r) => {
    if (r.url().includes('/corpus/shards/')) fetched.push(new URL(r.url()).pathname.replace(/^.*\/corpus\//, ''));
  });
  await serveCorpus(next, corpus, vectors, PLAN);
  await next.goto('/');
  const ready = await waitReady(next);
  expect(fetched).toEqual([stalled]);
  expect(ready.embedding.embeddedNow).toBe(0);
  expect(ready.embedding.done).toBe(corpus.chunks.length);
});

test('storage full mid-download: every shard still searched, a notice says so, the next visit fetches only what was not kept', async ({ page, context }) => {
  const written = await serveCorpus(page, corpus, vectors, PLAN);
  await page.addInitScript(() => {
    // the manifest and two shards are kept, then the disk is full
    const put = Cache.prototype.put;
    let writes = 0;
    Cache.prototype.put = function (this: Cache, ...args: Parameters<Cache['put']>) {
      if (++writes > 3) return Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
      return put.apply(this, args);
    };
  });
  await page.goto('/');
  const ready = await waitReady(page);
  expect(ready.embedding.done).toBe(corpus.chunks.length);
  expect(ready.embedding.embeddedNow).toBe(0);
  await expect(page.getByTestId('notice').filter({ hasText: 'storage quota exceeded' })).toBeVisible();
  await search(page, 'pruning self-supervised speech models for low-resource speech recognition');
  await expect.poll(async () => (await resultTitles(page))[0]).toBe(paperWith(corpus, 'Prune-Adjust- Re-Prune').title);

  const next = await context.newPage();
  let fetched = 0;
  next.on('request', (r) => {
    if (r.url().includes('/corpus/shards/')) fetched++;
  });
  await serveCorpus(next, corpus, vectors, PLAN);
  await next.goto('/');
  const again = await waitReady(next);
  expect(again.embedding.done).toBe(corpus.chunks.length);
  expect(again.corpusDownload.fromCache).toBe(2);
  expect(fetched).toBe(written.files.length - 2);
});
