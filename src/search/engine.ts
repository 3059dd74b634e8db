/**
 * The search engine the app, the eval and the bench all use: dense ranking over chunk vectors
 * (paper score aggregated from its chunks, best passage = best chunk), BM25 over papers, and
 * their fusion. No similarity threshold anywhere: the top k are always returned with scores.
 */

import type { Chunk, CorpusData, Paper } from '../corpus/types';
import { fuse, DEFAULT_FUSION, type Fusion, type Ranked } from './fusion';
import { Bm25Index, lexicalDoc } from './bm25';
import { LexicalIndex, analyze, type LexicalHit, type LexicalQueryOptions, type LexicalQueryStats, type LexicalSettings } from './lexical';
import { answerSpan, passageSentences, type SentenceTerms } from './answer-span';
import { paperScores, DEFAULT_AGGREGATION, type Aggregation, type PaperScores } from './rank';
import { meanOfRows, normalise, selectTopK, type DenseMatrix } from './vectors';

export { lexicalDoc };

export type SearchMode = 'hybrid' | 'semantic' | 'keyword';

export interface PaperHit {
  paper: Paper;
  /** The ranking score: cosine (semantic), BM25 (keyword) or the fused score (hybrid). */
  score: number;
  /** The passage to show: the best dense chunk, or in keyword mode the chunk matching most query terms. */
  bestChunk: Chunk;
  /** The paper's dense score (aggregated cosine), when it has one. */
  dense?: number;
  /** The paper's BM25 score, when it matched the query text. */
  lexical?: number;
  /**
   * The sentence(s) of bestChunk that best match the query's words (offsets into paper.abstract),
   * for the mark; absent when no sentence holds a query word (mark the whole passage then).
   */
  highlight?: { start: number; end: number };
}

export interface SearchOptions {
  mode: SearchMode;
  /** How many papers to return (default 10). */
  k?: number;
  /** rows[i] truthy = chunk i has its vector in the matrix; others are left out of dense ranking. Default: all. */
  rows?: ArrayLike<number>;
  /** One byte per paper, 1 = allowed (see filter.ts): the others are left out before the top k, in every mode. */
  filter?: Uint8Array;
  /** Hybrid only: this fusion instead of the engine's (the eval compares fusions with it). */
  fusion?: Fusion;
}

/** What the fusion sees for one query (SearchEngine.hybridInputs). */
export interface HybridInputs {
  /** dense paper ranking, best first, at least `depth` long where the corpus allows */
  dense: Ranked[];
  /** every paper matching a lexical query term, best first */
  lexical: Ranked[];
  denseScore: (paper: number) => number | undefined;
  lexicalScore: (paper: number) => number | undefined;
  stats: LexicalQueryStats;
  /** per-paper dense scores and best chunks */
  papers: PaperScores;
}

export interface MoreLikeThisOptions {
  k?: number;
  mode?: 'semantic' | 'keyword';
  rows?: ArrayLike<number>;
  /** as SearchOptions.filter */
  filter?: Uint8Array;
}

/** What the engine needs of a keyword index: Bm25Index (default), or LexicalIndex for 'multifield'. */
export interface LexicalSearcher {
  readonly settings: LexicalSettings;
  search(query: string, limit?: number, options?: LexicalQueryOptions): LexicalHit[];
  /** every document's score for the query (0 = no match), indexed by paper; scratch, valid until the next call */
  scoreAll?(query: string, options?: LexicalQueryOptions): Float64Array;
  idf(term: string): number;
  queryTerms(query: string, options?: LexicalQueryOptions): string[];
  queryStats(query: string, options?: LexicalQueryOptions): LexicalQueryStats;
}

export interface EngineSettings {
  lexical?: Partial<LexicalSettings>;
  /** a keyword index built by the caller over data.papers in order (e.g. shard by shard while loading) */
  lexicalIndex?: LexicalSearcher;
  aggregation?: Aggregation;
  fusion?: Fusion;
  /** "More like this" query: 'mean' of the paper's chunk vectors (one pass) or 'max' over its chunks (one pass each). */
  similar?: 'mean' | 'max';
  /** How query text becomes the BM25 query (hybrid and keyword modes); default DEFAULT_LEXICAL_QUERY. */
  lexicalQuery?: LexicalQueryOptions;
}

