/**
 * Issue 14's bad inputs through the page's import path: each file read as the import worker reads
 * it (a Blob streamed through readSource), then the import pipeline; the report the user sees.
 * The parsers' own cases are in corpus-formats and corpus-bad-input; this checks that nothing is
 * lost or left unsaid on the way to the page's report.
 */
import { describe, expect, it } from 'vitest';
import { importFiles, type ImportReport } from '../../src/import/pipeline';
import { readSource } from '../../src/import/read-source';

const A = 'We study how kelp forests recover after marine heatwaves, and find that sea otters speed the recovery by keeping urchins in check.';
const B = 'Sourdough starters from forty bakeries held different yeasts and lactic acid bacteria, which explains much of the taste of their bread.';
const C = 'Harbour porpoises avoided a tidal turbine array at peak flow but returned within an hour, as click detectors showed over two years.';
const D = 'Urban trees cooled streets by up to three degrees on summer afternoons, most where the canopy covered more than half of the sky.';

const enc = (...parts: (string | number[])[]) => {
  const out: number[] = [];
  for (const p of parts) out.push(...(typeof p === 'string' ? new TextEncoder().encode(p) : p));
  return new Uint8Array(out);
};

async function importBlobs(files: [string, Uint8Array][]) {
  const sources = await Promise.all(files.map(([name, bytes]) => readSource(name, new Blob([bytes as BlobPart]))));
  return importFiles(sources, [], { idPrefix: 'c1' });
}

const lines = (r: ImportReport, list: 'skipped' | 'notes' | 'duplicates') => r[list].map((s) => `${s.at} ${'message' in s ? s.message : s.why}`);

describe('bad input through the import worker\'s path', () => {
  it('a BOM, an invalid UTF-8 line, LaTeX accents and math, a bare %, unbalanced braces: what is good is imported, the rest named', async () => {
    const bib = enc([0xef, 0xbb, 0xbf],
      `@article{good, title = {Kelp in G{\\"o}teborg}, year = {2021}, abstract = {${A} Over 50% of plots, $\\alpha < 0.05$.}}\n\n`,
      `@article{broken, title = {Unbalanced}, abstract = {${B} {never closed}\n\n`,
      `@article{latin, title = {Caf`, [0xe9], `}, abstract = {${C}}}\n`);
    const { papers, report } = await importBlobs([['lib.bib', bib]]);
    const good = papers.find((p) => p.title === 'Kelp in Göteborg');
    expect(good?.abstract).toContain('Over 50% of plots, α<0.05.'); // math as text; a bare % is a percent sign
    expect(lines(report, 'skipped').join('\n')).toMatch(/lib\.bib:5 invalid UTF-8 \(byte 0xE9 at column \d+\): line skipped/);
    expect(lines(report, 'skipped').join('\n')).toMatch(/lib\.bib:\d+ BibTeX entry "broken" not read .*check its braces/);
    // nothing dropped without a line: every entry is imported or named
    expect(papers.length + report.skipped.length).toBeGreaterThanOrEqual(3);
  });

  it('RIS without ER, a Zotero CSV with ";" and quoted newlines, an entry without an abstract, the same paper twice in one file', async () => {
    const ris = enc(['TY  - JOUR', 'TI  - Kelp recovery', 'PY  - 2021', `AB  - ${A}`, 'TY  - JOUR', 'TI  - Kelp recovery', 'PY  - 2021', `AB  - ${A}`, 'ER  - ', 'TY  - JOUR', 'TI  - Only a title', 'ER  - '].join('\n'));
    const csv = enc(['"Title";"Publication Year";"Abstract Note"', `"Street trees";"2022";"${D.replace('afternoons, ', 'afternoons,\n')}"`, `"Starters";"2020";"${B}"`].join('\r\n'));
    const { papers, report } = await importBlobs([['refs.ris', ris], ['zotero.csv', csv]]);
    expect(papers.map((p) => p.title).sort()).toEqual(['Kelp recovery', 'Starters', 'Street trees']);
    expect(papers.find((p) => p.title === 'Street trees')!.abstract).toBe(D);
    expect(lines(report, 'notes').join('\n')).toMatch(/refs\.ris:1 RIS record has no "ER  -" before the next "TY  -" at line 5/);
    expect(lines(report, 'skipped').join('\n')).toMatch(/refs\.ris:10 .*"Only a title".*no abstract: skipped/);
    expect(report.duplicates).toHaveLength(1);
    expect(report.duplicates[0]).toMatchObject({ at: 'refs.ris:5', of: expect.stringMatching(/“Kelp recovery” at refs\.ris:1 \(this import\)/) });
  });

  it('an empty file, an image, a file in Latin-1: each skipped by name with what to do; nothing imported', async () => {
    const latin1 = new Uint8Array(Array.from({ length: 4000 }, (_, i) => (i % 50 === 49 ? 0x0a : i % 4 === 0 ? 0xe9 : 0x61)));
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    const { papers, report } = await importBlobs([['empty.bib', new Uint8Array(0)], ['figure.png', png], ['old.txt', latin1]]);
    expect(papers).toEqual([]);
    const text = lines(report, 'skipped').join('\n');
    expect(text).toMatch(/^empty\.bib empty file \(0 bytes\)/m);
    expect(text).toMatch(/^figure\.png binary file \(NUL byte at offset 8\)/m);
    expect(text).toMatch(/^old\.txt:1 not UTF-8: .*re-save it as UTF-8/m);
  });

  it('<script> and JATS tags in an abstract: the tags are gone, the escaped markup stays as text', async () => {
    const json = enc(JSON.stringify([{ type: 'article-journal', title: 'Porpoises', abstract: `<jats:p>${C}</jats:p><script>alert(1)</script> A &lt;b&gt; tag.` }]));
    const { papers, report } = await importBlobs([['csl.json', json]]);
    expect(papers[0].abstract).toBe(`${C} A <b> tag.`);
    expect(lines(report, 'notes').join('\n')).toMatch(/csl\.json:\d+ .*script/i);
  });
});
