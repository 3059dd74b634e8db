/**
 * Node-only: drives the built app and the bench page in headless Chromium (Playwright) and returns
 * raw figures. Times come from the page's own clock (performance.now(), zero at navigation start)
 * so Playwright's round trips are not in them.
 */
import { join } from 'node:path';
import type { Browser, BrowserContext, CDPSession, Page } from '@playwright/test';
import type { BackendPreference } from '../embed/protocol';
import type { RuntimeBuild } from '../embed/runtime';
import { SHARD_NAME, shardContentType } from '../format/manifest';
import type { AppProbe, ResultsEvent } from '../ui/probe';
import type { BenchApi, EmbedFigures, QueryEmbedFigures, RankFigures } from './page/bench-page';

export const BENCH_PAGE = '/src/bench/page/bench.html';

const LONG = 600_000;

/**
 * A fresh context (empty cache, storage and IndexedDB). tsx compiles this file with esbuild's
 * keepNames, which wraps named functions in a __name() helper that functions sent to
 * page.evaluate then lack in the page; the shim makes it a no-op there.
 */
export async function newContext(browser: Browser, baseURL: string, options: { serviceWorkers?: 'allow' | 'block' } = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, serviceWorkers: options.serviceWorkers ?? 'allow' });
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

/**
 * Serves a format-2 corpus folder (manifest.json + shards/) in place of the one the build ships,
 * for one context: the page fetches and keeps its shards as it does the built-in corpus.
 */
export async function routeCorpusDir(context: BrowserContext, dir: string): Promise<void> {
  await context.route('**/corpus/manifest.json', (route) => route.fulfill({ status: 200, contentType: 'application/json', path: join(dir, 'manifest.json') }));
  await context.route('**/corpus/shards/*', (route) => {
    const name = new URL(route.request().url()).pathname.split('/').pop()!;
    if (!SHARD_NAME.test(name)) return route.fulfill({ status: 404, body: 'not a shard' });
    return route.fulfill({ status: 200, contentType: shardContentType(name), path: join(dir, 'shards', name) });
  });
}

/**
 * Peak main-thread JS heap (CDP JSHeapUsedSize) while it runs; stop() returns the peak in bytes.
 * backingPeak(): peak of the main thread's ArrayBuffer backing stores (CDP Runtime.getHeapUsage
 * backingStorageSize: typed arrays and WebAssembly memory, which JSHeapUsedSize leaves out), or
 * null where this Chromium does not report it.
 */
export async function heapSampler(page: Page, everyMs = 100): Promise<{ stop: () => Promise<number>; backingPeak: () => number | null }> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  let peak = 0;
  let backing: number | null = null;
  let running = true;
  const sample = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    const used = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
    peak = Math.max(peak, used);
    const usage = (await cdp.send('Runtime.getHeapUsage').catch(() => null)) as { backingStorageSize?: number } | null;
    if (typeof usage?.backingStorageSize === 'number') backing = Math.max(backing ?? 0, usage.backingStorageSize);
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
    backingPeak: () => backing,
  };
}

/**
 * Waits for the first results event of `query` that is semantic and over every passage. The
 * test is plain code run by Playwright, not a string compiled in the page: the app's CSP has no
 * 'unsafe-eval' (a `new Function` here failed every bench run once the CSP landed).
 */
