/**
 * Retrieval quality by corpus size: sub-corpora of a BEIR corpus (each query's relevant papers
 * plus random others, several draws with fixed seeds), ranked with the app's engine over the
 * sub-corpus alone — its own BM25 statistics, the same vectors (rows of the full matrix), nothing
 * embedded again. The small-corpus regime is then measured, not guessed.
 */

import type { CorpusData } from '../corpus/types.ts';
import { SearchEngine, type EngineSettings, type HybridInputs } from '../search/engine.ts';
import { fuse, type Fusion, type Ranked } from '../search/fusion.ts';
import type { LexicalQueryOptions } from '../search/lexical.ts';
import { evaluateRun, type Qrels } from '../search/metrics.ts';
import { VectorMatrix } from '../search/vectors.ts';

/** One ranking method of the by-size table: dense, BM25, or a fusion of the two. */
export interface SizeMethod {
  name: string;
  kind: 'dense' | 'bm25' | 'hybrid';
  fusion?: Fusion;
  lexicalQuery?: LexicalQueryOptions;
}

/** A method's ranking from one query's hybrid inputs: the dense list, the lexical list, or their fusion. */
export function methodRanking(m: SizeMethod, inputs: HybridInputs, defaultFusion: Fusion): Ranked[] {
  if (m.kind === 'dense') return inputs.dense;
  if (m.kind === 'bm25') return inputs.lexical;
  return fuse(inputs.dense, inputs.lexical, m.fusion ?? defaultFusion, inputs.denseScore, inputs.lexicalScore, inputs.stats);
}

export interface SizeRow {
  /** papers per sub-corpus ('full' = the whole corpus) */
  size: number | 'full';
  draws: number;
  method: string;
  /** nDCG@10 averaged over draws, and each draw's */
  ndcg10: number;
  perDraw: number[];
}

/** Small deterministic PRNG (mulberry32): the same seed draws the same sub-corpora on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(xs: T[], rand: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

/** The papers (indices into data.papers, in corpus order), their chunks and vectors as a corpus of their own. */
export function subCorpus(data: CorpusData, matrix: VectorMatrix, papers: number[]): { data: CorpusData; matrix: VectorMatrix; paperOf: number[] } {
  const sorted = [...new Set(papers)].sort((a, b) => a - b);
  const keep = new Set(sorted.map((p) => data.papers[p].id));
  const rows: number[] = [];
  data.chunks.forEach((c, r) => {
    if (keep.has(c.paperId)) rows.push(r);
  });
  const flat = new Float32Array(rows.length * matrix.dims);
  rows.forEach((r, i) => flat.set(matrix.row(r), i * matrix.dims));
  return {
    data: { chunker: data.chunker, papers: sorted.map((p) => data.papers[p]), chunks: rows.map((r) => data.chunks[r]) },
    matrix: VectorMatrix.fromFlat(flat, matrix.dims),
    paperOf: sorted,
  };
}

/**
 * Groups of queries sharing one sub-corpus of `size` papers: a group's relevant papers stay at
 * most a tenth of it (so most of it is random others), one query per group when the size is that
 * small. Queries with more relevant papers than the sub-corpus holds are left out (and counted).
 */
export function drawSubCorpora(
  queries: string[],
  relevant: Map<string, number[]>,
  paperCount: number,
  size: number,
  seed: number,
): { groups: { queries: string[]; papers: number[] }[]; skipped: number } {
  const rand = prng(seed);
  const order = shuffle([...queries], rand);
  const groups: { queries: string[]; papers: number[] }[] = [];
  let skipped = 0;
  let current: { queries: string[]; rel: Set<number> } | null = null;
  const budget = Math.max(1, Math.floor(size / 10));
  const close = () => {
    if (!current) return;
    const papers = [...current.rel];
    const taken = new Set(papers);
    // random others: rejection sampling is fast while the sub-corpus is a small part of the corpus
    if (size * 2 < paperCount) {
      while (papers.length < size) {
        const p = Math.floor(rand() * paperCount);
        if (!taken.has(p)) {
          taken.add(p);
          papers.push(p);
        }
      }
    } else {
      const rest = shuffle([...Array(paperCount).keys()].filter((p) => !taken.has(p)), rand);
      papers.push(...rest.slice(0, size - papers.length));
    }
    groups.push({ queries: current.queries, papers });
    current = null;
  };
  for (const q of order) {
    const rel = relevant.get(q) ?? [];
    if (rel.length === 0 || rel.length > size) {
      skipped++;
      continue;
    }
    if (current && new Set([...current.rel, ...rel]).size > budget) close();
    current ??= { queries: [], rel: new Set() };
    current.queries.push(q);
    rel.forEach((p) => current!.rel.add(p));
  }
  close();
  return { groups, skipped };
}