/** "More like this" by keyword: the paper's own words are the query, none of them dropped. */
const PAPER_AS_QUERY: LexicalQueryOptions = {};

/** Question phrasing ("how do I…") is not lexical evidence; see QUESTION_WORDS and the README's Quality section. */
export const DEFAULT_LEXICAL_QUERY: LexicalQueryOptions = { dropQuestionWords: true };

export class SearchEngine {
  readonly data: CorpusData;
  readonly matrix: DenseMatrix | null;
  readonly aggregation: Aggregation;
  readonly fusion: Fusion;
  readonly similar: 'mean' | 'max';
  readonly lexicalQuery: LexicalQueryOptions;
  private readonly lexicalSettings: Partial<LexicalSettings>;
  private lexicalIndex: LexicalSearcher | null = null;
  private readonly chunkPaper: Int32Array;
  private readonly paperChunks: number[][];
  private readonly paperIndex: Map<string, number>;
  private chunkTerms: (Set<string> | undefined)[] = [];
  /** the last query's paper scores: a filter change re-ranks the same query without scoring every passage again */
  private denseMemo: { key: unknown; rows: ArrayLike<number> | undefined; filled: number; version: number; scores: PaperScores } | null = null;
  /** the last query text's BM25 scores, for the same reason (the keyword index covers data.papers and does not change) */
  private lexicalMemo: { text: string; options: LexicalQueryOptions; scores: Float64Array } | null = null;
  private chunkSentences: (SentenceTerms[] | undefined)[] = [];
  /** ms of the last dense ranking pass (passage scores + paper aggregation, densePapers); null after a keyword-only search */
  lastDenseMs: number | null = null;

  /** `matrix` row i holds the vector of data.chunks[i]; null when no model is available (keyword only). */
  constructor(data: CorpusData, matrix: DenseMatrix | null, settings: EngineSettings = {}) {
    this.data = data;
    this.matrix = matrix;
    this.aggregation = settings.aggregation ?? DEFAULT_AGGREGATION;
    this.fusion = settings.fusion ?? DEFAULT_FUSION;
    // 'max' measured better on SciFact train (co-relevant papers, nDCG@10 0.5859 vs 0.5720 for 'mean')
    this.similar = settings.similar ?? 'max';
    this.lexicalSettings = settings.lexical ?? {};
    this.lexicalQuery = settings.lexicalQuery ?? DEFAULT_LEXICAL_QUERY;
    this.lexicalIndex = settings.lexicalIndex ?? null;
    if (matrix && matrix.count !== data.chunks.length) {
      throw new Error(`SearchEngine: the vector matrix has ${matrix.count} rows but the corpus has ${data.chunks.length} chunks; row i must be chunk i.`);
    }
    this.paperIndex = new Map(data.papers.map((p, i) => [p.id, i]));
    this.chunkPaper = new Int32Array(data.chunks.length);
    this.paperChunks = data.papers.map(() => []);
    data.chunks.forEach((c, row) => {
      const p = this.paperIndex.get(c.paperId);
      if (p === undefined) throw new Error(`SearchEngine: chunk ${c.id} belongs to paper "${c.paperId}", which is not in the corpus; rebuild the corpus.`);
      this.chunkPaper[row] = p;
      this.paperChunks[p].push(row);
    });
    const empty = data.papers.find((_, p) => this.paperChunks[p].length === 0);
    if (empty) throw new Error(`SearchEngine: paper "${empty.id}" has no chunks, so it has no passage to show; rebuild the corpus.`);
  }

  /** The BM25 index over papers (title + abstract), built on first use. */
  get lexical(): LexicalSearcher {
    if (!this.lexicalIndex) {
      const docs = this.data.papers.map((p) => lexicalDoc(p));
      this.lexicalIndex = this.lexicalSettings.fields === 'multifield' ? new LexicalIndex(docs, this.lexicalSettings) : Bm25Index.fromDocs(docs, this.lexicalSettings);
    }
    return this.lexicalIndex;
  }

  search(query: { text: string; vector?: Float32Array }, options: SearchOptions): PaperHit[] {
    return this.markAnswers(query.text, this.rank(query, options));
  }

