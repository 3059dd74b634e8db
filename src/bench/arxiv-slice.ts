/**
 * Node-only: the arXiv slice the benchmark searches — its corpus (built by the project's own
 * corpus build), its passage vectors (embedded once in Node with the project's embedder) and the
 * queries (titles of papers that are NOT in the slice, so no query is written by hand and none
 * is its own answer). Everything is cached under .cache/bench/ so a second run is fast; the
 * vectors' file name carries the corpus hash and the model fingerprint, so a change of either is
 * a miss, never stale vectors.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { buildCorpus, chunkerSettings } from '../corpus/build';
import { chunkTokenLimit } from '../embed/registry';
import { readCorpusInputs } from '../corpus/node-io';
import type { CorpusData } from '../corpus/types';
import { createEmbedder } from '../embed/embedder';
import { modelFingerprint } from '../embed/model-info';
import { nodeModelsDir, readModelInfo } from '../embed/node';
import type { ModelSpec } from '../embed/registry';
import type { ShardedManifest } from '../format/manifest';
import { readCorpusDir, writeCorpusDir } from '../format/node';
import { writeShardedCorpus } from '../format/write';
import { corpusPassages } from '../search/passage';
import { diskCacheVectors, randomUnitVectors } from './vectors';

export interface ArxivSlice {
  dir: string;
  /** the slice's text-only corpus (format 2); the served copy with vectors is written by the bench */
  manifest: ShardedManifest;
  corpus: CorpusData;
  queries: string[];
}

export interface SliceOptions {
  source: string; // the .jsonl.gz file
  cacheDir: string; // .cache/bench
  papers: number; // rows read into the slice
  queries: number; // distinct titles after the slice
  log?: (line: string) => void;
}

/** Normalised title for "is this query one of the slice's titles" checks. */
function titleKey(t: string): string {
  return t.toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * Reads the first `papers` rows (with a title and an abstract) into <dir>/input/slice.jsonl and
 * the titles of the rows after them as queries. Stops reading once both are complete.
 */
async function sliceRows(opts: SliceOptions, inputFile: string): Promise<string[]> {
  const rows: string[] = [];
  const titles = new Set<string>();
  const queries: string[] = [];
  const stream = createReadStream(opts.source).pipe(createGunzip());
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (!line.trim()) continue;
    let row: { title?: unknown; abstract?: unknown };
    try {
      row = JSON.parse(line);
    } catch {
      throw new Error(`${opts.source}:${lineNo}: not JSON; the bench expects arXiv metadata as JSON Lines (one object per line).`);
    }
    const title = typeof row.title === 'string' ? row.title.replace(/\s+/g, ' ').trim() : '';
    if (!title || typeof row.abstract !== 'string' || !row.abstract.trim()) continue;
    if (rows.length < opts.papers) {
      rows.push(line);
      titles.add(titleKey(title));
    } else if (!titles.has(titleKey(title)) && !queries.some((q) => titleKey(q) === titleKey(title))) {
      queries.push(title);
      if (queries.length >= opts.queries) break;
    }
  }
  stream.destroy();
  if (rows.length < opts.papers || queries.length < opts.queries) {
    throw new Error(`${opts.source}: only ${rows.length} usable rows and ${queries.length} query titles; the bench needs ${opts.papers} + ${opts.queries}.`);
  }
  await mkdir(join(inputFile, '..'), { recursive: true });
  await writeFile(inputFile, rows.join('\n') + '\n');
  return queries;
}

/** The slice's corpus and queries, built on the first run and read from .cache afterwards. */
export async function arxivSlice(opts: SliceOptions): Promise<ArxivSlice> {
  const log = opts.log ?? (() => undefined);
  const dir = join(opts.cacheDir, `arxiv${opts.papers}`);
  const corpusDir = join(dir, 'corpus');
  const queriesFile = join(dir, 'queries.json');
  const manifestFile = join(corpusDir, 'manifest.json');
  const cachedQueries = existsSync(queriesFile) ? (JSON.parse(await readFile(queriesFile, 'utf8')) as string[]) : [];
  // format 1 (corpus.<hash>.json) or no corpus yet: build it
  const current = existsSync(manifestFile) && (JSON.parse(await readFile(manifestFile, 'utf8')) as { format?: number }).format === 2;
  if (!current || cachedQueries.length < opts.queries) {
    log(`building the arXiv slice (${opts.papers} rows of ${opts.source}) in ${dir}`);
    const inputFile = join(dir, 'input', `arxiv${opts.papers}.jsonl`);
    const queries = await sliceRows(opts, inputFile);
    const options = { source: `arxiv${opts.papers}`, maxTokens: chunkTokenLimit() };
    chunkerSettings(options);
    const { data } = buildCorpus(await readCorpusInputs([inputFile]), options);
    await writeCorpusDir(corpusDir, writeShardedCorpus(data, options.source));
    await writeFile(queriesFile, JSON.stringify(queries, null, 1));
  }
  const { manifest, data: corpus } = await readCorpusDir(corpusDir);
  const queries = JSON.parse(await readFile(queriesFile, 'utf8')) as string[];
  return { dir, manifest, corpus, queries };
}

