/**
 * npm run embed:corpus [-- --corpus public/corpus] [--cache-dir .cache/vectors] [--batch-size N] [--threads N]
 *
 * Embeds every passage of a built corpus (manifest.json + shards, format 2) in Node
 * with the page's embedder, model file, pooling, prefixes and passage text (corpusPassages), into
 * the disk vector cache of the model (<cache-dir>/<hash of fingerprint>/). Resumable: vectors are
 * stored batch by batch, so a killed run continues where it stopped, and a passage whose key is
 * unchanged is never embedded again. SIGINT/SIGTERM stop after the current batch.
 *
 * Exit codes: 0 every passage has a vector · 1 failed · 2 bad command line · 130/143 stopped by
 * SIGINT/SIGTERM (resume with the same command).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { CorpusData } from '../corpus/types.ts';
import type { ShardedManifest } from '../format/manifest.ts';
import { readCorpusDir } from '../format/node.ts';
import { DiskVectorCache } from '../embed/disk-cache.ts';
import { embedPassages, DEFAULT_PASSAGE_BATCH, type EmbedProgress } from '../embed/embed-passages.ts';
import { createEmbedder, type Embedder } from '../embed/embedder.ts';
import { modelFingerprint, onnxFile, type ModelInfo } from '../embed/model-info.ts';
import { nodeModelsDir, readModelInfo, repoRoot, verifyFiles } from '../embed/node.ts';
import { activeModelId, getModel, type ModelSpec } from '../embed/registry.ts';
import { corpusPassages } from '../search/passage.ts';
import { formatDuration, ProgressBar } from './progress.ts';

/**
 * onnxruntime-node intra-op threads. Measured on this project's 2-core machine, shared (load
 * average 7–14), 300 SciFact passages per run, alternating rounds, median of 6: 1 thread 5.5
 * passages/s, 2 threads 3.7, onnxruntime's default 3.5 (likely: with other work on the cores, a second
 * intra-op thread waits at every operator for the one that was descheduled). Two processes of one
 * thread each made 7.6 and 11.4/s against 6.7 and 10.7/s for one (2 rounds): the way to use every
 * core under load is more workers, not more threads.
 */
export const DEFAULT_THREADS = 1;

const USAGE = `usage: npm run embed:corpus [-- --corpus DIR] [--cache-dir DIR] [--batch-size N] [--threads N]
  --corpus DIR      a corpus built by "npm run build:corpus" (manifest.json + shards/; default public/corpus)
  --cache-dir DIR   vector caches, one folder per model fingerprint inside (default .cache/vectors)
  --batch-size N    passages per model call and per cache write (default ${DEFAULT_PASSAGE_BATCH})
  --threads N       onnxruntime-node intra-op threads (default ${DEFAULT_THREADS}: fastest measured on a shared machine; ${availableParallelism()} cores here)
Stop with Ctrl-C (the current batch is stored); run the same command again to resume.
exit codes: 0 done · 1 failed · 2 bad command line · 130/143 stopped by SIGINT/SIGTERM`;

class UsageError extends Error {}

