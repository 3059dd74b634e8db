/**
 * Filters over paper metadata: year range, categories, authors; and the order of the results.
 * The metadata is read once per corpus into typed arrays (FilterIndex), so building the mask for a
 * filter change is one pass over small integers, a few milliseconds at 75k papers. The mask (one
 * byte per paper, 1 = allowed) is what the search engine applies before its top-k.
 *
 * Within one kind, choices are alternatives (cs.CL or eess.AS; any of the named authors); kinds
 * combine (a year range and a category: papers that satisfy both). Pure: Node and browser.
 */
import type { Paper } from '../corpus/types';

export type SortOrder = 'relevance' | 'date';

export interface FilterState {
  /** first year, inclusive */
  from?: number;
  /** last year, inclusive */
  to?: number;
  /** arXiv categories (or any category name the corpus holds); a paper with any of them passes */
  categories?: string[];
  /** author names as shown ("First Last"); a paper by any of them passes */
  authors?: string[];
  sort: SortOrder;
}

export const NO_FILTER: FilterState = { sort: 'relevance' };

/**
 * How many of the best matches date sorting reorders, and over which category counts are taken.
 * Semantic ranking gives every paper a cosine (there is no similarity threshold, by design), so
 * "the papers matching a query" has to be a rank cut-off; one cut-off for all three modes and
 * "more like this" keeps the counts meaning the same thing when the mode changes.
 */
export const RELEVANT_POOL = 200;

/** True when the state narrows the papers at all (sort order alone does not). */
export function isFiltering(state: FilterState): boolean {
  return state.from !== undefined || state.to !== undefined || !!state.categories?.length || !!state.authors?.length;
}

/**
 * An author name folded for matching: "Last, First" turned round, LaTeX accent commands and
 * braces dropped, diacritics removed, lower case, punctuation as spaces. "Schütze, Hinrich",
 * "Hinrich Sch\"{u}tze" and "hinrich schutze" are one author.
 */
export function authorKey(name: string): string {
  let t = name.replace(/\\[a-zA-Z]+\s*|\\./g, '').replace(/[{}]/g, '');
  const parts = t.split(/\s*,\s*/).filter(Boolean);
  if (parts.length === 2 && !/^(?:jr|sr|ii|iii|iv)\.?$/i.test(parts[1])) t = `${parts[1]} ${parts[0]}`;
  t = t.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
  t = t.replace(/[øœæßłđı]/g, (c) => FOLD[c]);
  return t.replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}
const FOLD: Record<string, string> = { 'ø': 'o', 'œ': 'oe', 'æ': 'ae', 'ß': 'ss', 'ł': 'l', 'đ': 'd', 'ı': 'i' };

export interface FacetCount {
  name: string;
  count: number;
}

export interface ResolvedFilter {
  /** the state with only the categories and authors this corpus has (names as the corpus spells them) */
  state: FilterState;
  unknownCategories: string[];
  unknownAuthors: string[];
}

export interface AuthorSuggestion {
  name: string;
  papers: number;
}


export class FilterIndex {
  readonly size: number;
  /** per paper: year, 0 = unknown */
  readonly year: Int16Array;
  /** per paper: YYYYMMDD with unknown month/day as 00 (a bare year sorts before its dated papers' days), 0 = unknown */
  readonly dateKey: Int32Array;
  readonly categoryNames: string[];
  /** papers per category over the whole corpus */
  readonly categoryTotals: Int32Array;
  readonly authorNames: string[];
  readonly authorTotals: Int32Array;
  readonly years: { min: number; max: number } | null;
  /** papers with a year */
  readonly dated: number;
  private readonly catStart: Int32Array;
  private readonly catIds: Int32Array;
  private readonly authStart: Int32Array;
  private readonly authIds: Int32Array;
  private readonly categoryId: Map<string, number>;
  private readonly authorId: Map<string, number>;
  private readonly authorKeys: string[];
  private readonly paperIndex: Map<string, number>;

