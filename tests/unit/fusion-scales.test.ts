import { describe, expect, it } from 'vitest';
import { drawSubCorpora, prng, subCorpus } from '../../src/cli/eval-sizes';
import type { CorpusData } from '../../src/corpus/types';
import { answerSpan, passageSentences, related } from '../../src/search/answer-span';
import { fuse } from '../../src/search/fusion';
import { analyze, LexicalIndex } from '../../src/search/lexical';
import { VectorMatrix } from '../../src/search/vectors';

describe('fusion scales', () => {
  const dense = [{ index: 1, score: 0.52 }, { index: 2, score: 0.5 }, { index: 3, score: 0.3 }];
  // a flat list of weak keyword matches: min-max would stretch 2.1 vs 2.0 to 1 vs 0
  const lexical = [{ index: 2, score: 2.1 }, { index: 1, score: 2.0 }];
  const stats = { docCount: 14, k1: 0.9, termIdf: [3, 3, 2] };

  it("min-max stretches a flat lexical list so it outweighs a clear dense lead; 'ideal' does not", () => {
    expect(fuse(dense, lexical, { kind: 'convex', alpha: 0.5, depth: 100 })[0].index).toBe(2);
    const ideal = fuse(dense, lexical, { kind: 'convex', alpha: 0.5, depth: 100, dense: 'minmax', lexical: 'ideal' }, undefined, undefined, stats);
    expect(ideal[0].index).toBe(1);
    // the lexical part is BM25 / ((k1 + 1) x sum of IDF): 2.1 / (1.9 x 8)
    const p2 = ideal.find((h) => h.index === 2)!.score;
    expect(p2).toBeCloseTo(0.5 * (0.2 / 0.22) + 0.5 * (2.1 / (1.9 * 8)), 6);
  });

  it("'corpus' scales by a term only one document holds, times the query's terms found", () => {
    const got = fuse(dense, lexical, { kind: 'convex', alpha: 0.5, depth: 100, dense: 'cosine', lexical: 'corpus' }, undefined, undefined, stats);
    const top = 3 * Math.log(1 + 13.5 / 1.5) * 1.9;
    expect(got.find((h) => h.index === 3)!.score).toBeCloseTo(0.5 * 0.3, 6);
    expect(got.find((h) => h.index === 1)!.score).toBeCloseTo(0.5 * 0.52 + 0.5 * (2.0 / top), 6);
  });

  it('z-scores: a document without a lexical match gets the z-score of 0', () => {
    const got = fuse(dense, lexical, { kind: 'convex', alpha: 0.5, depth: 100, dense: 'zscore', lexical: 'zscore' });
    const d3 = (0.3 - 0.44) / Math.sqrt(((0.08) ** 2 + (0.06) ** 2 + (0.14) ** 2) / 3);
    expect(got.find((h) => h.index === 3)!.score).toBeCloseTo(0.5 * d3 + 0.5 * ((0 - 2.05) / 0.05), 6);
  });

  it('scales that need the lexical statistics say so when they are missing', () => {
    expect(() => fuse(dense, lexical, { kind: 'convex', alpha: 0.5, depth: 100, lexical: 'ideal' })).toThrow(/queryStats/);
  });
});

describe('LexicalIndex statistics and question words', () => {
  const index = new LexicalIndex([
    { title: 'Pruning speech models', text: 'We prune speech models for low-resource recognition.' },
    { title: 'Speech benchmark', text: 'How well do speech models do on many languages? A benchmark.' },
    { title: 'Images', text: 'Curated image data.' },
  ]);

  it('idf as BM25 computes it; 0 for a term no document holds', () => {
    expect(index.idf('speech')).toBeCloseTo(Math.log(1 + 1.5 / 2.5), 9);
    expect(index.idf('image')).toBeCloseTo(Math.log(1 + 2.5 / 1.5), 9);
    expect(index.idf('nowhere')).toBe(0);
    expect(index.queryStats('speech images nowhere')).toEqual({ docCount: 3, k1: 0.9, termIdf: [index.idf('speech'), index.idf('image')] });
  });

  it('drops question phrasing from the lexical query when asked, and only then', () => {
    const q = 'how do I prune speech models';
    expect(index.queryTerms(q, { dropQuestionWords: true })).toEqual(['prune', 'speech', 'model']);
    expect(index.queryTerms(q)).toEqual(analyze(q));
    // "how" and "do" match the benchmark paper only as question scaffolding
    expect(index.search(q)[0].index).toBe(1);
    expect(index.search(q, Infinity, { dropQuestionWords: true })[0].index).toBe(0);
  });
});

