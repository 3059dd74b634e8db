import { describe, expect, it } from 'vitest';
import type { Chunk, CorpusData, Paper } from '../../src/corpus/types';
import { SearchEngine, type PaperHit } from '../../src/search/engine';
import { CORPUS_SOURCE, FilterIndex, authorKey, isFiltering, paperDate, rankFiltered, RELEVANT_POOL, type FilterState } from '../../src/search/filter';
import { VectorMatrix } from '../../src/search/vectors';
import { rng } from '../fixtures/corpus/helpers';

const WORDS = ['speech', 'pruning', 'vision', 'graphs', 'proteins', 'robots', 'language', 'sparse'];

/** n papers of one or two passages; every paper mentions "models", some "speech". */
function bigCorpus(n: number): { data: CorpusData; matrix: VectorMatrix } {
  const r = rng(7);
  const papers: Paper[] = [];
  const chunks: Chunk[] = [];
  const vectors: number[][] = [];
  for (let i = 0; i < n; i++) {
    const w1 = WORDS[i % WORDS.length];
    const w2 = WORDS[Math.floor(r() * WORDS.length)];
    const abstract = `We study ${w1} models. Results on ${w2} benchmarks improve.`;
    const id = `p${i}`;
    papers.push({ id, title: `Paper ${i} on ${w1}`, titleDerived: false, abstract, year: 2020 + (i % 6), categories: [i % 2 ? 'cs.CL' : 'cs.CV'], source: { file: 't', line: i + 1 } });
    const cut = abstract.indexOf('Results');
    const parts = i % 3 ? [[0, cut - 1], [cut, abstract.length]] : [[0, abstract.length]];
    parts.forEach(([s, e], index) => {
      chunks.push({ id: `${id}#${index}`, paperId: id, index, text: abstract.slice(s, e), start: s, end: e, hash: `${id}${index}` });
      vectors.push(Array.from({ length: 16 }, () => r() - 0.5));
    });
  }
  return { data: { chunker: { version: 't', maxTokens: 100, overlapSentences: 0 }, papers, chunks }, matrix: VectorMatrix.fromRows(vectors, 16) };
}

describe('SearchEngine with a filter (applied before the top k)', () => {
  const { data, matrix } = bigCorpus(90);
  const engine = new SearchEngine(data, matrix);
  // every third paper allowed: 30 of 90
  const filter = Uint8Array.from(data.papers, (_, i) => (i % 3 === 0 ? 1 : 0));
  const allowed = (h: PaperHit) => filter[Number(h.paper.id.slice(1))] === 1;
  const vector = Float32Array.from({ length: 16 }, (_, j) => Math.sin(j + 1));
  const k = 10;

  for (const mode of ['keyword', 'semantic', 'hybrid'] as const) {
    it(`${mode}: k results, all allowed, when at least k allowed papers match`, () => {
      const hits = engine.search({ text: 'models speech', vector }, { mode, k, filter });
      expect(hits).toHaveLength(k);
      expect(hits.every(allowed)).toBe(true);
    });
  }

  it('semantic and keyword: the filtered top k is the unfiltered ranking with the disallowed papers taken out', () => {
    for (const mode of ['keyword', 'semantic'] as const) {
      const all = engine.search({ text: 'models speech', vector }, { mode, k: 90 });
      const filtered = engine.search({ text: 'models speech', vector }, { mode, k, filter });
      expect(filtered.map((h) => h.paper.id)).toEqual(all.filter(allowed).slice(0, k).map((h) => h.paper.id));
    }
  });

  it('hybrid: fewer allowed papers than the fusion depth still fill k, and a filter reaching beyond the unfiltered top 100 works', () => {
    const one = Uint8Array.from(data.papers, (_, i) => (i === 89 ? 1 : 0));
    const hits = engine.search({ text: 'models', vector }, { mode: 'hybrid', k, filter: one });
    expect(hits.map((h) => h.paper.id)).toEqual(['p89']);
  });

  it('more like this: semantic and keyword, k allowed results, never the paper itself', () => {
    for (const mode of ['semantic', 'keyword'] as const) {
      const hits = engine.moreLikeThis('p0', { k, mode, filter });
      expect(hits).toHaveLength(k);
      expect(hits.every(allowed)).toBe(true);
      expect(hits.map((h) => h.paper.id)).not.toContain('p0');
    }
  });

  it('an all-zero filter returns nothing in every mode', () => {
    const none = new Uint8Array(90);
    for (const mode of ['keyword', 'semantic', 'hybrid'] as const) expect(engine.search({ text: 'models', vector }, { mode, k, filter: none })).toEqual([]);
    expect(engine.moreLikeThis('p1', { k, filter: none })).toEqual([]);
    expect(engine.moreLikeThis('p1', { k, filter: none, mode: 'keyword' })).toEqual([]);
  });

  it('re-ranking the same query vector under another filter gives what a fresh engine gives', () => {
    const a = engine.search({ text: 'models', vector }, { mode: 'hybrid', k });
    const b = engine.search({ text: 'models', vector }, { mode: 'hybrid', k, filter });
    const fresh = new SearchEngine(data, matrix).search({ text: 'models', vector }, { mode: 'hybrid', k, filter });
    expect(b).toEqual(fresh);
    expect(a).not.toEqual(b);
  });

  it('the reused scores are dropped when a vector or the rows mask changes', () => {
    const { data: d2, matrix: m2 } = bigCorpus(30);
    const e2 = new SearchEngine(d2, m2);
    const q = Float32Array.from(m2.row(0));
    const before = e2.search({ text: '', vector: q }, { mode: 'semantic', k: 1 });
    expect(before[0].paper.id).toBe('p0');
    m2.setRow(0, Float32Array.from(q, (v) => -v));
    expect(e2.search({ text: '', vector: q }, { mode: 'semantic', k: 1 })[0].paper.id).not.toBe('p0');
    const rows = new Uint8Array(d2.chunks.length).fill(1);
    const r1 = e2.search({ text: '', vector: q }, { mode: 'semantic', k: 30, rows });
    rows.fill(0, 0, 10);
    const r2 = e2.search({ text: '', vector: q }, { mode: 'semantic', k: 30, rows });
    expect(r2.length).toBeLessThan(r1.length);
  });
});

