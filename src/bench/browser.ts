/**
 * Node-only: drives the built app and the bench page in headless Chromium (Playwright) and returns
 * raw figures. Times come from the page's own clock (performance.now(), zero at navigation start)
 * so Playwright's round trips are not in them.
 */
import type { Browser, BrowserContext, CDPSession, Page } from '@playwright/test';
import type { BackendPreference } from '../embed/protocol';
import type { RuntimeBuild } from '../embed/runtime';
import type { AppProbe, ResultsEvent } from '../ui/probe';
import type { BenchApi, EmbedFigures, RankFigures } from './page/bench-page';

export const BENCH_PAGE = '/src/bench/page/bench.html';

/** Routes a corpus (manifest + data) in place of the one the build ships, for one context. */
export interface CorpusOverride {
  manifestText: string;
  dataFile: string;
  dataText: string;
}

const LONG = 600_000;

/**
 * A fresh context (empty cache, storage and IndexedDB). tsx compiles this file with esbuild's
 * keepNames, which wraps named functions in a __name() helper that functions sent to
 * page.evaluate then lack in the page; the shim makes it a no-op there.
 */
export async function newContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL });
  await context.addInitScript({ content: 'globalThis.__name ??= (f) => f;' });
  return context;
}

/** Records every results event from the first script on, so none is missed while loading. */
async function recordResults(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as { __benchEvents: unknown[] };
    w.__benchEvents = [];
    window.addEventListener('paperscope:results', (e) => w.__benchEvents.push((e as CustomEvent).detail));
  });
}

async function events(page: Page): Promise<ResultsEvent[]> {
  return page.evaluate(() => (window as unknown as { __benchEvents: ResultsEvent[] }).__benchEvents);
}

async function probe(page: Page): Promise<AppProbe> {
  return page.evaluate(() => (window as unknown as { __paperscope: () => AppProbe }).__paperscope());
}

export async function routeCorpus(context: BrowserContext, corpus: CorpusOverride): Promise<void> {
  await context.route('**/corpus/manifest.json', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: corpus.manifestText }));
  await context.route(`**/corpus/${corpus.dataFile}`, (route) => route.fulfill({ status: 200, contentType: 'application/json', body: corpus.dataText }));
}

/** Peak main-thread JS heap (CDP JSHeapUsedSize) while it runs; stop() returns the peak in bytes. */
export async function heapSampler(page: Page, everyMs = 100): Promise<{ stop: () => Promise<number> }> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  let peak = 0;
  let running = true;
  const sample = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    const used = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
    peak = Math.max(peak, used);
  };
  const loop = (async () => {
    while (running) {
      await sample().catch(() => undefined);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await sample().catch(() => undefined);
      await cdp.detach().catch(() => undefined);
      return peak;
    },
  };
}

/**
 * Waits for the first results event of `query` that is semantic and over every passage. The
 * test is plain code run by Playwright, not a string compiled in the page: the app's CSP has no
 * 'unsafe-eval' (a `new Function` here failed every bench run once the CSP landed).
 */
async function waitForFullResults(page: Page, query: string): Promise<ResultsEvent> {
  try {
    const handle = await page.waitForFunction(
      (q) =>
        (window as unknown as { __benchEvents: ResultsEvent[] }).__benchEvents.find(
          (d) => d.mode !== 'keyword' && d.coverage.embedded === d.coverage.total && d.query === q,
        ) ?? null,
      query,
      { timeout: LONG, polling: 50 },
    );
    return (await handle.jsonValue()) as ResultsEvent;
  } catch (err) {
    const p = await probe(page).catch(() => null);
    throw new Error(`Waiting for semantic results for "${query}" failed (${(err as Error).message.split('\n')[0]}); app state: ${JSON.stringify(p)}`);
  }
}

/**
 * Waits until the service worker has stored the offline copy (app, model, runtime: ~63 MB): a
 * returning visitor's state. Closing the first page earlier leaves that install running, and
 * competing for the 2 cores, during the "warm" visit.
 */
export async function waitOfflineCopy(page: Page): Promise<string> {
  const handle = await page.waitForFunction(
    () => {
      const status = (window as unknown as { __paperscope: () => AppProbe }).__paperscope().storage.offline;
      return status === 'saving' || status === null ? null : status;
    },
    null,
    { timeout: LONG, polling: 100 },
  );
  return (await handle.jsonValue()) as string;
}

export interface StartFigures {
  /** page open → results of the ?q= query; semantic and over every passage */
  resultsMs: number;
  firstSemanticMs: number | null;
  firstKeywordMs: number | null;
  queryMs: number;
  probe: AppProbe;
}

