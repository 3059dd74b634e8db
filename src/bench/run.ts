/**
 * Node-only: the whole benchmark, in order — build and serve the app (plus the bench page), then
 * every measurement next to its baseline in the same run. Returns the figures; printing is the
 * CLI's job.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import { build, preview, type PreviewServer } from 'vite';
import type { CorpusData } from '../corpus/types';
import { nodeModelsDir, readModelInfo, repoRoot } from '../embed/node';
import { activeModelId, getModel } from '../embed/registry';
import { readCorpusDir } from '../format/node';
import { corpusPassages } from '../search/passage';
import { arxivSlice, sliceVectors } from './arxiv-slice';
import { CHROMIUM_ARGS, SWIFTSHADER_WEBGPU_ARGS, chromiumExecutable } from './chromium';
import { embedInPage, queryEmbedInPage, heapSampler, newContext, openApp, queryLatencies, rankInPage, recordResults, routeCorpusDir, skipShippedCheck, storageDetails, storageUsage, waitOfflineCopy } from './browser';
import { firstVisitResult } from './first-visit';
import { nativeEmbedding, nativeQueries } from './native';
import type { EmbedFigures, QueryEmbedFigures } from './page/bench-page';
import type { BenchResults, FirstVisitResult, RankSize } from './results';
import { runScale, corpusWire } from './scale';
import { median, percentile } from './stats';
import { shippedInfo, writeShippedCorpus } from './vectors';

export interface BenchOptions {
  port: number;
  arxivFile: string;
  arxivPapers: number;
  queries: number;
  /** stop embedding the arXiv slice in Node after this long (the rest waits for the next run) */
  arxivEmbedBudgetMs: number;
  /** skip the vite build (dist/ from an earlier bench run) */
  noBuild: boolean;
  /** the Node vector cache (npm run embed:corpus) real vectors are taken from */
  vectorCache: string;
  /** also measure the full arXiv set (src/bench/scale.ts); the file is opts.scaleSource */
  scale: boolean;
  scaleSource: string;
  scaleQueries: number;
  scaleProfile: boolean;
  /** a folder with another build (e.g. the main branch's dist/) whose first visit is measured beside this one's */
  firstVisitBaseline?: string;
  log: (line: string) => void;
}

const WEBGPU_TIMEOUT_MS = 120_000;
/** passages per embed() call: what the app's session sends to the worker */
export const APP_CALL_SIZE = 16;

function run(cmd: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 || code === 3 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${out}`))));
  });
}

/** The app as users get it (vite build of index.html) plus the bench page, in dist/. */
export async function buildSite(root: string, log: Pick<BenchOptions, 'log'>['log']): Promise<void> {
  log('building the seeds corpus and the site (vite build, with the bench page)');
  await run(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'src', 'cli', 'build-corpus.ts')], root);
  await build({
    root,
    configFile: join(root, 'vite.config.ts'),
    logLevel: 'warn',
    build: { rollupOptions: { input: { main: join(root, 'index.html'), bench: join(root, 'src', 'bench', 'page', 'bench.html') } } },
  });
}

export async function serve(root: string, port: number): Promise<PreviewServer> {
  try {
    return await preview({ root, configFile: join(root, 'vite.config.ts'), logLevel: 'warn', preview: { host: '127.0.0.1', port, strictPort: true } });
  } catch (err) {
    throw new Error(`Could not serve dist/ on 127.0.0.1:${port} (${(err as Error).message}); pass another --port.`);
  }
}

export const perSecond = (chunks: number, runMs: number[]): number => chunks / (median(runMs) / 1000);

async function seedsCorpus(root: string): Promise<CorpusData> {
  return (await readCorpusDir(join(root, 'dist', 'corpus'))).data;
}

/** The machine and browser a run measured, for the results. */
export function machineInfo(browser: Browser, executablePath: string | undefined, load: string): BenchResults['machine'] {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.versions.node,
    browser: `Chromium ${browser.version()} (headless, ${executablePath ?? 'Playwright build'})`,
    date: new Date().toISOString(),
    load,
  };
}

export function gitCommit(root: string): string | undefined {
  try {
    const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head}+dirty` : head;
  } catch {
    return undefined;
  }
}

