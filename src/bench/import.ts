/**
 * Node-only: the import benchmark (`npm run bench -- --import`): bring-your-own-papers measured in
 * headless Chromium through the page's own import UI (the file input of ImportPanel → the import
 * worker → IndexedDB → the page's embedder), with the seeds as the shipped corpus.
 *
 *   1. BibTeX: 5,000 real arXiv entries with abstracts (import-data.ts) chosen in the file input.
 *      parse + dedupe: the file chosen → the page shows "Saved 0 of N papers" (reading the file,
 *      the worker's parse, in-file dedupe, chunking, dedupe against the shipped corpus, and the
 *      result's trip back). Then the page embeds the new passages with its one inference worker:
 *      the rate over the first ~100 passages (after the first batch) is the import's embedding
 *      rate; then Stop (the rest would take ~25 min here). Longest main-thread task
 *      (PerformanceObserver 'longtask') from the file chosen to Stop, and per stage.
 *   2. The same papers as a collection export carrying vectors (the app's export format),
 *      imported the same way: nothing to embed. Query p50 over shipped + 5,000 own papers vs
 *      shipped alone, two pages side by side in one run, alternating blocks of queries; then
 *      "Recommended from your list" for a 20-paper list (15 imported, 5 shipped), timed in the page.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { nodeModelsDir, readModelInfo, repoRoot } from '../embed/node';
import { activeModelId, getModel } from '../embed/registry';
import { readCorpusDir } from '../format/node';
import { corpusPassages } from '../search/passage';
import { embedInPage, newContext, openApp, queryLatencies } from './browser';
import { CHROMIUM_ARGS, chromiumExecutable } from './chromium';
import { importData, type ImportData } from './import-data';
import type { BenchResults } from './results';
import { APP_CALL_SIZE, buildSite, gitCommit, machineInfo, perSecond, serve } from './run';
import { median, percentile } from './stats';

export interface ImportResults {
  /** entries in the BibTeX file, papers the Node run of the same pipeline imported, their passages */
  entries: number;
  papers: number;
  passages: number;
  /** absent when the run left it out (--import-parts export) */
  bibtex?: {
    /** file chosen → "Saved 0 of N papers" on screen */
    parseDedupeMs: number;
    /** file chosen → "Embedding …" on screen (parse + dedupe + saving to IndexedDB + making the papers searchable) */
    readyToEmbedMs: number;
    longestTaskMs: number;
    /** longest task in each stage: parse + dedupe, saving + search index, embedding */
    longestTaskByStageMs: { parse: number; save: number; embed: number };
    longTasks: number;
    embed: { passages: number; seconds: number; perSec: number };
  };
  /** exportFile, query and recommend: absent when the run left them out (--import-parts bibtex) */
  exportFile?: {
    /** file chosen → the report on screen, every vector from the file */
    importMs: number;
    longestTaskMs: number;
    realVectors: number;
  };
  query?: {
    shippedP50Ms: number;
    withImportP50Ms: number;
    addedP50Ms: number;
    shippedP95Ms: number;
    withImportP95Ms: number;
    queries: number;
    /** the app's search time alone (query embedding + ranking, no rendering), p50 */
    shippedSearchP50Ms: number;
    withImportSearchP50Ms: number;
    /** hits rendered per query (the shipped seeds have fewer papers than a page of results) */
    shippedHits: number;
    withImportHits: number;
    /** the ranking alone (timings.lastRankMs: no query embedding, no rendering), p50 */
    shippedRankP50Ms?: number;
    withImportRankP50Ms?: number;
    /** keystroke → the next frame painted after the results (style, layout and paint included), p50 */
    shippedPaintedP50Ms?: number;
    withImportPaintedP50Ms?: number;
  };
  recommend?: { listSize: number; p50Ms: number; maxMs: number; reps: number; fromImported: number };
  /** the seeds' browser embedding rate in the same run (the bench's embed.browserChunksPerSec), when measured */
  seedsEmbedPerSec?: number;
  note: string;
}

/** Timestamps the page records while importing (init script below). */
interface PageLog {
  changeAt: number | null;
  stages: { stage: string; at: number; done?: number; total?: number }[];
  longtasks: { start: number; duration: number }[];
  summaryAt: number | null;
}