  /** Sets each hit's highlight: the sentence(s) of its best passage holding the query's rarest words. */
  private markAnswers(query: string, hits: PaperHit[]): PaperHit[] {
    const text = query.trim();
    if (!text || hits.length === 0) return hits;
    const weights = new Map<string, number>();
    for (const t of this.queryTerms(text)) {
      const idf = this.lexical.idf(t);
      if (idf > 0) weights.set(t, idf);
    }
    // found when first read: category counts and date order look at 200 hits and show 20 (a new
    // object with a getter, not Object.defineProperty on the hit, which makes it a slow dictionary)
    return hits.map((hit) => {
      let span: { start: number; end: number } | null | undefined;
      const sentences = () => this.sentencesOf(hit.bestChunk);
      return {
        paper: hit.paper,
        score: hit.score,
        dense: hit.dense,
        lexical: hit.lexical,
        get bestChunk() {
          return hit.bestChunk;
        },
        get highlight() {
          return (span === undefined ? (span = answerSpan(sentences(), weights) ?? null) : span) ?? undefined;
        },
      };
    });
  }

  private rank(query: { text: string; vector?: Float32Array }, options: SearchOptions): PaperHit[] {
    const k = options.k ?? 10;
    if (!Number.isInteger(k) || k < 0) throw new RangeError(`search: k must be a non-negative integer, got ${k}.`);
    const text = query.text.trim();
    if (options.mode === 'keyword') {
      // (semantic and hybrid keep it: a filtered ranking runs several times over one memoised
      // dense pass, and the bench reads the cost of that pass)
      this.lastDenseMs = null;
      if (!text) return [];
      const hits = this.keywordTop(text, k, options.filter);
      const terms = this.queryTerms(text);
      return hits.map((h) => this.keywordHit(h, terms));
    }
    if (!query.vector) throw new Error(`search: ${options.mode} mode needs a query vector (is the model loaded?); use keyword mode without one.`);
    const vector = query.vector;
    const filter = options.filter;
    if (options.mode === 'semantic') return this.denseHits(this.memoDense(vector, options.rows, () => this.densePapers(vector, options.rows)), k, -1, filter);
    const fusion = options.fusion ?? this.fusion;
    const inputs = this.hybridInputs({ text, vector }, Math.max(fusion.depth, k), options.rows, this.lexicalQuery, filter);
    const fused = fuse(inputs.dense, inputs.lexical, fusion, inputs.denseScore, inputs.lexicalScore, inputs.stats);
    const dense = inputs.papers;
    const terms = text ? this.queryTerms(text) : new Set<string>();
    return fused.slice(0, k).map((h) => {
      const hasDense = dense.best[h.index] >= 0;
      return {
        paper: this.data.papers[h.index],
        score: h.score,
        dense: hasDense ? dense.score[h.index] : undefined,
        lexical: inputs.lexicalScore(h.index),
        bestChunk: hasDense ? this.data.chunks[dense.best[h.index]] : this.keywordChunk(h.index, terms),
      };
    });
  }

  /**
   * The two rankings and the statistics hybrid fusion combines, for a query (dense top `depth`);
   * `lexicalQuery` overrides the engine's (the eval compares them without another index).
   */
  hybridInputs(
    query: { text: string; vector: Float32Array },
    depth: number = this.fusion.depth,
    rows?: ArrayLike<number>,
    lexicalQuery: LexicalQueryOptions = this.lexicalQuery,
    filter?: Uint8Array,
  ): HybridInputs {
    const vector = query.vector;
    const papers = this.memoDense(vector, rows, () => this.densePapers(vector, rows));
    const dense = selectTopK(papers.score, depth, (p) => papers.best[p] < 0 || (filter !== undefined && !filter[p])).map((h) => ({ index: h.row, score: h.score }));
    const text = query.text.trim();
    const { top: lexical, score: lexicalScore } = this.lexicalRanking(text, depth, lexicalQuery, filter);
    return {
      dense,
      lexical,
      denseScore: (p) => (papers.best[p] >= 0 ? papers.score[p] : undefined),
      lexicalScore,
      stats: this.lexical.queryStats(text, lexicalQuery),
      papers,
    };
  }

