/**
 * Bad input never crashes the build: each problem is named with file (and line) and what was done,
 * or the build fails with a clear error when going on would give a wrong or empty corpus.
 */
import { describe, expect, it } from 'vitest';
import { buildCorpus, type SourceFile } from '../../src/corpus/build.ts';
import { exitCodeFor, formatReport, type ReportItem } from '../../src/corpus/report.ts';
import { estimateTokens } from '../../src/corpus/tokens.ts';
import { fixture, rng, textFile } from '../fixtures/corpus/helpers.ts';

const GOOD =
  'We study how retrieval models generalise to new domains. Our experiments cover five datasets and show that hybrid ranking is the most robust choice.';

const OTHER =
  'Speech models learn from raw audio without labels. We compare pruning methods and find sparse subnetworks that transfer across languages.';
const THIRD =
  'Image classifiers fail on corrupted inputs. We propose a data augmentation that improves robustness on three benchmarks at no extra cost.';

const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p)))));

function words(n: number, seed: number): string {
  const vocab = 'the of and we to in a model data retrieval learning query dense sparse vector index ranking corpus method result benchmark score'.split(' ');
  const r = rng(seed);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(vocab[Math.floor(r() * vocab.length)] + (i % 17 === 16 ? '.' : ''));
  return out.join(' ');
}

const find = (items: ReportItem[], file: string, code: string) => items.filter((i) => i.file === file && i.code === code);

describe('a folder of bad input', () => {
  const long = `${words(5000, 7).replace(/^./, (c) => c.toUpperCase())}.`;
  const files: SourceFile[] = [
    textFile('good.txt', `${GOOD}\n`),
    { path: 'empty.txt', bytes: new Uint8Array(0) },
    { path: 'image.png', bytes: bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]) },
    { path: 'latin1-line.txt', bytes: bytes(`${OTHER}\n`, 'Caf', [0xe9], ' au lait\n') },
    { path: 'latin1-file.txt', bytes: bytes(...Array.from({ length: 6 }, (_, i) => [`line ${i} caf`, [0xe9], '\n'] as (string | number[])[]).flat()) },
    textFile('notes.csv', 'a,b,c\n1,2,3\n'),
    textFile('notes.docx', 'a,b,c\n1,2,3\n'),
    textFile('page.html', '<!doctype html><html><body>hi</body></html>'),
    textFile('rows.json', '[{"id": "1", "abstract": "x"}]'),
    fixture('boilerplate-only.txt'),
    fixture('broken.jsonl'),
    textFile('a/dup.jsonl', JSON.stringify({ id: '2401.00001', title: 'First copy', abstract: THIRD }) + '\n'),
    textFile('b/dup.jsonl', JSON.stringify({ id: '2401.00001', title: 'Other paper', abstract: 'A different abstract about protein folding with enough words to count as one. It has two sentences.' }) + '\n'),
    textFile('long.txt', `${long}\n`),
    { path: 'packed.jsonl.gz', bytes: bytes([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]) },
  ];

  const { data, report } = buildCorpus(files);
  const items = report.items;

  it('builds from what is good and exits 3 (built, with warnings)', () => {
    expect(exitCodeFor(report)).toBe(3);
    expect(exitCodeFor(report, true)).toBe(1); // --strict
    const ids = data.papers.map((p) => p.id);
    expect(data.papers.some((p) => p.abstract === GOOD)).toBe(true);
    expect(ids).toContain('2401.00001');
    expect(ids).toEqual(expect.arrayContaining(['a1', 'a3']));
    expect(report.files.map((f) => f.file)).toEqual([...files.map((f) => f.path)].sort());
    expect(formatReport(report)).toContain('Warnings:');
  });

  it('empty file, binary file, still-compressed gzip: skipped with a warning naming the file', () => {
    expect(find(items, 'empty.txt', 'empty-file')).toHaveLength(1);
    expect(find(items, 'image.png', 'binary-file')[0].message).toMatch(/NUL byte at offset 8/);
    expect(find(items, 'packed.jsonl.gz', 'gzip-not-decompressed')).toHaveLength(1);
  });

  it('invalid UTF-8: a damaged line is skipped with line, column and byte; a file in another encoding is skipped whole', () => {
    const [bad] = find(items, 'latin1-line.txt', 'invalid-utf8');
    expect(bad).toMatchObject({ line: 2, severity: 'warning' });
    expect(bad.message).toMatch(/byte 0xE9 at column 4/);
    expect(data.papers.find((p) => p.source.file === 'latin1-line.txt')).toMatchObject({ abstract: OTHER, source: { line: 1 } });
    expect(data.papers.some((p) => p.abstract.includes('Caf'))).toBe(false);
    expect(find(items, 'latin1-file.txt', 'not-utf8')[0].message).toMatch(/6 of 6 lines .* re-save it as UTF-8/);
  });

  it('unknown formats are named with what to do', () => {
    expect(find(items, 'notes.docx', 'unknown-format')[0].message).toMatch(/unsupported file type "\.docx": use .*\.bib, \.ris/);
    expect(find(items, 'notes.csv', 'missing-abstract')[0].message).toMatch(/no abstract column .*name one "Abstract"/);
    expect(find(items, 'page.html', 'unknown-format')[0].message).toMatch(/HTML/);
    // A JSON array of build-like rows is read (CSL JSON or rows, item by item).
    expect(data.papers.find((p) => p.source.file === 'rows.json')).toMatchObject({ id: '1', abstract: 'x', source: { line: 1 } });
  });

  it('a file of nothing but site boilerplate gives no paper and says so', () => {
    expect(find(items, 'boilerplate-only.txt', 'no-papers-in-file')).toHaveLength(1);
    expect(data.papers.some((p) => p.source.file === 'boilerplate-only.txt')).toBe(false);
  });

  it('the same id in two files with different abstracts: the first (file order) is kept, the other reported', () => {
    const [dup] = find(items, 'b/dup.jsonl', 'duplicate-id');
    expect(dup).toMatchObject({ line: 1, severity: 'warning' });
    expect(dup.message).toMatch(/already used by a\/dup\.jsonl:1 .*kept a\/dup\.jsonl:1/);
    expect(data.papers.find((p) => p.id === '2401.00001')!.title).toBe('First copy');
    expect(report.duplicateIdsDropped).toBe(1);
  });

  it('a 5,000-word abstract is kept, flagged, and chunked within the token limit', () => {
    const [flag] = find(items, 'long.txt', 'long-abstract');
    expect(flag.message).toMatch(/5000 words/);
    const paper = data.papers.find((p) => p.source.file === 'long.txt')!;
    const chunks = data.chunks.filter((c) => c.paperId === paper.id);
    expect(chunks.length).toBeGreaterThan(20);
    for (const c of chunks) {
      expect(paper.abstract.slice(c.start, c.end)).toBe(c.text);
      expect(estimateTokens(c.text)).toBeLessThanOrEqual(data.chunker.maxTokens);
    }
  });
});