/** Longest tasks and the import's stages as the page shows them, from the first script on. */
function installRecorder(): void {
  const w = window as unknown as { __importBench: PageLog };
  const log: PageLog = (w.__importBench = { changeAt: null, stages: [], longtasks: [], summaryAt: null });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) log.longtasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  document.addEventListener('change', (e) => {
    if ((e.target as HTMLElement | null)?.matches?.('input[type=file]')) log.changeAt = performance.now();
  }, true);
  let last = '';
  new MutationObserver(() => {
    const now = performance.now();
    const progress = document.querySelector('[data-testid=import-progress]');
    const text = progress?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
    if (text !== last) {
      last = text;
      // counts are written "10,311" (toLocaleString)
      const m = /Embedding ([\d,]+) of ([\d,]+)/.exec(text);
      // (the panel says "Saved N of M papers" while saving; "Saving" in earlier builds)
      const stage = /^Reading/.test(text) ? 'reading' : /^Parsing/.test(text) ? 'parsing' : /^Parsed/.test(text) ? 'dedupe' : /^Sav(?:ing|ed)/.test(text) ? 'saving' : m ? 'embedding' : text ? 'other' : 'none';
      log.stages.push({ stage, at: now, ...(m && { done: Number(m[1].replace(/,/g, '')), total: Number(m[2].replace(/,/g, '')) }) });
    }
    if (log.summaryAt === null && document.querySelector('[data-testid=import-summary]')) log.summaryAt = now;
  }).observe(document, { subtree: true, childList: true, characterData: true });
}

const pageLog = (page: Page) => page.evaluate(() => (window as unknown as { __importBench: PageLog }).__importBench);

async function openForImport(browser: Browser, baseURL: string, query: string): Promise<Page> {
  const context = await newContext(browser, baseURL, { serviceWorkers: 'block' });
  await context.addInitScript(installRecorder);
  await context.addInitScript(() => {
    const w = window as unknown as { __benchEvents: unknown[] };
    w.__benchEvents = [];
    window.addEventListener('paperscope:results', (e) => w.__benchEvents.push((e as CustomEvent).detail));
  });
  const page = await context.newPage();
  // the model loaded and the seeds searchable: what a user has when they import
  await openApp(page, query);
  await page.locator('[data-testid=drop-zone] button:not([disabled])').waitFor({ timeout: 120_000 });
  return page;
}

const longest = (tasks: { start: number; duration: number }[], from: number, to: number) =>
  tasks.filter((t) => t.start + t.duration >= from && t.start <= to).reduce((m, t) => Math.max(m, t.duration), 0);

export interface ImportBenchOptions {
  data: ImportData;
  entries: number;
  /** passages to time the embedding over (after the first batch) */
  embedSample: number;
  queries: number;
  /** which parts to run (default both): the BibTeX import; the export import with queries and recommendations */
  parts?: readonly ImportPart[];
  log: (line: string) => void;
}

export type ImportPart = 'bibtex' | 'export';
export const IMPORT_PARTS: readonly ImportPart[] = ['bibtex', 'export'];

const TIMEOUT = 30 * 60_000;

export async function runImportBench(browser: Browser, baseURL: string, opts: ImportBenchOptions): Promise<ImportResults> {
  const parts = opts.parts ?? IMPORT_PARTS;
  const results: ImportResults = {
    entries: opts.entries,
    papers: opts.data.papers,
    passages: opts.data.passages,
    note: `${opts.data.realVectors} of ${opts.data.passages} imported passages carry real vectors (Node vector cache), the rest random unit stand-ins: latency rows only`,
  };
  if (parts.includes('bibtex')) results.bibtex = await bibtexImport(browser, baseURL, opts);
  if (parts.includes('export')) Object.assign(results, await exportImport(browser, baseURL, opts));
  return results;
}

