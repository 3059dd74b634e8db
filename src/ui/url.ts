/**
 * The search state that lives in the address bar: ?q=<query> or ?like=<paper id>, plus &mode=;
 * the filters: &from=2024&to=2025&cat=cs.CL,eess.AS&author=<name>&author=<name>&src=corpus,<collection id>&sort=date;
 * and a shared reading list: ?list=<paper id>,<paper id> (ids only, never a paper's text).
 */
import type { FilterState, ResolvedFilter } from '../search/filter';

export type SearchMode = 'hybrid' | 'semantic' | 'keyword';
export const SEARCH_MODES: readonly SearchMode[] = ['hybrid', 'semantic', 'keyword'];

export interface UrlState {
  q: string;
  like: string;
  mode: SearchMode | null;
}

export function parseUrlState(search: string): UrlState {
  const params = new URLSearchParams(search);
  const mode = params.get('mode');
  return {
    q: params.get('q') ?? '',
    like: params.get('like') ?? '',
    mode: SEARCH_MODES.includes(mode as SearchMode) ? (mode as SearchMode) : null,
  };
}

/** Serialises state into a query string, keeping unrelated parameters (e.g. ?backend=) untouched. */
export function formatUrlState(state: UrlState, current = ''): string {
  const params = new URLSearchParams(current);
  params.delete('q');
  params.delete('like');
  params.delete('mode');
  if (state.like) params.set('like', state.like);
  else if (state.q) params.set('q', state.q);
  if (state.mode) params.set('mode', state.mode);
  const s = params.toString();
  return s ? `?${s}` : '';
}

const FILTER_PARAMS = ['from', 'to', 'cat', 'author', 'src', 'sort'];

/**
 * The filters in a query string. What cannot be read (a year that is not one) is left out and
 * described in `problems`; whether the named categories and authors exist is the corpus's
 * question (FilterIndex.resolve), not the URL's.
 */
export function parseFilterState(search: string): { filter: FilterState; problems: string[] } {
  const params = new URLSearchParams(search);
  const problems: string[] = [];
  const filter: FilterState = { sort: params.get('sort') === 'date' ? 'date' : 'relevance' };
  const sort = params.get('sort');
  if (sort !== null && sort !== 'date' && sort !== 'relevance') problems.push(`sort=${sort} is not an order (use "relevance" or "date"): sorted by relevance`);
  for (const key of ['from', 'to'] as const) {
    const v = params.get(key)?.trim();
    if (!v) continue;
    // "2024" or a date from it ("2024-05", "2024-05-03"): the filter is by year
    const m = /^(\d{4})(?:-\d{1,2}(?:-\d{1,2})?)?$/.exec(v);
    if (m) filter[key] = Number(m[1]);
    else problems.push(`${key}=${v} is not a year: left out`);
  }
  const cats = params.getAll('cat').flatMap((c) => c.split(',')).map((c) => c.trim()).filter(Boolean);
  if (cats.length) filter.categories = [...new Set(cats)];
  const authors = params.getAll('author').map((a) => a.trim()).filter(Boolean);
  if (authors.length) filter.authors = [...new Set(authors)];
  const sources = params.getAll('src').flatMap((c) => c.split(',')).map((c) => c.trim()).filter(Boolean);
  if (sources.length) filter.sources = [...new Set(sources)];
  return { filter, problems };
}

/** Serialises the filters into a query string, keeping every other parameter as it is. */
export function formatFilterState(filter: FilterState, current = ''): string {
  const params = new URLSearchParams(current);
  for (const k of FILTER_PARAMS) params.delete(k);
  if (filter.from !== undefined) params.set('from', String(filter.from));
  if (filter.to !== undefined) params.set('to', String(filter.to));
  if (filter.categories?.length) params.set('cat', filter.categories.join(','));
  for (const a of filter.authors ?? []) params.append('author', a);
  if (filter.sources?.length) params.set('src', filter.sources.join(','));
  if (filter.sort === 'date') params.set('sort', 'date');
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** What to tell the user about filters (from a link, typically) that name what this corpus does not have. */
export function filterNotices(r: Pick<ResolvedFilter, 'unknownCategories' | 'unknownAuthors'> & Partial<Pick<ResolvedFilter, 'unknownSources'>>): string[] {
  const out: string[] = [];
  if (r.unknownCategories.length) {
    out.push(`No category ${quoted(r.unknownCategories)} in this corpus: ${r.unknownCategories.length === 1 ? 'that filter is' : 'those are'} left out, the other filters apply.`);
  }
  if (r.unknownAuthors.length) out.push(`No author ${quoted(r.unknownAuthors)} in this corpus: left out of the filters, the other filters apply.`);
  const sources = r.unknownSources ?? [];
  if (sources.length) {
    out.push(
      `No collection ${quoted(sources)} in this browser: ${sources.length === 1 ? 'it was' : 'they were'} deleted, or the link was made in another browser (imported collections stay in the browser that imported them). Left out of the filters, the other filters apply.`,
    );
  }
  return out;
}

const quoted = (xs: string[]) => xs.map((x) => `"${x}"`).join(', ');

/**
 * The paper ids of a shared reading list (?list=a,b). Read from the raw query string, each id
 * percent-decoded on its own, so that an id holding a comma (written %2C by listSearch) survives.
 * Repeated, empty and undecodable entries are left out; `problems` names the undecodable ones.
 */
export function parseListParam(search: string): { ids: string[]; problems: string[] } {
  const ids: string[] = [];
  const problems: string[] = [];
  for (const part of search.replace(/^\?/, '').split('&')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq) !== 'list') continue;
    for (const raw of part.slice(eq + 1).split(',')) {
      let id: string;
      try {
        id = decodeURIComponent(raw.replace(/\+/g, ' ')).trim();
      } catch {
        problems.push(`"${raw}" is not a readable paper id`);
        continue;
      }
      if (id && !ids.includes(id)) ids.push(id);
    }
  }
  return { ids, problems };
}

/** The query string with ?list= set to these ids (or removed when there are none), every other parameter kept. */
export function listSearch(ids: readonly string[], current = ''): string {
  const rest = current.replace(/^\?/, '').split('&').filter((p) => p && !/^list(=|$)/.test(p));
  // "/" and ":" may stand in a query as they are (ids like "hep-th/9901001" stay readable)
  if (ids.length) rest.push(`list=${ids.map((id) => encodeURIComponent(id).replace(/%2F/g, '/').replace(/%3A/g, ':')).join(',')}`);
  return rest.length ? `?${rest.join('&')}` : '';
}
