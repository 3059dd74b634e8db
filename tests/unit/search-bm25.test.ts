/**
 * The typed-array BM25 index gives the same ranking and scores as the MiniSearch-based
 * LexicalIndex (standard BM25), whether built at once or segment by segment.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Bm25Index } from '../../src/search/bm25';
import { LexicalIndex, type LexicalDoc } from '../../src/search/lexical';

const rows = readFileSync(new URL('../../../shared/datasets/scifact/corpus.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter(Boolean)
  .slice(0, 1500)
  .map((l) => JSON.parse(l) as { title: string; text: string });
const docs: LexicalDoc[] = rows.map((r) => ({ title: r.title, text: r.text }));
const queries = [
  '0-dimensional biomaterials show inductive properties',
  'ALDH1 expression is associated with poorer prognosis for breast cancer primary tumors',
  'the the of',
  'protein protein interaction networks in yeast',
  'no such wordzzz',
  "Alzheimer's disease risk and APOE4 carriers",
];

describe('Bm25Index', () => {
  const mini = new LexicalIndex(docs);
  const whole = Bm25Index.fromDocs(docs);
  const segmented = new Bm25Index();
  for (let i = 0; i < docs.length; i += 400) segmented.add(docs.slice(i, i + 400));

  it.each(queries)('ranks "%s" as MiniSearch BM25 does', (q) => {
    const want = mini.search(q, 50);
    for (const index of [whole, segmented]) {
      const got = index.search(q, 50);
      expect(got.map((h) => h.index)).toEqual(want.map((h) => h.index));
      got.forEach((h, i) => expect(h.score).toBeCloseTo(want[i].score, 9));
    }
  });

  it('returns every match without a limit, and nothing for unknown words', () => {
    expect(whole.search('breast cancer').length).toBe(mini.search('breast cancer').length);
    expect(whole.search('wordzzz qqqq')).toEqual([]);
    expect(new Bm25Index().search('anything')).toEqual([]);
  });

  it('scoreAll gives each document its score (0 where no term matches)', () => {
    const hits = whole.search('stem cells');
    const scores = whole.scoreAll('stem cells');
    for (const h of hits.slice(0, 20)) expect(scores[h.index]).toBe(h.score);
    expect(Array.from(scores).filter((s) => s > 0)).toHaveLength(hits.length);
  });
});

describe('Bm25Index.truncate', () => {
  it('dropping the last segments gives the same scores as never having added them', () => {
    const base = Bm25Index.fromDocs(docs.slice(0, 1000));
    const grown = Bm25Index.fromDocs(docs.slice(0, 1000));
    grown.add(docs.slice(1000, 1300));
    grown.add(docs.slice(1300, 1400));
    // looked up before the change: the terms' places in the segments then are not reused after it
    for (const q of queries) grown.search(q, 30);
    grown.truncate(1000);
    expect(grown.size).toBe(1000);
    for (const q of queries) expect(grown.search(q, 30)).toEqual(base.search(q, 30));
    expect(grown.docFrequency('protein')).toBe(base.docFrequency('protein'));
    expect(() => grown.truncate(500)).toThrow(/not a segment boundary/);
    // and added again: the same as an index made of those documents at once
    grown.add(docs.slice(1000, 1300));
    const again = Bm25Index.fromDocs(docs.slice(0, 1300));
    for (const q of queries) expect(grown.search(q, 30)).toEqual(again.search(q, 30));
    expect(grown.idf('protein')).toBe(again.idf('protein'));
  });
});