/** 1. BibTeX through the file input: parse + dedupe, saving, the embedding rate, longest tasks. */
async function bibtexImport(browser: Browser, baseURL: string, opts: ImportBenchOptions): Promise<NonNullable<ImportResults['bibtex']>> {
  const { data, log } = opts;
  const firstQuery = data.queries[0];
  log(`import: ${opts.entries} BibTeX entries (${data.bibFile}) through the page's file input`);
  const bibPage = await openForImport(browser, baseURL, firstQuery);
  await bibPage.setInputFiles('[data-testid=import-files]', data.bibFile);
  // wait for the first embedding batch, then for embedSample more passages (or 3 minutes)
  const first = await bibPage.waitForFunction(() => (window as unknown as { __importBench: PageLog }).__importBench.stages.find((s) => s.stage === 'embedding') ?? null, null, { timeout: TIMEOUT, polling: 200 });
  const firstEmbed = (await first.jsonValue()) as PageLog['stages'][number];
  log(`import: parsed, saved; embedding ${firstEmbed.total} passages in the page — timing ${opts.embedSample}`);
  await bibPage
    .waitForFunction(
      ([from, n]) => {
        const s = (window as unknown as { __importBench: PageLog }).__importBench.stages.filter((x) => x.stage === 'embedding');
        const last = s[s.length - 1];
        return (last?.done ?? 0) - from >= n || (last && last.done === last.total) ? true : null;
      },
      [firstEmbed.done ?? 0, opts.embedSample] as const,
      { timeout: 3 * 60_000 + opts.embedSample * 2000, polling: 200 },
    )
    .catch(() => log('import: embedding sample not complete in time; the rate is over what was embedded'));
  const stopAt = await bibPage.evaluate(() => performance.now());
  await bibPage.getByTestId('import-stop').click().catch(() => undefined);
  await bibPage.getByTestId('import-summary').waitFor({ timeout: 120_000 });
  const bib = await pageLog(bibPage);
  await bibPage.context().close();
  const at = (stage: string) => bib.stages.find((s) => s.stage === stage)?.at ?? null;
  const changeAt = bib.changeAt!;
  const savingAt = at('saving') ?? at('embedding')!;
  const embedAt = at('embedding')!;
  const embeds = bib.stages.filter((s) => s.stage === 'embedding' && s.at <= stopAt);
  const e0 = embeds[0];
  const e1 = embeds[embeds.length - 1];
  const embedPassages = (e1.done ?? 0) - (e0.done ?? 0);
  const embedSeconds = (e1.at - e0.at) / 1000;
  return {
    parseDedupeMs: savingAt - changeAt,
    readyToEmbedMs: embedAt - changeAt,
    longestTaskMs: longest(bib.longtasks, changeAt, stopAt),
    longestTaskByStageMs: { parse: longest(bib.longtasks, changeAt, savingAt), save: longest(bib.longtasks, savingAt, embedAt), embed: longest(bib.longtasks, embedAt, stopAt) },
    longTasks: bib.longtasks.filter((t) => t.start >= changeAt && t.start <= stopAt).length,
    embed: { passages: embedPassages, seconds: embedSeconds, perSec: embedSeconds > 0 ? embedPassages / embedSeconds : 0 },
  };
}