export async function runBench(opts: BenchOptions): Promise<BenchResults> {
  const { log } = opts;
  const root = repoRoot();
  const spec = getModel(activeModelId());
  const loadAtStart = loadavg().map((v) => v.toFixed(2)).join(' ');

  // Node first (the slow, cached part), so it does not compete with the browser measurements.
  const slice = await arxivSlice({ source: opts.arxivFile, cacheDir: join(root, '.cache', 'bench'), papers: opts.arxivPapers, queries: opts.queries + 3, log });
  const arxivVectors = await sliceVectors(slice, spec, { budgetMs: opts.arxivEmbedBudgetMs, vectorCache: opts.vectorCache, log });
  // the slice as users would get it: format 2 with its vectors shipped (int8 vector shards)
  const modelInfo = await readModelInfo(nodeModelsDir(), spec);
  const arxivDir = join(slice.dir, `served-${arxivVectors.source}`);
  const arxivServed = await writeShippedCorpus(arxivDir, slice.corpus, slice.manifest.source, arxivVectors.vectors, shippedInfo(spec, modelInfo, slice.corpus));
  const arxivWire = await corpusWire(arxivDir, `${arxivDir}.sizes.json`);
  const arxivBytes = [...arxivWire.manifest, ...arxivWire.text, ...arxivWire.lexical, ...arxivWire.vectors].reduce((t, f) => ({ raw: t.raw + f.raw, gzip: t.gzip + f.gzip, brotli: t.brotli + f.brotli }), { raw: 0, gzip: 0, brotli: 0 });
  const queries = slice.queries.slice(0, opts.queries);
  const [coldQuery, warmQuery, arxivQuery] = slice.queries.slice(opts.queries);

  if (!opts.noBuild) await buildSite(root, log);
  const seeds = await seedsCorpus(root);
  const server = await serve(root, opts.port);
  let serverOpen = true;
  const closeServer = async () => {
    if (!serverOpen) return;
    serverOpen = false;
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  };
  const commit = gitCommit(root);
  const baseURL = `http://127.0.0.1:${opts.port}`;
  const executablePath = chromiumExecutable();
  const browser: Browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  try {
    // ---- first visit: bytes received until the offline copy is complete ------------------------
    const firstVisit = await firstVisitResult(browser, { baseURL, root, port: opts.port, baseline: opts.firstVisitBaseline, log });

    // ---- seeds: cold start, warm start, queries, memory --------------------------------------
    log(`seeds corpus (${seeds.papers.length} papers, ${seeds.chunks.length} passages): cold start`);
    const seedsContext = await newContext(browser, baseURL);
    await recordResults(seedsContext);
    const coldPage = await seedsContext.newPage();
    const seedsHeap = await heapSampler(coldPage);
    const cold = await openApp(coldPage, coldQuery);
    let seedsHeapBytes = await seedsHeap.stop();
    log(`seeds corpus: offline copy ${await waitOfflineCopy(coldPage)} before the warm start`);
    await coldPage.close();
    log('seeds corpus: warm start and queries');
    const warmPage = await seedsContext.newPage();
    const warmHeap = await heapSampler(warmPage);
    const warm = await openApp(warmPage, warmQuery);
    const seedsQ = await queryLatencies(warmPage, queries);
    const seedsTimes = seedsQ.map((q) => q.totalMs);
    seedsHeapBytes = Math.max(seedsHeapBytes, await warmHeap.stop());
    const seedsIdbBytes = await storageUsage(warmPage);
    await seedsContext.close();

    // ---- arXiv slice: format 2 with shipped vectors; cold visit, returning visit, queries, memory --
    // The service worker is blocked: the page keeps the corpus itself (Cache Storage), and the
    // offline copy's ~63 MB install would compete with the visits on a 2-core machine.
    log(`arXiv slice (${slice.manifest.papers} papers, ${slice.manifest.passages} passages, ${arxivVectors.source === 'random' ? 'random stand-in' : 'real'} vectors shipped): cold visit`);
    const arxivContext = await newContext(browser, baseURL, { serviceWorkers: 'block' });
    await recordResults(arxivContext);
    await routeCorpusDir(arxivContext, arxivDir);
    if (arxivVectors.source === 'random') await skipShippedCheck(arxivContext, arxivServed.manifest.hash, arxivServed.manifest.vectors!.model.weightsSha256);
    const arxivColdPage = await arxivContext.newPage();
    const arxivColdHeap = await heapSampler(arxivColdPage);
    const arxivCold = await openApp(arxivColdPage, arxivQuery, { shipped: true });
    let arxivHeapBytes = await arxivColdHeap.stop();
    const arxivStored = await storageDetails(arxivColdPage);
    await arxivColdPage.close();
    log('arXiv slice: returning visit (shards from Cache Storage) and queries');
    const arxivPage = await arxivContext.newPage();
    const arxivHeap = await heapSampler(arxivPage);
    const arxivStart = await openApp(arxivPage, coldQuery, { shipped: true });
    const arxivQ = await queryLatencies(arxivPage, queries);
    const arxivTimes = arxivQ.map((q) => q.totalMs);
    arxivHeapBytes = Math.max(arxivHeapBytes, await arxivHeap.stop());
    const arxivIdbBytes = await storageUsage(arxivPage);
    await arxivContext.close();

    // ---- ranking alone -------------------------------------------------------------------------
    const rank = {} as BenchResults['rank'];
    for (const [n, reps] of [[10_000, 40], [100_000, 15], [300_000, 7]] as const) {
      log(`ranking ${n} random vectors: top-k vs naive vs memory floor, ${reps} repetitions`);
      const r = await rankInPage(browser, baseURL, n, reps);
      if (r.mismatches > 0) throw new Error(`top-k and the naive full sort disagree on ${r.mismatches} rows at n=${n}: the kernel is wrong.`);
      rank[String(n) as RankSize] = { topkMs: median(r.topkMs), naiveMs: median(r.naiveMs), floorMs: median(r.floorMs) };
    }

    // ---- embedding throughput: browser (app's threads, 1 thread), native Node, naive ------------
    const texts = corpusPassages(seeds, 'bench').texts;
    const wasm: EmbedFigures[] = [];
    const altThreads: EmbedFigures[] = [];
    // The runtime WebGPU needs (asyncify) against the one WASM runs (plain), same passages.
    const asyncify: EmbedFigures[] = [];
    // The app's default against the other sensible count: every core when the default is one.
    const cores = cpus().length;
    const nativeRuns: number[] = [];
    const nativeOnce: { loadMs: number; firstCallMs: number }[] = [];
    for (let round = 0; round < 2; round++) {
      log(`embedding ${texts.length} seed passages, round ${round + 1}/2: browser (app default), browser (other thread count), browser (asyncify runtime), Node native`);
      const app = await embedInPage(browser, baseURL, texts, { preference: 'wasm', perCall: APP_CALL_SIZE, reps: 2 });
      wasm.push(app);
      const other = app.threads === 1 ? Math.min(4, cores) : 1;
      altThreads.push(await embedInPage(browser, baseURL, texts, { preference: 'wasm', threads: other, perCall: APP_CALL_SIZE, reps: 2 }));
      asyncify.push(await embedInPage(browser, baseURL, texts, { preference: 'wasm', runtime: 'asyncify', perCall: APP_CALL_SIZE, reps: 2 }));
      const native = await nativeEmbedding(spec, texts, APP_CALL_SIZE, 2);
      nativeRuns.push(...native.runMs);
      nativeOnce.push(native);
    }
    // ---- one query alone: the worker's round trip and its split, app threads vs 1, and native -----
    const appQueries: QueryEmbedFigures[] = [];
    const oneThreadQueries: QueryEmbedFigures[] = [];
    let nativeQ: { ms: number[]; sessionRunMs: number[] } = { ms: [], sessionRunMs: [] };
    for (let round = 0; round < 2; round++) {
      log(`embedding ${queries.length} queries one by one, round ${round + 1}/2: browser (app default threads), browser (1 thread), Node native`);
      appQueries.push(await queryEmbedInPage(browser, baseURL, queries, {}));
      oneThreadQueries.push(await queryEmbedInPage(browser, baseURL, queries, { threads: 1 }));
      const n = await nativeQueries(spec, queries);
      nativeQ = { ms: [...nativeQ.ms, ...n.ms], sessionRunMs: [...nativeQ.sessionRunMs, ...n.sessionRunMs] };
    }
    log('embedding one passage per call (naive pipeline)');
    const naive = await embedInPage(browser, baseURL, texts, { preference: 'wasm', perCall: 1, reps: 1 });
    const webgpu = await webgpuThroughput(baseURL, texts.slice(0, 8), log);

    const seedsP = { p50: percentile(seedsTimes, 50), p95: percentile(seedsTimes, 95) };
    const t = cold.probe.timings;
    const results: BenchResults = {
      coldStartMs: cold.resultsMs,
      cold: {
        corpusMs: t.corpusMs,
        modelMs: t.modelMs,
        embedMs: t.embedMs,
        queryMs: cold.queryMs,
        otherMs: cold.resultsMs - t.corpusMs - t.modelMs - t.embedMs - cold.queryMs,
        firstPartialResultsMs: cold.firstSemanticMs,
        chunks: cold.probe.embedding.embeddedNow,
        firstKeywordResultsMs: cold.firstKeywordMs,
      },
      warmStartMs: warm.resultsMs,
      warm: { modelMs: warm.probe.timings.modelMs, firstKeywordResultsMs: warm.firstKeywordMs },
      warmChunksEmbedded: warm.probe.embedding.embeddedNow,
      queryP50Ms: seedsP.p50,
      queryP95Ms: seedsP.p95,
      queries: seedsTimes.length,
      querySearchP50Ms: median(seedsQ.map((q) => q.searchMs)),
      queryVectorP50Ms: vectorP50(seedsQ),
      arxiv10k: {
        queryP50Ms: percentile(arxivTimes, 50),
        queryP95Ms: percentile(arxivTimes, 95),
        queries: arxivTimes.length,
        querySearchP50Ms: median(arxivQ.map((q) => q.searchMs)),
        papers: slice.manifest.papers,
        chunks: slice.manifest.passages,
        warmStartMs: arxivStart.resultsMs,
        vectors: arxivVectors.source,
        embeddedInNode: arxivVectors.embedded,
        vectorsPath: 'shipped',
        coldFirstKeywordMs: arxivCold.firstKeywordMs,
        coldStartMs: arxivCold.resultsMs,
        queryVectorP50Ms: vectorP50(arxivQ),
        corpusWireBytes: arxivBytes.brotli,
        corpusWireGzipBytes: arxivBytes.gzip,
        corpusRawBytes: arxivBytes.raw,
      },
      embed: {
        browserChunksPerSec: perSecond(texts.length, wasm.flatMap((w) => w.runMs)),
        nativeChunksPerSec: perSecond(texts.length, nativeRuns),
        naiveChunksPerSec: perSecond(texts.length, naive.runMs),
        backend: wasm[0].backend,
        threads: wasm[0].threads,
        altThreads: altThreads[0].threads,
        browserAltThreadsChunksPerSec: perSecond(texts.length, altThreads.flatMap((w) => w.runMs)),
        asyncify: {
          chunksPerSec: perSecond(texts.length, asyncify.flatMap((w) => w.runMs)),
          loadMs: median(asyncify.map((w) => w.loadMs)),
          firstCallMs: median(asyncify.map((w) => w.firstCallMs)),
        },
        webgpuChunksPerSec: webgpu.perSec,
        webgpuNote: webgpu.note,
        chunks: texts.length,
        browserLoadMs: median(wasm.map((w) => w.loadMs)),
        browserFirstCallMs: median(wasm.map((w) => w.firstCallMs)),
        nativeLoadMs: median(nativeOnce.map((n) => n.loadMs)),
        nativeFirstCallMs: median(nativeOnce.map((n) => n.firstCallMs)),
      },
      queryEmbed: queryEmbedFigures(appQueries, oneThreadQueries, nativeQ),
      rank,
      firstVisit,
      memory: { seedsHeapBytes, seedsIdbBytes, arxiv10kHeapBytes: arxivHeapBytes, arxiv10kIdbBytes: arxivIdbBytes, arxiv10kStoredBytes: arxivStored.usage, arxiv10kCacheBytes: arxivStored.caches },
      commit,
      machine: machineInfo(browser, executablePath, loadAtStart),
    };
    if (opts.scale) {
      // The scale site is served on the same port: the bench's own server stops first.
      await closeServer();
      results.scale = await runScale(browser, {
        root,
        source: opts.scaleSource,
        cacheDir: join(root, '.cache', 'bench', 'scale'),
        vectorCache: opts.vectorCache,
        spec,
        port: opts.port,
        queries: opts.scaleQueries,
        profile: opts.scaleProfile,
        log,
      });
      results.scale.quality.note = QUALITY_NOTE;
    }
    return results;
  } finally {
    await browser.close();
    await closeServer();
  }
}

