/**
 * The benchmark's figures (the JSON that `npm run bench -- --json <file>` writes) and the table
 * printed from them. Pure: no I/O, so the table is unit-tested.
 */
import { ratio } from './stats';

export type RankSize = '10000' | '100000' | '300000';

export interface BenchResults {
  /** page open (navigation start) → semantic results over the whole seeds corpus, empty cache */
  coldStartMs: number;
  cold: { corpusMs: number; modelMs: number; embedMs: number; queryMs: number; otherMs: number; firstPartialResultsMs: number | null; chunks: number; firstKeywordResultsMs?: number | null };
  /** page open → first semantic results, every vector from the cache */
  warmStartMs: number;
  warm: { modelMs: number; firstKeywordResultsMs: number | null };
  warmChunksEmbedded: number;
  /** seeds corpus: query typed → results in the DOM (query embedding + ranking + rendering) */
  queryP50Ms: number;
  queryP95Ms: number;
  queries: number;
  /** median of the app's search time alone (query embedding + ranking, no rendering) */
  querySearchP50Ms: number;
  /** median of the dense ranking alone (the page's timings.lastVectorMs) */
  queryVectorP50Ms?: number | null;
  arxiv10k: {
    queryP50Ms: number;
    queryP95Ms: number;
    queries: number;
    querySearchP50Ms: number;
    papers: number;
    chunks: number;
    /** returning visit: shards from Cache Storage (format 2, shipped vectors) → semantic results */
    warmStartMs: number;
    /** 'random': Node had not finished embedding the slice; unit vectors of the same shape stood in */
    vectors: 'node' | 'random';
    embeddedInNode: number;
    /** how the page got the vectors: 'shipped' (format 2 vector shards; until format 2: preloaded IndexedDB) */
    vectorsPath?: 'shipped';
    /** first visit, empty cache, service worker blocked: → first keyword results / → semantic results */
    coldFirstKeywordMs?: number | null;
    coldStartMs?: number;
    queryVectorP50Ms?: number | null;
    /** manifest + every shard, brotli quality 9 (gzip level 9 beside it) */
    corpusWireBytes?: number;
    corpusWireGzipBytes?: number;
    corpusRawBytes?: number;
  };
  embed: {
    browserChunksPerSec: number;
    nativeChunksPerSec: number;
    naiveChunksPerSec: number;
    backend: string;
    threads: number;
    /** the same measurement with another WASM thread count (all cores when the app uses one) */
    altThreads: number;
    browserAltThreadsChunksPerSec: number;
    /** the same WASM measurement on onnxruntime-web's asyncify build (the one WebGPU needs) */
    asyncify?: { chunksPerSec: number; loadMs: number; firstCallMs: number };
    webgpuChunksPerSec: number | null;
    webgpuNote: string;
    chunks: number;
    /** one-time costs: worker start + model load, and the first (2-passage) inference */
    browserLoadMs: number;
    browserFirstCallMs: number;
    nativeLoadMs: number;
    nativeFirstCallMs: number;
  };
  /**
   * Embedding one query alone (one embed() call per query through the app's worker): the round trip
   * from the page, and the worker's split of it; the same with 1 WASM thread; onnxruntime-node.
   */
  queryEmbed?: QueryEmbedSplit & { queries: number; oneThread: QueryEmbedSplit; nativeP50Ms: number; nativeSessionRunP50Ms: number };
  rank: Record<RankSize, { topkMs: number; naiveMs: number; floorMs: number }>;
  memory: {
    seedsHeapBytes: number;
    seedsIdbBytes: number | null;
    arxiv10kHeapBytes: number;
    arxiv10kIdbBytes: number | null;
    /** navigator.storage.estimate() usage in all, and Cache Storage alone (where the page keeps shards) */
    arxiv10kStoredBytes?: number | null;
    arxiv10kCacheBytes?: number | null;
  };
  /** a first visit on a device without WebGPU, until the offline copy is complete (src/bench/first-visit.ts) */
  firstVisit?: FirstVisitResult;
  /** `--scale`: the full arXiv set, served by the built site (see src/bench/scale.ts) */
  scale?: ScaleResults;
  /** the commit the bench ran on (git rev-parse HEAD), with "+dirty" for uncommitted changes */
  commit?: string;
  machine: { cpu: string; cores: number; memoryGiB: number; os: string; node: string; browser: string; date: string; load: string };
}