/** 2. The same papers as a collection export with vectors; queries beside the seeds alone; recommendations. */
async function exportImport(browser: Browser, baseURL: string, opts: ImportBenchOptions): Promise<Pick<ImportResults, 'exportFile' | 'query' | 'recommend'>> {
  const { data, log } = opts;
  const [firstQuery, ...queries] = data.queries;
  const wanted = queries.slice(0, opts.queries);
  log(`import: the same papers as a collection export with vectors (${data.exportFile})`);
  const shippedPage = await openForImport(browser, baseURL, firstQuery);
  const ownPage = await openForImport(browser, baseURL, firstQuery);
  await ownPage.setInputFiles('[data-testid=import-files]', data.exportFile);
  await ownPage.getByTestId('import-vectors').waitFor({ timeout: TIMEOUT });
  await ownPage.waitForFunction(() => !document.querySelector('[data-testid=import-progress]'), null, { timeout: TIMEOUT });
  const own = await pageLog(ownPage);
  const vectorsLine = await ownPage.getByTestId('import-vectors').textContent();
  log(`import: ${vectorsLine?.trim()}`);

  log(`import: ${wanted.length} queries on each page, alternating blocks of 20 (shipped alone | shipped + ${data.papers} own papers)`);
  const shippedTimes: number[] = [];
  const ownTimes: number[] = [];
  const shippedSearch: number[] = [];
  const ownSearch: number[] = [];
  const rank: Record<'shipped' | 'own', number[]> = { shipped: [], own: [] };
  const painted: Record<'shipped' | 'own', number[]> = { shipped: [], own: [] };
  for (let b = 0; b < wanted.length; b += 20) {
    const block = wanted.slice(b, b + 20);
    const pair: [Page, number[], number[], 'shipped' | 'own'][] = [[shippedPage, shippedTimes, shippedSearch, 'shipped'], [ownPage, ownTimes, ownSearch, 'own']];
    if ((b / 20) % 2 === 1) pair.reverse();
    for (const [page, times, search, which] of pair) {
      await page.bringToFront();
      // each query waits for its results to be painted: the paint is timed, not left to delay the next query's search
      const figures = await queryLatencies(page, block, { painted: true });
      times.push(...figures.map((q) => q.totalMs));
      search.push(...figures.map((q) => q.searchMs));
      rank[which].push(...figures.flatMap((q) => (q.rankMs === null ? [] : [q.rankMs])));
      painted[which].push(...figures.map((q) => q.paintedMs!));
    }
  }

  const hitsOf = (page: Page) => page.evaluate(() => (window as unknown as { __paperscope: () => { lastResults: { hits: number } | null } }).__paperscope().lastResults?.hits ?? 0);
  const shippedHits = await hitsOf(shippedPage);
  const withImportHits = await hitsOf(ownPage);
  await ownPage.bringToFront();
  const rec = await ownPage.evaluate(() => {
    const w = window as unknown as { __paperscopePaperIds: () => string[]; __paperscopeRecommend: (ids: string[], k: number) => { ms: number; ids: string[] } };
    const ids = w.__paperscopePaperIds();
    const imported = ids.filter((id) => /^c[0-9a-f]+\./.test(id));
    const shipped = ids.filter((id) => !/^c[0-9a-f]+\./.test(id));
    const pick = (xs: string[], n: number) => Array.from({ length: n }, (_, i) => xs[Math.floor(((i + 0.5) * xs.length) / n)]);
    const list = [...pick(imported, 15), ...pick(shipped, 5)];
    w.__paperscopeRecommend(list, 10); // first call: the layout of the corpus is built once
    const ms: number[] = [];
    for (let i = 0; i < 15; i++) ms.push(w.__paperscopeRecommend(list, 10).ms);
    return { ms, imported: imported.length, list: list.length };
  });
  await shippedPage.context().close();
  await ownPage.context().close();

  return {
    exportFile: {
      importMs: (own.summaryAt ?? NaN) - own.changeAt!,
      longestTaskMs: longest(own.longtasks, own.changeAt!, own.stages[own.stages.length - 1]?.at ?? own.summaryAt ?? Infinity),
      realVectors: data.realVectors,
    },
    query: {
      shippedP50Ms: percentile(shippedTimes, 50),
      withImportP50Ms: percentile(ownTimes, 50),
      addedP50Ms: percentile(ownTimes, 50) - percentile(shippedTimes, 50),
      shippedP95Ms: percentile(shippedTimes, 95),
      withImportP95Ms: percentile(ownTimes, 95),
      queries: ownTimes.length,
      shippedSearchP50Ms: median(shippedSearch),
      withImportSearchP50Ms: median(ownSearch),
      shippedHits,
      withImportHits,
      ...(rank.own.length && rank.shipped.length && { shippedRankP50Ms: median(rank.shipped), withImportRankP50Ms: median(rank.own) }),
      shippedPaintedP50Ms: median(painted.shipped),
      withImportPaintedP50Ms: median(painted.own),
    },
    recommend: { listSize: rec.list, p50Ms: median(rec.ms), maxMs: Math.max(...rec.ms), reps: rec.ms.length, fromImported: 15 },
  };
}