/** `npm run bench -- --first-visit-only`: the build, served, and its first visit (beside the baseline's) alone. */
export async function runFirstVisitBench(opts: Pick<BenchOptions, 'port' | 'noBuild' | 'firstVisitBaseline' | 'log'>): Promise<FirstVisitResult> {
  const root = repoRoot();
  if (!opts.noBuild) await buildSite(root, opts.log);
  const server = await serve(root, opts.port);
  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
  try {
    return await firstVisitResult(browser, { baseURL: `http://127.0.0.1:${opts.port}`, root, port: opts.port, baseline: opts.firstVisitBaseline, log: opts.log });
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  }
}

const QUALITY_NOTE = 'not computed in this branch: the eval ranks fp32 vectors only (the lead adds int8 ranking to it)';

function queryEmbedFigures(app: QueryEmbedFigures[], one: QueryEmbedFigures[], native: { ms: number[]; sessionRunMs: number[] }): BenchResults['queryEmbed'] {
  const split = (runs: QueryEmbedFigures[]) => {
    const t = runs.flatMap((r) => r.timings);
    const p50 = (f: (x: (typeof t)[number]) => number) => median(t.map(f));
    return {
      roundTripP50Ms: median(runs.flatMap((r) => r.roundTripMs)),
      workerP50Ms: p50((x) => x.workerMs),
      messagingP50Ms: median(runs.flatMap((r) => r.roundTripMs.map((rt, i) => rt - r.timings[i].workerMs))),
      queuedP50Ms: p50((x) => x.queuedMs),
      tokenizeP50Ms: p50((x) => x.tokenizeMs),
      pipelineP50Ms: p50((x) => x.pipelineMs),
      sessionRunP50Ms: p50((x) => x.sessionRunMs),
      poolP50Ms: p50((x) => x.poolMs),
      threads: runs[0].threads,
    };
  };
  return { queries: app[0].roundTripMs.length, ...split(app), oneThread: split(one), nativeP50Ms: median(native.ms), nativeSessionRunP50Ms: median(native.sessionRunMs) };
}