export interface FirstVisitResult {
  /** bytes received (headers + bodies as sent) by the page, its workers and the service worker */
  wireBytes: number;
  /** the sum of the distinct files' sizes */
  fileBytes: number;
  requests: number;
  /** files fetched from the network more than once, with how often */
  repeated: Record<string, number>;
  /** navigation → offline copy complete */
  ms: number;
  offline: string;
  /** the same visit to another build (`--first-visit-baseline <dist>`, e.g. the main branch's), same run */
  baseline?: Omit<FirstVisitResult, 'baseline'> & { build: string };
}

export interface Bytes {
  files: number;
  raw: number;
  gzip: number;
  brotli: number;
}

export interface ProfileEntry {
  fn: string;
  url: string;
  line: number;
  column: number;
  selfMs: number;
  /** the bundle's code at that position (the build is minified: names alone say little) */
  code?: string;
}

export interface ScaleResults {
  papers: number;
  passages: number;
  /** corpus bytes (brotli 9) the page needs before its first semantic results over the whole corpus */
  corpusWireBytesBeforeSemantic: number;
  corpusWireBytesTotal: number;
  /** model + runtime files the cold visit fetched, brotli 9 */
  modelWireBytes: number;
  /** navigation start → first keyword results in the DOM; cold: empty cache, service worker blocked */
  coldKeywordMs: number | null;
  /** navigation start → first semantic/hybrid results over the whole corpus, cold */
  coldSemanticMs: number;
  /** a second visit (shards from Cache Storage) → semantic results */
  warmStartMs: number;
  /** keystroke → results in the DOM */
  queryP50Ms: number;
  queryP95Ms: number;
  /** the dense ranking alone per query (the page's timings.lastVectorMs), p50 */
  vectorStageMs: number | null;
  /** main thread, CDP JSHeapUsedSize sampled every 100 ms (WebAssembly memory is not in it) */
  peakHeapMiB: number;
  /** navigator.storage.estimate() usage after the cold visit */
  storedBytes: number | null;
  realVectors: boolean;
  quality: { fp32Ndcg10: number | null; quantisedNdcg10: number | null; note: string };
  detail: {
    wireCompression: string;
    /** lexical: the shipped keyword index (shards/l.*), absent in results from before it */
    corpus: { manifest: Bytes; text: Bytes; vectors: Bytes; lexical?: Bytes };
    model: Bytes & { paths: string[] };
    vectors: string;
    queries: number;
    queryKind: string;
    querySearchP50Ms: number;
    vectorStageP95Ms: number | null;
    cold: {
      /** manifest → every text shard fetched, verified, decoded, the keyword index built (lexicalMs of it) */
      corpusMs: number;
      lexicalMs: number;
      vectorsMs: number;
      modelMs: number;
      embedMs: number;
      firstKeywordSearchMs: number | null;
      firstSemanticPartialMs: number | null;
      embeddedNow: number;
      verification: unknown;
      corpusFiles: number;
      peakHeapMiB: number;
      /** peak ArrayBuffer backing stores of the main thread (typed arrays, WebAssembly memory): CDP Runtime.getHeapUsage */
      peakBackingStoreMiB: number | null;
      retainedHeapMiB: number | null;
      requests: number;
    };
    warm: { corpusMs: number; lexicalMs: number; vectorsMs: number; modelMs: number; firstKeywordMs: number | null; filesFromCache: number; totalFiles: number; corpusRequests: number; peakHeapMiB: number; peakBackingStoreMiB: number | null };
    storage: { usage: number | null; indexedDB: number | null; caches: number | null };
    /** passages × (dims + 4): the int8 matrix the page ranks shipped vectors in (codes + one float per row), WebAssembly memory, not in the JS heap figure */
    vectorMatrixMiB: number;
    /** --scale-profile: one more cold and returning visit under the CPU profiler, main-thread self time by function */
    profile: {
      coldSemanticMs: number;
      coldLexicalMs: number;
      warmSemanticMs: number;
      warmLexicalMs: number;
      intervalUs: number;
      topSelfTime: ProfileEntry[];
      warmTopSelfTime: ProfileEntry[];
    } | null;
    buildMs: number;
  };
}