export interface EmbedCorpusArgs {
  corpus: string;
  cacheDir: string;
  batchSize: number;
  threads: number;
}

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--${name} must be a whole number ≥ 1, got "${value}"`);
  return Number(value);
}

export function parseEmbedCorpusArgs(argv: string[]): EmbedCorpusArgs | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        corpus: { type: 'string' },
        'cache-dir': { type: 'string' },
        'batch-size': { type: 'string' },
        threads: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  return {
    corpus: resolve(v.corpus ?? join(repoRoot(), 'public', 'corpus')),
    cacheDir: resolve(v['cache-dir'] ?? join(repoRoot(), '.cache', 'vectors')),
    batchSize: positiveInt(v['batch-size'], 'batch-size', DEFAULT_PASSAGE_BATCH),
    threads: positiveInt(v.threads, 'threads', DEFAULT_THREADS),
  };
}

/** Reads a built corpus folder (format 2), every shard checked against the manifest's sha256. */
export async function readBuiltCorpus(dir: string): Promise<{ manifest: ShardedManifest; data: CorpusData }> {
  const { manifest, data } = await readCorpusDir(dir).catch((err: Error) => {
    throw new Error(`${err.message} (corpus folder ${dir}; build it with "npm run build:corpus -- <inputs> --out ${dir}")`);
  });
  return { manifest, data };
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

export interface EmbedCorpusRun {
  /** every passage has a vector */
  complete: boolean;
  total: number;
  cached: number;
  embedded: number;
  cacheDir: string;
}

/**
 * Fills the vector cache for every passage of the corpus in args.corpus. `signal` stops it after
 * the current batch (resolves with complete: false). The model is checked first: when it is
 * missing the error says how to install it and nothing is created or written.
 */
export async function embedCorpus(
  args: EmbedCorpusArgs & { modelsDir?: string },
  options: { signal?: AbortSignal; log?: (line: string) => void } = {},
): Promise<EmbedCorpusRun> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { fingerprint, spec, modelsDir } = await checkedModel(args.modelsDir);
  const { manifest, data } = await readBuiltCorpus(args.corpus);
  log(`corpus ${args.corpus}: ${manifest.papers.toLocaleString('en-US')} papers, ${data.chunks.length.toLocaleString('en-US')} passages (chunker ${data.chunker.version})`);
  return embedCorpusData(data, { ...args, modelsDir, fingerprint, spec }, { ...options, log });
}

/** The installed model, verified (files and sha256); the error says how to install it. */
export async function checkedModel(dir?: string): Promise<{ spec: ModelSpec; info: ModelInfo; fingerprint: string; modelsDir: string }> {
  const spec = getModel(activeModelId());
  const modelsDir = dir ?? nodeModelsDir();
  const info = await readModelInfo(modelsDir, spec);
  const weights = join(modelsDir, spec.id, onnxFile(spec.dtype));
  if (!existsSync(weights)) throw new Error(`${weights} not found: model ${spec.id} is not installed. Run "npm run setup:model".`);
  const problems = await verifyFiles(join(modelsDir, spec.id), info.files);
  if (problems.length) throw new Error(`model ${spec.id} does not verify; run "npm run setup:model":\n  ${problems.join('\n  ')}`);
  const fingerprint = modelFingerprint(spec, info);
  return { spec, info, fingerprint, modelsDir };
}

/**
 * Fills the vector cache for every passage of `data` (the build calls this before writing vector
 * shards). `signal` stops it after the current batch (resolves with complete: false).
 */
export async function embedCorpusData(
  data: CorpusData,
  args: Omit<EmbedCorpusArgs, 'corpus'> & { modelsDir: string; fingerprint: string; spec: ModelSpec },
  options: { signal?: AbortSignal; log: (line: string) => void },
): Promise<EmbedCorpusRun> {
  const { log } = options;
  const { spec, modelsDir, fingerprint } = args;
  const { texts, keys } = corpusPassages(data, fingerprint);

  const cache = DiskVectorCache.open({ root: args.cacheDir, fingerprint, dims: spec.dims });
  let embedder: Embedder | null = null;
  const bar = new ProgressBar({ label: 'embedding' });
  let last: EmbedProgress | null = null;
  try {
    const { opened } = cache;
    log(`cache ${cache.dir}: ${opened.rows.toLocaleString('en-US')} vectors (${spec.id} ${spec.dtype}), opened in ${Math.round(opened.ms)} ms`);
    if (opened.droppedBytes > 0) log(`  dropped ${opened.droppedBytes} bytes after the last complete vector (${opened.dropReason}): an interrupted write, embedded again`);
    const missing = new Set(keys.filter((k) => !cache.has(k))).size;
    if (missing > 0) {
      log(`to embed: ${missing.toLocaleString('en-US')} passages; ${spec.id} ${spec.dtype} on onnxruntime-node, ${args.threads} thread(s), batches of ${args.batchSize}`);
      embedder = await createEmbedder({ spec, device: 'cpu', modelBase: modelsDir, threads: args.threads });
    }
    const result = await embedPassages({
      texts,
      keys,
      cache,
      // not loaded when nothing is missing: embedPassages then never calls it
      embedder: embedder ?? { spec, embed: () => Promise.reject(new Error('no passage is missing')) },
      batchSize: args.batchSize,
      signal: options.signal,
      onProgress: (p) => {
        last = p;
        if (missing > 0) bar.update({ done: p.done, total: p.total, cached: p.cached, doneWork: p.doneChars, totalWork: p.totalChars });
      },
    });
    if (missing > 0) bar.finish();
    const rate = result.embedded > 0 ? ` (${(result.embedded / (result.ms / 1000)).toFixed(1)} passages/s)` : '';
    log(`done: ${result.total.toLocaleString('en-US')} passages have vectors; embedded ${result.embedded.toLocaleString('en-US')} in ${formatDuration(result.ms / 1000)}${rate}, ${result.cached.toLocaleString('en-US')} were cached`);
    return { complete: true, total: result.total, cached: result.cached, embedded: result.embedded, cacheDir: cache.dir };
  } catch (err) {
    if (!isAbort(err)) throw err;
    bar.finish();
    const p = last as EmbedProgress | null;
    return { complete: false, total: p?.total ?? 0, cached: p?.cached ?? 0, embedded: p?.embedded ?? 0, cacheDir: cache.dir };
  } finally {
    await embedder?.dispose();
    cache.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const args = parseEmbedCorpusArgs(argv);
  if (args === 'help') {
    console.log(USAGE);
    return 0;
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const stop = new AbortController();
  let stopSignal: NodeJS.Signals | null = null;
  let stopAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    // One Ctrl-C can arrive twice (the terminal signals the whole process group and npm passes it
    // on too), and both wait while a batch runs on this thread: only a later one means "now".
    if (stopSignal && performance.now() - stopAt < 2000) return;
    if (stopSignal) {
      // the cache is whole at every moment (see disk-cache.ts); only the batch in flight is lost
      log(`${signal} again: exiting now; the batch in flight is lost, the cache is whole. Resume with the same command.`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    stopSignal = signal;
    stopAt = performance.now();
    log(`\n${signal}: stopping after the current batch (${signal} again, 2 s or more later, exits at once)…`);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const run = await embedCorpus(args, { signal: stop.signal, log });
  if (run.complete) return 0;
  const done = run.total ? `${(run.cached + run.embedded).toLocaleString('en-US')} of ${run.total.toLocaleString('en-US')} passages have vectors (${run.embedded.toLocaleString('en-US')} embedded by this run)` : 'stopped before the first batch';
  log(`stopped by ${stopSignal}: ${done}. Resume with the same command.`);
  return stopSignal === 'SIGTERM' ? 143 : 130;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      if (err instanceof UsageError) {
        console.error(`embed:corpus: ${err.message}\n${USAGE}`);
        process.exit(2);
      }
      console.error(`embed:corpus: ${err.message}`);
      process.exit(1);
    },
  );
}
