/**
 * BM25 over papers in typed arrays, built segment by segment (one segment per corpus shard, so
 * keyword search covers whatever has arrived) with exact global statistics: IDF and the average
 * length are computed over all segments added so far at query time.
 *
 * Why not MiniSearch here: on the 74,728-paper arXiv set MiniSearch (with the per-occurrence
 * tokens lexical.ts needs for exact BM25 lengths) took 449 s to index, +405 MiB of heap, and
 * 0.5–2.2 s per query (measured in Node, busy machine). A segment here is a sorted term-id list
 * with CSR postings (doc, tf): the scores are the same standard BM25 (Lucene/Anserini form,
 * k1/b from LexicalSettings, summed over the query's terms as MiniSearch sums them — see the
 * parity test in tests/unit/search-bm25.test.ts).
 */
import { analyze, DEFAULT_LEXICAL, makeAnalyzer, QUESTION_WORDS, type LexicalDoc, type LexicalHit, type LexicalQueryOptions, type LexicalQueryStats, type LexicalSettings } from './lexical';
import { selectTopK } from './vectors';

interface Segment {
  first: number;
  count: number;
  /** sorted global term ids present in this segment */
  terms: Int32Array;
  /** postings of terms[i]: [offsets[i], offsets[i+1]) */
  offsets: Int32Array;
  docs: Int32Array; // local doc index
  tfs: Uint16Array;
}

export class Bm25Index {
  readonly settings: LexicalSettings;
  private readonly dict = new Map<string, number>();
  /** raw token → term id (-1: not a term, e.g. a stop word): most tokens recur, so the analyser runs once per distinct spelling */
  private readonly tokenIds = new Map<string, number>();
  private df: Int32Array = new Int32Array(1024);
  private readonly segments: Segment[] = [];
  private lengths: Int32Array = new Int32Array(1024);
  private docs = 0;
  private totalLength = 0;
  private scores = new Float64Array(0);
  private readonly analyzer;

  constructor(settings: Partial<LexicalSettings> = {}) {
    this.settings = { ...DEFAULT_LEXICAL, ...settings };
    if (this.settings.fields !== 'flat') throw new Error(`Bm25Index supports the 'flat' field layout only (got '${this.settings.fields}'); use LexicalIndex for 'multifield'.`);
    const { k1, b } = this.settings;
    if (!(k1 >= 0) || !(b >= 0 && b <= 1)) throw new RangeError(`BM25 parameters out of range: k1=${k1} (>= 0), b=${b} (0..1).`);
    this.analyzer = makeAnalyzer(this.settings);
  }

  static fromDocs(docs: readonly LexicalDoc[], settings: Partial<LexicalSettings> = {}): Bm25Index {
    const index = new Bm25Index(settings);
    index.add(docs);
    return index;
  }

  /** Documents indexed so far. */
  get size(): number {
    return this.docs;
  }

  /** Number of documents containing the (analysed) term. */
  docFrequency(term: string): number {
    const id = this.dict.get(term);
    return id === undefined ? 0 : this.df[id];
  }

  /**
   * Drops the documents from index `docs` on (they must start a segment: what add() appended
   * after them), e.g. a user's imported papers before they are indexed again.
   */
  truncate(docs: number): void {
    if (docs === this.docs) return;
    const at = this.segments.findIndex((s) => s.first === docs);
    if (at < 0) throw new RangeError(`Bm25Index.truncate(${docs}): not a segment boundary (segments start at ${this.segments.map((s) => s.first).join(', ')}).`);
    for (const seg of this.segments.splice(at)) {
      for (let i = 0; i < seg.terms.length; i++) this.df[seg.terms[i]] -= seg.offsets[i + 1] - seg.offsets[i];
      for (let d = seg.first; d < seg.first + seg.count; d++) this.totalLength -= this.lengths[d];
    }
    this.docs = docs;
  }

  /** BM25 IDF of an index term; 0 for a term no document holds. */
  idf(term: string): number {
    const n = this.docFrequency(term);
    return n === 0 ? 0 : Math.log(1 + (this.docs - n + 0.5) / (n + 0.5));
  }

  /** The query's terms as BM25 sees them: analysed, question words dropped if asked. */
  queryTerms(query: string, options: LexicalQueryOptions = {}): string[] {
    const terms = analyze(query, this.settings);
    return options.dropQuestionWords ? terms.filter((t) => !QUESTION_WORDS.has(t)) : terms;
  }

  /** Statistics of the query's terms in this corpus (see LexicalQueryStats). */
  queryStats(query: string, options: LexicalQueryOptions = {}): LexicalQueryStats {
    const termIdf = this.queryTerms(query, options).map((t) => this.idf(t)).filter((x) => x > 0);
    return { docCount: this.docs, k1: this.settings.k1, termIdf };
  }