export interface QueryEmbedSplit {
  roundTripP50Ms: number;
  workerP50Ms: number;
  /** round trip minus the worker's time: postMessage both ways and the worker's wake-up */
  messagingP50Ms: number;
  queuedP50Ms: number;
  tokenizeP50Ms: number;
  pipelineP50Ms: number;
  sessionRunP50Ms: number;
  poolP50Ms: number;
  threads: number;
}

export const TARGETS = {
  warmStartMs: 1500,
  queryP50Ms: 50,
  embedRatio: 0.5,
  queryEmbedMs: 10,
  rank100kMs: 20,
  rank100kSpeedup: 5,
};

/** Issue 17: each file once (≤ 1.05× the distinct files' sizes), and ≤ 40 MB in all without WebGPU. */
export const FIRST_VISIT_TARGETS = { wireRatio: 1.05, wireBytes: 40e6 };

const ms = (v: number | null | undefined): string => (v == null || !Number.isFinite(v) ? '–' : v >= 100 ? `${Math.round(v)} ms` : `${v.toFixed(1)} ms`);
const x = (v: number | null): string => (v == null ? '–' : `${v.toFixed(v >= 10 ? 0 : 2)}×`);
const mib = (v: number | null): string => (v == null ? '–' : `${(v / 2 ** 20).toFixed(1)} MiB`);
const mb = (v: number | null | undefined): string => (v == null ? '–' : `${(v / 1e6).toFixed(v >= 1e7 ? 1 : 2)} MB`);
const perSec = (v: number | null): string => (v == null ? '–' : `${v.toFixed(1)}/s`);
const verdict = (ok: boolean): string => (ok ? 'met' : 'MISSED');

