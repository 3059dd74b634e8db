import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importFiles, knownPaper, type KnownPaper } from '../../src/import/pipeline';
import { encodeVector, type CollectionExport } from '../../src/import/export-format';

const fixture = (name: string) => ({ path: name, bytes: new Uint8Array(readFileSync(new URL(`../fixtures/import/${name}`, import.meta.url))) });
const run = (files: { path: string; bytes: Uint8Array }[], known: KnownPaper[] = []) => importFiles(files, known, { idPrefix: 'c1' });

describe('import pipeline', () => {
  it('imports entries with abstracts, names the one without, merges duplicates inside the file', () => {
    const r = run([fixture('library.bib')]);
    expect(r.papers.map((p) => p.title)).toEqual(['Kelp forest canopy recovery after marine heatwaves', 'Urban beekeeping and wild pollinator decline']);
    expect(r.papers.every((p) => p.id.startsWith('c1/'))).toBe(true);
    expect(r.chunks.every((c) => r.papers.some((p) => p.id === c.paperId) && c.id.startsWith(`${c.paperId}#`))).toBe(true);
    const skipped = r.report.skipped.find((s) => s.code === 'missing-abstract');
    expect(skipped?.at).toMatch(/^library\.bib:\d+$/);
    expect(skipped?.message).toContain('noabstract2022');
    expect(r.report.duplicates).toHaveLength(1);
    expect(r.report.duplicates[0].of).toContain('Kelp forest canopy recovery');
    expect(r.report.duplicates[0].why).toMatch(/DOI/);
  });

  it('keeps markup in an abstract as text (the page shows it as text)', () => {
    const bees = run([fixture('library.bib')]).papers.find((p) => p.title.startsWith('Urban'))!;
    expect(bees.abstract).toContain('Limiting hive density');
  });

  it('the same file imported again: every paper is a duplicate of the earlier import, nothing added', () => {
    const first = run([fixture('library.bib')]);
    const known = first.papers.map((p) => knownPaper(p, 'collection "Mine"'));
    const second = importFiles([fixture('library.bib')], known, { idPrefix: 'c2' });
    expect(second.papers).toEqual([]);
    expect(second.chunks).toEqual([]);
    expect(second.report.duplicates.filter((d) => d.of.includes('collection "Mine"'))).toHaveLength(2);
  });

  it('dedupes against the shipped corpus by DOI (case-insensitive), arXiv id without version, title + year', () => {
    const known: KnownPaper[] = [
      { id: 's1', title: 'Something else entirely', titleDerived: false, doi: '10.5555/sourdough.2021.07', where: 'the shipped corpus' },
      { id: 's2', title: 'Kelp Forest Canopy Recovery After Marine Heatwaves!', titleDerived: false, year: 2024, where: 'the shipped corpus' },
    ];
    const r = run([fixture('library.ris')], known);
    expect(r.papers).toEqual([]);
    expect(r.report.duplicates.map((d) => d.why)).toEqual(['same DOI 10.5555/sourdough.2021.07', 'same title and year (2024)']);
    const arxiv = importFiles([{ path: 'a.jsonl', bytes: new TextEncoder().encode('{"id": "2309.16671v2", "title": "Demystifying CLIP data at scale", "abstract": "Contrastive language image pretraining has advanced research; we reveal the data curation approach and release MetaCLIP with curated metadata."}\n') }],
      [{ id: '2309.16671', title: 'MetaCLIP', titleDerived: false, arxivId: '2309.16671', where: 'the shipped corpus' }], { idPrefix: 'c3' });
    expect(arxiv.papers).toEqual([]);
    expect(arxiv.report.duplicates[0].why).toMatch(/arXiv id/);
  });

  it('different DOIs are two papers even under the same title and year', () => {
    const known: KnownPaper[] = [{ id: 's', title: 'Sourdough starter microbiology across bakeries', titleDerived: false, year: 2021, doi: '10.1/other', where: 'the shipped corpus' }];
    expect(run([fixture('library.ris')], known).papers.map((p) => p.title)).toContain('Sourdough starter microbiology across bakeries');
  });

  it('an empty file and a binary file are reported, nothing imported', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0]);
    const r = run([{ path: 'empty.bib', bytes: new Uint8Array() }, { path: 'figure.png', bytes: png }]);
    expect(r.papers).toEqual([]);
    const codes = r.report.skipped.map((s) => `${s.at} ${s.code}`);
    expect(codes.some((c) => c.startsWith('empty.bib '))).toBe(true);
    expect(codes.some((c) => c.startsWith('figure.png ') && /binary/.test(c))).toBe(true);
  });

  it('pasted scraped text is read as an abstract', () => {
    const text = 'Tidal energy arrays and harbour porpoises\n\nWe recorded harbour porpoise clicks around a tidal turbine array for two years. Porpoises avoided the turbines at peak flow but returned within an hour, and overall presence did not fall compared with control sites nearby.\n';
    const r = run([{ path: 'pasted text', bytes: new TextEncoder().encode(text) }]);
    expect(r.papers).toHaveLength(1);
    expect(r.papers[0].abstract).toContain('harbour porpoise clicks');
  });
});