  /** Appends documents (they get the next indices, in order). Returns the first new index. */
  add(docs: readonly LexicalDoc[]): number {
    const first = this.docs;
    const { tokenize, term } = this.analyzer;
    const tf = new Map<number, number>();
    let keys = new Float64Array(Math.max(1024, docs.length * 64));
    let n = 0;
    this.reserveDocs(first + docs.length);
    for (let d = 0; d < docs.length; d++) {
      tf.clear();
      let len = 0;
      for (const tok of tokenize(`${docs[d].title}\n${docs[d].text}`)) {
        let id = this.tokenIds.get(tok);
        if (id === undefined) {
          const t = term(tok);
          if (!t) id = -1;
          else {
            id = this.dict.get(t);
            if (id === undefined) {
              id = this.dict.size;
              this.dict.set(t, id);
              if (id >= this.df.length) this.df = grow(this.df, id + 1);
            }
          }
          this.tokenIds.set(tok, id);
        }
        if (id < 0) continue;
        len++;
        tf.set(id, (tf.get(id) ?? 0) + 1);
      }
      this.lengths[first + d] = len;
      this.totalLength += len;
      if (n + tf.size > keys.length) {
        const next = new Float64Array(Math.max(keys.length * 2, n + tf.size));
        next.set(keys.subarray(0, n));
        keys = next;
      }
      for (const [id, count] of tf) {
        this.df[id]++;
        // term id · 2^32 + local doc · 2^16 + tf: one sortable number, exact in a double
        keys[n++] = id * 4294967296 + d * 65536 + Math.min(count, 65535);
      }
    }
    if (docs.length >= 65536) throw new RangeError(`Bm25Index.add: at most 65,535 documents per segment, got ${docs.length}.`);
    const sorted = keys.subarray(0, n).sort();
    const terms: number[] = [];
    const offsets: number[] = [];
    const postDocs = new Int32Array(n);
    const tfs = new Uint16Array(n);
    let last = -1;
    for (let i = 0; i < n; i++) {
      const k = sorted[i];
      const id = Math.floor(k / 4294967296);
      const rest = k - id * 4294967296;
      if (id !== last) {
        terms.push(id);
        offsets.push(i);
        last = id;
      }
      postDocs[i] = Math.floor(rest / 65536);
      tfs[i] = rest % 65536;
    }
    offsets.push(n);
    this.segments.push({ first, count: docs.length, terms: Int32Array.from(terms), offsets: Int32Array.from(offsets), docs: postDocs, tfs });
    this.docs += docs.length;
    return first;
  }

  /**
   * BM25 score of every document for `query` (0 = no query term in it), indexed by document.
   * A scratch array owned by the index: valid until the next call.
   */
  scoreAll(query: string, options: LexicalQueryOptions = {}): Float64Array {
    if (this.scores.length !== this.docs) this.scores = new Float64Array(this.docs);
    const scores = this.scores;
    scores.fill(0);
    if (this.docs === 0) return scores;
    const { k1, b } = this.settings;
    const N = this.docs;
    const avg = this.totalLength / N;
    const lengths = this.lengths;
    for (const t of this.queryTerms(query, options)) {
      const id = this.dict.get(t);
      if (id === undefined) continue;
      const df = this.df[id];
      const idf = Math.log(1 + (N - df + 0.5) / (df + 0.5));
      const kb = k1 * b / avg;
      const k0 = k1 * (1 - b);
      for (const seg of this.segments) {
        const at = bsearch(seg.terms, id);
        if (at < 0) continue;
        const { docs, tfs, first } = seg;
        for (let p = seg.offsets[at], end = seg.offsets[at + 1]; p < end; p++) {
          const doc = first + docs[p];
          const f = tfs[p];
          scores[doc] += idf * ((f * (k1 + 1)) / (f + k0 + kb * lengths[doc]));
        }
      }
    }
    return scores;
  }

  /** Documents matching any query term, best first (BM25), at most `limit`; equal scores keep document order. */
  search(query: string, limit = Infinity, options: LexicalQueryOptions = {}): LexicalHit[] {
    const scores = this.scoreAll(query, options);
    let matches = 0;
    for (let i = 0; i < scores.length; i++) if (scores[i] > 0) matches++;
    return selectTopK(scores, Math.min(limit, matches), (r) => !(scores[r] > 0)).map((h) => ({ index: h.row, score: h.score }));
  }

  private reserveDocs(n: number): void {
    if (n > this.lengths.length) this.lengths = grow(this.lengths, n);
  }
}

function grow(a: Int32Array, min: number): Int32Array {
  const next = new Int32Array(Math.max(min, a.length * 2));
  next.set(a);
  return next;
}

function bsearch(a: Int32Array, v: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const x = a[mid];
    if (x < v) lo = mid + 1;
    else if (x > v) hi = mid - 1;
    else return mid;
  }
  return -1;
}
