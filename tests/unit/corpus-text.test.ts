/** The scraped-text parser on layouts beyond the seeds: its rules are generic, not keyed to seed strings. */
import { describe, expect, it } from 'vitest';
import { buildCorpus } from '../../src/corpus/build.ts';
import { exitCodeFor } from '../../src/corpus/report.ts';
import { fixture, textFile } from '../fixtures/corpus/helpers.ts';

describe('scraped text layouts', () => {
  it('joins hard-wrapped lines into paragraphs (re-joining words hyphenated at a line break), blank lines separate abstracts', () => {
    const { data, report } = buildCorpus([fixture('wrapped.txt')]);
    expect(data.papers).toHaveLength(2);
    const [a, b] = data.papers;
    expect(a.title).toBe('Sparse Retrieval With Learned Term Weights');
    expect(a.titleDerived).toBe(false);
    expect(a.abstract).toMatch(/^We study sparse retrieval models that learn a weight for every term of the vocabulary\. Our method/);
    expect(a.abstract.endsWith('The learned weights also transfer across domains with little loss in accuracy.')).toBe(true);
    expect(b.abstract).toContain('We propose a self-explaining architecture');
    expect(b.source).toEqual({ file: 'wrapped.txt', line: 10 });
    expect(exitCodeFor(report)).toBe(0);
  });

  it('arXiv listing with leading ids: id, title, authors, abstract, "Comments:" line', () => {
    const { data } = buildCorpus([fixture('leading.txt')]);
    expect(data.papers.map((p) => [p.arxivId, p.title, p.authors])).toEqual([
      ['2401.00001', 'Efficient Speech Tokenizers for Spoken Language Models', ['Ada Lovelace', 'Alan Turing']],
      ['2401.00002', 'Benchmarking Retrieval for Scientific Claims', ['Grace Hopper', 'Edsger W. Dijkstra', 'Barbara Liskov']],
    ]);
    expect(data.papers[0].abstract).toMatch(/^We introduce a neural speech tokenizer/);
    expect(data.papers[0].comment).toBe('8 pages, accepted at Interspeech 2024. Code: https://github.com/example/speech-tok');
    expect(data.papers[0].codeUrl).toBe('https://github.com/example/speech-tok');
    // "v3" is a version of the same paper: the id is the paper's.
    expect(data.papers[1].id).toBe('2401.00002');
    expect(data.papers[1].comment).toBeUndefined();
  });

  it('labelled "Abstract:" lines are abstracts; site UI, non-English prose and stray lines are reported, never papers', () => {
    const { data, report } = buildCorpus([fixture('mixed.txt')]);
    expect(data.papers).toHaveLength(1);
    expect(data.papers[0].abstract).toMatch(/^Vision transformers split an image/);
    expect(data.papers[0].source.line).toBe(2);
    const items = report.items.map((i) => [i.line, i.code, i.severity]);
    expect(items).toEqual([
      [1, 'boilerplate', 'info'],
      [3, 'boilerplate', 'info'],
      [4, 'foreign-language', 'warning'],
      [5, 'unrecognised-line', 'warning'],
    ]);
    expect(exitCodeFor(report)).toBe(3);
  });

  it('a page of nothing but site UI: every line recognised as boilerplate (info), no paper, the file flagged', () => {
    const { data, report } = buildCorpus([fixture('boilerplate-only.txt')]);
    expect(data.papers).toEqual([]);
    const perLine = report.items.filter((i) => i.line !== undefined);
    expect(perLine.map((i) => i.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(perLine.every((i) => i.severity === 'info' && ['boilerplate', 'foreign-language'].includes(i.code))).toBe(true);
    expect(report.items).toContainEqual(expect.objectContaining({ code: 'no-papers-in-file', severity: 'warning' }));
  });

  it('trailing ids: an id with no abstract before it is reported, not given to a neighbour', () => {
    const abstract = (topic: string) =>
      `We study ${topic} in depth and with care. Our method improves results on three benchmarks and the code is public for everyone to use.`;
    const { data, report } = buildCorpus([
      textFile('listing.txt', [abstract('retrieval'), 'arXiv:2401.11111', 'arXiv:2401.22222' + abstract('parsing'), 'arXiv:2401.33333'].join('\n')),
    ]);
    expect(data.papers.map((p) => [p.arxivId, p.abstract.slice(9, 18)])).toEqual([['2401.11111', 'retrieval'], ['2401.33333', 'parsing i']]);
    expect(report.items).toContainEqual(expect.objectContaining({ code: 'arxiv-id-without-abstract', line: 3 }));
  });

  it('a short abstract announced by an "Abstract" heading is kept even though it is short', () => {
    const { data } = buildCorpus([textFile('page.txt', 'A Tiny Paper Title\n\nAbstract\n\nWe show that small models can rank well.\n')]);
    expect(data.papers).toHaveLength(1);
    expect(data.papers[0]).toMatchObject({ title: 'A Tiny Paper Title', titleDerived: false, abstract: 'We show that small models can rank well.' });
  });

  it('CRLF line ends, a BOM and UTF-16 files read the same as plain UTF-8', () => {
    const text = 'We study retrieval in depth and with care. Our method improves results on three benchmarks and the code is public for all.\nAccepted at ACL 2024\n';
    const utf8 = buildCorpus([textFile('a.txt', text)]).data.papers;
    const crlf = buildCorpus([textFile('a.txt', `\uFEFF${text.replace(/\n/g, '\r\n')}`)]).data.papers;
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const wide = buildCorpus([{ path: 'a.txt', bytes: new Uint8Array(utf16) }]).data.papers;
    expect(utf8).toHaveLength(1);
    expect(utf8[0].comment).toBe('Accepted at ACL 2024');
    expect(crlf).toEqual(utf8);
    expect(wide).toEqual(utf8);
  });
});