export interface SliceVectors {
  /** chunks.length * dims floats, row order = corpus chunk order */
  vectors: Float32Array;
  /** 'node': every vector embedded by the model; 'random': unit vectors standing in (see below) */
  source: 'node' | 'random';
  /** passages embedded so far (all of them when source is 'node') */
  embedded: number;
}

/** Passages per part file: progress survives an interrupted run at this granularity. */
const PART = 1024;

/**
 * The slice's passage vectors, embedded in Node with the project's embedder and cached as raw
 * float32 in parts of PART passages, so an interrupted run resumes where it stopped. Embedding
 * stops starting new parts after `budgetMs`; if the vectors are then incomplete, random unit
 * vectors stand in for all of them (source 'random'): they cost the same to store, load and rank,
 * so the timings and sizes hold, but the rankings mean nothing; the next run continues embedding.
 */
export async function sliceVectors(slice: ArxivSlice, spec: ModelSpec, options: { budgetMs?: number; vectorCache?: string; log?: (line: string) => void } = {}): Promise<SliceVectors> {
  const log = options.log ?? (() => undefined);
  const info = await readModelInfo(nodeModelsDir(), spec);
  if (options.vectorCache) {
    // the project's Node vector cache (npm run embed:corpus) may hold the slice's passages already
    const cached = await diskCacheVectors(slice.corpus, spec, info, options.vectorCache);
    log(`arXiv slice vectors: ${cached.note}`);
    if (cached.flat) return { vectors: cached.flat, source: 'node', embedded: slice.corpus.chunks.length };
  }
  const fp = createHash('sha256').update(modelFingerprint(spec, info)).digest('hex').slice(0, 16);
  const stem = join(slice.dir, `vectors.${slice.manifest.hash.slice(0, 16)}.${fp}.title-chunk`);
  const file = `${stem}.f32`;
  const rows = slice.corpus.chunks.length;
  const want = rows * spec.dims * 4;
  if (existsSync(file)) {
    const bytes = await readFile(file);
    if (bytes.byteLength === want) return { vectors: new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4), source: 'node', embedded: rows };
    log(`${file}: ${bytes.byteLength} bytes, expected ${want}; embedding again`);
  }
  const out = new Float32Array(rows * spec.dims);
  const parts = Math.ceil(rows / PART);
  const missing: number[] = [];
  for (let p = 0; p < parts; p++) {
    const partFile = `${stem}.part${p}.f32`;
    const size = (Math.min(rows, (p + 1) * PART) - p * PART) * spec.dims * 4;
    const bytes = existsSync(partFile) ? await readFile(partFile) : null;
    if (bytes && bytes.byteLength === size) out.set(new Float32Array(bytes.buffer, bytes.byteOffset, size / 4), p * PART * spec.dims);
    else missing.push(p);
  }
  const budget = options.budgetMs ?? Infinity;
  if (missing.length > 0 && budget > 0) {
    log(`embedding ${rows} arXiv passages in Node: ${missing.length} of ${parts} parts to go (cached in ${slice.dir})`);
    const embedder = await createEmbedder({ spec, device: 'cpu', modelBase: nodeModelsDir() });
    // what the app embeds for each chunk (title + chunk), so the preloaded vectors are the app's
    const passages = corpusPassages(slice.corpus, 'bench').texts;
    const t0 = performance.now();
    try {
      while (missing.length > 0 && performance.now() - t0 < budget) {
        const p = missing[0];
        const texts = passages.slice(p * PART, (p + 1) * PART);
        const vectors = await embedder.embed(texts, 'passage');
        const partFile = `${stem}.part${p}.f32`;
        await writeFile(`${partFile}.tmp-${process.pid}`, new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength));
        await rename(`${partFile}.tmp-${process.pid}`, partFile);
        out.set(vectors, p * PART * spec.dims);
        missing.shift();
        log(`  part ${p + 1}/${parts} done, ${parts - missing.length}/${parts} in all, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      }
    } finally {
      await embedder.dispose();
    }
  }
  if (missing.length > 0) {
    const embedded = rows - missing.reduce((n, p) => n + Math.min(PART, rows - p * PART), 0);
    log(`arXiv vectors incomplete (${embedded}/${rows} embedded): random unit vectors stand in; run again to continue embedding`);
    return { vectors: randomUnitVectors(rows, spec.dims), source: 'random', embedded };
  }
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, new Uint8Array(out.buffer));
  await rename(tmp, file);
  for (let p = 0; p < parts; p++) await rm(`${stem}.part${p}.f32`, { force: true });
  return { vectors: out, source: 'node', embedded: rows };
}
