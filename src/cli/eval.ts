/**
 * Retrieval quality on a BEIR-format dataset with the project's own code end to end:
 * corpus build (src/corpus), embedder (src/embed), ranking (src/search).
 *
 *   npm run eval -- --dataset <BEIR folder> [--split test] [--json out.json] [--run-dir dir]
 *                   [--limit-queries N] [--compare] [--sizes 15,150,1500] [--draws 5]
 *                   [--seed-questions file] [--fusions]
 *   npm run eval -- --recommend [--dataset …] [--json out.json]   (see eval-recommend.ts)
 *
 * Prints nDCG@10, Recall@10, Recall@100, MRR@10 for dense, bm25 and hybrid; writes TREC run
 * files (<run-dir>/<dataset>-<split>-<method>.trec, default .cache/eval/runs); --json writes the
 * metrics; --compare also prints the options the defaults were chosen from (use it on train).
 * Also nDCG@10 per corpus size (sub-corpora, eval-sizes.ts) and per method, and top-1 / MRR on
 * plain-language questions about the seed papers (eval-seeds.ts); --fusions adds the candidate
 * fusions the default was chosen from to both tables.
 * Vectors are cached in .cache/eval/<dataset>-<fingerprint>.{f32,keys}, keyed by the model
 * fingerprint and the hash of each embedded text, so a second run embeds nothing.
 */

import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Chunk, ChunkerSettings, CorpusData, Paper } from '../corpus/types.ts';
import type { Embedder } from '../embed/embedder.ts';
import { DEFAULT_LEXICAL_QUERY, SearchEngine, type EngineSettings, type PaperHit, type SearchMode } from '../search/engine.ts';
import { describeFusion, DEFAULT_FUSION, type Fusion } from '../search/fusion.ts';
import { DEFAULT_LEXICAL } from '../search/lexical.ts';
import { evaluateRun, parseQrels, type MetricSet, type Qrels } from '../search/metrics.ts';
import { passageText, DEFAULT_PASSAGES, type PassageMode } from '../search/passage.ts';
import { describeAggregation, DEFAULT_AGGREGATION, type Aggregation } from '../search/rank.ts';
import { VectorMatrix } from '../search/vectors.ts';
import { QuantMatrix } from '../search/quant-matrix.ts';
import { quantise } from '../format/quantise.ts';
import { DEFAULT_BITS } from '../format/write.ts';
import { evaluateSeedQuestions, formatSeedTable, readSeedQuestions, type SeedRow } from './eval-seeds.ts';
import { evaluateSizes, formatSizeTable, type SizeMethod, type SizeRow } from './eval-sizes.ts';

export interface EvalArgs {
  dataset: string;
  split: string;
  json?: string;
  runDir: string;
  limitQueries?: number;
  compare: boolean;
  /** passage modes --compare embeds and compares (default all) */
  compareModes?: PassageMode[];
  cacheDir: string;
  /** sub-corpus sizes (papers) for the by-size table; [] = none */
  sizes: number[];
  draws: number;
  /** seed questions fixture and the folder of seed papers ('' = skip) */
  seedQuestions: string;
  seeds: string;
  /** vector cache of the seed passages and questions */
  seedCacheDir: string;
  /** add the candidate fusions to the by-size and seed tables */
  fusions: boolean;
}

const USAGE =
  'Usage: npm run eval -- --dataset <BEIR folder> [--split test] [--json out.json] [--run-dir dir] [--limit-queries N] [--compare [--compare-modes chunk,title+chunk,whole]] [--sizes 15,150,1500] [--draws 5] [--seed-questions file|none] [--seeds folder] [--fusions]';