export function formatImportTable(r: ImportResults): string {
  const ms = (v: number) => `${Math.round(v)} ms`;
  const rows: [string, string, string][] = [];
  const b = r.bibtex;
  if (b) rows.push(
    [`BibTeX, ${r.entries} entries: parse + dedupe (file chosen → "Saved …")`, ms(b.parseDedupeMs), '≤ 5000 ms'],
    ['  … + saved to IndexedDB and searchable (→ "Embedding")', ms(b.readyToEmbedMs), ''],
    ['  longest main-thread task, file chosen → Stop', ms(b.longestTaskMs), '≤ 100 ms'],
    ['    by stage: parse+dedupe / save+index / embedding', `${ms(b.longestTaskByStageMs.parse)} / ${ms(b.longestTaskByStageMs.save)} / ${ms(b.longestTaskByStageMs.embed)}`, ''],
    [`  embedding rate of the import (${b.embed.passages} passages over ${b.embed.seconds.toFixed(0)} s)`, `${b.embed.perSec.toFixed(1)} passages/s`, r.seedsEmbedPerSec ? `seeds, same run: ${r.seedsEmbedPerSec.toFixed(1)}/s` : ''],
  );
  const { exportFile, query, recommend } = r;
  if (exportFile && query && recommend) rows.push(
    [`Collection export with vectors, ${r.papers} papers: file chosen → report`, ms(exportFile.importMs), ''],
    ['  longest main-thread task', ms(exportFile.longestTaskMs), '≤ 100 ms'],
    [`Query p50, shipped alone | shipped + ${r.papers} own (${query.queries} queries each, alternating)`, `${ms(query.shippedP50Ms)} | ${ms(query.withImportP50Ms)}`, ''],
    ['  added to query p50', `${query.addedP50Ms >= 0 ? '+' : ''}${query.addedP50Ms.toFixed(1)} ms`, '≤ 10 ms'],
    ['  p95, shipped alone | with own papers', `${ms(query.shippedP95Ms)} | ${ms(query.withImportP95Ms)}`, ''],
    ['  of which search (query embedding + ranking, no rendering), p50', `${ms(query.shippedSearchP50Ms)} | ${ms(query.withImportSearchP50Ms)}`, `+${(query.withImportSearchP50Ms - query.shippedSearchP50Ms).toFixed(1)} ms`],
    ...(query.shippedRankP50Ms !== undefined && query.withImportRankP50Ms !== undefined
      ? [['    … of which ranking alone (no query embedding), p50', `${query.shippedRankP50Ms.toFixed(1)} ms | ${query.withImportRankP50Ms.toFixed(1)} ms`, `+${(query.withImportRankP50Ms - query.shippedRankP50Ms).toFixed(1)} ms`] as [string, string, string]]
      : []),
    ['  results rendered per query', `${query.shippedHits} | ${query.withImportHits}`, ''],
    ...(query.shippedPaintedP50Ms !== undefined && query.withImportPaintedP50Ms !== undefined
      ? [['  keystroke → results painted (style, layout, paint), p50', `${ms(query.shippedPaintedP50Ms)} | ${ms(query.withImportPaintedP50Ms)}`, `+${(query.withImportPaintedP50Ms - query.shippedPaintedP50Ms).toFixed(1)} ms`] as [string, string, string]]
      : []),
    [`Recommendations, ${recommend.listSize}-paper list (${recommend.fromImported} imported), p50 of ${recommend.reps}`, `${recommend.p50Ms.toFixed(1)} ms (max ${recommend.maxMs.toFixed(1)})`, '≤ 100 ms'],
  );
  const w = Math.max(...rows.map((x) => x[0].length));
  const w2 = Math.max(...rows.map((x) => x[1].length));
  return [...rows.map(([a, b, c]) => `${a.padEnd(w)}  ${b.padStart(w2)}  ${c}`), `(${r.note})`].join('\n');
}

/** runImportBench's options, with the data made here from the arXiv file, and the site to build and serve. */
export interface ImportOnlyOptions extends Omit<ImportBenchOptions, 'data'> {
  port: number;
  arxivFile: string;
  noBuild: boolean;
  vectorCache: string;
}

/** `npm run bench -- --import`: the site built and served, the import rows and their baselines alone. */
export async function runImportOnly(opts: ImportOnlyOptions): Promise<{ import: ImportResults; machine: BenchResults['machine']; commit?: string }> {
  const { log } = opts;
  const root = repoRoot();
  const spec = getModel(activeModelId());
  const load = loadavg().map((v) => v.toFixed(2)).join(' ');
  const data = await importData({
    source: opts.arxivFile,
    dir: join(root, '.cache', 'bench', 'import'),
    papers: opts.entries,
    skip: 0,
    queries: opts.queries + 1,
    spec,
    info: await readModelInfo(nodeModelsDir(), spec),
    vectorCache: opts.vectorCache,
    log,
  });
  if (!opts.noBuild) await buildSite(root, log);
  const server = await serve(root, opts.port);
  const executablePath = chromiumExecutable();
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  try {
    const baseURL = `http://127.0.0.1:${opts.port}`;
    const results = await runImportBench(browser, baseURL, { ...opts, data });
    if (!results.bibtex) return { import: results, commit: gitCommit(root), machine: machineInfo(browser, executablePath, load) };
    // the seeds' browser embedding rate, as the main bench measures it (embed.browserChunksPerSec), in the same run
    const seeds = (await readCorpusDir(join(root, 'dist', 'corpus'))).data;
    const texts = corpusPassages(seeds, 'bench').texts;
    log(`import: the seeds' ${texts.length} passages embedded on the bench page (the bench's browser embedding row), for comparison`);
    const figures = await embedInPage(browser, baseURL, texts, { preference: 'wasm', perCall: APP_CALL_SIZE, reps: 2 });
    results.seedsEmbedPerSec = perSecond(texts.length, figures.runMs);
    return {
      import: results,
      commit: gitCommit(root),
      machine: machineInfo(browser, executablePath, load),
    };
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  }
}
