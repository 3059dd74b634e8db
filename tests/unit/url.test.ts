import { describe, expect, it } from 'vitest';
import { filterNotices, formatFilterState, formatUrlState, listSearch, parseFilterState, parseListParam, parseUrlState } from '../../src/ui/url';

describe('URL state', () => {
  it('round-trips a query with spaces, unicode and reserved characters', () => {
    const q = 'speech & "vision" — 音声 ?x=1#frag';
    const s = formatUrlState({ q, like: '', mode: 'semantic' });
    expect(parseUrlState(s)).toEqual({ q, like: '', mode: 'semantic' });
  });

  it('round-trips a more-like-this paper id, which wins over a query', () => {
    const s = formatUrlState({ q: 'ignored', like: 'arxiv:2309.16671', mode: null });
    expect(s).toBe('?like=arxiv%3A2309.16671');
    expect(parseUrlState(s)).toEqual({ q: '', like: 'arxiv:2309.16671', mode: null });
  });

  it('keeps unrelated parameters and drops empty state', () => {
    expect(formatUrlState({ q: '', like: '', mode: null }, '?backend=wasm&q=old')).toBe('?backend=wasm');
    expect(formatUrlState({ q: 'x', like: '', mode: null }, '?backend=wasm')).toBe('?backend=wasm&q=x');
  });

  it('ignores an unknown mode', () => {
    expect(parseUrlState('?q=a&mode=bogus').mode).toBeNull();
  });
});

describe('URL filter state', () => {
  it('round-trips every filter, authors with commas and accents included', () => {
    const filter = { from: 2024, to: 2025, categories: ['cs.CL', 'eess.AS'], authors: ['Schütze, Hinrich', 'Ada Lovelace'], sort: 'date' as const };
    const s = formatFilterState(filter, '?q=speech&mode=keyword');
    expect(s).toBe('?q=speech&mode=keyword&from=2024&to=2025&cat=cs.CL%2Ceess.AS&author=Sch%C3%BCtze%2C+Hinrich&author=Ada+Lovelace&sort=date');
    expect(parseFilterState(s)).toEqual({ filter, problems: [] });
    // the query's own state is untouched by the filters and the other way round
    expect(parseUrlState(s)).toEqual({ q: 'speech', like: '', mode: 'keyword' });
    expect(parseFilterState(formatUrlState({ q: 'other', like: '', mode: null }, s)).filter).toEqual(filter);
  });

  it('reads the form in the issue, and drops empty filters from the URL', () => {
    expect(parseFilterState('?from=2024&to=2025&cat=cs.CL,eess.AS&author=A.+Person&sort=date').filter).toEqual({
      from: 2024, to: 2025, categories: ['cs.CL', 'eess.AS'], authors: ['A. Person'], sort: 'date',
    });
    expect(formatFilterState({ sort: 'relevance' }, '?q=x&from=1&cat=a&author=b&sort=date')).toBe('?q=x');
    expect(parseFilterState('')).toEqual({ filter: { sort: 'relevance' }, problems: [] });
  });

  it('names what it cannot read and keeps the rest', () => {
    const { filter, problems } = parseFilterState('?from=last+year&to=2025-06-01&cat=,cs.CL,,cs.CL&author=&sort=newest');
    expect(filter).toEqual({ to: 2025, categories: ['cs.CL'], sort: 'relevance' });
    expect(problems).toEqual(['sort=newest is not an order (use "relevance" or "date"): sorted by relevance', 'from=last year is not a year: left out']);
  });
});

describe('filter notices', () => {
  it('names the categories and authors the corpus does not have, and says the rest applies', () => {
    expect(filterNotices({ unknownCategories: ['nope.XX'], unknownAuthors: [] })).toEqual(['No category "nope.XX" in this corpus: that filter is left out, the other filters apply.']);
    expect(filterNotices({ unknownCategories: ['a', 'b'], unknownAuthors: ['X Y'] })).toEqual([
      'No category "a", "b" in this corpus: those are left out, the other filters apply.',
      'No author "X Y" in this corpus: left out of the filters, the other filters apply.',
    ]);
    expect(filterNotices({ unknownCategories: [], unknownAuthors: [] })).toEqual([]);
  });
});

describe('URL source filter (&src=)', () => {
  it('round-trips the shipped corpus and collection ids beside the other filters', () => {
    const filter = { categories: ['cs.CL'], sources: ['corpus', 'c0a1b2c3d4e5'], sort: 'relevance' as const };
    const s = formatFilterState(filter, '?q=kelp');
    expect(s).toBe('?q=kelp&cat=cs.CL&src=corpus%2Cc0a1b2c3d4e5');
    expect(parseFilterState(s)).toEqual({ filter, problems: [] });
    expect(formatFilterState({ sort: 'relevance' }, s)).toBe('?q=kelp');
  });

  it('reads the form in the issue, repeated and empty entries folded', () => {
    expect(parseFilterState('?src=corpus,my-zotero&src=,corpus').filter).toEqual({ sources: ['corpus', 'my-zotero'], sort: 'relevance' });
  });

  it('names collections this browser does not have, and says the rest applies', () => {
    expect(filterNotices({ unknownCategories: [], unknownAuthors: [], unknownSources: ['cdeadbeef0000'] })).toEqual([
      'No collection "cdeadbeef0000" in this browser: it was deleted, or the link was made in another browser (imported collections stay in the browser that imported them). Left out of the filters, the other filters apply.',
    ]);
  });
});

describe('URL shared reading list (?list=)', () => {
  it('writes ids only, comma-separated, keeping "/" and ":" readable and other parameters as they are', () => {
    expect(listSearch(['2309.16671', 'hep-th/9901001', 'arxiv:2401.1'])).toBe('?list=2309.16671,hep-th/9901001,arxiv:2401.1');
    expect(listSearch(['a'], '?q=x&list=old&mode=keyword')).toBe('?q=x&mode=keyword&list=a');
    expect(listSearch([], '?q=x&list=old')).toBe('?q=x');
    expect(listSearch([], '?list=old')).toBe('');
  });

  it('round-trips ids holding commas, spaces, "&" and unicode', () => {
    const ids = ['c1a2.b3/2309.16671', 'weird,id', 'with space & amp', 'résumé#1'];
    const s = listSearch(ids, '?q=speech');
    expect(parseListParam(s)).toEqual({ ids, problems: [] });
    expect(parseUrlState(s).q).toBe('speech');
  });

  it('drops repeats and empties, names what it cannot decode', () => {
    expect(parseListParam('?list=a,,b,a&list=c')).toEqual({ ids: ['a', 'b', 'c'], problems: [] });
    expect(parseListParam('?list=ok,%E0%A4%A,x')).toEqual({ ids: ['ok', 'x'], problems: ['"%E0%A4%A" is not a readable paper id'] });
    expect(parseListParam('?q=list&listx=1')).toEqual({ ids: [], problems: [] });
  });
});