describe('bad input that would give a wrong corpus', () => {
  it('no papers at all is an error (exit 1): an empty corpus never replaces a good one', () => {
    const { data, report } = buildCorpus([{ path: 'empty.txt', bytes: new Uint8Array(0) }, fixture('boilerplate-only.txt')]);
    expect(data.papers).toEqual([]);
    expect(report.items).toContainEqual(expect.objectContaining({ severity: 'error', code: 'no-papers' }));
    expect(exitCodeFor(report)).toBe(1);
    expect(buildCorpus([]).report.items[0]).toMatchObject({ code: 'no-papers', message: 'no input files' });
  });
});

describe('a 50 MB file', () => {
  it('is read; an over-long "abstract" line is skipped with a warning, the real abstract kept, in seconds', () => {
    const huge = 'lorem ipsum dolor sit amet consectetur '.repeat(Math.ceil((50 * 1024 * 1024) / 39));
    const t0 = performance.now();
    const { data, report } = buildCorpus([textFile('big.txt', `${GOOD}\n${huge}\n`)]);
    const ms = performance.now() - t0;
    expect(data.papers.map((p) => p.abstract)).toEqual([GOOD]);
    expect(report.items).toEqual([expect.objectContaining({ file: 'big.txt', line: 2, severity: 'warning', code: 'abstract-too-long' })]);
    expect(report.files[0].bytes).toBeGreaterThan(50 * 1024 * 1024);
    expect(ms).toBeLessThan(10_000);
  }, 60_000);
});