async function waitForFullResults(page: Page, query: string, timeout = LONG, shipped = false): Promise<ResultsEvent> {
  let found: ResultsEvent | { refused: number };
  try {
    const handle = await page.waitForFunction(
      ([q, expectShipped]) => {
        const full = (window as unknown as { __benchEvents: ResultsEvent[] }).__benchEvents.find(
          (d) => d.mode !== 'keyword' && d.coverage.embedded === d.coverage.total && d.query === q,
        );
        if (full) return full;
        // Shipped vectors refused: the page embeds the whole corpus itself, which takes hours at scale.
        const embedded = expectShipped ? ((window as unknown as { __paperscope?: () => AppProbe }).__paperscope?.().embedding.embeddedNow ?? 0) : 0;
        return embedded > 0 ? { refused: embedded } : null;
      },
      [query, shipped] as const,
      { timeout, polling: 50 },
    );
    found = (await handle.jsonValue()) as ResultsEvent | { refused: number };
  } catch (err) {
    const p = await probe(page).catch(() => null);
    throw new Error(`Waiting for semantic results for "${query}" failed (${(err as Error).message.split('\n')[0]}); app state: ${JSON.stringify(p)}`);
  }
  if ('refused' in found) {
    const p = await probe(page).catch(() => null);
    throw new Error(`The page embeds passages itself (${found.refused} so far) instead of using the shipped vectors: it refused them. App state: ${JSON.stringify(p)}`);
  }
  return found;
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

/**
 * Opens /?q=<query> and waits for semantic results over the whole corpus. `shipped`: the corpus
 * ships vectors, so the page must embed none (it fails fast, naming the app state, if it does).
 */
export async function openApp(page: Page, query: string, options: { timeout?: number; shipped?: boolean } = {}): Promise<StartFigures> {
  const timeout = options.timeout ?? LONG;
  await page.goto(`/?q=${encodeURIComponent(query)}`, { timeout });
  const full = await waitForFullResults(page, query, timeout, options.shipped ?? false);
  const all = await events(page);
  return {
    resultsMs: full.renderedAt,
    firstSemanticMs: all.find((d) => d.mode !== 'keyword')?.renderedAt ?? null,
    firstKeywordMs: all.find((d) => d.mode === 'keyword')?.renderedAt ?? null,
    queryMs: full.ms,
    probe: await probe(page),
  };
}

export interface QueryFigures {
  totalMs: number;
  searchMs: number;
  /** the dense ranking alone (the page's timings.lastVectorMs for this query); null if the page does not report it */
  vectorMs: number | null;
  /** all of the ranking, no query embedding (timings.lastRankMs); null if the page does not report it */
  rankMs: number | null;
  /** with { painted: true }: keystroke → the frame after the results is painted; else null */
  paintedMs: number | null;
}

/**
 * Types each query into the search box and presses Enter, one after the other; returns, per
 * query, the time from the keystroke to its semantic results being in the DOM (totalMs), the
 * app's own search time within it (searchMs: query embedding in the worker + ranking) and the
 * dense ranking alone (vectorMs). With `painted`, each query also waits for the next frame after its
 * results (paintedMs): the browser's style, layout and paint of the results then end before the
 * next query starts, instead of delaying its search (a person types slower than the bench).
 */
export async function queryLatencies(page: Page, queries: string[], options: { painted?: boolean } = {}): Promise<QueryFigures[]> {
  return page.evaluate(async ([qs, painted]) => {
    const input = document.querySelector<HTMLInputElement>('input[type=search]');
    if (!input) throw new Error('queryLatencies: no search box on the page');
    const times: QueryFigures[] = [];
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
      const { lastVectorMs, lastRankMs } = (window as unknown as { __paperscope: () => AppProbe }).__paperscope().timings as { lastVectorMs: unknown; lastRankMs?: unknown };
      let paintedMs: number | null = null;
      if (painted) {
        await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
        paintedMs = performance.now() - t0;
      }
      const num = (v: unknown) => (typeof v === 'number' ? v : null);
      times.push({ totalMs: d.renderedAt - t0, searchMs: d.ms, vectorMs: num(lastVectorMs), rankMs: num(lastRankMs), paintedMs });
    }
    return times;
  }, [queries, options.painted ?? false] as const);
}

export async function storageUsage(page: Page): Promise<number | null> {
  // IndexedDB alone where the browser splits it up (Chromium): the total also counts the service
  // worker's offline copy of app, model and runtime (~63 MB), which is not what the vectors cost.
  return page.evaluate(async () => {
    const estimate = (await navigator.storage?.estimate?.()) as (StorageEstimate & { usageDetails?: { indexedDB?: number } }) | undefined;
    return estimate?.usageDetails?.indexedDB ?? estimate?.usage ?? null;
  });
}

/**
 * Marks a corpus's shipped vectors as checked before (the page's own record, see
 * Session.verifyShipped), so the page skips re-embedding its sample. For random stand-in vectors
 * only: they cannot pass that check, and the page would refuse them and embed the corpus itself.
 */
export async function skipShippedCheck(context: BrowserContext, corpusHash: string, weightsSha256: string): Promise<void> {
  const key = `paperscope.verified.${corpusHash.slice(0, 16)}.${weightsSha256.slice(0, 16)}`;
  await context.addInitScript((k) => localStorage.setItem(k, 'bench: random stand-in vectors'), key);
}

/** navigator.storage.estimate(): the total and, where Chromium splits it, IndexedDB and Cache Storage. */
export async function storageDetails(page: Page): Promise<{ usage: number | null; indexedDB: number | null; caches: number | null }> {
  return page.evaluate(async () => {
    const e = (await navigator.storage?.estimate?.()) as (StorageEstimate & { usageDetails?: { indexedDB?: number; caches?: number } }) | undefined;
    return { usage: e?.usage ?? null, indexedDB: e?.usageDetails?.indexedDB ?? null, caches: e?.usageDetails?.caches ?? null };
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

export function queryEmbedInPage(browser: Browser, baseURL: string, queries: string[], options: { threads?: number }): Promise<QueryEmbedFigures> {
  return inBenchPage(browser, baseURL, (page) =>
    page.evaluate(([q, o]) => (window as unknown as { __bench: BenchApi }).__bench.queryEmbed(q, o), [queries, options] as const),
  );
}

export { recordResults };
