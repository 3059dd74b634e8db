import { describe, expect, it } from 'vitest';
import type { Chunk, CorpusData, Paper } from '../../src/corpus/types';
import { SearchEngine } from '../../src/search/engine';
import { fuse } from '../../src/search/fusion';
import { passageText } from '../../src/search/passage';
import { paperScores } from '../../src/search/rank';
import { VectorMatrix } from '../../src/search/vectors';

describe('paperScores (chunk -> paper aggregation)', () => {
  // papers: 0 has chunks 0,1,2 ; 1 has chunk 3 ; 2 has chunks 4,5
  const chunkPaper = Int32Array.from([0, 0, 0, 1, 2, 2]);
  const scores = [0.2, 0.9, 0.5, 0.7, 0.6, 0.6];

  it('max: best chunk score and the best chunk (earlier chunk on ties)', () => {
    const r = paperScores(scores, chunkPaper, 3, { kind: 'max' });
    expect([...r.score]).toEqual([0.9, 0.7, 0.6]);
    expect([...r.best]).toEqual([1, 3, 4]);
  });

  it('top2-mean, max-plus-second and mean', () => {
    expect([...paperScores(scores, chunkPaper, 3, { kind: 'top2-mean' }).score].map((v) => +v.toFixed(6))).toEqual([0.7, 0.7, 0.6]);
    expect([...paperScores(scores, chunkPaper, 3, { kind: 'max-plus-second', weight: 0.1 }).score].map((v) => +v.toFixed(6))).toEqual([0.95, 0.7, 0.66]);
    expect([...paperScores(scores, chunkPaper, 3, { kind: 'mean' }).score].map((v) => +v.toFixed(6))).toEqual([0.533333, 0.7, 0.6]);
  });

  it('skips rows without vectors; a paper with none has no score', () => {
    const r = paperScores(scores, chunkPaper, 3, { kind: 'max' }, [1, 0, 1, 0, 1, 1]);
    expect(r.score[0]).toBe(0.5);
    expect(r.best[0]).toBe(2);
    expect(r.score[1]).toBe(-Infinity);
    expect(r.best[1]).toBe(-1);
  });
});

describe('fuse', () => {
  const dense = [{ index: 1, score: 0.9 }, { index: 2, score: 0.8 }, { index: 3, score: 0.1 }];
  const lexical = [{ index: 3, score: 12 }, { index: 1, score: 6 }];

  it('RRF sums 1/(k + rank) over the lists', () => {
    const got = fuse(dense, lexical, { kind: 'rrf', k: 60, depth: 100 });
    expect(got.map((h) => h.index)).toEqual([1, 3, 2]);
    expect(got[0].score).toBeCloseTo(1 / 61 + 1 / 62, 12);
    expect(got[1].score).toBeCloseTo(1 / 63 + 1 / 61, 12);
    expect(got[2].score).toBeCloseTo(1 / 62, 12);
  });

  it('RRF depth cuts each list', () => {
    const got = fuse(dense, lexical, { kind: 'rrf', k: 60, depth: 1 });
    expect(got.map((h) => h.index)).toEqual([1, 3]);
    expect(got[0].score).toBeCloseTo(1 / 61, 12);
  });

  it('convex combination of min-max normalised scores', () => {
    const got = fuse(dense, lexical, { kind: 'convex', alpha: 0.5, depth: 100 });
    // dense' = (s - 0.1) / 0.8 ; lexical' = (s - 6) / 6 ; a document missing from a list gets 0 from it
    const want = new Map([[1, 0.5 * 1 + 0.5 * 0], [2, 0.5 * 0.875], [3, 0.5 * 0 + 0.5 * 1]]);
    for (const h of got) expect(h.score).toBeCloseTo(want.get(h.index)!, 12);
    expect(got.map((h) => h.index)).toEqual([1, 3, 2]);
  });
});

// ---- engine over a tiny corpus with hand-made 16-d vectors --------------------------------------

function paper(id: string, title: string, abstract: string): Paper {
  return { id, title, titleDerived: false, abstract, source: { file: 't.jsonl', line: 1 } };
}

function corpus(): CorpusData {
  const papers = [
    paper('p0', 'Speech pruning', 'We prune self-supervised speech models. Sparse subnetworks work well.'),
    paper('p1', 'Image captions', 'Captioning images with transformers. Contrastive pretraining helps.'),
    paper('p2', 'Speech recognition', 'End-to-end speech recognition with transducers.'),
  ];
  const split = (p: Paper, i: number): Chunk[] => {
    const parts = p.abstract.split(/(?<=\.) /);
    let start = 0;
    return parts.map((text, index) => {
      const s = p.abstract.indexOf(text, start);
      start = s + text.length;
      return { id: `${p.id}#${index}`, paperId: p.id, index, text, start: s, end: s + text.length, hash: `h${i}${index}` };
    });
  };
  return { chunker: { version: 't', maxTokens: 100, overlapSentences: 0 }, papers, chunks: papers.flatMap(split) };
}

/** One-hot-ish vectors: axis 0 = speech, 1 = pruning, 2 = images, 3 = recognition. */
function unit(...axes: [number, number][]): Float32Array {
  const v = new Float32Array(16);
  for (const [a, w] of axes) v[a] = w;
  return v;
}

function matrixFor(data: CorpusData): VectorMatrix {
  const byChunk: Record<string, Float32Array> = {
    'p0#0': unit([0, 1], [1, 1]),
    'p0#1': unit([1, 1], [5, 1]),
    'p1#0': unit([2, 1]),
    'p1#1': unit([2, 1], [6, 1]),
    'p2#0': unit([0, 1], [3, 1]),
  };
  const m = new VectorMatrix(16, data.chunks.length);
  data.chunks.forEach((c, i) => m.setRow(i, byChunk[c.id]));
  return m;
}

