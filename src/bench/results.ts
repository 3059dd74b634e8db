/**
 * The benchmark's figures (the JSON that `npm run bench -- --json <file>` writes) and the table
 * printed from them. Pure: no I/O, so the table is unit-tested.
 */
import { ratio } from './stats';

export type RankSize = '10000' | '100000' | '300000';

export interface BenchResults {
  /** page open (navigation start) → semantic results over the whole seeds corpus, empty cache */
  coldStartMs: number;
  cold: { corpusMs: number; modelMs: number; embedMs: number; queryMs: number; otherMs: number; firstPartialResultsMs: number | null; chunks: number };
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
  arxiv10k: {
    queryP50Ms: number;
    queryP95Ms: number;
    queries: number;
    querySearchP50Ms: number;
    papers: number;
    chunks: number;
    warmStartMs: number;
    /** 'random': Node had not finished embedding the slice; unit vectors of the same shape stood in */
    vectors: 'node' | 'random';
    embeddedInNode: number;
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
  rank: Record<RankSize, { topkMs: number; naiveMs: number; floorMs: number }>;
  memory: { seedsHeapBytes: number; seedsIdbBytes: number | null; arxiv10kHeapBytes: number; arxiv10kIdbBytes: number | null };
  machine: { cpu: string; cores: number; memoryGiB: number; os: string; node: string; browser: string; date: string; load: string };
}

export const TARGETS = {
  warmStartMs: 1500,
  queryP50Ms: 50,
  embedRatio: 0.5,
  rank100kMs: 20,
  rank100kSpeedup: 5,
};

const ms = (v: number | null | undefined): string => (v == null || !Number.isFinite(v) ? '–' : v >= 100 ? `${Math.round(v)} ms` : `${v.toFixed(1)} ms`);
const x = (v: number | null): string => (v == null ? '–' : `${v.toFixed(v >= 10 ? 0 : 2)}×`);
const mib = (v: number | null): string => (v == null ? '–' : `${(v / 2 ** 20).toFixed(1)} MiB`);
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
  rows.push([`Query p50 / p95, arXiv ${a.papers} papers (${a.chunks} passages, ${a.queries} queries)`, `${ms(a.queryP50Ms)} / ${ms(a.queryP95Ms)}`, `embed query + rank (p50) ${ms(a.querySearchP50Ms)} · warm start ${ms(a.warmStartMs)}${a.vectors === 'random' ? ` · vectors: random stand-ins (Node embedded ${a.embeddedInNode}/${a.chunks} so far)` : ''}`, '']);
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
  for (const n of ['10000', '100000', '300000'] as RankSize[]) {
    const k = r.rank[n];
    if (!k) continue;
    const speedup = ratio(k.naiveMs, k.topkMs);
    const target = n === '100000' ? `≤ ${TARGETS.rank100kMs} ms and ≥ ${TARGETS.rank100kSpeedup}×: ${verdict(k.topkMs <= TARGETS.rank100kMs && speedup != null && speedup >= TARGETS.rank100kSpeedup)}` : '';
    rows.push([`Rank top-20 of ${Number(n).toLocaleString('en')} chunks`, ms(k.topkMs), `naive ${ms(k.naiveMs)} (${x(speedup)} slower) · memory floor ${ms(k.floorMs)} (top-k = ${x(ratio(k.topkMs, k.floorMs))} floor)`, target]);
  }
  const m = r.memory;
  rows.push(['Peak JS heap / IndexedDB, seeds', `${mib(m.seedsHeapBytes)} / ${mib(m.seedsIdbBytes)}`, '', '']);
  rows.push([`Peak JS heap / IndexedDB, arXiv ${a.papers}`, `${mib(m.arxiv10kHeapBytes)} / ${mib(m.arxiv10kIdbBytes)}`, '', '']);
  const head = '| Measure | Value | Split / baseline (same run) | Target |\n|---|---|---|---|';
  return [head, ...rows.map((cells) => `| ${cells.map((s) => s.replace(/\|/g, '\\|')).join(' | ')} |`)].join('\n');
}

export function formatMachine(m: BenchResults['machine']): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB; ${m.os}; Node ${m.node}; ${m.browser}; load average at start ${m.load}; ${m.date}`;
}