/** Markdown table rows: | measure | value | baseline / split | target |. */
export function formatTable(r: BenchResults): string {
  const rows: [string, string, string, string][] = [];
  const c = r.cold;
  rows.push(['Cold start (empty cache) → results', ms(r.coldStartMs), `corpus ${ms(c.corpusMs)} · model load ${ms(c.modelMs)} · embed ${c.chunks} passages ${ms(c.embedMs)} · query ${ms(c.queryMs)} · other ${ms(c.otherMs)}`, '']);
  rows.push(['Warm start (cache filled) → results', ms(r.warmStartMs), `model load ${ms(r.warm.modelMs)}; passages embedded: ${r.warmChunksEmbedded}`, `< ${TARGETS.warmStartMs} ms: ${verdict(r.warmStartMs < TARGETS.warmStartMs && r.warmChunksEmbedded === 0)}`]);
  rows.push([`Query p50 / p95, seeds (${r.queries} queries)`, `${ms(r.queryP50Ms)} / ${ms(r.queryP95Ms)}`, `of which embed query + rank (p50) ${ms(r.querySearchP50Ms)}, the rest rendering`, `p50 < ${TARGETS.queryP50Ms} ms: ${verdict(r.queryP50Ms < TARGETS.queryP50Ms)}`]);
  const a = r.arxiv10k;
  const stand = a.vectors === 'random' ? ` · vectors: random stand-ins (Node embedded ${a.embeddedInNode}/${a.chunks} so far)` : '';
  if (a.coldStartMs !== undefined) {
    rows.push([`Start, arXiv ${a.papers} papers, shipped vectors (format 2)`, `cold ${ms(a.coldStartMs)} · warm ${ms(a.warmStartMs)}`, `cold: empty cache → keyword results ${ms(a.coldFirstKeywordMs)}, semantic ${ms(a.coldStartMs)}; warm: shards from Cache Storage; corpus on the wire ${mb(a.corpusWireBytes)} brotli (gzip ${mb(a.corpusWireGzipBytes)}, raw ${mb(a.corpusRawBytes)})${stand}`, '']);
  }
  rows.push([`Query p50 / p95, arXiv ${a.papers} papers (${a.chunks} passages, ${a.queries} queries)`, `${ms(a.queryP50Ms)} / ${ms(a.queryP95Ms)}`, `embed query + rank (p50) ${ms(a.querySearchP50Ms)}${a.queryVectorP50Ms != null ? ` · dense ranking alone ${ms(a.queryVectorP50Ms)}` : ''} · warm start ${ms(a.warmStartMs)}${stand}`, '']);
  const e = r.embed;
  const share = ratio(e.browserChunksPerSec, e.nativeChunksPerSec);
  rows.push([
    `Embedding, browser ${e.backend} ${e.threads} thread(s) (${e.chunks} passages)`,
    perSec(e.browserChunksPerSec),
    `native Node ${perSec(e.nativeChunksPerSec)} (${x(share)}) · ${e.altThreads} thread(s) ${perSec(e.browserAltThreadsChunksPerSec)} (default ${x(ratio(e.browserChunksPerSec, e.browserAltThreadsChunksPerSec))} as fast) · naive 1/call ${perSec(e.naiveChunksPerSec)} (${x(ratio(e.browserChunksPerSec, e.naiveChunksPerSec))} faster)`,
    `≥ ${TARGETS.embedRatio}× native: ${verdict(share != null && share >= TARGETS.embedRatio)}`,
  ]);
  rows.push(['Embedding, one-time costs (browser)', `load ${ms(e.browserLoadMs)} · first call ${ms(e.browserFirstCallMs)}`, `Node: load ${ms(e.nativeLoadMs)} · first call ${ms(e.nativeFirstCallMs)}`, '']);
  if (e.asyncify) {
    const a = e.asyncify;
    rows.push([
      'Embedding, WASM on the asyncify runtime (WebGPU\'s build)',
      perSec(a.chunksPerSec),
      `load ${ms(a.loadMs)} · first call ${ms(a.firstCallMs)}; the app's plain build is ${x(ratio(e.browserChunksPerSec, a.chunksPerSec))} as fast, loads in ${x(ratio(e.browserLoadMs, a.loadMs))} the time`,
      '',
    ]);
  }
  rows.push(['Embedding, WebGPU', perSec(e.webgpuChunksPerSec), e.webgpuNote, '']);
  const q = r.queryEmbed;
  if (q) {
    const split = (s: QueryEmbedSplit) =>
      `worker ${ms(s.workerP50Ms)} = tokenise ${ms(s.tokenizeP50Ms)} · transformers.js ${ms(s.pipelineP50Ms)} · session.run ${ms(s.sessionRunP50Ms)} · pool ${ms(s.poolP50Ms)} · queued ${ms(s.queuedP50Ms)}; messages ${ms(s.messagingP50Ms)}`;
    rows.push([
      `Query embedding alone, browser ${q.threads} thread(s) (${q.queries} queries, p50)`,
      ms(q.roundTripP50Ms),
      `${split(q)} · 1 thread: ${ms(q.oneThread.roundTripP50Ms)} (session.run ${ms(q.oneThread.sessionRunP50Ms)}) · native Node ${ms(q.nativeP50Ms)} (session.run ${ms(q.nativeSessionRunP50Ms)})`,
      `≤ ${TARGETS.queryEmbedMs} ms: ${verdict(q.roundTripP50Ms <= TARGETS.queryEmbedMs)}`,
    ]);
  }
  for (const n of ['10000', '100000', '300000'] as RankSize[]) {
    const k = r.rank[n];
    if (!k) continue;
    const speedup = ratio(k.naiveMs, k.topkMs);
    const target = n === '100000' ? `≤ ${TARGETS.rank100kMs} ms and ≥ ${TARGETS.rank100kSpeedup}×: ${verdict(k.topkMs <= TARGETS.rank100kMs && speedup != null && speedup >= TARGETS.rank100kSpeedup)}` : '';
    rows.push([`Rank top-20 of ${Number(n).toLocaleString('en')} chunks`, ms(k.topkMs), `naive ${ms(k.naiveMs)} (${x(speedup)} slower) · memory floor ${ms(k.floorMs)} (top-k = ${x(ratio(k.topkMs, k.floorMs))} floor)`, target]);
  }
  if (r.firstVisit) rows.push(firstVisitRow(r.firstVisit));
  const m = r.memory;
  rows.push(['Peak JS heap / IndexedDB, seeds', `${mib(m.seedsHeapBytes)} / ${mib(m.seedsIdbBytes)}`, '', '']);
  rows.push([`Peak JS heap / IndexedDB, arXiv ${a.papers}`, `${mib(m.arxiv10kHeapBytes)} / ${mib(m.arxiv10kIdbBytes)}`, m.arxiv10kStoredBytes != null ? `stored in all ${mib(m.arxiv10kStoredBytes)}, of which Cache Storage (shards) ${mib(m.arxiv10kCacheBytes ?? null)}` : '', '']);
  const head = '| Measure | Value | Split / baseline (same run) | Target |\n|---|---|---|---|';
  return [head, ...rows.map((cells) => `| ${cells.map((s) => s.replace(/\|/g, '\\|')).join(' | ')} |`)].join('\n');
}

