/**
 * Filters over paper metadata: year range, categories, authors, source (the shipped corpus or one
 * of the user's imported collections); and the order of the results.
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
  /** source ids: CORPUS_SOURCE or a collection's id (stable across renames); a paper from any of them passes */
  sources?: string[];
  sort: SortOrder;
}

/** The source id of the papers shipped with the site (collection ids are "c" + hex, never this). */
export const CORPUS_SOURCE = 'corpus';

export interface FilterIndexOptions {
  /** Every source id, in the order to list them (a collection with no papers yet included); default: the corpus only. */
  sources?: readonly string[];
  /** The source of the paper at this index; default: CORPUS_SOURCE. */
  sourceOf?: (index: number) => string;
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
  return state.from !== undefined || state.to !== undefined || !!state.categories?.length || !!state.authors?.length || !!state.sources?.length;
}

/**
 * An author name folded for matching: "Last, First" turned round, LaTeX accent commands and
 * braces dropped, diacritics removed, lower case, punctuation as spaces. "Schütze, Hinrich",
 * "Hinrich Sch\"{u}tze" and "hinrich schutze" are one author.
 */
export function authorKey(name: string): string {
  // most names are plain ASCII "First Last": one pass, no Unicode normalisation
  if (/^[A-Za-z .'-]*$/.test(name)) return name.toLowerCase().replace(/[^a-z]+/g, ' ').trim();
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
  /** the state with only the categories, authors and sources this corpus has (names as the corpus spells them) */
  state: FilterState;
  unknownCategories: string[];
  unknownAuthors: string[];
  unknownSources: string[];
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
  readonly years: { min: number; max: number } | null;
  /** papers with a year */
  readonly dated: number;
  /** papers that name at least one author */
  readonly authored: number;
  /** source ids (CORPUS_SOURCE, collection ids), by source id number */
  readonly sourceNames: string[];
  /** papers per source, by source id number */
  readonly sourceTotals: Int32Array;
  /** per paper: its source id number */
  private readonly sourceOfPaper: Uint16Array;
  private readonly sourceId: Map<string, number>;
  private readonly catStart: Int32Array;
  private readonly catIds: Int32Array;
  private readonly categoryId: Map<string, number>;
  private readonly paperIndex: Map<string, number>;
  private readonly papers: readonly Paper[];
  /** built on first use or by prepareAuthors() (the slow part: ~1 s for 75k papers with 250k names on the busy test machine) */
  private authorTable: AuthorTable | null = null;
  private authorBuild: AuthorBuilder | null = null;

  constructor(papers: readonly Paper[], options: FilterIndexOptions = {}) {
    this.papers = papers;
    const n = papers.length;
    this.size = n;
    this.sourceNames = [...new Set(options.sources ?? [CORPUS_SOURCE])];
    this.sourceId = new Map(this.sourceNames.map((name, i) => [name, i]));
    this.sourceOfPaper = new Uint16Array(n);
    this.year = new Int16Array(n);
    this.dateKey = new Int32Array(n);
    this.catStart = new Int32Array(n + 1);
    this.categoryId = new Map();
    this.paperIndex = new Map();
    this.categoryNames = [];
    const cats: number[] = [];
    let min = Infinity;
    let max = -Infinity;
    let dated = 0;
    let authored = 0;
    for (let p = 0; p < n; p++) {
      const paper = papers[p];
      if (Array.isArray(paper.authors) && paper.authors.length) authored++;
      this.paperIndex.set(paper.id, p);
      const source = options.sourceOf ? options.sourceOf(p) : CORPUS_SOURCE;
      let sid = this.sourceId.get(source);
      if (sid === undefined) {
        sid = this.sourceNames.length;
        this.sourceId.set(source, sid);
        this.sourceNames.push(source);
      }
      this.sourceOfPaper[p] = sid;
      const d = paperDate(paper);
      if (d) {
        this.year[p] = d.year;
        this.dateKey[p] = d.year * 10000 + d.month * 100 + d.day;
        if (d.year < min) min = d.year;
        if (d.year > max) max = d.year;
        dated++;
      }
      this.catStart[p] = cats.length;
      const list = paper.categories;
      if (Array.isArray(list)) {
        const at = cats.length;
        for (const c of list) {
          if (typeof c !== 'string' || !c) continue;
          let id = this.categoryId.get(c);
          if (id === undefined) {
            id = this.categoryNames.length;
            this.categoryId.set(c, id);
            this.categoryNames.push(c);
          }
          if (!cats.includes(id, at)) cats.push(id);
        }
      }
    }
    this.catStart[n] = cats.length;
    this.catIds = Int32Array.from(cats);
    this.categoryTotals = new Int32Array(this.categoryNames.length);
    for (const c of this.catIds) this.categoryTotals[c]++;
    this.sourceTotals = this.sourceCounts(Array.from({ length: n }, (_, p) => p));
    this.years = dated ? { min, max } : null;
    this.dated = dated;
    this.authored = authored;
  }

  /** distinct author names (as first spelled in the corpus), by author id */
  get authorNames(): readonly string[] {
    return this.authors().names;
  }

  /** papers per author, by author id */
  get authorTotals(): Int32Array {
    return this.authors().totals;
  }

  private authors(): AuthorTable {
    if (!this.authorTable) {
      this.authorBuild ??= new AuthorBuilder(this.papers);
      this.authorTable = this.authorBuild.run(Infinity)!;
      this.authorBuild = null;
    }
    return this.authorTable;
  }

  /** Builds the author table a slice of papers at a time, yielding between slices, so the page stays responsive. */
  async prepareAuthors(slice = 5000): Promise<void> {
    while (!this.authorTable) {
      this.authorBuild ??= new AuthorBuilder(this.papers);
      const done = this.authorBuild.run(slice);
      if (done) {
        this.authorTable = done;
        this.authorBuild = null;
      } else {
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    }
  }

  /** Index of a paper by id (as in the corpus's paper order), or -1. */
  indexOf(paperId: string): number {
    return this.paperIndex.get(paperId) ?? -1;
  }

  /**
   * Keeps the categories, authors and sources this corpus has, each as the corpus spells it (an
   * author named "Last, First" or without accents is found), and lists the others. A year range
   * given backwards is turned round.
   */
  resolve(state: FilterState): ResolvedFilter {
    const unknownSources: string[] = [];
    const sources: string[] = [];
    for (const s of state.sources ?? []) {
      if (!this.sourceId.has(s)) unknownSources.push(s);
      else if (!sources.includes(s)) sources.push(s);
    }
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
      const table = this.authors();
      const id = table.id.get(authorKey(a));
      if (id === undefined) unknownAuthors.push(a);
      else if (!authors.includes(table.names[id])) authors.push(table.names[id]);
    }
    let { from, to } = state;
    if (from !== undefined && to !== undefined && from > to) [from, to] = [to, from];
    const out: FilterState = { sort: state.sort };
    if (from !== undefined) out.from = from;
    if (to !== undefined) out.to = to;
    if (categories.length) out.categories = categories;
    if (authors.length) out.authors = authors;
    if (sources.length) out.sources = sources;
    return { state: out, unknownCategories, unknownAuthors, unknownSources };
  }

  /**
   * The allowed papers (1 = allowed), or null when the state narrows nothing (search unfiltered).
   * `ignore` leaves one kind out: category (and source) counts are taken under the other filters,
   * so that choosing a second category shows what it would add.
   * Names the corpus does not have match no paper (resolve() first to drop them with a notice).
   * A paper without a year fails any year bound.
   */
  mask(state: FilterState, ignore?: 'categories' | 'sources'): Uint8Array | null {
    const useYear = state.from !== undefined || state.to !== undefined;
    const cats = ignore === 'categories' ? [] : (state.categories ?? []);
    const auths = state.authors ?? [];
    const srcs = ignore === 'sources' ? [] : (state.sources ?? []);
    if (!useYear && cats.length === 0 && auths.length === 0 && srcs.length === 0) return null;
    const lo = state.from ?? -Infinity;
    const hi = state.to ?? Infinity;
    const catSel = selection(cats, this.categoryId, this.categoryNames.length);
    const table = auths.length ? this.authors() : null;
    const authSel = table && selection(auths.map(authorKey), table.id, table.names.length);
    const srcSel = selection(srcs, this.sourceId, this.sourceNames.length);
    const { year, catStart, catIds, sourceOfPaper } = this;
    const authStart = table?.start;
    const authIds = table?.ids;
    const out = new Uint8Array(this.size);
    for (let p = 0; p < this.size; p++) {
      if (useYear) {
        const y = year[p];
        if (y === 0 || y < lo || y > hi) continue;
      }
      if (srcSel && !srcSel[sourceOfPaper[p]]) continue;
      if (catSel && !anyOf(catIds, catStart[p], catStart[p + 1], catSel)) continue;
      if (authSel && !anyOf(authIds!, authStart![p], authStart![p + 1], authSel)) continue;
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

  /** Papers per source among the given papers (indices), indexed by source id number. */
  sourceCounts(papers: ArrayLike<number>): Int32Array {
    const counts = new Int32Array(this.sourceNames.length);
    for (let i = 0; i < papers.length; i++) counts[this.sourceOfPaper[papers[i]]]++;
    return counts;
  }

  /** Papers per source among those a mask allows (null: all), indexed by source id number. */
  sourceCountsUnder(mask: Uint8Array | null): Int32Array {
    if (!mask) return this.sourceTotals.slice();
    const counts = new Int32Array(this.sourceNames.length);
    for (let p = 0; p < this.size; p++) if (mask[p]) counts[this.sourceOfPaper[p]]++;
    return counts;
  }

  /** The source id of the paper at this index. */
  sourceOf(index: number): string {
    return this.sourceNames[this.sourceOfPaper[index]];
  }

  /** Source counts as a list, every source in the index's order (a source is listed at 0 too: there are few). */
  sourceList(counts: Int32Array): FacetCount[] {
    return this.sourceNames.map((name, id) => ({ name, count: counts[id] }));
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
    const { keys, totals, names } = this.authors();
    // the best `limit` kept in order as the scan goes (a short prefix matches a large share of all names)
    const best: number[] = [];
    const before = (a: number, b: number) => totals[a] > totals[b] || (totals[a] === totals[b] && keys[a] < keys[b]);
    for (let id = 0; id < keys.length; id++) {
      const k = keys[id];
      if (!(k.startsWith(q) || k.includes(spaced))) continue;
      if (best.length === limit && !before(id, best[limit - 1])) continue;
      let at = best.length;
      while (at > 0 && before(id, best[at - 1])) at--;
      best.splice(at, 0, id);
      if (best.length > limit) best.pop();
    }
    return best.map((id) => ({ name: names[id], papers: totals[id] }));
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

interface AuthorTable {
  names: string[];
  /** folded names (authorKey), by author id */
  keys: string[];
  id: Map<string, number>;
  totals: Int32Array;
  /** per paper p: its author ids are ids[start[p]..start[p+1]) */
  start: Int32Array;
  ids: Int32Array;
}

/** The author table, built a slice of papers at a time (the same spelling is folded once). */
class AuthorBuilder {
  private p = 0;
  private readonly names: string[] = [];
  private readonly keys: string[] = [];
  private readonly id = new Map<string, number>();
  private readonly bySpelling = new Map<string, number>();
  private readonly start: Int32Array;
  private ids: number[] = [];

  constructor(private readonly papers: readonly Paper[]) {
    this.start = new Int32Array(papers.length + 1);
  }

  /** Reads up to `count` more papers; the table once every paper is read, else null. */
  run(count: number): AuthorTable | null {
    const { papers, names, keys, id, bySpelling, start, ids } = this;
    const n = papers.length;
    const end = Math.min(n, this.p + count);
    for (let p = this.p; p < end; p++) {
      start[p] = ids.length;
      const list = papers[p].authors;
      if (!Array.isArray(list)) continue;
      const at = ids.length;
      for (const name of list) {
        if (typeof name !== 'string') continue;
        let a = bySpelling.get(name);
        if (a === undefined) {
          const key = authorKey(name);
          if (!key) continue;
          a = id.get(key);
          if (a === undefined) {
            a = names.length;
            id.set(key, a);
            names.push(name.trim());
            keys.push(key);
          }
          bySpelling.set(name, a);
        }
        if (!ids.includes(a, at)) ids.push(a);
      }
    }
    this.p = end;
    if (end < n) return null;
    start[n] = ids.length;
    const idArray = Int32Array.from(ids);
    const totals = new Int32Array(names.length);
    for (const a of idArray) totals[a]++;
    return { names, keys, id, totals, start, ids: idArray };
  }
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
  /** sources among the RELEVANT_POOL best matches under the other filters (every source listed) */
  sources: FacetCount[];
  /** papers the filter allows (the corpus size when it narrows nothing) */
  allowed: number;
}

/**
 * Runs one ranking (a query or "more like this") under a filter: `run(k, mask)` must return the
 * k best hits among the allowed papers, in an order that does not depend on k (the engine's: score,
 * then paper index), so the k best are the first k of the RELEVANT_POOL best. By relevance: the
 * first k of the RELEVANT_POOL best. By date: those RELEVANT_POOL, newest first, then the first k.
 * Category counts: over the RELEVANT_POOL best under every filter but the categories; source counts
 * likewise under every filter but the sources. A ranking under the same mask runs once.
 */
export function rankFiltered<H extends { paper: Pick<Paper, 'id'> }>(
  index: FilterIndex,
  state: FilterState,
  k: number,
  run: (k: number, mask: Uint8Array | undefined) => H[],
): FilteredRanking<H> {
  const mask = index.mask(state) ?? undefined;
  const categoryMask = state.categories?.length ? (index.mask(state, 'categories') ?? undefined) : mask;
  const sourceMask = state.sources?.length ? (index.mask(state, 'sources') ?? undefined) : mask;
  const pools = new Map<Uint8Array | undefined, H[]>();
  const pool = (m: Uint8Array | undefined): H[] => {
    let got = pools.get(m);
    if (!got) pools.set(m, (got = run(RELEVANT_POOL, m)));
    return got;
  };
  let hits: H[];
  if (state.sort === 'date') {
    const at = new Map(pool(mask).map((h) => [index.indexOf(h.paper.id), h]));
    hits = index.byDate([...at.keys()]).slice(0, k).map((p) => at.get(p)!);
  } else {
    // (the pool is needed for the counts anyway: without a category or source filter it is the same ranking)
    hits = k <= RELEVANT_POOL ? pool(mask).slice(0, k) : run(k, mask);
  }
  const indices = (hs: H[]) => hs.map((h) => index.indexOf(h.paper.id));
  return {
    hits,
    facets: index.facetList(index.categoryCounts(indices(pool(categoryMask))), state.categories),
    sources: index.sourceList(index.sourceCounts(indices(pool(sourceMask)))),
    allowed: FilterIndex.allowed(mask ?? null, index.size),
  };
}
