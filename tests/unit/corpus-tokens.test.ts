/**
 * The token estimate must never under-count the model's real tokenizer, or chunks would be
 * silently truncated by the embedder. Checked against all-MiniLM-L6-v2's tokenizer.json.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCorpus } from '../../src/corpus/build.ts';
import { readCorpusFolder } from '../../src/corpus/node-io.ts';
import { loadTokenizerCounter } from '../../src/corpus/node-tokenizer.ts';
import { sentenceSpans } from '../../src/corpus/text.ts';
import { estimateTokens, type TokenCounter } from '../../src/corpus/tokens.ts';
import type { CorpusData } from '../../src/corpus/types.ts';
import { miniLmTokenizerPath, SEEDS } from '../fixtures/corpus/helpers.ts';

const tokenizerPath = miniLmTokenizerPath();

describe('estimateTokens (no model needed)', () => {
  it('counts punctuation, digits and non-Latin scripts, and ignores whitespace', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('   \n\t ')).toBe(0);
    expect(estimateTokens('the')).toBe(2); // 1 token + 10% margin, rounded up
    expect(estimateTokens('(,.;)')).toBeGreaterThanOrEqual(5);
    expect(estimateTokens('مرحبا')).toBeGreaterThanOrEqual(5);
    expect(estimateTokens('a b c d e f g h i j')).toBeGreaterThanOrEqual(10);
    // Longer unknown words cost more than short known ones.
    expect(estimateTokens('phosphorylation')).toBeGreaterThan(estimateTokens('model'));
  });
});

describe.skipIf(!tokenizerPath)(`estimate vs the real tokenizer (${tokenizerPath ?? 'tokenizer.json not found: run npm run setup:model'})`, () => {
  let real: TokenCounter;
  let data: CorpusData;
  beforeAll(async () => {
    real = (await loadTokenizerCounter(tokenizerPath!)).count;
    data = buildCorpus(await readCorpusFolder(SEEDS)).data;
  });

  it('never under-counts a seed chunk, abstract, sentence or title', () => {
    const texts: string[] = [];
    for (const c of data.chunks) texts.push(c.text);
    for (const p of data.papers) {
      texts.push(p.abstract, p.title);
      for (const s of sentenceSpans(p.abstract)) texts.push(p.abstract.slice(s.start, s.end));
    }
    const under = texts.filter((t) => estimateTokens(t) < real(t)).map((t) => `${estimateTokens(t)} < ${real(t)}: ${t.slice(0, 60)}`);
    expect(under).toEqual([]);
    // And every chunk really fits the model (256 with [CLS] and [SEP]).
    for (const c of data.chunks) expect(real(c.text) + 2).toBeLessThanOrEqual(256);
  });

  it('never under-counts hard text: formulas, ids, mixed scripts, emoji, accents', () => {
    const samples = [
      'wav2vec 2.0 and HuBERT reach 10.9%/12.6% WER on LibriSpeech-10min (p<0.001; n=1,234).',
      'TLR9 and AMPK(Thr172) phosphorylation in NSCLC vs. IPF: OR=0.95, 95% CI=0.74-1.22.',
      'Concretamente, se diseña una solución basada en el algoritmo OpenMax para escenarios federados.',
      '我们提出了一种新的方法 with English mixed in, and Ελληνικά too 🙂🚀.',
      'https://github.com/facebookresearch/MetaCLIP?x=1&y=2#readme',
      'zxqv qxzj kkkkkkk zzzzzzzzzzzz xyzzy plugh',
    ];
    for (const s of samples) expect(estimateTokens(s), s).toBeGreaterThanOrEqual(real(s));
  });

  it('chunks built with the real tokenizer record it and fit the limit exactly', () => {
    const { data: exact } = buildCorpus([{ path: 'a.txt', bytes: readFileSync(`${SEEDS}/003_1bb894ba40f1c930.txt`) }], {
      countTokens: real,
      tokenCounterId: 'tok:test',
      maxTokens: 64,
    });
    expect(exact.chunker.version).toBe('sent1+tok:test');
    for (const c of exact.chunks) expect(real(c.text)).toBeLessThanOrEqual(64);
  });
});
