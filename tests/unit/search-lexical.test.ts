import { describe, expect, it } from 'vitest';
import { LexicalIndex, analyze, minimalStem } from '../../src/search/lexical';

/** Standard BM25 term weight (Robertson/Lucene idf). */
function bm25(tf: number, df: number, n: number, len: number, avg: number, k1: number, b: number): number {
  const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
  return (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * len) / avg));
}

const docs = [
  { title: 'Gene expression', text: 'gene gene expression in cell lines' },
  { title: 'Protein folding', text: 'protein structure prediction' },
  { title: 'Cell biology', text: 'the cell cycle and gene regulation' },
];

describe('LexicalIndex (BM25 over MiniSearch)', () => {
  it('scores are plain BM25 sums (no BM25+ delta, no matched-term multiplier)', () => {
    const idx = new LexicalIndex(docs, { fields: 'flat', k1: 0.9, b: 0.4, stopWords: true, stem: 'none' });
    // length = analysed terms of title + text: stop words "in" / "the", "and" do not count
    const lens = [2 + 6 - 1, 2 + 3, 2 + 6 - 2];
    const avg = (lens[0] + lens[1] + lens[2]) / 3;
    const hits = idx.search('gene cell');
    const expected0 = bm25(3, 2, 3, lens[0], avg, 0.9, 0.4) + bm25(1, 2, 3, lens[0], avg, 0.9, 0.4);
    const expected2 = bm25(1, 2, 3, lens[2], avg, 0.9, 0.4) + bm25(2, 2, 3, lens[2], avg, 0.9, 0.4);
    expect(hits.map((h) => h.index).sort()).toEqual([0, 2]);
    expect(hits.find((h) => h.index === 0)!.score).toBeCloseTo(expected0, 10);
    expect(hits.find((h) => h.index === 2)!.score).toBeCloseTo(expected2, 10);
    expect(hits[0].score).toBeGreaterThanOrEqual(hits[1].score);
  });

  it('multifield sums per-field BM25 with per-field average lengths', () => {
    const idx = new LexicalIndex(docs, { fields: 'multifield', stopWords: false, stem: 'none', k1: 1.2, b: 0.75 });
    const titleAvg = 2;
    const textAvg = (6 + 3 + 6) / 3;
    const want = bm25(1, 1, 3, 2, titleAvg, 1.2, 0.75) + bm25(1, 1, 3, 3, textAvg, 1.2, 0.75);
    const got = idx.search('protein');
    expect(got).toHaveLength(1);
    expect(got[0].score).toBeCloseTo(want, 10);
  });

  it('matches plurals to singulars and ignores stop words by default', () => {
    const idx = new LexicalIndex(docs);
    expect(idx.search('cells').map((h) => h.index).sort()).toEqual([0, 2]);
    expect(idx.search('the and in')).toEqual([]);
    expect(idx.search('proteins', 1)).toEqual([{ index: 1, score: expect.any(Number) }]);
  });

  it('analyze keeps decimals and possessives the way Lucene does', () => {
    expect(analyze("The patient's IL-6 levels rose 3.5-fold")).toEqual(['patient', 'il', '6', 'level', 'rose', '3.5', 'fold']);
  });

  it('minimalStem follows Lucene EnglishMinimalStemmer', () => {
    expect(['queries', 'cells', 'virus', 'class', 'shoes', 'diseases', 'is', 'keys'].map(minimalStem)).toEqual([
      'query', 'cell', 'virus', 'class', 'shoes', 'disease', 'is', 'key',
    ]);
  });
});
