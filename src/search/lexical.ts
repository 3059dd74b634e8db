/**
 * Lexical ranking: BM25 over papers (title and abstract) with MiniSearch.
 *
 * MiniSearch scores with BM25+ (term score + d) per field, summed over fields, and then multiplies
 * a document's score by the number of distinct query terms it matched. To get standard BM25 (as
 * Lucene/Anserini compute it, up to a constant factor) this module sets d = 0 and divides that
 * factor back out. Field lengths are exact here (Lucene rounds them to one byte), which shifts a
 * few scores slightly but not the method.
 */

import MiniSearch from 'minisearch';

export interface LexicalSettings {
  /** BM25 term-frequency saturation. Anserini's BEIR runs use 0.9. */
  k1: number;
  /** BM25 length normalisation. Anserini's BEIR runs use 0.4. */
  b: number;
  /** 'multifield': title and abstract are separate BM25 fields whose scores add up (Anserini "multifield");
   *  'flat': one field holding title + abstract. */
  fields: 'multifield' | 'flat';
  /** Drop Lucene's 33 English stop words. */
  stopWords: boolean;
  /** 'minimal': plural stemming as Lucene's EnglishMinimalStemFilter (Harman's S-stemmer); 'none': exact words. */
  stem: 'none' | 'minimal';
  /** 'words': letters/digits runs, keeping "3.5" and "don't" whole (close to Lucene's StandardTokenizer);
   *  'minisearch': MiniSearch's default split on any space or punctuation. */
  tokenizer: 'words' | 'minisearch';
}

/**
 * Chosen on the SciFact train split (809 queries; nDCG@10): one flat field 0.686 vs separate
 * title/abstract fields 0.661; plural stemming +0.019 (0.667 -> 0.686); stop words +0.002 and
 * ~5x faster queries; the words tokenizer +0.002 over MiniSearch's split. k1/b anywhere in
 * 0.6..1.5 / 0.3..0.75 moved nDCG@10 by < 0.01, so Anserini's k1 = 0.9, b = 0.4 stay.
 */
export const DEFAULT_LEXICAL: LexicalSettings = {
  k1: 0.9,
  b: 0.4,
  fields: 'flat',
  stopWords: true,
  stem: 'minimal',
  tokenizer: 'words',
};

export interface LexicalDoc {
  title: string;
  text: string;
}

/**
 * Question scaffolding ("how do I…", "what is a good way to…", "can we…"): interrogatives,
 * auxiliaries, personal pronouns and request words. They say how a reader asks, not what about,
 * so they are dropped from the *lexical* query only (the query vector still sees the whole
 * question). On a small corpus their IDF is not low enough to make them harmless: "how" or "way"
 * in 1 of 14 abstracts weighs as much as a rare topic word.
 */
export const QUESTION_WORDS = new Set(
  ('how what which why when where who whom whose whether do does did done doing can could should would shall may might must ' +
    'have has had having were been being am i me my mine myself we us our ours you your yours one ' +
    'way ways good best better any some anything something possible want need know tell find help get give ' +
    'please thing things kind sort lot lots much many very really just also about like').split(' '),
);

export interface LexicalQueryOptions {
  /** Drop QUESTION_WORDS from the query before BM25 (default false). */
  dropQuestionWords?: boolean;
}

/** Per-corpus statistics of a query's terms, for fusions that scale BM25 against what it could reach. */
export interface LexicalQueryStats {
  /** documents in the index */
  docCount: number;
  /** BM25 k1 (a term's score is at most idf x (k1 + 1)) */
  k1: number;
  /** BM25 IDF of each query term (as searched: analysed, question words dropped if asked) that occurs in the corpus */
  termIdf: number[];
}

export interface LexicalHit {
  /** Index of the document in the array the index was built from. */
  index: number;
  score: number;
}

/** Lucene's EnglishAnalyzer default stop set. */
const STOP_WORDS = new Set(
  'a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with'.split(' '),
);