export interface SizesInput {
  data: CorpusData;
  matrix: VectorMatrix;
  queries: { id: string; text: string }[];
  queryVectors: Float32Array;
  qrels: Qrels;
  /** BEIR ids of each paper of data */
  beirIds: string[][];
  sizes: number[];
  draws: number;
  methods: SizeMethod[];
  engineSettings?: EngineSettings;
  log?: (line: string) => void;
}

/** nDCG@10 of every method at every size (averaged over draws) and on the full corpus. */
export function evaluateSizes(input: SizesInput): SizeRow[] {
  const { data, matrix, queries, queryVectors, qrels, beirIds, methods } = input;
  const dims = matrix.dims;
  const qIndex = new Map(queries.map((q, i) => [q.id, i]));
  const paperOfBeir = new Map<string, number>();
  beirIds.forEach((ids, p) => ids.forEach((id) => paperOfBeir.set(id, p)));
  const relevant = new Map<string, number[]>();
  for (const q of queries) {
    const rels = qrels.get(q.id);
    const papers = [...(rels ?? [])].filter(([, g]) => g > 0).map(([id]) => paperOfBeir.get(id)).filter((p): p is number => p !== undefined);
    relevant.set(q.id, [...new Set(papers)]);
  }
  const rows: SizeRow[] = [];
  const plan: { size: number | 'full'; seeds: number[] }[] = [
    ...input.sizes.filter((n) => n < data.papers.length).map((size) => ({ size, seeds: [...Array(input.draws).keys()].map((d) => size * 1000 + d + 1) })),
    { size: 'full' as const, seeds: [0] },
  ];
  for (const { size, seeds } of plan) {
    const perMethod = methods.map(() => [] as number[]);
    for (const seed of seeds) {
      const runs = methods.map(() => new Map<string, string[]>());
      const groups =
        size === 'full'
          ? [{ queries: queries.map((q) => q.id), papers: [...data.papers.keys()] }]
          : drawSubCorpora(queries.map((q) => q.id), relevant, data.papers.length, size, seed).groups;
      for (const group of groups) {
        const sub = size === 'full' ? { data, matrix, paperOf: [...data.papers.keys()] } : subCorpus(data, matrix, group.papers);
        const engine = new SearchEngine(sub.data, sub.matrix, input.engineSettings);
        const ids = (p: number) => beirIds[sub.paperOf[p]];
        for (const qid of group.queries) {
          const i = qIndex.get(qid)!;
          const q = { text: queries[i].text, vector: queryVectors.subarray(i * dims, (i + 1) * dims) };
          const byLexQuery = new Map<string, ReturnType<SearchEngine['hybridInputs']>>();
          const inputsFor = (lq?: LexicalQueryOptions) => {
            const key = JSON.stringify(lq ?? engine.lexicalQuery);
            let inputs = byLexQuery.get(key);
            if (!inputs) byLexQuery.set(key, (inputs = engine.hybridInputs(q, 100, undefined, lq)));
            return inputs;
          };
          methods.forEach((m, mi) => {
            const inputs = inputsFor(m.lexicalQuery);
            const ranked = methodRanking(m, inputs, engine.fusion);
            runs[mi].set(qid, ranked.slice(0, 100).flatMap((h) => ids(h.index)).slice(0, 100));
          });
        }
      }
      const qrelsHere: Qrels = new Map([...runs[0].keys()].map((qid) => [qid, qrels.get(qid)!]));
      runs.forEach((run, mi) => perMethod[mi].push(evaluateRun(run, qrelsHere)['ndcg@10']));
    }
    methods.forEach((m, mi) => {
      const perDraw = perMethod[mi];
      const row: SizeRow = { size, draws: seeds.length, method: m.name, ndcg10: perDraw.reduce((a, x) => a + x, 0) / perDraw.length, perDraw };
      rows.push(row);
    });
    input.log?.(`size ${String(size).padEnd(5)} ${methods.map((m, mi) => `${m.name} ${rows[rows.length - methods.length + mi].ndcg10.toFixed(4)}`).join('  ')}`);
  }
  return rows;
}

/** The by-size table: one line per method, one column per size. */
export function formatSizeTable(rows: SizeRow[]): string {
  const sizes = [...new Set(rows.map((r) => r.size))];
  const methods = [...new Set(rows.map((r) => r.method))];
  const width = Math.max(8, ...methods.map((m) => m.length));
  const head = `${'method'.padEnd(width)}  ${sizes.map((s) => `${s === 'full' ? 'full' : `n=${s}`}`.padStart(8)).join(' ')}`;
  const lines = [head];
  for (const m of methods) {
    lines.push(`${m.padEnd(width)}  ${sizes.map((s) => rows.find((r) => r.size === s && r.method === m)!.ndcg10.toFixed(4).padStart(8)).join(' ')}`);
  }
  return lines.join('\n');
}
