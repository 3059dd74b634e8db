import { test as base, expect, type Page } from '@playwright/test';
import { sha256Hex } from '../../src/corpus/hash';
import type { CorpusData } from '../../src/corpus/types';
import { parseManifest } from '../../src/format/manifest';
import { assembleCorpus, decodeText } from '../../src/format/read';
import type { ShardPlanOptions } from '../../src/format/plan';
import { writeShardedCorpus, type ShippedVectors } from '../../src/format/write';
import { shippedLexical } from '../../src/search/bm25';
import type { AppProbe } from '../../src/ui/probe';

/**
 * Every e2e test fails on any request that leaves the app's origin: the app must never fetch the
 * model, the runtime, fonts or anything else from elsewhere.
 */
export const test = base.extend<{ foreignRequests: string[] }>({
  foreignRequests: [
    async ({ context, baseURL }, use) => {
      const origin = new URL(baseURL!).origin;
      const foreign: string[] = [];
      context.on('request', (req) => {
        const url = req.url();
        if (url.startsWith('data:') || url.startsWith('blob:') || url.startsWith('about:')) return;
        if (new URL(url).origin !== origin) foreign.push(url);
      });
      await use(foreign);
      expect(foreign, 'requests that left the app origin').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** The served corpus, read as the page reads it (manifest + text shards). */
export async function loadCorpus(page: Page): Promise<CorpusData> {
  const manifest = parseManifest(await (await page.request.get('/corpus/manifest.json')).json(), 'corpus/manifest.json');
  const parts = [];
  for (const s of manifest.shards) parts.push(decodeText(new Uint8Array(await (await page.request.get(`/corpus/${s.text.file}`)).body()), s, sha256Hex));
  return assembleCorpus(manifest, parts);
}

/**
 * Serves `data` (and optionally its vectors) to the page in place of the built corpus, written by
 * the build's own format writer: manifest and shards, as a static host would.
 */
export async function serveCorpus(page: Page, data: CorpusData, vectors?: ShippedVectors, plan?: ShardPlanOptions): Promise<ReturnType<typeof writeShardedCorpus>> {
  // as build:corpus writes it: with the keyword index
  const written = writeShardedCorpus(data, 'test', vectors, plan, shippedLexical());
  const files = new Map(written.files.map((f) => [f.path, f.bytes]));
  await page.route(/\/corpus\/manifest\.json$/, (route) => route.fulfill({ body: Buffer.from(written.manifestBytes), contentType: 'application/json' }));
  await page.route(/\/corpus\/shards\//, (route) => {
    const bytes = files.get(new URL(route.request().url()).pathname.replace(/^.*\/corpus\//, ''));
    return bytes ? route.fulfill({ body: Buffer.from(bytes) }) : route.fulfill({ status: 404, body: 'not found' });
  });
  return written;
}

export function paperWith(corpus: CorpusData, needle: string) {
  const p = corpus.papers.find((x) => x.abstract.includes(needle));
  if (!p) throw new Error(`no paper in the corpus mentions "${needle}"`);
  return p;
}

export async function probe(page: Page): Promise<AppProbe> {
  return page.evaluate(() => (window as unknown as { __paperscope: () => AppProbe }).__paperscope());
}

/** Waits until every passage has a vector (from the cache or embedded now). */
export async function waitReady(page: Page, timeout = 170_000): Promise<AppProbe> {
  await expect(page.getByTestId('ready')).toBeVisible({ timeout });
  return probe(page);
}

export async function resultTitles(page: Page): Promise<string[]> {
  return page.locator('[data-testid=results] h2 [data-testid=paper-title]').allInnerTexts();
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}