const WORDS = /[\p{L}\p{N}]+(?:['’.][\p{L}\p{N}]+)*/gu;
const MINISEARCH_SPLIT = /[\n\r\p{Z}\p{P}]+/u;

/** Lucene's EnglishMinimalStemmer: removes plural endings only. */
export function minimalStem(word: string): string {
  const n = word.length;
  if (n < 3 || word[n - 1] !== 's') return word;
  const c = word[n - 2];
  if (c === 'u' || c === 's') return word;
  if (c === 'e') {
    if (n > 3 && word[n - 3] === 'i' && word[n - 4] !== 'a' && word[n - 4] !== 'e') return word.slice(0, n - 3) + 'y';
    const p = word[n - 3];
    if (p === 'i' || p === 'a' || p === 'o' || p === 'e') return word;
  }
  return word.slice(0, n - 1);
}

/** The analyzer shared by indexing, querying and passage matching: text -> index terms. */
export function makeAnalyzer(settings: LexicalSettings): { tokenize: (text: string) => string[]; term: (token: string) => string | null } {
  const tokenize =
    settings.tokenizer === 'words' ? (text: string) => text.match(WORDS) ?? [] : (text: string) => text.split(MINISEARCH_SPLIT).filter(Boolean);
  const term = (token: string): string | null => {
    let t = token.toLowerCase().replace(/’/g, "'");
    // English possessive, as Lucene's EnglishPossessiveFilter
    if (t.endsWith("'s")) t = t.slice(0, -2);
    if (!t || (settings.stopWords && STOP_WORDS.has(t))) return null;
    return settings.stem === 'minimal' ? minimalStem(t) : t;
  };
  return { tokenize, term };
}

/** The index terms of a text, in order (for matching passages against a query). */
export function analyze(text: string, settings: LexicalSettings = DEFAULT_LEXICAL): string[] {
  const { tokenize, term } = makeAnalyzer(settings);
  const out: string[] = [];
  for (const tok of tokenize(text)) {
    const t = term(tok);
    if (t) out.push(t);
  }
  return out;
}

/** Index-time tokens carry a "#n" suffix (see the constructor); the term is what precedes it. */
function stripSuffix(token: string): string {
  const hash = token.lastIndexOf('#');
  return hash >= 0 ? token.slice(0, hash) : token;
}

export class LexicalIndex {
  readonly settings: LexicalSettings;
  readonly size: number;
  private readonly mini: MiniSearch<{ id: number; title?: string; text?: string; all?: string }>;
  /** document frequency of each index term (documents holding it in any field) */
  private readonly df = new Map<string, number>();

  constructor(docs: readonly LexicalDoc[], settings: Partial<LexicalSettings> = {}) {
    this.settings = { ...DEFAULT_LEXICAL, ...settings };
    const { k1, b } = this.settings;
    if (!(k1 >= 0) || !(b >= 0 && b <= 1)) throw new RangeError(`BM25 parameters out of range: k1=${k1} (>= 0), b=${b} (0..1).`);
    const terms = (text: string) => analyze(text, this.settings);
    const multifield = this.settings.fields === 'multifield';
    this.mini = new MiniSearch({
      idField: 'id',
      fields: multifield ? ['title', 'text'] : ['all'],
      // MiniSearch takes a field's length to be its number of *distinct raw tokens* (stop words
      // included); BM25 wants the number of analysed terms. So the analysis runs in tokenize, and
      // at index time (a field name is passed) every occurrence gets a unique "#n" suffix, which
      // processTerm strips again: lengths become term counts, postings stay per term.
      tokenize: (text: string, field?: string) => (field ? terms(text).map((t, i) => `${t}#${i}`) : terms(text)),
      processTerm: stripSuffix,
      searchOptions: { bm25: { k: k1, b, d: 0 }, combineWith: 'OR', prefix: false, fuzzy: false },
    });
    this.mini.addAll(
      docs.map((d, id) => (multifield ? { id, title: d.title, text: d.text } : { id, all: `${d.title}\n${d.text}` })),
    );
    for (const d of docs) for (const t of new Set(terms(`${d.title}\n${d.text}`))) this.df.set(t, (this.df.get(t) ?? 0) + 1);
    this.size = docs.length;
  }

  /** BM25 IDF of an index term (as MiniSearch computes it); 0 for a term no document holds. */
  idf(term: string): number {
    const n = this.df.get(term) ?? 0;
    return n === 0 ? 0 : Math.log(1 + (this.size - n + 0.5) / (n + 0.5));
  }

  /** The query's terms as BM25 sees them: analysed, question words dropped if asked. */
  queryTerms(query: string, options: LexicalQueryOptions = {}): string[] {
    const terms = analyze(query, this.settings);
    return options.dropQuestionWords ? terms.filter((t) => !QUESTION_WORDS.has(t)) : terms;
  }

  /** Statistics of the query's terms in this corpus (see LexicalQueryStats). */
  queryStats(query: string, options: LexicalQueryOptions = {}): LexicalQueryStats {
    const termIdf = this.queryTerms(query, options)
      .map((t) => this.idf(t))
      .filter((x) => x > 0);
    return { docCount: this.size, k1: this.settings.k1, termIdf };
  }

  /** All documents matching any query term, best first (BM25); equal scores keep document order. */
  search(query: string, limit = Infinity, options: LexicalQueryOptions = {}): LexicalHit[] {
    const drop = options.dropQuestionWords;
    const hits: LexicalHit[] = this.mini
      .search(query, drop ? { processTerm: (t: string) => (QUESTION_WORDS.has(stripSuffix(t)) ? null : stripSuffix(t)) } : undefined)
      // undo MiniSearch's "score x number of matched query terms" to get plain BM25
      .map((r) => ({ index: r.id as number, score: r.score / Math.max(1, r.queryTerms.length) }));
    hits.sort((a, b) => b.score - a.score || a.index - b.index);
    return limit < hits.length ? hits.slice(0, limit) : hits;
  }
}