// ---- FilterIndex -----------------------------------------------------------------------------

function p(id: string, extra: Partial<Paper>): Paper {
  return { id, title: id, titleDerived: false, abstract: `Abstract of ${id}.`, source: { file: 't', line: 1 }, ...extra };
}

const papers: Paper[] = [
  p('a', { year: 2024, date: '2024-05-03', categories: ['cs.CL', 'eess.AS'], authors: ['Hinrich Schütze', 'Ada Lovelace'] }),
  p('b', { year: 2025, date: '2025-01', categories: ['cs.CL'], authors: ['Schütze, Hinrich'] }),
  p('c', { year: 2025, date: '2025', categories: ['cs.CV'], authors: ['Grace Hopper'] }),
  p('d', { date: 'sometime in spring', categories: ['weird.XX'], authors: ['Élodie Ñúñez'] }),
  p('e', {}),
  p('f', { year: 2023, date: '2023-12-31', categories: ['eess.AS', 'cs.SD'], authors: ['Ada Lovelace', '  '] }),
  p('g', { date: '2022-07-01', authors: ['Lovelace, Ada'] }),
];
const index = new FilterIndex(papers);
const allowedIds = (m: Uint8Array | null) => (m ? papers.filter((_, i) => m[i]).map((x) => x.id) : 'all');