export function parseArgs(argv: string[]): EvalArgs {
  const args: Partial<EvalArgs> = { split: 'test', compare: false, fusions: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value. ${USAGE}`);
      return v;
    };
    if (a === '--dataset') args.dataset = value();
    else if (a === '--split') args.split = value();
    else if (a === '--json') args.json = value();
    else if (a === '--run-dir') args.runDir = value();
    else if (a === '--cache-dir') args.cacheDir = value();
    else if (a === '--compare') args.compare = true;
    else if (a === '--fusions') args.fusions = true;
    else if (a === '--seed-questions') args.seedQuestions = value();
    else if (a === '--seeds') args.seeds = value();
    else if (a === '--seed-cache-dir') args.seedCacheDir = value();
    else if (a === '--sizes') {
      const v = value();
      const sizes = v === 'none' ? [] : v.split(',').map(Number);
      if (sizes.some((n) => !Number.isInteger(n) || n < 2)) throw new Error(`--sizes takes comma-separated paper counts >= 2 (or none), got "${v}".`);
      args.sizes = sizes;
    } else if (a === '--draws') {
      const n = Number(value());
      if (!Number.isInteger(n) || n <= 0) throw new Error(`--draws must be a positive integer, got "${argv[i]}".`);
      args.draws = n;
    }
    else if (a === '--compare-modes') {
      const modes = value().split(',') as PassageMode[];
      const bad = modes.find((m) => !['chunk', 'title+chunk', 'whole'].includes(m));
      if (bad) throw new Error(`--compare-modes takes chunk, title+chunk and/or whole, got "${bad}".`);
      args.compareModes = modes;
    }
    else if (a === '--limit-queries') {
      const n = Number(value());
      if (!Number.isInteger(n) || n <= 0) throw new Error(`--limit-queries must be a positive integer, got "${argv[i]}".`);
      args.limitQueries = n;
    } else throw new Error(`Unknown argument "${a}". ${USAGE}`);
  }
  if (!args.dataset) throw new Error(`--dataset is required. ${USAGE}`);
  return {
    dataset: args.dataset,
    split: args.split!,
    json: args.json,
    runDir: args.runDir ?? join('.cache', 'eval', 'runs'),
    limitQueries: args.limitQueries,
    compare: args.compare!,
    compareModes: args.compareModes,
    cacheDir: args.cacheDir ?? join('.cache', 'eval'),
    sizes: args.sizes ?? [15, 150, 1500],
    draws: args.draws ?? 5,
    seedQuestions: args.seedQuestions === 'none' ? '' : (args.seedQuestions ?? join('tests', 'fixtures', 'seed-questions.json')),
    seeds: args.seeds ?? 'seeds',
    seedCacheDir: args.seedCacheDir ?? join('.cache', 'eval'),
    fusions: args.fusions!,
  };
}

/** The corpus build's contract (src/corpus, see notes/CONTEXT.md). */
export type BuildCorpus = (
  files: { path: string; bytes: Uint8Array }[],
  options?: Partial<ChunkerSettings> & { source?: string },
) => { data: CorpusData; report: unknown };

// ---- dataset --------------------------------------------------------------------------------------

export interface BeirDataset {
  name: string;
  corpusFile: string;
  corpusBytes: Uint8Array;
  /** BEIR _id of each line of corpus.jsonl (1-based line -> id), for papers merged by the build. */
  idOfLine: Map<number, string>;
  queries: { id: string; text: string }[];
  qrels: Qrels;
}

export function readBeir(dir: string, split: string, limitQueries?: number): BeirDataset {
  const corpusFile = join(dir, 'corpus.jsonl');
  const queriesFile = join(dir, 'queries.jsonl');
  const qrelsFile = join(dir, 'qrels', `${split}.tsv`);
  for (const f of [corpusFile, queriesFile, qrelsFile]) {
    if (!existsSync(f)) throw new Error(`${f} not found: --dataset must be a BEIR folder with corpus.jsonl, queries.jsonl and qrels/${split}.tsv.`);
  }
  const corpusBytes = readFileSync(corpusFile);
  const idOfLine = new Map<number, string>();
  corpusBytes
    .toString('utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      try {
        idOfLine.set(i + 1, String(JSON.parse(line)._id));
      } catch (err) {
        throw new Error(`${corpusFile}:${i + 1}: not valid JSON (${(err as Error).message}).`);
      }
    });
  let qrels = parseQrels(readFileSync(qrelsFile, 'utf8'), qrelsFile);
  const allQueries = new Map<string, string>();
  readFileSync(queriesFile, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      let q: { _id: unknown; text: unknown };
      try {
        q = JSON.parse(line);
      } catch (err) {
        throw new Error(`${queriesFile}:${i + 1}: not valid JSON (${(err as Error).message}).`);
      }
      allQueries.set(String(q._id), String(q.text));
    });
  const missing = [...qrels.keys()].filter((id) => !allQueries.has(id));
  if (missing.length) throw new Error(`${qrelsFile}: ${missing.length} query ids are not in ${queriesFile} (first: ${missing[0]}).`);
  if (limitQueries) qrels = new Map([...qrels].slice(0, limitQueries));
  const queries = [...qrels.keys()].map((id) => ({ id, text: allQueries.get(id)! }));
  return { name: basename(resolve(dir)), corpusFile, corpusBytes, idOfLine, queries, qrels };
}

/**
 * BEIR ids of each paper: its own id plus those of the records the build merged into it
 * (alsoIn), so a ranking lists every original document as a system without de-duplication would.
 */
export function beirIdsOfPapers(data: CorpusData, ds: BeirDataset): string[][] {
  const file = basename(ds.corpusFile);
  return data.papers.map((p) => {
    const ids = [p.id];
    for (const ref of p.alsoIn ?? []) {
      const id = basename(ref.file) === file ? ds.idOfLine.get(ref.line) : undefined;
      if (id === undefined) throw new Error(`Paper ${p.id} lists a duplicate at ${ref.file}:${ref.line}, which is not a record of ${ds.corpusFile}.`);
      if (!ids.includes(id)) ids.push(id);
    }
    return ids;
  });
}

// ---- vector cache ---------------------------------------------------------------------------------

/**
 * Append-only cache of vectors on disk: <name>.f32 (rows) and <name>.keys (one key a line, key =
 * sha256 of kind + text). A row is valid only for the model fingerprint in the file name.
 */
export class VectorCache {
  private readonly rowsFile: string;
  private readonly keysFile: string;
  private readonly index = new Map<string, number>();
  private data: Float32Array;
  private rows = 0;

  constructor(dir: string, name: string, readonly fingerprint: string, readonly dims: number) {
    mkdirSync(dir, { recursive: true });
    const fp = createHash('sha256').update(fingerprint).digest('hex').slice(0, 16);
    this.rowsFile = join(dir, `${name}-${fp}.f32`);
    this.keysFile = join(dir, `${name}-${fp}.keys`);
    this.data = new Float32Array(0);
    if (existsSync(this.rowsFile) && existsSync(this.keysFile)) {
      const bytes = readFileSync(this.rowsFile);
      const keys = readFileSync(this.keysFile, 'utf8').split('\n').filter(Boolean);
      // A run killed between the two appends leaves rows without keys or keys without rows: use the complete prefix.
      const complete = Math.min(keys.length, Math.floor(bytes.byteLength / (dims * 4)));
      this.data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + complete * dims * 4));
      keys.slice(0, complete).forEach((k, i) => this.index.set(k, i));
      this.rows = complete;
      if (complete < keys.length || complete * dims * 4 < bytes.byteLength) {
        // rewrite so later appends line up
        writeFileSync(this.rowsFile, new Uint8Array(this.data.buffer));
        writeFileSync(this.keysFile, keys.slice(0, complete).join('\n') + (complete ? '\n' : ''));
      }
    }
  }

  static key(kind: 'query' | 'passage', text: string): string {
    return createHash('sha256').update(`${kind}\u0000${text}`).digest('hex').slice(0, 32);
  }

  get size(): number {
    return this.rows;
  }

  /** Vectors of `texts` (row-major, one Float32Array), embedding and storing the ones not cached. */
  async vectors(
    texts: string[],
    kind: 'query' | 'passage',
    embedder: () => Promise<Embedder>,
    progress?: (done: number, total: number, cached: number) => void,
  ): Promise<{ vectors: Float32Array; embedded: number }> {
    const keys = texts.map((t) => VectorCache.key(kind, t));
    const missing: number[] = [];
    const seen = new Set<string>();
    keys.forEach((k, i) => {
      if (!this.index.has(k) && !seen.has(k)) {
        missing.push(i);
        seen.add(k);
      }
    });
    const cached = texts.length - missing.length;
    progress?.(cached, texts.length, cached);
    const STEP = 256;
    for (let s = 0; s < missing.length; s += STEP) {
      const part = missing.slice(s, s + STEP);
      const emb = await embedder();
      const vecs = await emb.embed(part.map((i) => texts[i]), kind, {
        onProgress: (done) => progress?.(cached + s + done, texts.length, cached),
      });
      if (vecs.length !== part.length * this.dims) throw new Error(`Embedder returned ${vecs.length} floats for ${part.length} texts of ${this.dims} dims.`);
      appendFileSync(this.rowsFile, new Uint8Array(vecs.buffer, vecs.byteOffset, vecs.byteLength));
      appendFileSync(this.keysFile, part.map((i) => keys[i]).join('\n') + '\n');
      const needed = (this.rows + part.length) * this.dims;
      if (needed > this.data.length) {
        // doubling: appending 13,838 SciFact passages 256 at a time copied ~0.6 GB when each
        // append copied everything before it
        const grown = new Float32Array(Math.max(needed, this.data.length * 2));
        grown.set(this.data.subarray(0, this.rows * this.dims));
        this.data = grown;
      }
      this.data.set(vecs, this.rows * this.dims);
      part.forEach((i, j) => this.index.set(keys[i], this.rows + j));
      this.rows += part.length;
    }
    const out = new Float32Array(texts.length * this.dims);
    keys.forEach((k, i) => {
      const r = this.index.get(k)!;
      out.set(this.data.subarray(r * this.dims, (r + 1) * this.dims), i * this.dims);
    });
    return { vectors: out, embedded: missing.length };
  }
}

// ---- ranking --------------------------------------------------------------------------------------

export type Method = 'dense' | 'bm25' | 'hybrid';
const MODE: Record<Method, SearchMode> = { dense: 'semantic', bm25: 'keyword', hybrid: 'hybrid' };

export interface RunResult {
  /** query id -> BEIR ids, best first */
  ranking: Map<string, string[]>;
  /** query id -> scores aligned with ranking */
  scores: Map<string, number[]>;
  ms: number;
}

/** Ranks every query with the engine (top 100 papers, as Recall@100 needs). */
export function rankQueries(
  engine: SearchEngine,
  method: Method,
  queries: { id: string; text: string }[],
  queryVectors: Float32Array | null,
  beirIds: string[][],
  paperIndex: Map<Paper, number>,
  depth = 100,
): RunResult {
  const ranking = new Map<string, string[]>();
  const scores = new Map<string, number[]>();
  const dims = engine.matrix?.dims ?? 0;
  const t0 = performance.now();
  queries.forEach((q, i) => {
    const vector = queryVectors && method !== 'bm25' ? queryVectors.subarray(i * dims, (i + 1) * dims) : undefined;
    const hits: PaperHit[] = engine.search({ text: q.text, vector }, { mode: MODE[method], k: depth });
    const ids: string[] = [];
    const sc: number[] = [];
    for (const h of hits) {
      for (const id of beirIds[paperIndex.get(h.paper)!]) {
        ids.push(id);
        sc.push(h.score);
      }
    }
    ranking.set(q.id, ids.slice(0, depth));
    scores.set(q.id, sc.slice(0, depth));
  });
  return { ranking, scores, ms: performance.now() - t0 };
}

export function trecRun(run: RunResult, tag: string): string {
  const lines: string[] = [];
  for (const [qid, ids] of run.ranking) {
    const sc = run.scores.get(qid)!;
    ids.forEach((id, i) => lines.push(`${qid} Q0 ${id} ${i + 1} ${sc[i].toFixed(6)} ${tag}`));
  }
  return lines.join('\n') + '\n';
}

/** One document per paper: title + abstract as a single passage (how MTEB embeds SciFact). */
export function wholePaperCorpus(data: CorpusData): CorpusData {
  const chunks: Chunk[] = data.papers.map((p) => ({
    id: `${p.id}#whole`,
    paperId: p.id,
    index: 0,
    text: p.abstract,
    start: 0,
    end: p.abstract.length,
    hash: '',
  }));
  return { chunker: data.chunker, papers: data.papers, chunks };
}