  constructor(papers: readonly Paper[]) {
    const n = papers.length;
    this.size = n;
    this.year = new Int16Array(n);
    this.dateKey = new Int32Array(n);
    this.catStart = new Int32Array(n + 1);
    this.authStart = new Int32Array(n + 1);
    this.categoryId = new Map();
    this.authorId = new Map();
    this.paperIndex = new Map();
    this.categoryNames = [];
    this.authorNames = [];
    this.authorKeys = [];
    const cats: number[] = [];
    const auths: number[] = [];
    let min = Infinity;
    let max = -Infinity;
    let dated = 0;
    for (let p = 0; p < n; p++) {
      const paper = papers[p];
      this.paperIndex.set(paper.id, p);
      const d = paperDate(paper);
      if (d) {
        this.year[p] = d.year;
        this.dateKey[p] = d.year * 10000 + d.month * 100 + d.day;
        if (d.year < min) min = d.year;
        if (d.year > max) max = d.year;
        dated++;
      }
      this.catStart[p] = cats.length;
      for (const c of new Set(stringsOf(paper.categories))) {
        let id = this.categoryId.get(c);
        if (id === undefined) {
          id = this.categoryNames.length;
          this.categoryId.set(c, id);
          this.categoryNames.push(c);
        }
        cats.push(id);
      }
      this.authStart[p] = auths.length;
      const seen = new Set<number>();
      for (const name of stringsOf(paper.authors)) {
        const key = authorKey(name);
        if (!key) continue;
        let id = this.authorId.get(key);
        if (id === undefined) {
          id = this.authorNames.length;
          this.authorId.set(key, id);
          this.authorNames.push(name.trim());
          this.authorKeys.push(key);
        }
        if (!seen.has(id)) {
          seen.add(id);
          auths.push(id);
        }
      }
    }
    this.catStart[n] = cats.length;
    this.authStart[n] = auths.length;
    this.catIds = Int32Array.from(cats);
    this.authIds = Int32Array.from(auths);
    this.categoryTotals = new Int32Array(this.categoryNames.length);
    for (const c of this.catIds) this.categoryTotals[c]++;
    this.authorTotals = new Int32Array(this.authorNames.length);
    for (const a of this.authIds) this.authorTotals[a]++;
    this.years = dated ? { min, max } : null;
    this.dated = dated;
  }

  /** Index of a paper by id (as in the corpus's paper order), or -1. */
  indexOf(paperId: string): number {
    return this.paperIndex.get(paperId) ?? -1;
  }

  /**
   * Keeps the categories and authors this corpus has, each as the corpus spells it (an author
   * named "Last, First" or without accents is found), and lists the others. A year range given
   * backwards is turned round.
   */
  resolve(state: FilterState): ResolvedFilter {
    const unknownCategories: string[] = [];
    const unknownAuthors: string[] = [];
    const categories: string[] = [];
    for (const c of state.categories ?? []) {
      const id = this.categoryId.get(c) ?? this.categoryId.get(this.categoryNames.find((x) => x.toLowerCase() === c.toLowerCase()) ?? '');
      if (id === undefined) unknownCategories.push(c);
      else if (!categories.includes(this.categoryNames[id])) categories.push(this.categoryNames[id]);
    }
    const authors: string[] = [];
    for (const a of state.authors ?? []) {
      const id = this.authorId.get(authorKey(a));
      if (id === undefined) unknownAuthors.push(a);
      else if (!authors.includes(this.authorNames[id])) authors.push(this.authorNames[id]);
    }
    let { from, to } = state;
    if (from !== undefined && to !== undefined && from > to) [from, to] = [to, from];
    const out: FilterState = { sort: state.sort };
    if (from !== undefined) out.from = from;
    if (to !== undefined) out.to = to;
    if (categories.length) out.categories = categories;
    if (authors.length) out.authors = authors;
    return { state: out, unknownCategories, unknownAuthors };
  }

  /**
   * The allowed papers (1 = allowed), or null when the state narrows nothing (search unfiltered).
   * `ignore` leaves one kind out: category counts are taken under the other filters, so that
   * choosing a second category shows what it would add.
   * Names the corpus does not have match no paper (resolve() first to drop them with a notice).
   * A paper without a year fails any year bound.
   */
  mask(state: FilterState, ignore?: 'categories'): Uint8Array | null {
    const useYear = state.from !== undefined || state.to !== undefined;
    const cats = ignore === 'categories' ? [] : (state.categories ?? []);
    const auths = state.authors ?? [];
    if (!useYear && cats.length === 0 && auths.length === 0) return null;
    const lo = state.from ?? -Infinity;
    const hi = state.to ?? Infinity;
    const catSel = selection(cats, this.categoryId, this.categoryNames.length);
    const authSel = selection(auths.map(authorKey), this.authorId, this.authorNames.length);
    const { year, catStart, catIds, authStart, authIds } = this;
    const out = new Uint8Array(this.size);
    for (let p = 0; p < this.size; p++) {
      if (useYear) {
        const y = year[p];
        if (y === 0 || y < lo || y > hi) continue;
      }
      if (catSel && !anyOf(catIds, catStart[p], catStart[p + 1], catSel)) continue;
      if (authSel && !anyOf(authIds, authStart[p], authStart[p + 1], authSel)) continue;
      out[p] = 1;
    }
    return out;
  }

  /** How many papers a mask allows (null: all). */
  static allowed(mask: Uint8Array | null, size: number): number {
    if (!mask) return size;
    let n = 0;
    for (let i = 0; i < mask.length; i++) n += mask[i];
    return n;
  }

  /** Papers per category among the given papers (indices), indexed by category id. */
  categoryCounts(papers: ArrayLike<number>): Int32Array {
    const counts = new Int32Array(this.categoryNames.length);
    for (let i = 0; i < papers.length; i++) {
      const p = papers[i];
      for (let j = this.catStart[p], end = this.catStart[p + 1]; j < end; j++) counts[this.catIds[j]]++;
    }
    return counts;
  }