describe('FilterIndex', () => {
  it('reads years from the normalised fields, and from a non-ISO date only when it starts with a year', () => {
    expect([...index.year]).toEqual([2024, 2025, 2025, 0, 0, 2023, 2022]);
    expect(index.years).toEqual({ min: 2022, max: 2025 });
    expect(index.dated).toBe(5);
    expect(paperDate({ date: '2021-13-40' })).toEqual({ year: 2021, month: 0, day: 0 });
    expect(paperDate({ date: '  1999-02-03T10:00Z' })).toEqual({ year: 1999, month: 2, day: 3 });
    expect(paperDate({ year: 99999, date: '2001' })).toEqual({ year: 2001, month: 0, day: 0 });
    expect(paperDate({ year: Number.NaN })).toBeNull();
    expect(paperDate({ date: 'n.d.' })).toBeNull();
  });

  it('masks by year range (inclusive; papers without a year are out once a bound is set)', () => {
    expect(index.mask({ sort: 'relevance' })).toBeNull();
    expect(index.mask({ sort: 'date' })).toBeNull();
    expect(allowedIds(index.mask({ from: 2024, to: 2025, sort: 'relevance' }))).toEqual(['a', 'b', 'c']);
    expect(allowedIds(index.mask({ from: 2025, sort: 'relevance' }))).toEqual(['b', 'c']);
    expect(allowedIds(index.mask({ to: 2023, sort: 'relevance' }))).toEqual(['f', 'g']);
    expect(allowedIds(index.mask({ from: 1990, to: 1991, sort: 'relevance' }))).toEqual([]);
  });

  it('masks by categories (any of them), unknown category names included as they are', () => {
    expect(allowedIds(index.mask({ categories: ['eess.AS'], sort: 'relevance' }))).toEqual(['a', 'f']);
    expect(allowedIds(index.mask({ categories: ['cs.CV', 'weird.XX'], sort: 'relevance' }))).toEqual(['c', 'd']);
    expect(allowedIds(index.mask({ categories: ['no.SUCH'], sort: 'relevance' }))).toEqual([]);
  });

  it('masks by authors written "Last, First", "First Last", with accents or LaTeX accents', () => {
    const want = ['a', 'b'];
    for (const name of ['Hinrich Schütze', 'Schütze, Hinrich', 'hinrich schutze', 'Hinrich Sch\\"{u}tze', 'Sch\\"utze, Hinrich']) {
      expect(allowedIds(index.mask({ authors: [name], sort: 'relevance' })), name).toEqual(want);
    }
    expect(allowedIds(index.mask({ authors: ['Ada Lovelace', 'Grace Hopper'], sort: 'relevance' }))).toEqual(['a', 'c', 'f', 'g']);
    expect(allowedIds(index.mask({ authors: ['elodie nunez'], sort: 'relevance' }))).toEqual(['d']);
    expect(authorKey('Łukasz Øster-Dæhli')).toBe('lukasz oster daehli');
  });

  it('combines kinds: every filter at once, and every filter with an empty result', () => {
    const all: FilterState = { from: 2023, to: 2024, categories: ['eess.AS'], authors: ['Ada Lovelace'], sort: 'date' };
    expect(allowedIds(index.mask(all))).toEqual(['a', 'f']);
    const empties: FilterState[] = [
      { ...all, from: 2025 },
      { ...all, categories: ['cs.CV'] },
      { ...all, authors: ['Grace Hopper'] },
      { from: 2022, to: 2022, categories: ['cs.CL'], sort: 'relevance' },
    ];
    for (const s of empties) {
      const m = index.mask(s);
      expect(FilterIndex.allowed(m, index.size), JSON.stringify(s)).toBe(0);
      const got = rankFiltered(index, s, 5, (k, mask) => papers.filter((_, i) => !mask || mask[i]).slice(0, k).map((paper) => ({ paper })));
      expect(got.hits).toEqual([]);
      expect(got.allowed).toBe(0);
    }
  });

  it('resolve keeps known names as the corpus spells them and lists the unknown ones', () => {
    const r = index.resolve({ from: 2025, to: 2023, categories: ['CS.cl', 'nope.XX', 'cs.CL'], authors: ['schutze, hinrich', 'Nobody Here'], sort: 'relevance' });
    expect(r.state).toEqual({ from: 2023, to: 2025, categories: ['cs.CL'], authors: ['Hinrich Schütze'], sort: 'relevance' });
    expect(r.unknownCategories).toEqual(['nope.XX']);
    expect(r.unknownAuthors).toEqual(['Nobody Here']);
  });

  it('counts categories over given papers, most first, keeping chosen ones at zero', () => {
    const counts = index.categoryCounts([0, 1, 5]);
    expect(index.facetList(counts)).toEqual([
      { name: 'cs.CL', count: 2 },
      { name: 'eess.AS', count: 2 },
      { name: 'cs.SD', count: 1 },
    ]);
    expect(index.facetList(counts, ['cs.CV']).map((f) => f.name)).toContain('cs.CV');
    expect([...index.categoryTotals]).toEqual([2, 2, 1, 1, 1]);
  });

  it('suggests authors by a prefix of the name or of any word in it, accents and case folded', () => {
    expect(index.suggestAuthors('ada').map((s) => s.name)).toEqual(['Ada Lovelace']);
    expect(index.suggestAuthors('love')).toEqual([{ name: 'Ada Lovelace', papers: 3 }]);
    expect(index.suggestAuthors('SCHÜ')).toEqual([{ name: 'Hinrich Schütze', papers: 2 }]);
    expect(index.suggestAuthors('nun').map((s) => s.name)).toEqual(['Élodie Ñúñez']);
    expect(index.suggestAuthors('ovelace')).toEqual([]);
    expect(index.suggestAuthors('  ')).toEqual([]);
    expect(index.authorNames).not.toContain('  ');
  });

  it('keeps the authors with most papers when more names match than are asked for', () => {
    // author "Ann Nk" writes k of the papers, k = 1..12
    const many = Array.from({ length: 12 }, (_, i) => p(`m${i}`, { authors: Array.from({ length: 12 - i }, (_, j) => `Ann N${12 - j}`) }));
    const idx = new FilterIndex(many);
    expect(idx.suggestAuthors('ann', 3)).toEqual([{ name: 'Ann N12', papers: 12 }, { name: 'Ann N11', papers: 11 }, { name: 'Ann N10', papers: 10 }]);
    expect(idx.suggestAuthors('n1', 20).map((s) => s.name)).toEqual(['Ann N12', 'Ann N11', 'Ann N10', 'Ann N1']);
  });

  it('builds the author table in slices (prepareAuthors) to the same result', async () => {
    const sliced = new FilterIndex(papers);
    await sliced.prepareAuthors(2);
    expect(sliced.authorNames).toEqual(index.authorNames);
    expect([...sliced.authorTotals]).toEqual([...index.authorTotals]);
    expect(allowedIds(sliced.mask({ authors: ['Ada Lovelace'], sort: 'relevance' }))).toEqual(['a', 'f', 'g']);
  });

  it('sorts by date newest first, undated last, equal dates in relevance order', () => {
    // relevance order: e (undated), g, c (2025), b (2025-01), a, f
    expect(index.byDate([4, 6, 2, 1, 0, 5]).map((i) => papers[i].id)).toEqual(['b', 'c', 'a', 'f', 'g', 'e']);
  });
});

