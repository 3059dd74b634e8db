/**
 * Benchmark-only page (built only by `npm run bench`, next to the app, same origin and headers).
 * It imports the modules the app runs — the inference worker through EmbedClient, VectorMatrix and
 * topK — and exposes measurements as window.__bench for Playwright to call.
 */
import { EmbedClient } from '../../embed/client';
import type { BackendPreference, WorkerTimings } from '../../embed/protocol';
import type { RuntimeBuild } from '../../embed/runtime';
import { activeModelId, getModel } from '../../embed/registry';
import { memoryFloor, naiveTopK, topK, VectorMatrix } from '../../search/vectors';

const BASE = import.meta.env.BASE_URL;
const spec = getModel(activeModelId());

export interface RankFigures {
  n: number;
  topkMs: number[];
  naiveMs: number[];
  floorMs: number[];
  backend: string;
  /** rows where topK and the naive full sort disagree (must be 0) */
  mismatches: number;
}

export interface EmbedFigures {
  backend: string;
  threads: number;
  reason: string;
  /** worker start + model load until 'ready' */
  loadMs: number;
  /** first (warm-up) call: 2 texts, pays one-time allocations and kernel set-up */
  firstCallMs: number;
  /** the timed run, one entry per repetition */
  runMs: number[];
  chunks: number;
}

/** xorshift32: the same pseudo-random matrix in every run. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296 - 0.5;
  };
}

function randomMatrix(n: number, dims: number): VectorMatrix {
  const m = new VectorMatrix(dims, 0);
  m.reserve(n);
  const next = random(12345 + n);
  const block = 8192;
  const flat = new Float32Array(block * dims);
  for (let done = 0; done < n; done += block) {
    const rows = Math.min(block, n - done);
    for (let i = 0; i < rows * dims; i++) flat[i] = next();
    m.append(rows === block ? flat : flat.subarray(0, rows * dims)); // append normalises each row
  }
  return m;
}

/**
 * Ranking alone: topK (the app's), the naive full sort and the memory floor over one matrix, run
 * in turn in every repetition so machine noise hits all three alike.
 */
async function rank(n: number, reps: number, k = 20): Promise<RankFigures> {
  const matrix = randomMatrix(n, spec.dims);
  const next = random(777);
  const queries = Array.from({ length: reps + 1 }, () => {
    const q = new Float32Array(spec.dims).map(() => next());
    const norm = Math.hypot(...q);
    return q.map((v) => v / norm);
  });
  const out: RankFigures = { n, topkMs: [], naiveMs: [], floorMs: [], backend: matrix.backend, mismatches: 0 };
  let sink = 0;
  // Warm-up (JIT, first touch of the pages) on the extra query.
  sink += memoryFloor(matrix) + topK(matrix, queries[reps], k).length + naiveTopK(matrix, queries[reps], k).length;
  for (let r = 0; r < reps; r++) {
    const q = queries[r];
    let t = performance.now();
    sink += memoryFloor(matrix);
    out.floorMs.push(performance.now() - t);
    t = performance.now();
    const fast = topK(matrix, q, k);
    out.topkMs.push(performance.now() - t);
    t = performance.now();
    const slow = naiveTopK(matrix, q, k);
    out.naiveMs.push(performance.now() - t);
    fast.forEach((h, i) => {
      if (h.row !== slow[i]?.row) out.mismatches++;
    });
    // Let the page breathe (GC of the naive objects, Playwright's messages) between repetitions.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  (globalThis as { __benchSink?: number }).__benchSink = sink;
  return out;
}

/**
 * Embedding throughput through the app's own worker and client. `perCall` texts go in each
 * embed() call: the app sends 16 passages per call; 1 is the naive one-chunk-per-call pipeline.
 */
async function embed(
  texts: string[],
  options: { preference: BackendPreference; threads?: number; perCall: number; reps: number; runtime?: RuntimeBuild },
): Promise<EmbedFigures> {
  const t0 = performance.now();
  const client = new EmbedClient();
  try {
    const ready = await client.init({
      modelId: spec.id,
      modelBase: `${BASE}models/`,
      wasmPaths: `${BASE}ort/`,
      runtime: options.runtime,
      preference: options.preference,
      threads: options.threads,
    });
    const loadMs = performance.now() - t0;
    let t = performance.now();
    await client.embed(texts.slice(0, 2), 'passage');
    const firstCallMs = performance.now() - t;
    const runMs: number[] = [];
    for (let r = 0; r < options.reps; r++) {
      t = performance.now();
      for (let i = 0; i < texts.length; i += options.perCall) await client.embed(texts.slice(i, i + options.perCall), 'passage');
      runMs.push(performance.now() - t);
    }
    return { backend: ready.backend, threads: ready.threads, reason: ready.reason, loadMs, firstCallMs, runMs, chunks: texts.length };
  } finally {
    client.terminate();
  }
}

export interface QueryEmbedFigures {
  threads: number;
  /** page → worker → page, per query */
  roundTripMs: number[];
  /** the worker's own account of each query */
  timings: WorkerTimings[];
}

/**
 * One query per embed() call, as the app sends them (priority above passages), through the app's
 * worker and client: the round trip from the page and the worker's split of it.
 */
async function queryEmbed(queries: string[], options: { threads?: number }): Promise<QueryEmbedFigures> {
  const client = new EmbedClient();
  try {
    const ready = await client.init({ modelId: spec.id, modelBase: `${BASE}models/`, wasmPaths: `${BASE}ort/`, preference: 'wasm', threads: options.threads });
    for (const q of queries.slice(0, 3)) await client.embed([q], 'query', { priority: 1 }); // warm-up
    const out: QueryEmbedFigures = { threads: ready.threads, roundTripMs: [], timings: [] };
    for (const q of queries) {
      const t = performance.now();
      await client.embed([q], 'query', { priority: 1 });
      out.roundTripMs.push(performance.now() - t);
      if (client.lastTimings) out.timings.push(client.lastTimings);
    }
    return out;
  } finally {
    client.terminate();
  }
}

async function storageUsage(): Promise<number | null> {
  return (await navigator.storage?.estimate?.())?.usage ?? null;
}

const api = { rank, embed, queryEmbed, storageUsage, crossOriginIsolated: () => self.crossOriginIsolated, modelId: () => spec.id };
export type BenchApi = typeof api;
(window as unknown as { __bench: BenchApi }).__bench = api;
document.body.dataset.ready = '1';