// ---- the run --------------------------------------------------------------------------------------

export interface EvalDeps {
  buildCorpus: BuildCorpus;
  /** Loads the embedder (lazily: a fully cached run never loads the model). */
  embedder: () => Promise<Embedder>;
  model: { id: string; dtype: string; dims: number; fingerprint: string };
  log: (line: string) => void;
  progress: (label: string, done: number, total: number) => void;
  /** Reads a folder of source files (the seed papers); without it the seed questions are skipped. */
  readFolder?: (folder: string) => Promise<{ path: string; bytes: Uint8Array }[]>;
}

export interface EvalReport {
  dataset: string;
  split: string;
  model: string;
  dtype: string;
  methods: Record<Method, MetricSet>;
  settings: Record<string, string>;
  queries: number;
  papers: number;
  chunks: number;
  embedded: number;
  timings: Record<string, number>;
  comparisons?: ComparisonRow[];
  /** dense and hybrid ranked as the page ranks shipped vectors (int codes, QuantMatrix) */
  quantised?: { kind: string; methods: Record<'dense' | 'hybrid', MetricSet> };
  /** nDCG@10 per corpus size and method (sub-corpora averaged over draws) */
  bySize?: SizeRow[];
  /** top-1 / MRR per method on the seed questions */
  seedQuestions?: SeedRow[];
}