describe('rankFiltered', () => {
  const { data, matrix } = bigCorpus(300);
  const engine = new SearchEngine(data, matrix);
  const idx = new FilterIndex(data.papers);
  const vector = Float32Array.from({ length: 16 }, (_, j) => Math.cos(j));
  const run = (state: FilterState) =>
    rankFiltered(idx, state, 10, (k, filter) => engine.search({ text: 'speech models', vector }, { mode: 'hybrid', k, filter }));

  it('the dense pass\'s cost stays reported after the several runs of a filtered ranking (the bench reads it)', () => {
    const fresh = new SearchEngine(data, matrix);
    const v = Float32Array.from({ length: 16 }, (_, j) => Math.sin(3 * j));
    rankFiltered(idx, { sort: 'relevance', categories: ['cs.CL'] }, 10, (k, filter) => fresh.search({ text: 'speech models', vector: v }, { mode: 'hybrid', k, filter }));
    expect(typeof fresh.lastDenseMs).toBe('number');
    fresh.search({ text: 'speech models' }, { mode: 'keyword', k: 10 });
    expect(fresh.lastDenseMs).toBeNull();
  });

  it('by relevance: the engine\'s own top k, counts over the best RELEVANT_POOL', () => {
    const r = run({ sort: 'relevance' });
    expect(r.hits).toEqual(engine.search({ text: 'speech models', vector }, { mode: 'hybrid', k: 10 }));
    // hybrid returns at most the union of both lists' top fusion.depth (100), here under 200
    const pool = engine.search({ text: 'speech models', vector }, { mode: 'hybrid', k: RELEVANT_POOL });
    expect(r.facets.reduce((n, f) => n + f.count, 0)).toBe(pool.length);
    expect(r.allowed).toBe(300);
  });

  it('the k best of every ranking are the first k of the deeper pool, so the pool is ranked once for both', () => {
    const paper = data.papers[7].id;
    const rankings: [string, (k: number) => PaperHit[]][] = [
      ['hybrid', (k) => engine.search({ text: 'speech models', vector }, { mode: 'hybrid', k })],
      ['semantic', (k) => engine.search({ text: 'speech models', vector }, { mode: 'semantic', k })],
      ['keyword', (k) => engine.search({ text: 'speech models' }, { mode: 'keyword', k })],
      ['more like this', (k) => engine.moreLikeThis(paper, { k })],
      ['more like this by keyword', (k) => engine.moreLikeThis(paper, { k, mode: 'keyword' })],
    ];
    for (const [name, rank] of rankings) {
      const ids = (hs: PaperHit[]) => hs.map((h) => `${h.paper.id} ${h.score}`);
      expect(ids(rank(10)), name).toEqual(ids(rank(RELEVANT_POOL)).slice(0, 10));
    }
    const calls: number[] = [];
    const counted = (state: FilterState) => rankFiltered(idx, state, 10, (k, filter) => (calls.push(k), engine.search({ text: 'speech models', vector }, { mode: 'hybrid', k, filter })));
    counted({ sort: 'relevance' });
    expect(calls).toEqual([RELEVANT_POOL]);
    calls.length = 0;
    // with a category chosen, its counts come from a ranking without it: two rankings
    counted({ sort: 'relevance', categories: ['cs.CL'] });
    expect(calls).toEqual([RELEVANT_POOL, RELEVANT_POOL]);
  });

  it('category counts are taken under the other filters only, so a second category shows what it adds', () => {
    const r = run({ from: 2021, to: 2022, categories: ['cs.CL'], sort: 'relevance' });
    expect(r.hits.every((h) => h.paper.categories![0] === 'cs.CL' && h.paper.year! >= 2021 && h.paper.year! <= 2022)).toBe(true);
    expect(r.facets.map((f) => f.name).sort()).toEqual(['cs.CL', 'cs.CV']);
    expect(r.allowed).toBe(50);
  });

  it('by date: the best RELEVANT_POOL under the filter, newest first', () => {
    const r = run({ sort: 'date' });
    expect(r.hits).toHaveLength(10);
    expect(r.hits.every((h) => h.paper.year === 2025)).toBe(true);
    const pool = engine.search({ text: 'speech models', vector }, { mode: 'hybrid', k: RELEVANT_POOL });
    expect(r.hits.map((h) => h.paper.id)).toEqual(pool.filter((h) => h.paper.year === 2025).slice(0, 10).map((h) => h.paper.id));
  });
});