  /**
   * Papers most similar to `paperId`, which is itself left out. Semantic: the paper's own chunk
   * vectors are the query. If none of its chunks has a vector yet, or mode is 'keyword', its title
   * and abstract are the BM25 query (hits then carry no `dense` score).
   */
  moreLikeThis(paperId: string, options: number | MoreLikeThisOptions = {}): PaperHit[] {
    const opts = typeof options === 'number' ? { k: options } : options;
    const k = opts.k ?? 10;
    const self = this.paperIndex.get(paperId);
    if (self === undefined) throw new Error(`moreLikeThis: no paper with id "${paperId}" in this corpus.`);
    const rows = this.paperChunks[self].filter((r) => !opts.rows || opts.rows[r]);
    if ((opts.mode ?? 'semantic') === 'semantic' && this.matrix && rows.length > 0) {
      const dense = this.memoDense(`like\u0000${self}`, opts.rows, () => this.similarScores(rows, opts.rows));
      return this.denseHits(dense, k, self, opts.filter);
    }
    const paper = this.data.papers[self];
    const text = [...new Set(analyze(`${paper.titleDerived ? '' : paper.title} ${paper.abstract}`, this.lexical.settings))].join(' ');
    const terms = new Set(text.split(' '));
    return this.keywordTop(text, k, opts.filter, self, PAPER_AS_QUERY).map((h) => this.keywordHit(h, terms));
  }

  /** Paper scores against a paper's own passages (`rows`), as this.similar says. */
  private similarScores(rows: number[], filled?: ArrayLike<number>): PaperScores {
    let dense: PaperScores;
    if (this.similar === 'mean') {
      dense = this.densePapers(meanOfRows(this.matrix!, rows), filled);
    } else {
      // max over the paper's chunks as separate queries: a paper is similar if any passage is
      const per = rows.map((r) => this.densePapers(this.matrix!.row(r).slice(), filled));
      dense = per[0];
      for (const other of per.slice(1)) {
        for (let p = 0; p < dense.score.length; p++) {
          if (other.score[p] > dense.score[p]) {
            dense.score[p] = other.score[p];
            dense.best[p] = other.best[p];
          }
        }
      }
    }
    return dense;
  }

  /**
   * `compute()`, or its result for the same key when neither the passages with vectors (`rows`)
   * nor the matrix changed since: the key is the query vector object (or a "more like this"
   * paper), so only a re-ranking of the very same query reuses it.
   */
  private memoDense(key: unknown, rows: ArrayLike<number> | undefined, compute: () => PaperScores): PaperScores {
    let filled = -1;
    if (rows) {
      filled = 0;
      for (let i = 0; i < rows.length; i++) if (rows[i]) filled++;
    }
    if (this.matrix && this.matrix.version === undefined) return compute();
    const version = this.matrix?.version ?? 0;
    const m = this.denseMemo;
    if (m && m.key === key && m.rows === rows && m.filled === filled && m.version === version) return m.scores;
    const scores = compute();
    this.denseMemo = { key, rows, filled, version, scores };
    return scores;
  }

  /** The k best keyword matches among the allowed papers, leaving out `exclude`. */
  private keywordTop(text: string, k: number, filter?: Uint8Array, exclude = -1, options: LexicalQueryOptions = this.lexicalQuery): Ranked[] {
    const scores = this.lexicalScores(text, options);
    if (!scores) {
      return this.lexical.search(text, Infinity, options).filter((h) => h.index !== exclude && (!filter || filter[h.index])).slice(0, k);
    }
    return selectTopK(scores, k, (r) => !(scores[r] > 0) || r === exclude || (filter !== undefined && !filter[r])).map((h) => ({ index: h.row, score: h.score }));
  }

  /** The lexical top `depth` among the allowed papers and any paper's lexical score (undefined = no match). */
  private lexicalRanking(text: string, depth: number, options: LexicalQueryOptions, filter?: Uint8Array): { top: Ranked[]; score: (p: number) => number | undefined } {
    if (!text) return { top: [], score: () => undefined };
    const lexical = this.lexical;
    const scores = this.lexicalScores(text, options);
    if (scores) {
      const top = selectTopK(scores, depth, (r) => !(scores[r] > 0) || (filter !== undefined && !filter[r])).map((h) => ({ index: h.row, score: h.score }));
      return { top, score: (p) => (scores[p] > 0 ? scores[p] : undefined) };
    }
    const all = lexical.search(text, Infinity, options).filter((h) => !filter || filter[h.index]);
    const map = new Map(all.map((h) => [h.index, h.score]));
    return { top: all, score: (p) => map.get(p) };
  }

