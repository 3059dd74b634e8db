/**
 * Node-only: the cost of filters on a large corpus, measured on the code the page runs
 * (FilterIndex, rankFiltered, SearchEngine). Random passage vectors (the timing does not depend
 * on what they mean); the corpus's own years and categories; synthetic authors when the corpus
 * has none (the arXiv rows carry no author list), so the type-ahead scans a realistic number of
 * distinct names. The last 5,000 papers stand in for an imported collection (the source filter).
 * Each figure is printed beside its baseline from the same run: a new query.
 *
 *   npx tsx src/bench/filters.ts <corpus dir> [--queries 30]
 */
import { performance } from 'node:perf_hooks';
import { readCorpusDir } from '../format/node';
import { Bm25Index } from '../search/bm25';
import { lexicalDoc, SearchEngine, type PaperHit, type SearchMode } from '../search/engine';
import { CORPUS_SOURCE, FilterIndex, rankFiltered, RELEVANT_POOL, type FilterState } from '../search/filter';
import { VectorMatrix } from '../search/vectors';
import { percentile } from './stats';
import { prng } from '../cli/eval-sizes';

const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith('--'));
if (!dir) throw new Error('usage: tsx src/bench/filters.ts <corpus dir> [--queries N]');
const queryCount = Number(args[args.indexOf('--queries') + 1] ?? 30) || 30;

const time = <T>(f: () => T): [T, number] => {
  const t0 = performance.now();
  const v = f();
  return [v, performance.now() - t0];
};
const fmt = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(1)} ms  p90 ${percentile(xs, 90).toFixed(1)} ms  (n=${xs.length})`;

const t0 = performance.now();
const { data } = await readCorpusDir(dir);
console.log(`corpus: ${data.papers.length} papers, ${data.chunks.length} passages (read in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);

const random = prng(16);
let synthetic = false;
if (!data.papers.some((p) => p.authors?.length)) {
  // Zipf-ish: some names recur a lot, most rarely, as in real author lists
  synthetic = true;
  const syllables = 'ka lo mi ra ne ti su ho ba de fi gu ja ke lu mo na pe qui ro sa to vi wu ya ze'.split(' ');
  const word = (len: number) => Array.from({ length: len }, () => syllables[Math.floor(random() * syllables.length)]).join('');
  const given = Array.from({ length: 4000 }, () => word(2));
  const family = Array.from({ length: 60000 }, () => word(3));
  const pick = <T>(xs: T[]) => xs[Math.floor(xs.length * random() ** 2)];
  for (const p of data.papers) {
    const n = 1 + Math.floor(random() * 6);
    p.authors = Array.from({ length: n }, () => `${pick(given)} ${pick(family)}`.replace(/^./, (c) => c.toUpperCase()).replace(/ (.)/, (_, c: string) => ` ${c.toUpperCase()}`));
  }
}

// as in the page: the user's imported papers follow the corpus's; here the last 5,000 stand in for a collection
const COLLECTION = 'cbench';
const shippedCount = Math.max(0, data.papers.length - 5000);
const [index, indexMs] = time(() => new FilterIndex(data.papers, { sources: [CORPUS_SOURCE, COLLECTION], sourceOf: (p) => (p < shippedCount ? CORPUS_SOURCE : COLLECTION) }));
console.log(`filter index: ${indexMs.toFixed(0)} ms once per corpus; ${index.categoryNames.length} categories, ${index.authorNames.length} distinct authors${synthetic ? ' (synthetic: the corpus has no authors)' : ''}, years ${index.years?.min}–${index.years?.max}`);

const dims = 384;
const matrix = new VectorMatrix(dims, 0);
{
  const batch = new Float32Array(4096 * dims);
  for (let done = 0; done < data.chunks.length; done += 4096) {
    const n = Math.min(4096, data.chunks.length - done);
    for (let i = 0; i < n * dims; i++) batch[i] = random() - 0.5;
    matrix.append(batch.subarray(0, n * dims));
  }
}
const lexical = new Bm25Index();
for (let i = 0; i < data.papers.length; i += 60000) lexical.add(data.papers.slice(i, i + 60000).map(lexicalDoc));
const engine = new SearchEngine(data, matrix, { lexicalIndex: lexical });
const rows = new Uint8Array(data.chunks.length).fill(1);