/** Opens /?q=<query> and waits for semantic results over the whole corpus. */
export async function openApp(page: Page, query: string): Promise<StartFigures> {
  await page.goto(`/?q=${encodeURIComponent(query)}`);
  const full = await waitForFullResults(page, query);
  const all = await events(page);
  return {
    resultsMs: full.renderedAt,
    firstSemanticMs: all.find((d) => d.mode !== 'keyword')?.renderedAt ?? null,
    firstKeywordMs: all.find((d) => d.mode === 'keyword')?.renderedAt ?? null,
    queryMs: full.ms,
    probe: await probe(page),
  };
}

/**
 * Types each query into the search box and presses Enter, one after the other; returns, per
 * query, the time from the keystroke to its semantic results being in the DOM (totalMs) and the
 * app's own search time within it (searchMs: query embedding in the worker + ranking).
 */
export async function queryLatencies(page: Page, queries: string[]): Promise<{ totalMs: number; searchMs: number }[]> {
  return page.evaluate(async (qs) => {
    const input = document.querySelector<HTMLInputElement>('input[type=search]');
    if (!input) throw new Error('queryLatencies: no search box on the page');
    const times: { totalMs: number; searchMs: number }[] = [];
    for (const q of qs) {
      const done = new Promise<ResultsEvent>((resolve) => {
        const on = (e: Event) => {
          const d = (e as CustomEvent<ResultsEvent>).detail;
          if (d.query === q && d.mode !== 'keyword') {
            window.removeEventListener('paperscope:results', on);
            resolve(d);
          }
        };
        window.addEventListener('paperscope:results', on);
      });
      const t0 = performance.now();
      input.value = q;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
      const d = await done;
      times.push({ totalMs: d.renderedAt - t0, searchMs: d.ms });
    }
    return times;
  }, queries);
}

export async function storageUsage(page: Page): Promise<number | null> {
  // IndexedDB alone where the browser splits it up (Chromium): the total also counts the service
  // worker's offline copy of app, model and runtime (~63 MB), which is not what the vectors cost.
  return page.evaluate(async () => {
    const estimate = (await navigator.storage?.estimate?.()) as (StorageEstimate & { usageDetails?: { indexedDB?: number } }) | undefined;
    return estimate?.usageDetails?.indexedDB ?? estimate?.usage ?? null;
  });
}

async function benchPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(BENCH_PAGE);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 60_000 });
  if (!(await page.evaluate(() => (window as unknown as { __bench: BenchApi }).__bench.crossOriginIsolated()))) {
    throw new Error(`${BENCH_PAGE} is not cross-origin isolated: the server must send COOP/COEP (vite preview with vite.config.ts does).`);
  }
  return page;
}

/** Runs `use` on the bench page in a context of its own, closed afterwards. */
async function inBenchPage<T>(browser: Browser, baseURL: string, use: (page: Page) => Promise<T>): Promise<T> {
  const context = await newContext(browser, baseURL);
  try {
    return await use(await benchPage(context));
  } finally {
    await context.close();
  }
}

export function rankInPage(browser: Browser, baseURL: string, n: number, reps: number): Promise<RankFigures> {
  return inBenchPage(browser, baseURL, (page) =>
    page.evaluate(([size, r]) => (window as unknown as { __bench: BenchApi }).__bench.rank(size, r), [n, reps] as const),
  );
}

export function embedInPage(
  browser: Browser,
  baseURL: string,
  texts: string[],
  options: { preference: BackendPreference; threads?: number; perCall: number; reps: number; runtime?: RuntimeBuild },
): Promise<EmbedFigures> {
  return inBenchPage(browser, baseURL, (page) =>
    page.evaluate(([t, o]) => (window as unknown as { __bench: BenchApi }).__bench.embed(t, o), [texts, options] as const),
  );
}

/** Fills the app's IndexedDB cache in `context` with vectors served at /__bench/vectors.f32. */
export async function fillCache(context: BrowserContext, vectors: Float32Array, keys: string[]): Promise<{ stored: number; ms: number }> {
  const url = '/__bench/vectors.f32';
  await context.route(`**${url}`, (route) =>
    route.fulfill({ status: 200, contentType: 'application/octet-stream', body: Buffer.from(vectors.buffer, vectors.byteOffset, vectors.byteLength) }),
  );
  const page = await benchPage(context);
  try {
    return await page.evaluate(([u, k]) => (window as unknown as { __bench: BenchApi }).__bench.fillStore(u, k), [url, keys] as const);
  } finally {
    await page.close();
  }
}

export { recordResults };