describe('SearchEngine', () => {
  const data = corpus();
  const engine = new SearchEngine(data, matrixFor(data));

  it('semantic: papers by their best chunk, with that chunk as the passage and no threshold', () => {
    const hits = engine.search({ text: 'pruning speech', vector: unit([0, 1], [1, 1]) }, { mode: 'semantic', k: 10 });
    expect(hits.map((h) => h.paper.id)).toEqual(['p0', 'p2', 'p1']);
    expect(hits[0].bestChunk.id).toBe('p0#0');
    expect(hits[0].score).toBeCloseTo(1, 6);
    expect(hits[2].score).toBeCloseTo(0, 6); // unrelated paper still listed, with its score
    expect(hits[0].dense).toBe(hits[0].score);
  });

  it('semantic ranking leaves out chunks without vectors (rows mask)', () => {
    const rows = data.chunks.map((c) => (c.id === 'p0#0' ? 0 : 1));
    const hits = engine.search({ text: '', vector: unit([0, 1], [1, 1]) }, { mode: 'semantic', k: 1, rows });
    expect(hits[0].paper.id).toBe('p0');
    expect(hits[0].bestChunk.id).toBe('p0#1');
  });

  it('keyword mode needs no vectors and picks the chunk with the most query terms', () => {
    const kw = new SearchEngine(data, null);
    const hits = kw.search({ text: 'sparse subnetworks' }, { mode: 'keyword', k: 5 });
    expect(hits.map((h) => h.paper.id)).toEqual(['p0']);
    expect(hits[0].bestChunk.id).toBe('p0#1');
    expect(hits[0].lexical).toBe(hits[0].score);
    expect(() => kw.search({ text: 'x', vector: unit([0, 1]) }, { mode: 'semantic' })).toThrow(/keyword mode/);
  });

  it('hybrid fuses both rankings and reports both scores', () => {
    const rrf = new SearchEngine(data, matrixFor(data), { fusion: { kind: 'rrf', k: 60, depth: 100 } });
    const hits = rrf.search({ text: 'recognition transducers', vector: unit([0, 1], [1, 1]) }, { mode: 'hybrid', k: 3 });
    // dense: p0, p2, p1; BM25 matches only p2. RRF(k=60): p2 = 1/62 + 1/61 > p0 = 1/61 > p1 = 1/63
    expect(hits.map((h) => h.paper.id)).toEqual(['p2', 'p0', 'p1']);
    expect(hits[0].score).toBeCloseTo(1 / 62 + 1 / 61, 12);
    expect(hits[0].lexical).toBeGreaterThan(0);
    expect(hits[0].dense).toBeCloseTo(0.5, 6);
    expect(hits[1].lexical).toBeUndefined();
    expect(hits[1].bestChunk.id).toBe('p0#0');
    expect(() => engine.search({ text: 'x' }, { mode: 'hybrid' })).toThrow(/needs a query vector/);
  });

  it('hybrid ranks with the fusion chosen on train (cosine + 0.4 x BM25 over its ideal) unless told otherwise', () => {
    const q = { text: 'how do I find recognition transducers', vector: unit([0, 1], [1, 1]) };
    const byDefault = engine.search(q, { mode: 'hybrid', k: 3 });
    const chosen = new SearchEngine(data, matrixFor(data), { fusion: { kind: 'convex', alpha: 0.6, depth: 100, dense: 'cosine', lexical: 'ideal' } }).search(q, { mode: 'hybrid', k: 3 });
    expect(byDefault).toEqual(chosen);
    // question words are not lexical evidence: the stats hold the IDF of "recognition" and "transducers" only
    const stats = engine.lexical.queryStats(q.text, { dropQuestionWords: true });
    expect(stats.termIdf).toHaveLength(2);
    const ideal = (stats.k1 + 1) * stats.termIdf.reduce((a, x) => a + x, 0);
    const p2 = byDefault.find((h) => h.paper.id === 'p2')!;
    expect(p2.score).toBeCloseTo(0.6 * p2.dense! + 0.4 * (p2.lexical! / ideal), 9);
    const p0 = byDefault.find((h) => h.paper.id === 'p0')!;
    expect(p0.score).toBeCloseTo(0.6 * p0.dense!, 9);
  });

  it('more like this uses the paper\'s own vectors and never returns the paper itself', () => {
    const hits = engine.moreLikeThis('p0', { k: 10 });
    expect(hits.map((h) => h.paper.id)).toEqual(['p2', 'p1']);
    const kw = new SearchEngine(data, null).moreLikeThis('p2', { k: 10, mode: 'keyword' });
    expect(kw.map((h) => h.paper.id)).not.toContain('p2');
    expect(kw[0].paper.id).toBe('p0'); // shares "speech"
    expect(() => engine.moreLikeThis('nope')).toThrow(/no paper with id "nope"/);
  });

  it('rejects a matrix that does not match the corpus', () => {
    expect(() => new SearchEngine(data, new VectorMatrix(16, 2))).toThrow(/2 rows but the corpus has 5 chunks/);
  });
});

describe('passageText', () => {
  const p = paper('p', 'A title', 'Body text.');
  const c: Chunk = { id: 'p#0', paperId: 'p', index: 0, text: 'Body text.', start: 0, end: 10, hash: 'x' };
  it('prefixes the real title, never a derived one', () => {
    expect(passageText(p, c, 'title+chunk')).toBe('A title Body text.');
    expect(passageText(p, c, 'chunk')).toBe('Body text.');
    expect(passageText({ ...p, titleDerived: true }, c, 'title+chunk')).toBe('Body text.');
  });
});