/** | measure | value | baseline | target | for a first visit (also printed alone by `npm run bench -- --first-visit-only`). */
export function firstVisitRow(f: FirstVisitResult): [string, string, string, string] {
  const share = ratio(f.wireBytes, f.fileBytes);
  const repeated = (r: Record<string, number>) => {
    const list = Object.entries(r).map(([path, n]) => `${path} ×${n}`);
    return list.length === 0 ? 'no file fetched twice' : `fetched more than once: ${list.join(', ')}`;
  };
  const b = f.baseline;
  const base = b ? ` · baseline ${b.build}: ${mb(b.wireBytes)} for ${mb(b.fileBytes)} of files (${x(ratio(b.wireBytes, b.fileBytes))}), ${b.requests} requests, ${repeated(b.repeated)}` : '';
  const ok = share != null && share <= FIRST_VISIT_TARGETS.wireRatio && f.wireBytes <= FIRST_VISIT_TARGETS.wireBytes && f.offline === 'ready';
  return [
    'First visit (no WebGPU) → offline copy complete: bytes received',
    mb(f.wireBytes),
    `distinct files ${mb(f.fileBytes)} (received ${x(share)} of them) · ${f.requests} requests, ${repeated(f.repeated)} · ${ms(f.ms)}, offline: ${f.offline}${base}`,
    `≤ ${FIRST_VISIT_TARGETS.wireRatio}× files and ≤ ${FIRST_VISIT_TARGETS.wireBytes / 1e6} MB: ${verdict(ok)}`,
  ];
}