  /** Every paper's BM25 score for `text` (kept for the next call with the same text and options), or null when the index cannot give them. */
  private lexicalScores(text: string, options: LexicalQueryOptions): Float64Array | null {
    const lexical = this.lexical;
    if (!lexical.scoreAll) return null;
    const m = this.lexicalMemo;
    if (m?.text !== text || m.options !== options) this.lexicalMemo = { text, options, scores: lexical.scoreAll(text, options).slice() };
    return this.lexicalMemo!.scores;
  }

  /** Paper scores for a query vector (aggregated over chunks, see rank.ts). */
  densePapers(vector: Float32Array, rows?: ArrayLike<number>): PaperScores {
    if (!this.matrix) throw new Error('Dense ranking needs vectors, but this engine was built without a matrix; use keyword mode.');
    const t0 = performance.now();
    // normalised here too, so scores are cosines whatever the caller passes
    const scores = this.matrix.scores(normalise(vector));
    const papers = paperScores(scores, this.chunkPaper, this.data.papers.length, this.aggregation, rows);
    this.lastDenseMs = performance.now() - t0;
    return papers;
  }

  private denseHits(dense: PaperScores, k: number, exclude = -1, filter?: Uint8Array): PaperHit[] {
    return selectTopK(dense.score, k, (p) => p === exclude || dense.best[p] < 0 || (filter !== undefined && !filter[p])).map((h) => ({
      paper: this.data.papers[h.row],
      score: h.score,
      dense: h.score,
      bestChunk: this.data.chunks[dense.best[h.row]],
    }));
  }

  private queryTerms(text: string): Set<string> {
    return new Set(this.lexical.queryTerms(text, this.lexicalQuery));
  }

  /** The sentences of a chunk with their terms (cached per chunk). */
  private sentencesOf(chunk: Chunk): SentenceTerms[] {
    const row = this.chunkRow(chunk);
    let out = row >= 0 ? this.chunkSentences[row] : undefined;
    if (!out) {
      const paper = this.data.papers[this.paperIndex.get(chunk.paperId)!];
      out = passageSentences(paper.abstract, chunk, (t) => analyze(t, this.lexical.settings));
      if (row >= 0) this.chunkSentences[row] = out;
    }
    return out;
  }

  private chunkRow(chunk: Chunk): number {
    const p = this.paperIndex.get(chunk.paperId);
    if (p === undefined) return -1;
    for (const r of this.paperChunks[p]) if (this.data.chunks[r] === chunk) return r;
    return -1;
  }

  /**
   * A keyword hit whose passage is looked for when first read: a caller that only counts or
   * reorders hits (category counts, date order over the best 200) does not pay for reading
   * 200 abstracts.
   */
  private keywordHit(h: Ranked, terms: Set<string>): PaperHit {
    const find = () => this.keywordChunk(h.index, terms);
    let chunk: Chunk | undefined;
    return {
      paper: this.data.papers[h.index],
      score: h.score,
      lexical: h.score,
      get bestChunk() {
        return (chunk ??= find());
      },
    };
  }

  /** The paper's chunk containing the most distinct query terms (first chunk on ties). */
  private keywordChunk(paper: number, terms: Set<string>): Chunk {
    let bestRow = this.paperChunks[paper][0];
    let bestCount = 0;
    for (const row of this.paperChunks[paper]) {
      let set = this.chunkTerms[row];
      if (!set) set = this.chunkTerms[row] = new Set(analyze(this.data.chunks[row].text, this.lexical.settings));
      let count = 0;
      for (const t of terms) if (set.has(t)) count++;
      if (count > bestCount) {
        bestCount = count;
        bestRow = row;
      }
    }
    return this.data.chunks[bestRow];
  }
}

/** What the keyword index reads of a paper: a derived title is the abstract's opening words, not a title. */
