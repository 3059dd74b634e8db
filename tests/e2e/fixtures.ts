import { test as base, expect, type Page } from '@playwright/test';
import type { CorpusData, CorpusManifest } from '../../src/corpus/types';
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

export async function loadCorpus(page: Page): Promise<CorpusData> {
  const manifest = (await (await page.request.get('/corpus/manifest.json')).json()) as CorpusManifest;
  return (await (await page.request.get(`/corpus/${manifest.file}`)).json()) as CorpusData;
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
