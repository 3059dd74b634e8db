/** Sentence-aware chunking: whole sentences, within the token limit, with overlap, offsets exact. */
import { describe, expect, it } from 'vitest';
import { buildCorpus } from '../../src/corpus/build.ts';
import { chunkAbstract } from '../../src/corpus/chunk.ts';
import { sentenceSpans } from '../../src/corpus/text.ts';
import { estimateTokens } from '../../src/corpus/tokens.ts';
import { textFile } from '../fixtures/corpus/helpers.ts';

const ABSTRACT = [
  'Dense retrievers map queries and documents to vectors, e.g. Transformers fine-tuned on pairs.',
  'As shown by Karpukhin et al. (2020), such models beat BM25 on open-domain questions.',
  'Fig. 2 shows the effect of the batch size on recall.',
  'Hard negatives matter more than the size of the encoder.',
  'We revisit these findings on scientific abstracts, i.e. long texts with rare terms.',
  'Our study covers five datasets and four model sizes.',
  'Hybrid ranking that fuses lexical and dense scores is the most robust across domains.',
  'The gains are largest for queries with rare biomedical terms.',
  'We release code and data.',
].join(' ');

const textOf = (t: string, s: { start: number; end: number }) => t.slice(s.start, s.end);

describe('sentenceSpans', () => {
  it('does not split after abbreviations (e.g., et al., Fig., i.e.)', () => {
    const sentences = sentenceSpans(ABSTRACT).map((s) => textOf(ABSTRACT, s));
    expect(sentences).toHaveLength(9);
    expect(sentences[0]).toBe('Dense retrievers map queries and documents to vectors, e.g. Transformers fine-tuned on pairs.');
    expect(sentences[1]).toBe('As shown by Karpukhin et al. (2020), such models beat BM25 on open-domain questions.');
    expect(sentences[2]).toBe('Fig. 2 shows the effect of the batch size on recall.');
  });
});

describe('chunkAbstract', () => {
  const sentenceStarts = new Set(sentenceSpans(ABSTRACT).map((s) => s.start));
  const sentenceEnds = new Set(sentenceSpans(ABSTRACT).map((s) => s.end));

  it('a short abstract is one chunk: the whole text', () => {
    const plan = chunkAbstract(ABSTRACT, 254, 1, estimateTokens);
    expect(plan.spans).toEqual([{ start: 0, end: ABSTRACT.length }]);
  });

  it('splits only between sentences, keeps every chunk within the limit and covers the whole text', () => {
    for (const max of [40, 60, 100]) {
      const { spans, cutSentences } = chunkAbstract(ABSTRACT, max, 0, estimateTokens);
      expect(cutSentences).toEqual([]);
      expect(spans.length).toBeGreaterThan(1);
      for (const s of spans) {
        expect(sentenceStarts.has(s.start), `chunk starts at a sentence (max ${max})`).toBe(true);
        expect(sentenceEnds.has(s.end), `chunk ends at a sentence (max ${max})`).toBe(true);
        expect(estimateTokens(textOf(ABSTRACT, s))).toBeLessThanOrEqual(max);
      }
      // Without overlap the chunks tile the abstract.
      expect(spans[0].start).toBe(0);
      expect(spans[spans.length - 1].end).toBe(ABSTRACT.length);
      for (let i = 1; i < spans.length; i++) expect(ABSTRACT.slice(spans[i - 1].end, spans[i].start)).toBe(' ');
    }
  });

  it('repeats the last sentence of a chunk at the start of the next with overlap 1 (never the whole chunk)', () => {
    const sentences = sentenceSpans(ABSTRACT);
    const { spans } = chunkAbstract(ABSTRACT, 70, 1, estimateTokens);
    expect(spans.length).toBeGreaterThan(2);
    let overlapping = 0;
    for (let i = 1; i < spans.length; i++) {
      const prev = sentences.filter((s) => s.start >= spans[i - 1].start && s.end <= spans[i - 1].end);
      const lastOfPrev = prev[prev.length - 1];
      expect(spans[i].start).toBeGreaterThan(spans[i - 1].start); // always progresses
      if (prev.length >= 2) {
        expect(spans[i].start).toBe(lastOfPrev.start);
        overlapping++;
      } else {
        expect(spans[i].start).toBeGreaterThanOrEqual(lastOfPrev.end);
      }
    }
    expect(overlapping).toBeGreaterThan(0);
    // A big overlap still makes progress and reaches the end.
    const many = chunkAbstract(ABSTRACT, 60, 10, estimateTokens).spans;
    expect(many[many.length - 1].end).toBe(ABSTRACT.length);
  });

  it('evens out chunk sizes instead of leaving a tiny last chunk', () => {
    const { spans } = chunkAbstract(ABSTRACT, 150, 0, estimateTokens);
    const sizes = spans.map((s) => estimateTokens(textOf(ABSTRACT, s)));
    expect(sizes).toHaveLength(2);
    expect(Math.max(...sizes) / Math.min(...sizes)).toBeLessThan(1.6);
  });

  it('cuts only a sentence longer than the limit, at word boundaries', () => {
    const long = `${'word '.repeat(300).trim()} end. Short tail sentence.`;
    const { spans, cutSentences } = chunkAbstract(long, 50, 0, estimateTokens);
    expect(cutSentences).toHaveLength(1);
    for (const s of spans) {
      expect(estimateTokens(textOf(long, s))).toBeLessThanOrEqual(50);
      expect(s.start === 0 || long[s.start - 1] === ' ').toBe(true);
      expect(s.end === long.length || long[s.end] === ' ').toBe(true);
    }
    expect(textOf(long, spans[spans.length - 1])).toMatch(/Short tail sentence\.$/);
  });

  it('cuts a single word longer than the limit without breaking a surrogate pair', () => {
    const word = '🙂'.repeat(200);
    const { spans } = chunkAbstract(word, 30, 0, estimateTokens);
    expect(spans.map((s) => textOf(word, s)).join('')).toBe(word);
    for (const s of spans) {
      expect(textOf(word, s)).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
      expect(estimateTokens(textOf(word, s))).toBeLessThanOrEqual(30);
    }
  });
});

describe('buildCorpus chunking options', () => {
  it('--max-tokens and --overlap reach the chunker and are recorded', () => {
    const { data } = buildCorpus([textFile('a.txt', ABSTRACT)], { maxTokens: 40, overlapSentences: 0 });
    expect(data.chunker).toEqual({ version: 'sent1+wpest1', maxTokens: 40, overlapSentences: 0 });
    expect(data.chunks.length).toBeGreaterThan(2);
    for (const c of data.chunks) expect(data.papers[0].abstract.slice(c.start, c.end)).toBe(c.text);
  });

  it('rejects settings that cannot work', () => {
    expect(() => buildCorpus([], { maxTokens: 3 })).toThrow(/maxTokens/);
    expect(() => buildCorpus([], { overlapSentences: -1 })).toThrow(/overlapSentences/);
  });

  it('reports a sentence cut at word boundaries with its file and line', () => {
    const text = `Intro line that is an abstract with words ${'and more words '.repeat(40)}without any full stop at all until here. Done now.`;
    const { report } = buildCorpus([textFile('long.txt', `\n${text}`)], { maxTokens: 40 });
    expect(report.items).toContainEqual(expect.objectContaining({ code: 'long-sentence-split', file: 'long.txt', line: 2, severity: 'info' }));
  });
});