describe('import pipeline: markup', () => {
  it('a <script> block in a BibTeX abstract is removed with its content and noted; the paper is still imported', () => {
    const r = run([fixture('library.bib')]);
    const bees = r.papers.find((p) => p.title.startsWith('Urban'))!;
    expect(bees.abstract).not.toContain('__pwned');
    expect(r.report.notes.some((n) => n.code === 'markup-removed' && n.message.includes('ferreira2023bees'))).toBe(true);
    expect(r.report.skipped.some((n) => n.code === 'markup-removed')).toBe(false);
  });

  it('escaped markup (&lt;script&gt;) stays in the abstract as literal text', () => {
    const ris = 'TY  - JOUR\nTI  - Escaped markup in an abstract survives as text\nPY  - 2020\nAB  - We test how abstracts that quote code such as &lt;script&gt;alert(1)&lt;/script&gt; are stored, because bibliographic exports escape angle brackets and the page must show them as text.\nER  - \n';
    const r = run([{ path: 'x.ris', bytes: new TextEncoder().encode(ris) }]);
    expect(r.papers[0].abstract).toContain('<script>alert(1)</script>');
  });
});

describe('import pipeline: collection exports', () => {
  const exportOf = (r: ReturnType<typeof run>, model: string) => {
    const dims = 4;
    const doc: CollectionExport = {
      format: 'paperscope-collection', version: 1, name: 'Mine', exported: '2026-01-01T00:00:00Z', model, dims, chunker: r.chunker,
      papers: r.papers, chunks: r.chunks,
      vectors: r.chunks.map((_, i) => (i === 0 ? null : encodeVector(Float32Array.from([0, 0, 0, 1])))),
    };
    return { path: 'Mine.paperscope.json', bytes: new TextEncoder().encode(JSON.stringify(doc)) };
  };

  it('an export comes back with its papers, passages and vectors (for the model it names), under new ids', () => {
    const first = run([fixture('library.bib')]);
    const again = importFiles([exportOf(first, 'model-A')], [], { idPrefix: 'c9.ab' });
    expect(again.papers.map((p) => p.title)).toEqual(first.papers.map((p) => p.title));
    expect(again.papers.every((p) => p.id.startsWith('c9.ab/') && !p.id.includes('c1/'))).toBe(true);
    expect(again.chunks.map((c) => c.text)).toEqual(first.chunks.map((c) => c.text));
    expect(again.vectors).toHaveLength(first.chunks.length - 1);
    expect(again.vectors.every((v) => v.model === 'model-A' && v.vector.length === 4 && v.vector[3] === 1)).toBe(true);
    expect(new Set(again.vectors.map((v) => v.chunkId)).size).toBe(again.vectors.length);
    expect(again.vectors.every((v) => again.chunks.some((c) => c.id === v.chunkId))).toBe(true);
  });

  it('an export of papers you have is all duplicates; a damaged export is reported, not read', () => {
    const first = run([fixture('library.bib')]);
    const known = first.papers.map((p) => knownPaper(p, 'collection "Mine"'));
    const again = importFiles([exportOf(first, 'm')], known, { idPrefix: 'c2' });
    expect(again.papers).toEqual([]);
    expect(again.report.duplicates).toHaveLength(2);
    const broken = importFiles([{ path: 'x.json', bytes: new TextEncoder().encode('{"format": "paperscope-collection", "version": 1, "papers": [') }], [], { idPrefix: 'c3' });
    expect(broken.papers).toEqual([]);
    expect(broken.report.skipped[0]).toMatchObject({ at: 'x.json', code: 'bad-export' });
    expect(broken.report.skipped[0].message).toMatch(/not valid JSON/);
  });
});