const topAuthor = index.authorNames[index.authorTotals.reduce((best, n, i, all) => (n > all[best] ? i : best), 0)];
const filters: [string, FilterState][] = [
  ['year 2025', { from: 2025, to: 2025, sort: 'relevance' }],
  ['cat cs.CL', { categories: ['cs.CL'], sort: 'relevance' }],
  ['cat cs.CL,eess.AS + year 2026', { from: 2026, categories: ['cs.CL', 'eess.AS'], sort: 'relevance' }],
  [`author "${topAuthor}"`, { authors: [topAuthor], sort: 'relevance' }],
  ['cat cs.CV, by date', { categories: ['cs.CV'], sort: 'date' }],
  [`source: a ${data.papers.length - shippedCount}-paper collection`, { sources: [COLLECTION], sort: 'relevance' }],
  ['source: shipped corpus + cat cs.CL', { sources: [CORPUS_SOURCE], categories: ['cs.CL'], sort: 'relevance' }],
  ['none (cleared)', { sort: 'relevance' }],
];

/** Reads each shown hit's passage and answer mark, as rendering does (both are found when first read). */
const shown = (hits: PaperHit[]) => hits.map((h) => [h.bestChunk.id, h.highlight?.start]);

const queries = Array.from({ length: queryCount }, (_, i) => data.papers[Math.floor((i + 0.5) * (data.papers.length / queryCount))].title);
const modes: SearchMode[] = ['hybrid', 'semantic', 'keyword'];
for (const mode of modes) {
  const newQuery: number[] = [];
  const apply: number[] = [];
  const maskMs: number[] = [];
  const facetMs: number[] = [];
  const perFilter = new Map<string, number[]>();
  for (const q of queries) {
    const vector = Float32Array.from({ length: dims }, () => random() - 0.5);
    // baseline: a new query, unfiltered (scores every passage); the shown hits' passages are read, as rendering does
    newQuery.push(time(() => shown(engine.search({ text: q, vector }, { mode, k: 20, rows })))[1]);
    for (const [name, f] of filters) {
      // applying a filter to the query on screen: mask, results and category counts
      const [, ms] = time(() => {
        const state = index.resolve(f).state;
        return shown(rankFiltered(index, state, 20, (k, filter) => engine.search({ text: q, vector }, { mode, k, rows, filter })).hits);
      });
      apply.push(ms);
      (perFilter.get(name) ?? perFilter.set(name, []).get(name)!).push(ms);
      maskMs.push(time(() => index.mask(f))[1]);
      // the counts alone: the pool under the other filters, then a pass over it
      const facetMask = index.mask(f, 'categories') ?? undefined;
      facetMs.push(
        time(() => {
          const pool = engine.search({ text: q, vector }, { mode, k: RELEVANT_POOL, rows, filter: facetMask });
          return index.facetList(index.categoryCounts(pool.map((h) => index.indexOf(h.paper.id))));
        })[1],
      );
    }
  }
  console.log(`\n${mode}:`);
  console.log(`  new query, unfiltered (baseline)      ${fmt(newQuery)}`);
  console.log(`  apply/change a filter → results+counts ${fmt(apply)}   target ≤ 50 ms`);
  for (const [name, xs] of perFilter) console.log(`    ${name.padEnd(34)} ${fmt(xs)}`);
  console.log(`  of which: the mask                    ${fmt(maskMs)}`);
  console.log(`  category counts for the query         ${fmt(facetMs)}   target ≤ 20 ms`);
}

const typeahead: number[] = [];
const prefixes = index.authorNames.slice(0, 200).flatMap((n) => [n.slice(0, 1), n.slice(0, 3), n.split(' ').pop()!.slice(0, 4)]);
for (const pre of prefixes) typeahead.push(time(() => index.suggestAuthors(pre))[1]);
console.log(`\nauthor type-ahead over ${index.authorNames.length} names: ${fmt(typeahead)}`);
