/**
 * BM25 over papers in typed arrays, built segment by segment (one segment per corpus shard, so
 * keyword search covers whatever has arrived) with exact global statistics: IDF and the average
 * length are computed over all segments added so far at query time.
 *
 * Why not MiniSearch here: on the 74,728-paper arXiv set MiniSearch (with the per-occurrence
 * tokens lexical.ts needs for exact BM25 lengths) took 449 s to index, +405 MiB of heap, and
 * 0.5–2.2 s per query (measured in Node, busy machine). A segment here (LexicalSegmentData, the
 * layout of the build's lexical shards: src/format/lexical-shard.ts) is its own sorted UTF-8 term
 * dictionary with CSR postings (doc, tf); a query term is looked up in every segment and its
 * document frequency summed over them, so shipped and page-built segments mix freely. The scores are the same standard BM25 (Lucene/Anserini form,
 * k1/b from LexicalSettings, summed over the query's terms as MiniSearch sums them — see the
 * parity test in tests/unit/search-bm25.test.ts).
 */
import { analyze, DEFAULT_LEXICAL, makeAnalyzer, QUESTION_WORDS, type LexicalDoc, type LexicalHit, type LexicalQueryOptions, type LexicalQueryStats, type LexicalSettings } from './lexical';
import { selectTopK } from './vectors';
import type { Paper } from '../corpus/types';
import { MAX_SEGMENT_DOCS, type LexicalSegmentData } from '../format/lexical-shard';
import type { ShippedLexical } from '../format/write';

interface Segment extends LexicalSegmentData {
  /** global index of the segment's first document */
  first: number;
}

/**
 * The analyser's identity: a shipped keyword index can be used only by a page that analyses
 * queries the same way. Bump ANALYZER_VERSION when tokenising, stemming or the stop words change.
 */
const ANALYZER_VERSION = 1;
export function analyzerId(settings: LexicalSettings = DEFAULT_LEXICAL): string {
  return `bm25-flat/v${ANALYZER_VERSION}/${settings.tokenizer}/${settings.stopWords ? 'stop33' : 'nostop'}/${settings.stem}`;
}

const utf8 = new TextEncoder();

/** What BM25 indexes of a paper: its title (unless made up from the abstract) and abstract. */
export function lexicalDoc(p: Paper): LexicalDoc {
  return { title: p.titleDerived ? '' : p.title, text: p.abstract };
}

/** The keyword index the build ships with a corpus: one segment per shard, as the page would build it. */
export function shippedLexical(settings: Partial<LexicalSettings> = {}): ShippedLexical {
  const index = new Bm25Index(settings);
  return { analyzer: index.analyzerId, segment: (papers) => index.buildSegment(papers.map(lexicalDoc)) };
}

export class Bm25Index {
  readonly settings: LexicalSettings;
  /** the terms of the segments this index built itself (shipped segments carry their own) */
  private readonly vocab = new Vocabulary();
  private localOf = new Int32Array(0);
  private readonly segments: Segment[] = [];
  private lengths: Int32Array = new Int32Array(1024);
  private docs = 0;
  private totalLength = 0;
  private scores = new Float64Array(0);
  private readonly located = new Map<string, { at: Int32Array; df: number }>();
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

  /** This index's analyser (see analyzerId): a shipped segment must have been built with the same. */
  get analyzerId(): string {
    return analyzerId(this.settings);
  }

  /** Documents indexed so far. */
  get size(): number {
    return this.docs;
  }

  /** Number of documents containing the (analysed) term. */
  docFrequency(term: string): number {
    return this.locate(term).df;
  }

  /**
   * Where a term's postings are in each segment (-1: not there) and how many documents hold it.
   * A query looks its terms up several times (scores, IDF weights, statistics) and an index with
   * imported papers has a segment per 100 of them: the last lookups are kept until the segments change.
   */
  private locate(term: string): { at: Int32Array; df: number } {
    let got = this.located.get(term);
    if (got) return got;
    const bytes = utf8.encode(term);
    const at = new Int32Array(this.segments.length);
    let df = 0;
    this.segments.forEach((seg, s) => {
      const i = findTerm(seg, bytes);
      at[s] = i;
      if (i >= 0) df += seg.offsets[i + 1] - seg.offsets[i];
    });
    if (this.located.size >= 256) this.located.clear();
    this.located.set(term, (got = { at, df }));
    return got;
  }