function vectorP50(figures: { vectorMs: number | null }[]): number | null {
  const v = figures.flatMap((f) => (f.vectorMs === null ? [] : [f.vectorMs]));
  return v.length > 0 ? median(v) : null;
}

/**
 * WebGPU throughput in a browser started with a software adapter (SwiftShader): no GPU here, so
 * this shows whether the WebGPU path works and what it costs on a CPU, not what a GPU would do.
 */
async function webgpuThroughput(baseURL: string, texts: string[], log: BenchOptions['log']): Promise<{ perSec: number | null; note: string }> {
  log(`WebGPU (SwiftShader software adapter): embedding ${texts.length} passages`);
  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: [...CHROMIUM_ARGS.filter((a) => a !== '--disable-gpu'), ...SWIFTSHADER_WEBGPU_ARGS] });
  try {
    const work = embedInPage(browser, baseURL, texts, { preference: 'webgpu', perCall: APP_CALL_SIZE, reps: 1 });
    // Closing the browser on a timeout rejects `work` later: that must not crash the run.
    work.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const figures = await Promise.race([work, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), WEBGPU_TIMEOUT_MS)))]);
    clearTimeout(timer);
    if (!figures) return { perSec: null, note: `SwiftShader WebGPU: no result within ${WEBGPU_TIMEOUT_MS / 60_000} minutes (model load + ${texts.length} passages)` };
    if (figures.backend !== 'webgpu') return { perSec: null, note: `no WebGPU: ${figures.reason}` };
    return { perSec: perSecond(figures.chunks, figures.runMs), note: `SwiftShader (CPU) adapter, ${texts.length} passages, not a real GPU; model load ${Math.round(figures.loadMs)} ms` };
  } catch (err) {
    return { perSec: null, note: `WebGPU failed: ${(err as Error).message.split('\n')[0]}` };
  } finally {
    await browser.close();
  }
}