describe('answerSpan (the mark)', () => {
  const abstract = 'Speech models are large. We prune them to a tenth of their size. Accuracy drops by 1% on ten languages. Code is released.';
  const sentences = passageSentences(abstract, { start: 0, end: abstract.length }, (t) => analyze(t));
  const weights = (terms: Record<string, number>) => new Map(Object.entries(terms));

  it('marks the sentence holding the rarest query words', () => {
    const span = answerSpan(sentences, weights({ prune: 2, speech: 0.2, size: 1.5 }))!;
    expect(abstract.slice(span.start, span.end)).toBe('We prune them to a tenth of their size.');
  });

  it('joins a neighbour that scores nearly as well', () => {
    const span = answerSpan(sentences, weights({ prune: 2, accuracy: 1.8 }))!;
    expect(abstract.slice(span.start, span.end)).toBe('We prune them to a tenth of their size. Accuracy drops by 1% on ten languages.');
  });

  it('counts words of one stem family at 0.7, and gives null when no sentence holds a query word', () => {
    expect(related('pruning', 'prune')).toBe(true);
    expect(related('smaller', 'small')).toBe(true);
    expect(related('pruned', 'pruning')).toBe(true);
    expect(related('speech', 'speed')).toBe(false);
    const span = answerSpan(sentences, weights({ pruning: 1 }))!;
    expect(abstract.slice(span.start, span.end)).toMatch(/^We prune/);
    expect(answerSpan(sentences, weights({ vision: 3 }))).toBeNull();
  });
});

describe('sub-corpora', () => {
  it('prng is deterministic', () => {
    const a = prng(7);
    const b = prng(7);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });

  it("each group holds its queries' relevant papers plus random others, the same for the same seed", () => {
    const relevant = new Map([['q1', [0, 1]], ['q2', [5]], ['q3', [9]], ['q4', []]]);
    const first = drawSubCorpora(['q1', 'q2', 'q3', 'q4'], relevant, 100, 10, 42);
    expect(first).toEqual(drawSubCorpora(['q1', 'q2', 'q3', 'q4'], relevant, 100, 10, 42));
    expect(first.skipped).toBe(1);
    expect(first.groups.flatMap((g) => g.queries).sort()).toEqual(['q1', 'q2', 'q3']);
    for (const g of first.groups) {
      expect(new Set(g.papers).size).toBe(10);
      for (const q of g.queries) for (const p of relevant.get(q)!) expect(g.papers).toContain(p);
    }
  });

  it('subCorpus keeps the papers, their chunks and their vector rows', () => {
    const data: CorpusData = {
      chunker: { version: 'x', maxTokens: 10, overlapSentences: 0, tokenCounter: 'x' } as CorpusData['chunker'],
      papers: ['a', 'b', 'c'].map((id) => ({ id, title: id, abstract: id, source: { file: 'f', line: 1 } }) as unknown as CorpusData['papers'][number]),
      chunks: [
        { id: 'a#0', paperId: 'a', index: 0, text: 'a', start: 0, end: 1, hash: '' },
        { id: 'b#0', paperId: 'b', index: 0, text: 'b', start: 0, end: 1, hash: '' },
        { id: 'c#0', paperId: 'c', index: 0, text: 'c', start: 0, end: 1, hash: '' },
        { id: 'c#1', paperId: 'c', index: 1, text: 'c', start: 0, end: 1, hash: '' },
      ],
    };
    const matrix = VectorMatrix.fromFlat(Float32Array.from([1, 0, 0, 1, 0.6, 0.8, 0.8, 0.6]), 2);
    const sub = subCorpus(data, matrix, [2, 0]);
    expect(sub.data.papers.map((p) => p.id)).toEqual(['a', 'c']);
    expect(sub.data.chunks.map((c) => c.id)).toEqual(['a#0', 'c#0', 'c#1']);
    expect([...sub.matrix.row(2)].map((v) => +v.toFixed(3))).toEqual([0.8, 0.6]);
    expect(sub.paperOf).toEqual([0, 2]);
  });
});