  /**
   * Drops the documents from index `docs` on (they must start a segment: what add() appended
   * after them), e.g. a user's imported papers before they are indexed again.
   */
  truncate(docs: number): void {
    if (docs === this.docs) return;
    const at = this.segments.findIndex((s) => s.first === docs);
    if (at < 0) throw new RangeError(`Bm25Index.truncate(${docs}): not a segment boundary (segments start at ${this.segments.map((s) => s.first).join(', ')}).`);
    this.located.clear();
    for (const seg of this.segments.splice(at)) {
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

  /** Appends documents (they get the next indices, in order) as one segment. Returns the first new index. */
  add(docs: readonly LexicalDoc[]): number {
    return this.addSegment(this.buildSegment(docs));
  }

  /**
   * Appends a segment built elsewhere (the build's lexical shard, decoded), or by buildSegment.
   * Its documents get the next indices. Returns the first of them.
   */
  addSegment(seg: LexicalSegmentData): number {
    const first = this.docs;
    if (first + seg.count > this.lengths.length) {
      const next = new Int32Array(Math.max(first + seg.count, this.lengths.length * 2));
      next.set(this.lengths.subarray(0, first));
      this.lengths = next;
    }
    this.lengths.set(seg.lengths, first);
    for (let d = 0; d < seg.count; d++) this.totalLength += seg.lengths[d];
    this.segments.push({ ...seg, first });
    this.located.clear();
    this.docs += seg.count;
    return first;
  }

  /** The keyword index of `docs` as one segment (what the build ships as a lexical shard). */
  buildSegment(docs: readonly LexicalDoc[]): LexicalSegmentData {
    if (docs.length > MAX_SEGMENT_DOCS) throw new RangeError(`Bm25Index: at most ${MAX_SEGMENT_DOCS} documents per segment, got ${docs.length}.`);
    const { tokenize, term } = this.analyzer;
    const vocab = this.vocab;
    // global term id → local id in this segment (-1: not yet seen here); reset for the terms used
    if (this.localOf.length < vocab.names.length + 1024) {
      const next = new Int32Array(Math.max(vocab.names.length + 1024, this.localOf.length * 2)).fill(-1);
      this.localOf = next;
    }
    const used: number[] = [];
    const tf = new Map<number, number>();
    const lengths = new Int32Array(docs.length);
    let keys = new Float64Array(Math.max(1024, docs.length * 64));
    let n = 0;
    for (let d = 0; d < docs.length; d++) {
      tf.clear();
      let len = 0;
      for (const tok of tokenize(`${docs[d].title}\n${docs[d].text}`)) {
        let id = vocab.ids.get(tok);
        if (id === undefined) {
          const t = term(tok);
          id = t === null ? -1 : vocab.intern(t);
          vocab.ids.set(tok, id);
          if (id >= this.localOf.length) {
            const next = new Int32Array(this.localOf.length * 2).fill(-1);
            next.set(this.localOf);
            this.localOf = next;
          }
        }
        if (id < 0) continue;
        let local = this.localOf[id];
        if (local < 0) {
          local = used.length;
          this.localOf[id] = local;
          used.push(id);
        }
        len++;
        tf.set(local, (tf.get(local) ?? 0) + 1);
      }
      lengths[d] = len;
      if (n + tf.size > keys.length) {
        const next = new Float64Array(Math.max(keys.length * 2, n + tf.size));
        next.set(keys.subarray(0, n));
        keys = next;
      }
      // local term id · 2^32 + doc · 2^16 + tf: one sortable number, exact in a double
      for (const [local, count] of tf) keys[n++] = local * 4294967296 + d * 65536 + Math.min(count, 65535);
    }
    for (const id of used) this.localOf[id] = -1;
    // terms in UTF-8 byte order (the order findTerm searches), then postings by (term, doc)
    const order = used.map((_, i) => i).sort((a, b) => vocab.compare(used[a], used[b]));
    const rank = new Float64Array(used.length);
    order.forEach((local, r) => (rank[local] = r));
    const sorted = keys.subarray(0, n);
    for (let i = 0; i < n; i++) {
      const local = Math.floor(sorted[i] / 4294967296);
      sorted[i] = rank[local] * 4294967296 + (sorted[i] - local * 4294967296);
    }
    sorted.sort();
    const termStart = new Uint32Array(used.length + 1);
    order.forEach((local, r) => (termStart[r + 1] = termStart[r] + vocab.bytes[used[local]].length));
    const termBytes = new Uint8Array(termStart[used.length]);
    order.forEach((local, r) => termBytes.set(vocab.bytes[used[local]], termStart[r]));
    const offsets = new Uint32Array(used.length + 1);
    const postDocs = new Uint16Array(n);
    const tfs = new Uint16Array(n);
    for (let i = 0; i < n; i++) {
      const k = sorted[i];
      const r = Math.floor(k / 4294967296);
      const rest = k - r * 4294967296;
      offsets[r + 1]++;
      postDocs[i] = Math.floor(rest / 65536);
      tfs[i] = rest % 65536;
    }
    for (let r = 0; r < used.length; r++) offsets[r + 1] += offsets[r];
    return { count: docs.length, lengths, termBytes, termStart, offsets, docs: postDocs, tfs };
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
    const kb = k1 * b / avg;
    const k0 = k1 * (1 - b);
    for (const t of this.queryTerms(query, options)) {
      const { at: found, df } = this.locate(t);
      if (df === 0) continue;
      const idf = Math.log(1 + (N - df + 0.5) / (df + 0.5));
      this.segments.forEach((seg, s) => {
        const at = found[s];
        if (at < 0) return;
        const { docs, tfs, first } = seg;
        for (let p = seg.offsets[at], end = seg.offsets[at + 1]; p < end; p++) {
          const doc = first + docs[p];
          const f = tfs[p];
          scores[doc] += idf * ((f * (k1 + 1)) / (f + k0 + kb * lengths[doc]));
        }
      });
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
}

/**
 * Terms met while building segments, by id: raw token → term id (-1: not a term, e.g. a stop
 * word; most tokens recur, so the analyser runs once per distinct spelling), each term's UTF-8
 * bytes (encoded once, not once per segment) and a byte-order comparison.
 */
class Vocabulary {
  readonly ids = new Map<string, number>();
  private readonly byTerm = new Map<string, number>();
  readonly names: string[] = [];
  readonly bytes: Uint8Array[] = [];
  private readonly ascii: boolean[] = [];

  intern(term: string): number {
    let id = this.byTerm.get(term);
    if (id === undefined) {
      id = this.names.length;
      this.byTerm.set(term, id);
      this.names.push(term);
      const b = utf8.encode(term);
      this.bytes.push(b);
      this.ascii.push(b.length === term.length);
    }
    return id;
  }

  /** UTF-8 byte order; for ASCII terms (nearly all) that is the strings' own order. */
  compare(a: number, b: number): number {
    if (this.ascii[a] && this.ascii[b]) {
      const x = this.names[a];
      const y = this.names[b];
      return x < y ? -1 : x > y ? 1 : 0;
    }
    return compareBytes(this.bytes[a], this.bytes[b]);
  }
}

/** Index of `term` (UTF-8) in the segment's sorted dictionary, or -1. */
function findTerm(seg: LexicalSegmentData, term: Uint8Array): number {
  const { termBytes, termStart } = seg;
  let lo = 0;
  let hi = termStart.length - 2;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const s = termStart[mid];
    const e = termStart[mid + 1];
    let c = 0;
    const m = Math.min(e - s, term.length);
    for (let i = 0; i < m && c === 0; i++) c = termBytes[s + i] - term[i];
    if (c === 0) c = e - s - term.length;
    if (c < 0) lo = mid + 1;
    else if (c > 0) hi = mid - 1;
    else return mid;
  }
  return -1;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const m = Math.min(a.length, b.length);
  for (let i = 0; i < m; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