describe('source filter (the shipped corpus or one of your collections)', () => {
  // 300 shipped papers, then 30 imported into collection cA and 20 into cB; cEmpty has none yet
  const { data, matrix } = bigCorpus(350);
  const engine = new SearchEngine(data, matrix);
  const sourceOf = (i: number) => (i < 300 ? CORPUS_SOURCE : i < 330 ? 'cA' : 'cB');
  const idx = new FilterIndex(data.papers, { sources: [CORPUS_SOURCE, 'cA', 'cB', 'cEmpty'], sourceOf });
  const from = (h: PaperHit) => sourceOf(Number(h.paper.id.slice(1)));
  const vector = Float32Array.from({ length: 16 }, (_, j) => Math.cos(j));
  const k = 10;

  it('masks by source, any of the chosen ones, combined with the other kinds', () => {
    expect(idx.sourceNames).toEqual(['corpus', 'cA', 'cB', 'cEmpty']);
    expect([...idx.sourceTotals]).toEqual([300, 30, 20, 0]);
    expect(FilterIndex.allowed(idx.mask({ sources: ['cA'], sort: 'relevance' }), idx.size)).toBe(30);
    expect(FilterIndex.allowed(idx.mask({ sources: ['cA', 'cB'], sort: 'relevance' }), idx.size)).toBe(50);
    expect(FilterIndex.allowed(idx.mask({ sources: ['corpus'], sort: 'relevance' }), idx.size)).toBe(300);
    expect(FilterIndex.allowed(idx.mask({ sources: ['cEmpty'], sort: 'relevance' }), idx.size)).toBe(0);
    // cA is papers 300..329; 2020 + i % 6 === 2021 for i = 301, 307, …, 325
    const m = idx.mask({ sources: ['cA'], from: 2021, to: 2021, sort: 'relevance' })!;
    expect(data.papers.filter((_, i) => m[i]).map((x) => x.id)).toEqual(['p301', 'p307', 'p313', 'p319', 'p325']);
    expect(isFiltering({ sources: ['cA'], sort: 'relevance' })).toBe(true);
    expect(FilterIndex.allowed(idx.mask({ sources: ['cA'], categories: ['no.SUCH'], sort: 'relevance' }), idx.size)).toBe(0);
  });

  it('without options every paper is from the shipped corpus', () => {
    const plain = new FilterIndex(papers);
    expect(plain.sourceNames).toEqual([CORPUS_SOURCE]);
    expect(allowedIds(plain.mask({ sources: [CORPUS_SOURCE], sort: 'relevance' }))).toEqual(papers.map((x) => x.id));
    expect(plain.sourceOf(3)).toBe(CORPUS_SOURCE);
  });

  for (const mode of ['keyword', 'semantic', 'hybrid'] as const) {
    it(`${mode}: k results from the chosen collection, before the top k (its papers are not among the unfiltered best)`, () => {
      const unfiltered = engine.search({ text: 'speech models', vector }, { mode, k });
      expect(unfiltered.filter((h) => from(h) === 'cB').length).toBeLessThan(k);
      const r = rankFiltered(idx, { sources: ['cB'], sort: 'relevance' }, k, (kk, filter) => engine.search({ text: 'speech models', vector }, { mode, k: kk, filter }));
      expect(r.hits).toHaveLength(k);
      expect(r.hits.every((h) => from(h) === 'cB')).toBe(true);
      expect(r.allowed).toBe(20);
    });
  }

  it('more like this: a shipped paper\'s neighbours within a collection, and within the corpus only', () => {
    for (const [sources, want] of [[['cA'], 'cA'], [['corpus'], 'corpus']] as const) {
      const r = rankFiltered(idx, { sources: [...sources], sort: 'relevance' }, k, (kk, filter) => engine.moreLikeThis('p5', { k: kk, mode: 'semantic', filter }));
      expect(r.hits).toHaveLength(k);
      expect(r.hits.every((h) => from(h) === want)).toBe(true);
      expect(r.hits.map((h) => h.paper.id)).not.toContain('p5');
    }
  });

  it('source counts are taken under the other filters but not the sources: each source shows what it would add', () => {
    const run = (state: FilterState) => rankFiltered(idx, state, k, (kk, filter) => engine.search({ text: 'speech models', vector }, { mode: 'semantic', k: kk, filter }));
    const all = run({ sort: 'relevance' });
    expect(all.sources.map((s) => s.name)).toEqual(['corpus', 'cA', 'cB', 'cEmpty']);
    expect(all.sources.reduce((n, s) => n + s.count, 0)).toBe(RELEVANT_POOL);
    const chosen = run({ sources: ['cA'], sort: 'relevance' });
    expect(chosen.sources).toEqual(all.sources); // the same pool: the source filter itself is left out
    expect(chosen.hits.every((h) => from(h) === 'cA')).toBe(true);
    // category counts do narrow to the chosen source
    expect(chosen.facets.reduce((n, f) => n + f.count, 0)).toBe(30);
    const cl = run({ sources: ['cA'], categories: ['cs.CL'], sort: 'relevance' });
    expect(cl.sources.find((s) => s.name === 'cA')!.count).toBe(15);
    expect(cl.sources.find((s) => s.name === 'cEmpty')!.count).toBe(0);
    expect([...idx.sourceCountsUnder(idx.mask({ categories: ['cs.CL'], sort: 'relevance' }))]).toEqual([150, 15, 10, 0]);
  });

  it('resolve keeps known sources (an empty collection too) and lists the unknown ones', () => {
    const r = idx.resolve({ sources: ['cB', 'cGone', 'cB', 'cEmpty', 'Corpus'], sort: 'relevance' });
    expect(r.state.sources).toEqual(['cB', 'cEmpty']);
    expect(r.unknownSources).toEqual(['cGone', 'Corpus']);
    expect(idx.resolve({ sort: 'relevance' }).unknownSources).toEqual([]);
  });

  it('a collection filter combined with an empty result returns nothing, in every mode', () => {
    for (const mode of ['keyword', 'semantic', 'hybrid'] as const) {
      const r = rankFiltered(idx, { sources: ['cA'], from: 1990, to: 1991, sort: 'date' }, k, (kk, filter) => engine.search({ text: 'speech', vector }, { mode, k: kk, filter }));
      expect(r.hits).toEqual([]);
      expect(r.allowed).toBe(0);
    }
  });
});