export interface ComparisonRow {
  group: string;
  option: string;
  metrics: MetricSet;
}

export async function runEval(args: EvalArgs, deps: EvalDeps): Promise<EvalReport> {
  const t0 = performance.now();
  const ds = readBeir(args.dataset, args.split, args.limitQueries);
  const { data, report } = deps.buildCorpus([{ path: basename(ds.corpusFile), bytes: new Uint8Array(ds.corpusBytes) }], { source: ds.name });
  deps.log(`corpus: ${data.papers.length} papers, ${data.chunks.length} chunks from ${ds.idOfLine.size} records (${summariseBuild(report)})`);
  const beirIds = beirIdsOfPapers(data, ds);
  const reachable = beirIds.reduce((n, ids) => n + ids.length, 0);
  if (reachable < ds.idOfLine.size) {
    deps.log(`note: ${ds.idOfLine.size - reachable} corpus records are not in the built corpus (skipped by the build, see its report) and cannot be retrieved`);
  }
  const paperIndex = new Map(data.papers.map((p, i) => [p, i]));
  const timings: Record<string, number> = { buildMs: performance.now() - t0 };

  const cache = new VectorCache(args.cacheDir, ds.name, deps.model.fingerprint, deps.model.dims);
  let embedded = 0;
  const embed = async (label: string, texts: string[], kind: 'query' | 'passage') => {
    const t = performance.now();
    const r = await cache.vectors(texts, kind, deps.embedder, (done, total) => deps.progress(label, done, total));
    embedded += r.embedded;
    timings[`embed:${label}Ms`] = performance.now() - t;
    deps.log(`${label}: ${texts.length} vectors (${texts.length - r.embedded} cached, ${r.embedded} embedded) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    return r.vectors;
  };

  const queryVectors = await embed('queries', ds.queries.map((q) => q.text), 'query');
  const passages = async (mode: PassageMode) => {
    const corpus = mode === 'whole' ? wholePaperCorpus(data) : data;
    const papers = new Map(corpus.papers.map((p) => [p.id, p]));
    const texts = corpus.chunks.map((c) => passageText(papers.get(c.paperId)!, c, mode));
    const vectors = await embed(`passages(${mode})`, texts, 'passage');
    return { corpus, matrix: VectorMatrix.fromFlat(vectors, deps.model.dims) };
  };

  const main = await passages(DEFAULT_PASSAGES);
  const engine = new SearchEngine(main.corpus, main.matrix);
  const t1 = performance.now();
  void engine.lexical; // build the BM25 index outside the timed query loop
  timings.bm25IndexMs = performance.now() - t1;
  const methods = {} as Record<Method, MetricSet>;
  mkdirSync(args.runDir, { recursive: true });
  for (const method of ['dense', 'bm25', 'hybrid'] as Method[]) {
    const run = rankQueries(engine, method, ds.queries, queryVectors, beirIds, paperIndex);
    const { queries: _n, ...metrics } = evaluateRun(run.ranking, ds.qrels);
    methods[method] = metrics;
    timings[`rank:${method}MsPerQuery`] = run.ms / ds.queries.length;
    writeFileSync(join(args.runDir, `${ds.name}-${args.split}-${method}.trec`), trecRun(run, `paperscope-${method}`));
  }
  const quantised = shippedVectorMetrics(main.corpus, main.matrix, ds, queryVectors, beirIds, paperIndex);

  const result: EvalReport = {
    dataset: ds.name,
    split: args.split,
    model: deps.model.id,
    dtype: deps.model.dtype,
    methods,
    quantised,
    settings: {
      passages: DEFAULT_PASSAGES,
      aggregation: describeAggregation(DEFAULT_AGGREGATION),
      fusion: describeFusion(DEFAULT_FUSION),
      bm25: JSON.stringify(DEFAULT_LEXICAL),
      lexicalQuery: JSON.stringify(DEFAULT_LEXICAL_QUERY),
    },
    queries: ds.queries.length,
    papers: data.papers.length,
    chunks: data.chunks.length,
    embedded,
    timings,
  };

  const sizeMethods = methodsBySize(args.fusions);
  if (args.sizes.length || args.fusions) {
    const t = performance.now();
    result.bySize = evaluateSizes({
      data: main.corpus,
      matrix: main.matrix,
      queries: ds.queries,
      queryVectors,
      qrels: ds.qrels,
      beirIds,
      sizes: args.sizes,
      draws: args.draws,
      methods: sizeMethods,
      log: deps.log,
    });
    timings.bySizeMs = performance.now() - t;
  }
  if (args.seedQuestions && deps.readFolder) {
    result.seedQuestions = await seedQuestionRows(args, deps, sizeMethods);
  }

  if (args.compare) {
    result.comparisons = await compare(ds, data, beirIds, paperIndex, queryVectors, passages, deps, args.compareModes);
  }
  timings.totalMs = performance.now() - t0;
  return result;
}

/** The methods of the by-size and seed tables: the three the app offers, plus with --fusions the candidates. */
export function methodsBySize(candidates: boolean): SizeMethod[] {
  const base: SizeMethod[] = [
    { name: 'dense', kind: 'dense' },
    { name: 'bm25', kind: 'bm25' },
    { name: 'hybrid', kind: 'hybrid' },
  ];
  if (!candidates) return base;
  const keep = { dropQuestionWords: false };
  const drop = { dropQuestionWords: true };
  const convex = (alpha: number, dense: 'minmax' | 'zscore' | 'cosine', lexical: 'minmax' | 'zscore' | 'ideal' | 'corpus'): Fusion => ({ kind: 'convex', alpha, depth: 100, dense, lexical });
  const named = (fusion: Fusion, lq: { dropQuestionWords: boolean }): SizeMethod => ({
    name: `${describeFusion(fusion)}${lq.dropQuestionWords ? ' -q' : ''}`,
    kind: 'hybrid',
    fusion,
    lexicalQuery: lq,
  });
  return [
    ...base,
    { name: 'bm25 (question words kept)', kind: 'bm25', lexicalQuery: keep },
    named(convex(0.5, 'minmax', 'minmax'), keep),
    named(convex(0.5, 'minmax', 'minmax'), drop),
    named({ kind: 'rrf', k: 60, depth: 100 }, drop),
    named({ kind: 'rrf', k: 10, depth: 100 }, drop),
    named(convex(0.5, 'zscore', 'zscore'), drop),
    ...[0.3, 0.5, 0.7].map((a) => named(convex(a, 'minmax', 'ideal'), drop)),
    ...[0.3, 0.5, 0.7].map((a) => named(convex(a, 'minmax', 'corpus'), drop)),
    ...[0.5, 0.6, 0.65, 0.7, 0.75, 0.9].map((a) => named(convex(a, 'cosine', 'ideal'), drop)),
    named(convex(0.65, 'cosine', 'ideal'), keep),
    ...[0.5, 0.6, 0.7, 0.9].map((a) => named(convex(a, 'cosine', 'corpus'), drop)),
  ];
}

async function seedQuestionRows(args: EvalArgs, deps: EvalDeps, methods: SizeMethod[]): Promise<SeedRow[]> {
  const questions = readSeedQuestions(args.seedQuestions);
  const { data } = deps.buildCorpus(await deps.readFolder!(args.seeds), { source: 'seeds' });
  const cache = new VectorCache(args.seedCacheDir, 'seeds', deps.model.fingerprint, deps.model.dims);
  const papers = new Map(data.papers.map((p) => [p.id, p]));
  const passages = await cache.vectors(data.chunks.map((c) => passageText(papers.get(c.paperId)!, c)), 'passage', deps.embedder);
  const qv = await cache.vectors(questions.map((q) => q.question), 'query', deps.embedder);
  const engine = new SearchEngine(data, VectorMatrix.fromFlat(passages.vectors, deps.model.dims));
  const rows = evaluateSeedQuestions(engine, questions, qv.vectors, methods);
  deps.log(`seed questions: ${questions.length} over ${data.papers.length} papers (${args.seedQuestions})`);
  return rows;
}

const AGGREGATIONS: Aggregation[] = [
  { kind: 'max' },
  { kind: 'max-plus-second', weight: 0.1 },
  { kind: 'max-plus-second', weight: 0.25 },
  { kind: 'top2-mean' },
  { kind: 'mean' },
];

const FUSIONS: Fusion[] = [
  ...[10, 30, 60, 100].map((k): Fusion => ({ kind: 'rrf', k, depth: 100 })),
  { kind: 'rrf', k: 60, depth: 1000 },
  { kind: 'rrf', k: 60, depth: 100, denseWeight: 1, lexicalWeight: 0.5 },
  { kind: 'rrf', k: 60, depth: 100, denseWeight: 0.5, lexicalWeight: 1 },
  ...[0.3, 0.4, 0.5, 0.6, 0.7].map((alpha): Fusion => ({ kind: 'convex', alpha, depth: 100 })),
];

async function compare(
  ds: BeirDataset,
  data: CorpusData,
  beirIds: string[][],
  paperIndex: Map<Paper, number>,
  queryVectors: Float32Array,
  passages: (mode: PassageMode) => Promise<{ corpus: CorpusData; matrix: VectorMatrix }>,
  deps: EvalDeps,
  modes: PassageMode[] = ['chunk', 'title+chunk', 'whole'],
): Promise<ComparisonRow[]> {
  const rows: ComparisonRow[] = [];
  const score = (group: string, option: string, settings: EngineSettings, method: Method, corpus: CorpusData, matrix: VectorMatrix) => {
    const engine = new SearchEngine(corpus, matrix, settings);
    const run = rankQueries(engine, method, ds.queries, queryVectors, beirIds, paperIndex);
    const { queries: _n, ...metrics } = evaluateRun(run.ranking, ds.qrels);
    rows.push({ group, option, metrics });
    deps.log(`${group.padEnd(34)} ${option.padEnd(36)} ${formatMetrics(metrics)}`);
  };
  if (!modes.includes(DEFAULT_PASSAGES)) modes = [...modes, DEFAULT_PASSAGES];
  const built = new Map<PassageMode, { corpus: CorpusData; matrix: VectorMatrix }>();
  for (const mode of modes) built.set(mode, await passages(mode));
  for (const mode of modes) {
    const { corpus, matrix } = built.get(mode)!;
    const aggs = mode === 'whole' ? [AGGREGATIONS[0]] : AGGREGATIONS;
    for (const aggregation of aggs) score('dense: passages x aggregation', `${mode} / ${describeAggregation(aggregation)}`, { aggregation }, 'dense', corpus, matrix);
  }
  const main = built.get(DEFAULT_PASSAGES)!;
  for (const fusion of FUSIONS) score(`hybrid: fusion (${DEFAULT_PASSAGES})`, describeFusion(fusion), { fusion }, 'hybrid', main.corpus, main.matrix);

  // "More like this" has no labels of its own; as a proxy, papers relevant to the same claim
  // should be similar: from each such paper, rank the others (qrels = the claim's other papers).
  const paperOfBeir = new Map<string, string>();
  beirIds.forEach((ids, p) => ids.forEach((id) => paperOfBeir.set(id, data.papers[p].id)));
  for (const similar of ['mean', 'max'] as const) {
    const engine = new SearchEngine(main.corpus, main.matrix, { similar });
    const run = new Map<string, string[]>();
    const qrels: Qrels = new Map();
    for (const [qid, rels] of ds.qrels) {
      const relevant = [...rels].filter(([, g]) => g > 0).map(([id]) => id);
      if (relevant.length < 2) continue;
      for (const from of relevant) {
        const pid = paperOfBeir.get(from);
        if (!pid) continue;
        const key = `${qid}:${from}`;
        qrels.set(key, new Map(relevant.filter((id) => id !== from).map((id) => [id, 1])));
        run.set(key, engine.moreLikeThis(pid, { k: 100 }).flatMap((h) => beirIds[paperIndex.get(h.paper)!]));
      }
    }
    const { queries: n, ...metrics } = evaluateRun(run, qrels);
    rows.push({ group: 'more like this (co-relevant papers)', option: `${similar} (${n} seeds)`, metrics });
    deps.log(`${'more like this (co-relevant)'.padEnd(34)} ${`${similar} (${n} seeds)`.padEnd(36)} ${formatMetrics(metrics)}`);
  }
  return rows;
}

function summariseBuild(report: unknown): string {
  if (!report || typeof report !== 'object') return 'no build report';
  const r = report as Record<string, unknown>;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(r)) {
    if (typeof v === 'number') parts.push(`${k} ${v}`);
    else if (Array.isArray(v)) parts.push(`${k} ${v.length}`);
  }
  return parts.join(', ') || 'ok';
}

export function formatMetrics(m: MetricSet): string {
  return `nDCG@10 ${m['ndcg@10'].toFixed(4)}  R@10 ${m['recall@10'].toFixed(4)}  R@100 ${m['recall@100'].toFixed(4)}  MRR@10 ${m['mrr@10'].toFixed(4)}`;
}

export function formatTable(r: EvalReport): string {
  const lines = [
    `${r.dataset} / ${r.split} (${r.queries} queries, ${r.papers} papers, ${r.chunks} chunks) — ${r.model} ${r.dtype}`,
    `method          nDCG@10  Recall@10  Recall@100  MRR@10`,
  ];
  const row = (name: string, m: MetricSet, note = '') =>
    lines.push(`${name.padEnd(15)} ${m['ndcg@10'].toFixed(4)}   ${m['recall@10'].toFixed(4)}     ${m['recall@100'].toFixed(4)}      ${m['mrr@10'].toFixed(4)}${note}`);
  for (const [name, m] of Object.entries(r.methods)) row(name, m);
  if (r.quantised) {
    for (const [name, m] of Object.entries(r.quantised.methods)) {
      const base = r.methods[name as Method]['ndcg@10'];
      row(`${name} (${r.quantised.kind})`, m, `   (${((m['ndcg@10'] / base) * 100).toFixed(1)}% of float32 nDCG@10)`);
    }
  }
  return lines.join('\n');
}

/**
 * Dense and hybrid with the vectors as the page ranks a corpus built with --vectors: quantised by
 * the format's writer (DEFAULT_BITS) and scored by QuantMatrix. The float32 rows are the Node
 * embedder's, so this is exactly the shipped path's ranking.
 */
export function shippedVectorMetrics(
  corpus: CorpusData,
  matrix: VectorMatrix,
  ds: BeirDataset,
  queryVectors: Float32Array,
  beirIds: string[][],
  paperIndex: Map<Paper, number>,
): NonNullable<EvalReport['quantised']> {
  const block = quantise(matrix.data, matrix.dims, DEFAULT_BITS);
  const q = new QuantMatrix(matrix.dims, matrix.count, { bits: DEFAULT_BITS });
  for (let r = 0; r < matrix.count; r++) q.setCodes(r, block.codes, r * block.rowBytes);
  const engine = new SearchEngine(corpus, q);
  const methods = {} as Record<'dense' | 'hybrid', MetricSet>;
  for (const method of ['dense', 'hybrid'] as const) {
    const { queries: _n, ...metrics } = evaluateRun(rankQueries(engine, method, ds.queries, queryVectors, beirIds, paperIndex).ranking, ds.qrels);
    methods[method] = metrics;
  }
  return { kind: `int${DEFAULT_BITS}`, methods };
}

// ---- CLI ------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  // --recommend: which "Recommended from your list" method to ship (src/cli/eval-recommend.ts)
  if (process.argv.includes('--recommend')) return (await import('./eval-recommend.ts')).mainRecommend(process.argv.slice(2));
  const args = parseArgs(process.argv.slice(2));
  const [{ buildCorpus }, { createEmbedder }, { nodeModelsDir, readModelInfo }, { modelFingerprint }, { activeModelId, chunkTokenLimit, getModel }, { readCorpusFolder }] = await Promise.all([
    import('../corpus/build.ts'),
    import('../embed/embedder.ts'),
    import('../embed/node.ts'),
    import('../embed/model-info.ts'),
    import('../embed/registry.ts'),
    import('../corpus/node-io.ts'),
  ]);
  const spec = getModel(activeModelId());
  const info = await readModelInfo(nodeModelsDir(), spec);
  const fingerprint = modelFingerprint(spec, info);
  let loaded = null as Promise<Embedder> | null;
  let lastLine = 0;
  const report = await runEval(args, {
    buildCorpus: (files, options) => buildCorpus(files, { maxTokens: chunkTokenLimit(), ...options }),
    embedder: () => (loaded ??= createEmbedder({ spec, device: 'cpu', modelBase: nodeModelsDir() })),
    model: { id: spec.id, dtype: spec.dtype, dims: spec.dims, fingerprint },
    readFolder: async (folder) => (await readCorpusFolder(folder)).map((f) => ({ path: f.path, bytes: f.bytes })),
    log: (line) => process.stderr.write(`${line}\n`),
    progress: (label, done, total) => {
      const now = performance.now();
      if (done < total && now - lastLine < 1000) return;
      lastLine = now;
      process.stderr.write(`  ${label}: ${done}/${total}${done === total ? '\n' : '\r'}`);
    },
  });
  if (loaded) await (await loaded).dispose();
  console.log(formatTable(report));
  if (report.bySize) console.log(`\nnDCG@10 by corpus size (sub-corpora: each query's relevant papers + random others, mean of ${args.draws} draws)\n${formatSizeTable(report.bySize)}`);
  if (report.seedQuestions) console.log(`\nseed questions (${report.seedQuestions[0]?.questions ?? 0}, one right paper each)\n${formatSeedTable(report.seedQuestions)}`);
  console.log(`settings: passages=${report.settings.passages}, aggregation=${report.settings.aggregation}, fusion=${report.settings.fusion}, lexical query=${report.settings.lexicalQuery}`);
  console.log(`runs: ${resolve(args.runDir)}`);
  if (args.json) {
    const { comparisons, ...rest } = report;
    writeFileSync(args.json, JSON.stringify({ ...rest, ...(comparisons ? { comparisons } : {}) }, null, 2) + '\n');
    console.log(`metrics: ${resolve(args.json)}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err) => {
    console.error(`eval: ${(err as Error).message}`);
    process.exit(1);
  });
}