/** The scale table: each figure beside the same figure for the arXiv slice and the seeds, from the same run. */
export function formatScaleTable(r: BenchResults): string {
  const s = r.scale;
  if (!s) return '';
  const a = r.arxiv10k;
  const d = s.detail;
  const c = d.cold;
  const rows: [string, string, string][] = [];
  const slice = `arXiv ${a.papers}`;
  rows.push(['Corpus', `${s.papers.toLocaleString('en')} papers, ${s.passages.toLocaleString('en')} passages`, `${slice}: ${a.chunks.toLocaleString('en')} passages`]);
  rows.push(['Vectors', s.realVectors ? 'real (Node vector cache)' : 'random unit stand-ins: same bytes and cost, meaningless rankings', d.vectors]);
  rows.push(['Corpus on the wire before semantic results (brotli 9)', mb(s.corpusWireBytesBeforeSemantic), `text ${mb(d.corpus.text.brotli)} (${d.corpus.text.files} files, raw ${mb(d.corpus.text.raw)}) + keyword index ${mb(d.corpus.lexical?.brotli ?? 0)} (raw ${mb(d.corpus.lexical?.raw ?? 0)}) + vectors ${mb(d.corpus.vectors.brotli)} (raw ${mb(d.corpus.vectors.raw)}); gzip 9 ${mb(d.corpus.text.gzip + (d.corpus.lexical?.gzip ?? 0) + d.corpus.vectors.gzip + d.corpus.manifest.gzip)} · ${slice} ${mb(a.corpusWireBytes)}`]);
  rows.push(['Corpus on the wire, total', mb(s.corpusWireBytesTotal), 'every shard is needed before semantic results cover the whole corpus today']);
  rows.push(['Model + runtime on the wire (brotli 9)', mb(s.modelWireBytes), `${d.model.files} files, raw ${mb(d.model.raw)}, gzip ${mb(d.model.gzip)}`]);
  rows.push(['Cold visit → keyword results', ms(s.coldKeywordMs), `corpus fetched, decoded, indexed ${ms(c.corpusMs)} (keyword index ${ms(c.lexicalMs)}) · ${slice} ${ms(a.coldFirstKeywordMs)} · seeds ${ms(r.cold.firstKeywordResultsMs)}`]);
  rows.push(['Cold visit → semantic results (whole corpus)', ms(s.coldSemanticMs), `vectors ${ms(c.vectorsMs)} · model load ${ms(c.modelMs)} (in parallel) · ${slice} ${ms(a.coldStartMs)} · seeds ${ms(r.coldStartMs)} (embedded in the page)`]);
  rows.push(['Returning visit → semantic results', ms(s.warmStartMs), `${d.warm.filesFromCache}/${d.warm.totalFiles} corpus files from Cache Storage; corpus ${ms(d.warm.corpusMs)} (keyword index ${ms(d.warm.lexicalMs)}), vectors ${ms(d.warm.vectorsMs)} · ${slice} ${ms(a.warmStartMs)} · seeds ${ms(r.warmStartMs)}`]);
  rows.push([`Query p50 / p95 (${d.queries} queries)`, `${ms(s.queryP50Ms)} / ${ms(s.queryP95Ms)}`, `embed query + rank p50 ${ms(d.querySearchP50Ms)} · ${slice} ${ms(a.queryP50Ms)} / ${ms(a.queryP95Ms)} · seeds ${ms(r.queryP50Ms)} / ${ms(r.queryP95Ms)}`]);
  const r100 = r.rank['100000'];
  const r300 = r.rank['300000'];
  rows.push(['Dense ranking alone, p50 (in the page)', ms(s.vectorStageMs), `p95 ${ms(d.vectorStageP95Ms)} · ${slice} ${ms(a.queryVectorP50Ms)} · bench page top-k of 100k / 300k random ${ms(r100?.topkMs)} / ${ms(r300?.topkMs)}`]);
  rows.push(['Peak JS heap (main thread)', `${s.peakHeapMiB.toFixed(1)} MiB`, `cold ${c.peakHeapMiB.toFixed(1)} MiB, retained after GC ${c.retainedHeapMiB == null ? '–' : `${c.retainedHeapMiB.toFixed(1)} MiB`} · ArrayBuffers and WebAssembly memory outside that heap, peak ${c.peakBackingStoreMiB == null ? '–' : `${c.peakBackingStoreMiB.toFixed(0)} MiB`} (the int8 vector matrix alone ${d.vectorMatrixMiB.toFixed(0)} MiB) · ${slice} ${mib(r.memory.arxiv10kHeapBytes)}`]);
  rows.push(['Stored after the visit', mib(s.storedBytes), `Cache Storage ${mib(d.storage.caches)}, IndexedDB ${mib(d.storage.indexedDB)} · ${slice} ${mib(r.memory.arxiv10kStoredBytes ?? null)}`]);
  const q = s.quality;
  rows.push(['SciFact nDCG@10, fp32 / int8 vectors', `${q.fp32Ndcg10?.toFixed(4) ?? '–'} / ${q.quantisedNdcg10?.toFixed(4) ?? '–'}`, q.note]);
  const head = '| Measure (full arXiv set) | Value | Split / baseline (same run) |\n|---|---|---|';
  return [head, ...rows.map((cells) => `| ${cells.map((x) => x.replace(/\|/g, '\\|')).join(' | ')} |`)].join('\n');
}

export function formatMachine(m: BenchResults['machine']): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB; ${m.os}; Node ${m.node}; ${m.browser}; load average at start ${m.load}; ${m.date}`;
}