  /** Counts as a list, most papers first (then by name); the `keep` names stay in even at 0. */
  facetList(counts: Int32Array, keep: readonly string[] = []): FacetCount[] {
    const out: FacetCount[] = [];
    counts.forEach((count, id) => {
      const name = this.categoryNames[id];
      if (count > 0 || keep.includes(name)) out.push({ name, count });
    });
    return out.sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * Authors whose name, or any word in it, starts with `prefix` (folded as authorKey: case and
   * accents do not matter), most papers first. A scan over the distinct names: at ~250k names
   * this is a few milliseconds, no index to build or keep.
   */
  suggestAuthors(prefix: string, limit = 8): AuthorSuggestion[] {
    const q = authorKey(prefix);
    if (!q) return [];
    const spaced = ` ${q}`;
    const hits: number[] = [];
    const keys = this.authorKeys;
    for (let id = 0; id < keys.length; id++) {
      const k = keys[id];
      if (k.startsWith(q) || k.includes(spaced)) hits.push(id);
    }
    hits.sort((a, b) => this.authorTotals[b] - this.authorTotals[a] || (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : 0));
    return hits.slice(0, limit).map((id) => ({ name: this.authorNames[id], papers: this.authorTotals[id] }));
  }

  /**
   * Paper indices (best first by relevance) reordered newest first; papers without a date go
   * last; equal dates keep their relevance order.
   */
  byDate(papers: readonly number[]): number[] {
    const key = this.dateKey;
    return papers
      .map((p, rank) => ({ p, rank }))
      .sort((a, b) => key[b.p] - key[a.p] || a.rank - b.rank)
      .map((x) => x.p);
  }
}

function stringsOf(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : [];
}

/**
 * Year, month and day of a paper: its `year` and `date` as the build normalised them; a date
 * that is not ISO (an older or hand-made corpus) gives its year when it starts with one.
 */
export function paperDate(paper: Pick<Paper, 'date' | 'year'>): { year: number; month: number; day: number } | null {
  const m = typeof paper.date === 'string' ? /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(paper.date.trim()) : null;
  let year = Number.isInteger(paper.year) ? paper.year! : m ? Number(m[1]) : NaN;
  if (!(year >= 1000 && year <= 2100)) {
    year = m ? Number(m[1]) : NaN;
    if (!(year >= 1000 && year <= 2100)) return null;
  }
  const sameYear = m && Number(m[1]) === year;
  const month = sameYear && m[2] && +m[2] >= 1 && +m[2] <= 12 ? +m[2] : 0;
  const day = month && m![3] && +m![3] >= 1 && +m![3] <= 31 ? +m![3] : 0;
  return { year, month, day };
}

function selection(names: readonly string[], ids: Map<string, number>, size: number): Uint8Array | null {
  if (names.length === 0) return null;
  const sel = new Uint8Array(size);
  for (const n of names) {
    const id = ids.get(n);
    if (id !== undefined) sel[id] = 1;
  }
  return sel;
}

function anyOf(ids: Int32Array, start: number, end: number, sel: Uint8Array): boolean {
  for (let j = start; j < end; j++) if (sel[ids[j]]) return true;
  return false;
}

export interface FilteredRanking<H> {
  hits: H[];
  /** categories among the RELEVANT_POOL best matches under the other filters (the chosen ones always listed) */
  facets: FacetCount[];
  /** papers the filter allows (the corpus size when it narrows nothing) */
  allowed: number;
}

/**
 * Runs one ranking (a query or "more like this") under a filter: `run(k, mask)` must return the
 * k best hits among the allowed papers. By date: the RELEVANT_POOL best, newest first, then the
 * first k. Category counts: over the RELEVANT_POOL best under every filter but the categories.
 */
export function rankFiltered<H extends { paper: Pick<Paper, 'id'> }>(
  index: FilterIndex,
  state: FilterState,
  k: number,
  run: (k: number, mask: Uint8Array | undefined) => H[],
): FilteredRanking<H> {
  const mask = index.mask(state) ?? undefined;
  const facetMask = state.categories?.length ? (index.mask(state, 'categories') ?? undefined) : mask;
  let hits: H[];
  let pool: H[] | null = null;
  if (state.sort === 'date') {
    pool = run(RELEVANT_POOL, mask);
    const at = new Map(pool.map((h) => [index.indexOf(h.paper.id), h]));
    hits = index.byDate([...at.keys()]).slice(0, k).map((p) => at.get(p)!);
  } else {
    hits = run(k, mask);
  }
  const facetPool = pool && facetMask === mask ? pool : run(RELEVANT_POOL, facetMask);
  const counts = index.categoryCounts(facetPool.map((h) => index.indexOf(h.paper.id)));
  return { hits, facets: index.facetList(counts, state.categories), allowed: FilterIndex.allowed(mask ?? null, index.size) };
}
