/** JSON Lines in both known shapes (BEIR corpus rows, arXiv metadata rows), plain and gzipped. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCorpus } from '../../src/corpus/build.ts';
import { readCorpusFolder, UnreadableInputError } from '../../src/corpus/node-io.ts';
import { exitCodeFor, formatReport } from '../../src/corpus/report.ts';
import { fixture, FIXTURES } from '../fixtures/corpus/helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'paperscope-jsonl-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('JSON Lines', () => {
  it('BEIR rows: _id is the paper id, title kept, empty title gets a derived label', () => {
    const { data, report } = buildCorpus([fixture('beir.jsonl')]);
    expect(report.files[0]).toMatchObject({ format: 'jsonl', papers: 3 });
    expect(data.papers.map((p) => p.id)).toEqual(['4983', '5836', '7912']);
    expect(data.papers[0]).toMatchObject({ title: 'Diffusion imaging of white matter development in newborns.', titleDerived: false, source: { file: 'beir.jsonl', line: 1 } });
    expect(data.papers[0].arxivId).toBeUndefined();
    expect(data.papers[1].titleDerived).toBe(true);
    expect(data.papers[1].title).toMatch(/^Myelodysplastic syndromes \(MDS\) are stem cell/);
    expect(exitCodeFor(report)).toBe(0);
  });

  it('arXiv rows: versionless arXiv id and link, categories, comment, code link, authors, arXiv line breaks removed', () => {
    const { data } = buildCorpus([fixture('arxiv.jsonl')]);
    const [a, b] = data.papers;
    expect(a).toMatchObject({
      id: '2503.11731',
      arxivId: '2503.11731',
      url: 'https://arxiv.org/abs/2503.11731',
      title: 'Industrial-Grade Sensor Simulation via Gaussian Splatting',
      categories: ['cs.CV', 'cs.RO'],
    });
    expect(a.abstract).not.toContain('\n');
    expect(a.abstract).toContain('autonomous driving systems, yet');
    expect(b).toMatchObject({
      comment: 'Accepted at CVPR 2025. Code: https://github.com/example/uwm',
      codeUrl: 'https://github.com/example/uwm',
      authors: ['A. Author', 'B. Author'],
    });
  });

  it('.gz files are read directly and give the same papers as the plain file', async () => {
    const plain = readFileSync(join(FIXTURES, 'arxiv.jsonl'));
    writeFileSync(join(tmp, 'arxiv.jsonl.gz'), gzipSync(plain));
    const files = await readCorpusFolder(join(tmp, 'arxiv.jsonl.gz'));
    expect(files.map((f) => f.path)).toEqual(['arxiv.jsonl.gz']);
    const fromGz = buildCorpus(files).data.papers;
    const fromPlain = buildCorpus([{ path: 'arxiv.jsonl.gz', bytes: new Uint8Array(plain) }]).data.papers;
    expect(fromGz).toEqual(fromPlain);
    expect(fromGz).toHaveLength(2);
  });

  it('a truncated .gz stops the build with a message naming the file', async () => {
    const gz = gzipSync(readFileSync(join(FIXTURES, 'beir.jsonl')));
    writeFileSync(join(tmp, 'cut.jsonl.gz'), gz.subarray(0, gz.length - 20));
    const reading = readCorpusFolder(join(tmp, 'cut.jsonl.gz'));
    await expect(reading).rejects.toThrow(UnreadableInputError);
    await expect(reading).rejects.toThrow(/cut\.jsonl\.gz: not a readable gzip file/);
  });

  it('broken lines, arrays, unknown rows and rows without text are reported by line; the good rows are kept', () => {
    const { data, report } = buildCorpus([fixture('broken.jsonl')]);
    expect(data.papers.map((p) => p.id)).toEqual(['a1', 'a3']);
    expect(report.items.map((i) => [i.line, i.code])).toEqual([
      [2, 'broken-json'],
      [4, 'row-shape'],
      [5, 'row-shape'],
      [6, 'missing-abstract'],
    ]);
    expect(report.items.every((i) => i.severity === 'warning' && i.file === 'broken.jsonl')).toBe(true);
    expect(exitCodeFor(report)).toBe(3);
  });

  it('hundreds of broken lines: the first 200 are listed, the rest counted, nothing dropped silently', () => {
    const lines = Array.from({ length: 250 }, (_, i) => `{"_id": "${i}", broken`);
    lines.push(JSON.stringify({ _id: 'ok', title: 'Fine', text: 'A valid abstract with enough words to be one. It has two sentences.' }));
    const { data, report } = buildCorpus([{ path: 'many.jsonl', bytes: new TextEncoder().encode(lines.join('\n')) }]);
    expect(data.papers.map((p) => p.id)).toEqual(['ok']);
    expect(report.items.filter((i) => i.code === 'broken-json')).toHaveLength(200);
    expect(report.suppressed).toEqual([{ file: 'many.jsonl', code: 'broken-json', severity: 'warning', count: 50 }]);
    expect(formatReport(report)).toContain('many.jsonl  [broken-json] … and 50 more like the above');
  });

  it('a truncated last line is reported as a possible truncation', () => {
    const text = readFileSync(join(FIXTURES, 'beir.jsonl'), 'utf8');
    const cut = text.slice(0, text.length - 40);
    const { data, report } = buildCorpus([{ path: 'cut.jsonl', bytes: new TextEncoder().encode(cut) }]);
    expect(data.papers).toHaveLength(2);
    expect(report.items).toEqual([expect.objectContaining({ code: 'broken-json', line: 3, message: expect.stringMatching(/truncated/) })]);
  });
});
