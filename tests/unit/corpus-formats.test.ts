/**
 * Import formats people export — BibTeX, RIS, PubMed .nbib, CSL JSON, CSV, arXiv Atom — each read
 * into papers with their metadata, and each way such a file can be broken reported with
 * file:line and the entry, never a crash and never a silent drop.
 */
import { describe, expect, it } from 'vitest';
import { buildCorpus, type SourceFile } from '../../src/corpus/build.ts';
import type { ReportItem } from '../../src/corpus/report.ts';
import type { Paper } from '../../src/corpus/types.ts';
import { textFile } from '../fixtures/corpus/helpers.ts';

const A = 'We study how retrieval models generalise to new domains. Our experiments cover five datasets and show that hybrid ranking is the most robust choice.';
const B = 'Speech models learn from raw audio without labels. We compare pruning methods and find sparse subnetworks that transfer across languages.';
const D = 'Protein folding is predicted from sequence alone. We train a small model and match larger ones on two public benchmarks.';
const C = 'Image classifiers fail on corrupted inputs. We propose a data augmentation that improves robustness on three benchmarks at no extra cost.';

const build = (...files: SourceFile[]) => buildCorpus(files);
const items = (report: { items: ReportItem[] }, code: string) => report.items.filter((i) => i.code === code);
const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p)))));
const BOM = [0xef, 0xbb, 0xbf];
/** Nothing the corpus holds looks like markup. */
const noMarkup = (p: Paper) => expect(`${p.title}\n${p.abstract}`).not.toMatch(/<\/|<(?:[a-z]+:)?(?:p|i|b|sub|sup|script|style|title|italic)[\s/>]|&[a-z]+;/i);

describe('BibTeX', () => {
  const bib = `% exported by hand
@article{smith2020,
  title = {A {Study} of M\\"uller's $\\alpha$-Method},
  author = {M{\\"u}ller, J{\\"o}rg and Smith, John and {The ACME Consortium}},
  abstract = {${A} Over 50% of cases improve, and $\\mathcal{O}(n^2)$ becomes \\emph{linear}.},
  journal = {Journal of Things},
  year = {2020}, month = mar,
  doi = {https://doi.org/10.1000/ABC.123},
  keywords = {retrieval, domain shift; ranking},
  eprint = {2101.00001v2}, archiveprefix = {arXiv}, primaryclass = {cs.IR},
}

@inproceedings{broken2021,
  title = {Unbalanced {braces,
  abstract = {${B}},
}

@misc{noabs2019, title = {A Paper Without an Abstract}, year = 2019}

@article{accents2018,
  title = "Caf\\'{e} Na\\"{\\i}ve Stra\\ss e",
  abstract = "${C} About 100\\% sure.",
  date = {2018-05-03},
  author = {Jos\\'e G{\\'o}mez},
}
`;
  const { data, report } = build(textFile('refs.bib', bib));

  it('reads title, authors, abstract and metadata, decoding LaTeX accents and math to text', () => {
    const p = data.papers.find((x) => x.arxivId === '2101.00001')!;
    expect(p).toMatchObject({
      id: '2101.00001',
      title: "A Study of Müller's α-Method",
      authors: ['Jörg Müller', 'John Smith', 'The ACME Consortium'],
      date: '2020-03',
      year: 2020,
      venue: 'Journal of Things',
      doi: '10.1000/abc.123',
      url: 'https://arxiv.org/abs/2101.00001',
      categories: ['cs.IR'],
      source: { file: 'refs.bib', line: 2 },
    });
    expect(p.keywords).toEqual(expect.arrayContaining(['retrieval', 'domain shift', 'ranking']));
    // A bare % is a percent sign in an abstract, not a LaTeX comment that cuts it short.
    expect(p.abstract).toContain('Over 50% of cases improve, and O(n²) becomes linear.');
    const q = data.papers.find((x) => x.title.startsWith('Café'))!;
    expect(q).toMatchObject({ title: 'Café Naïve Straße', date: '2018-05-03', authors: ['José Gómez'], source: { line: 20 } });
    expect(q.abstract.endsWith('About 100% sure.')).toBe(true);
  });

  it('unbalanced braces: that entry is reported with its key and line, the rest of the file is read', () => {
    const [err] = items(report, 'syntax-error');
    expect(err).toMatchObject({ file: 'refs.bib', line: 13, severity: 'warning' });
    expect(err.message).toMatch(/entry "broken2021" not read .*check its braces/);
    expect(data.papers.map((p) => p.source.line)).toEqual([2, 20]);
  });

  it('an entry without an abstract is skipped with a line naming it and what to add', () => {
    const [miss] = items(report, 'missing-abstract');
    expect(miss).toMatchObject({ file: 'refs.bib', line: 18 });
    expect(miss.message).toMatch(/entry "noabs2019" \("A Paper Without an Abstract"\): no abstract: skipped; add an abstract field/);
  });

  it('JATS markup and "<" in BibTeX abstracts (Crossref exports): text, not TeX\'s ¡ and ¿', () => {
    const { data } = build(textFile('crossref.bib', `@article{x, title={Dense <i>retrieval</i>}, abstract={<jats:title>Abstract</jats:title><jats:p>${A} Gains hold at p < 0.05 in $k<n$ settings.</jats:p>}}\n`));
    expect(data.papers[0].title).toBe('Dense retrieval');
    expect(data.papers[0].abstract).toBe(`Abstract ${A} Gains hold at p < 0.05 in k<n settings.`);
    noMarkup(data.papers[0]);
  });

  it('a lone "$" (a dollar sign, no closing "$") keeps the entry: read as a dollar sign, said where; paired "$" stay math', () => {
    // (as LaTeX reads them: "$" pair from the left, the last one of an odd count opens a section that never closes)
    const bib = [
      `@article{money, title={Budgets}, abstract={${A} With $x^2$ terms it cost $5 million.}}`,
      `@article{quoted, title="A $10 prize", abstract="${B} Prizes of $10 were paid."}`,
      `@article{math, title={Math}, abstract={${C} With $\\alpha$ and $\\beta$.}}`,
      '',
    ].join('\n');
    const { data, report } = build(textFile('money.bib', bib));
    const byId = new Map(data.papers.map((p) => [p.title, p.abstract]));
    expect(byId.get('Budgets')).toBe(`${A} With x² terms it cost $5 million.`);
    expect(byId.get('A $10 prize')).toBe(`${B} Prizes of $10 were paid.`);
    expect(byId.get('Math')).toBe(`${C} With α and β.`);
    expect(items(report, 'syntax-error')).toEqual([]);
    expect(items(report, 'missing-abstract')).toEqual([]);
    // one per value with an odd count: the money abstract (line 1), the quoted title and abstract (line 2)
    expect(items(report, 'lone-dollar').map((i) => [i.line, i.severity])).toEqual([[1, 'info'], [2, 'info'], [2, 'info']]);
    expect(items(report, 'lone-dollar')[0].message).toMatch(/read as a dollar sign.*write \\\$ for a dollar sign/);
  });

  it('crossref: a paper inherits venue and year from its @proceedings, which is no paper itself (info, not a warning)', () => {
    const { data, report } = build(textFile('conf.bib', `@inproceedings{p1, title={Paper}, crossref={conf}, abstract={${A}}}\n@proceedings{conf, booktitle={Proceedings of Things 2021}, year=2021}\n`));
    expect(data.papers.map((p) => [p.title, p.venue, p.date])).toEqual([['Paper', 'Proceedings of Things 2021', '2021']]);
    expect(items(report, 'missing-abstract')).toEqual([expect.objectContaining({ line: 2, severity: 'info', message: expect.stringMatching(/"conf" is cross-referenced by other entries \(they inherit its booktitle, year\): not a paper/) })]);
  });

  it('a .txt file that starts with an @entry is read as BibTeX', () => {
    const { data } = build(textFile('export.txt', `@article{k, title={T}, abstract={${A}}}\n`));
    expect(data.papers).toHaveLength(1);
    expect(data.papers[0].title).toBe('T');
  });
});

describe('RIS and PubMed', () => {
  it('RIS: fields, wrapped abstract lines, a record without ER read up to the next TY (reported)', () => {
    const ris = [
      'TY  - JOUR',
      'TI  - Retrieval across domains',
      'AU  - Lovelace, Ada',
      'AU  - Turing, Alan M.',
      `AB  - ${A.slice(0, 60)}`,
      `${A.slice(60)}`,
      'PY  - 2021///',
      'DA  - 2021/06/15/',
      'T2  - Proceedings of Things',
      'DO  - 10.1000/XYZ',
      'UR  - https://example.org/paper',
      'KW  - retrieval',
      'KW  - ranking',
      // no ER: the next TY closes it
      'TY  - JOUR',
      'TI  - Pruning speech models',
      `AB  - ${B}`,
      'PY  - sometime',
      'ER  - ',
      'TY  - GEN',
      'TI  - Only a title',
      'ER  - ',
      '',
    ].join('\n');
    const { data, report } = build(textFile('refs.ris', ris));
    expect(data.papers).toHaveLength(2);
    expect(data.papers[0]).toMatchObject({
      title: 'Retrieval across domains', abstract: A, authors: ['Ada Lovelace', 'Alan M. Turing'], date: '2021-06-15', year: 2021,
      venue: 'Proceedings of Things', doi: '10.1000/xyz', url: 'https://example.org/paper', keywords: ['retrieval', 'ranking'],
      source: { file: 'refs.ris', line: 1 },
    });
    expect(data.papers[1]).toMatchObject({ title: 'Pruning speech models', source: { line: 14 } });
    expect(data.papers[1]).not.toHaveProperty('date');
    expect(items(report, 'unclosed-record')[0]).toMatchObject({ line: 1, message: expect.stringMatching(/no "ER  -" before the next "TY  -" at line 14/) });
    expect(items(report, 'bad-date')[0]).toMatchObject({ line: 14, message: expect.stringMatching(/"sometime" is not a date/) });
    expect(items(report, 'missing-abstract')[0]).toMatchObject({ line: 19, message: expect.stringMatching(/"Only a title".*no abstract: skipped; add an abstract field/) });
  });

  it('RIS whose last record has no ER at the end of the file: read, reported', () => {
    const { data, report } = build(textFile('last.ris', `TY  - JOUR\nTI  - T\nAB  - ${A}\n`));
    expect(data.papers).toHaveLength(1);
    expect(items(report, 'unclosed-record')[0].message).toMatch(/before the end of the file/);
  });

  it('PubMed .nbib: FAU names, DP date, journal, DOI from LID, MeSH and other terms as keywords, continuation lines', () => {
    const nbib = [
      'PMID- 12345678',
      'TI  - Hybrid ranking for',
      '      biomedical claims.',
      `AB  - ${C.slice(0, C.indexOf(' We '))}`,
      `      ${C.slice(C.indexOf(' We ') + 1)}`,
      'FAU - Hopper, Grace',
      'AU  - Hopper G',
      'FAU - Dijkstra, Edsger W',
      'DP  - 2019 Mar 5',
      'JT  - Journal of Biomedical Things',
      'LID - 10.1000/BIO.1 [doi]',
      'MH  - *Information Retrieval/methods',
      'OT  - claims',
      '',
      'PMID- 87654321',
      'TI  - No abstract here.',
      'DP  - 2020',
      '',
    ].join('\n');
    const { data, report } = build(textFile('pubmed.nbib', nbib));
    expect(data.papers).toHaveLength(1);
    expect(data.papers[0]).toMatchObject({
      title: 'Hybrid ranking for biomedical claims.', abstract: C, authors: ['Grace Hopper', 'Edsger W Dijkstra'],
      date: '2019-03-05', venue: 'Journal of Biomedical Things', doi: '10.1000/bio.1', keywords: ['claims', 'Information Retrieval'],
    });
    expect(items(report, 'missing-abstract')[0]).toMatchObject({ line: 15, message: expect.stringMatching(/"PMID 87654321"/) });
    // PubMed's "Save as MEDLINE" gives a .txt: sniffed by its first line.
    expect(build(textFile('pubmed-export.txt', nbib)).data.papers).toHaveLength(1);
  });
});

describe('CSL JSON and JSON arrays', () => {
  const csl = JSON.stringify([
    {
      id: 'item1', type: 'article-journal', title: 'Dense <i>retrieval</i> &amp; claims',
      abstract: `<jats:title>Abstract</jats:title><jats:p>${A}</jats:p><jats:p>Second <jats:italic>paragraph</jats:italic> with H<jats:sub>2</jats:sub>O.</jats:p>`,
      author: [{ family: 'Lovelace', given: 'Ada' }, { literal: 'The ACME Consortium' }, { family: 'Berg', given: 'Anna', 'non-dropping-particle': 'van der' }],
      issued: { 'date-parts': [[2022, 7]] }, 'container-title': ['Journal of Things'], DOI: '10.1000/CSL.1', URL: 'https://example.org/csl1',
      keyword: 'retrieval, claims',
    },
    { id: 'item2', type: 'article', title: 'Scripted', abstract: `<p>${B}</p><script>alert('x')</script><style>p{}</style>`, issued: { 'date-parts': [['2021', '13']] } },
    { id: 'item3', type: 'book', title: 'No abstract book' },
  ], null, 2);

  it('reads CSL items; JATS and HTML become text, <script> goes with its content (reported); never any markup', () => {
    const { data, report } = build(textFile('library.json', csl));
    const itemLine = (id: string) => csl.slice(0, csl.indexOf(`"id": "${id}"`)).split('\n').length - 1;
    expect(report.files[0]).toMatchObject({ format: 'csl-json', papers: 2 });
    const [p, q] = data.papers;
    expect(p).toMatchObject({
      title: 'Dense retrieval & claims', authors: ['Ada Lovelace', 'The ACME Consortium', 'Anna van der Berg'], date: '2022-07', year: 2022,
      venue: 'Journal of Things', doi: '10.1000/csl.1', url: 'https://example.org/csl1', keywords: ['retrieval', 'claims'], source: { line: 2 },
    });
    expect(p.abstract).toBe(`Abstract ${A} Second paragraph with H2O.`);
    expect(q.abstract).toBe(B);
    expect(q).not.toHaveProperty('date');
    for (const x of data.papers) noMarkup(x);
    expect(items(report, 'markup-removed')[0]).toMatchObject({ line: itemLine('item2'), severity: 'warning', message: expect.stringMatching(/"item2": 2 <script>\/<style> block/) });
    expect(items(report, 'bad-date')[0]).toMatchObject({ line: itemLine('item2'), message: expect.stringMatching(/issued not read \(month 13/) });
    expect(items(report, 'missing-abstract')[0]).toMatchObject({ line: itemLine('item3'), message: expect.stringMatching(/"item3".*no abstract: skipped/) });
  });

  it('a JSON array of build-like rows is read like JSON Lines; a broken array is reported with its line', () => {
    const rows = `[\n  {"id": "2401.00001", "title": "R", "abstract": "${A}"},\n  {"_id": "7", "text": "${B}"},\n  3\n]`;
    const { data, report } = build(textFile('rows.json', rows));
    expect(report.files[0].format).toBe('json');
    expect(data.papers.map((p) => [p.id, p.source.line])).toEqual([['2401.00001', 2], ['7', 3]]);
    expect(items(report, 'row-shape')[0]).toMatchObject({ line: 4 });
    const broken = build(textFile('broken.json', `[\n {"id": "1",\n "abstract": }\n]`)).report;
    expect(items(broken, 'broken-json')[0]).toMatchObject({ file: 'broken.json', message: expect.stringMatching(/not valid JSON/) });
  });
});

describe('CSV', () => {
  it('Zotero export: semicolon delimiter, quoted fields with newlines and quotes; rows named by their line', () => {
    const csv = [
      '"Key";"Item Type";"Publication Year";"Author";"Title";"Publication Title";"DOI";"Url";"Abstract Note";"Date";"Manual Tags"',
      `"ABCD1234";"journalArticle";"2020";"Lovelace, Ada; Turing, Alan";"Retrieval ""in the wild""";"Journal of Things";"10.1000/CSV.1";"https://example.org/a";"${A.replace('domains. ', 'domains.\n')}";"2020-04-01";"retrieval; ranking"`,
      `"EFGH5678";"preprint";"2021";"Hopper, Grace";"Speech pruning";"";"";"https://arxiv.org/abs/2102.00002v3";"${B}";"";""`,
      `"IJKL9012";"book";"n.d.";"Doe, Jane";"No abstract";"";"";"";"";"";""`,
    ].join('\r\n');
    const { data, report } = build(textFile('zotero.csv', csv));
    expect(report.files[0]).toMatchObject({ format: 'csv', papers: 2 });
    expect(data.papers[0]).toMatchObject({
      title: 'Retrieval "in the wild"', abstract: A, authors: ['Ada Lovelace', 'Alan Turing'], date: '2020-04-01', venue: 'Journal of Things',
      doi: '10.1000/csv.1', url: 'https://example.org/a', keywords: ['retrieval', 'ranking'], source: { file: 'zotero.csv', line: 2 },
    });
    expect(data.papers[1]).toMatchObject({ id: '2102.00002', arxivId: '2102.00002', date: '2021', source: { line: 4 } });
    expect(items(report, 'missing-abstract')[0]).toMatchObject({ line: 5, message: expect.stringMatching(/"IJKL9012" \("No abstract"\): no abstract: skipped/) });
  });

  it('a CSV without an abstract column is skipped with the columns it has', () => {
    const { report } = build(textFile('plain.csv', 'title,year\nT,2020\n'));
    expect(items(report, 'missing-abstract')[0].message).toMatch(/no abstract column \(columns: title, year\)/);
  });
});

describe('arXiv API Atom', () => {
  const atom = `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <title>arXiv Query</title>
  <entry>
    <id>http://arxiv.org/abs/2309.16671v4</id>
    <updated>2023-12-28T18:00:00Z</updated>
    <published>2023-09-28T17:59:56Z</published>
    <title>Demystifying CLIP Data</title>
    <summary>  ${A}
  Tags like &lt;b&gt; in text stay text.</summary>
    <author><name>Hu Xu</name></author>
    <author><name>Saining Xie</name></author>
    <arxiv:comment>17 pages. Code: https://github.com/facebookresearch/MetaCLIP</arxiv:comment>
    <arxiv:doi>10.1000/ATOM.1</arxiv:doi>
    <link href="http://arxiv.org/abs/2309.16671v4" rel="alternate" type="text/html"/>
    <arxiv:primary_category term="cs.CV" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.CV" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
  <entry>
    <id>http://arxiv.org/abs/2101.00009v1</id>
    <title>Empty summary</title>
    <summary></summary>
  </entry>
</feed>
`;

  it('reads entries with authors, dates, categories (primary first), DOI, comment and code link', () => {
    const { data, report } = build(textFile('query.atom', atom));
    expect(data.papers).toHaveLength(1);
    expect(data.papers[0]).toMatchObject({
      id: '2309.16671', arxivId: '2309.16671', url: 'https://arxiv.org/abs/2309.16671', title: 'Demystifying CLIP Data',
      authors: ['Hu Xu', 'Saining Xie'], date: '2023-09-28', year: 2023, doi: '10.1000/atom.1', categories: ['cs.CV', 'cs.CL'],
      codeUrl: 'https://github.com/facebookresearch/MetaCLIP', source: { file: 'query.atom', line: 4 },
    });
    expect(data.papers[0].abstract).toBe(`${A} Tags like <b> in text stay text.`);
    expect(items(report, 'missing-abstract')[0]).toMatchObject({ line: 20, message: expect.stringMatching(/2101\.00009v1/) });
  });

  it('an arXiv API error entry is reported, not taken for a paper; an entity bomb is not expanded', () => {
    const err = `<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n<entry>\n<id>http://arxiv.org/api/errors#incorrect_id_format_for_1234</id>\n<title>Error</title>\n<summary>incorrect id format for 1234</summary>\n</entry>\n</feed>\n`;
    const r1 = build(textFile('err.atom', err));
    expect(r1.data.papers).toHaveLength(0);
    expect(items(r1.report, 'row-shape')[0]).toMatchObject({ line: 3, message: expect.stringMatching(/arXiv API answered with an error.*incorrect id format/) });
    const lol = Array.from({ length: 6 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join('\n');
    const bomb = `<?xml version="1.0"?>\n<!DOCTYPE feed [\n<!ENTITY l0 "lol">\n${lol}\n]>\n<feed xmlns="http://www.w3.org/2005/Atom"><entry><summary>&l6;</summary></entry></feed>\n`;
    const t0 = performance.now();
    const r2 = build(textFile('bomb.xml', bomb));
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(r2.data.papers.every((p) => p.abstract.length < 100_000)).toBe(true);
    expect(r2.data.papers.map((p) => p.abstract)).toEqual(['&l6;']); // left as written: never expanded
  });

  it('malformed XML is reported with its line; XML that is not a feed is not guessed at', () => {
    const broken = build(textFile('bad.xml', '<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n<entry><title>x</entry>\n</feed>\n')).report;
    expect(items(broken, 'syntax-error')[0]).toMatchObject({ file: 'bad.xml', line: 3, message: expect.stringMatching(/not well-formed XML/) });
    const other = build(textFile('other.xml', '<?xml version="1.0"?>\n<rss><channel/></rss>\n')).report;
    expect(items(other, 'unknown-format')[0].message).toMatch(/only Atom feeds/);
  });
});

describe('bad bytes in any format', () => {
  it('empty and binary files are skipped with a warning naming the file', () => {
    const { report } = build({ path: 'empty.bib', bytes: new Uint8Array(0) }, { path: 'blob.ris', bytes: bytes('TY  - JOUR\n', [0, 1, 2, 3, 0xff, 0]) },
      textFile('ok.txt', `${A}\n`));
    expect(items(report, 'empty-file').map((i) => i.file)).toEqual(['empty.bib']);
    expect(items(report, 'binary-file')[0]).toMatchObject({ file: 'blob.ris', message: expect.stringMatching(/NUL byte/) });
  });

  it('a UTF-8 BOM is ignored; an invalid UTF-8 line is reported and left out, the rest of the record read', () => {
    const { data, report } = build(
      { path: 'bom.bib', bytes: bytes(BOM, `@article{k1, title={BOM}, abstract={${A}}}\n`) },
      { path: 'bom.csv', bytes: bytes(BOM, `Title,Abstract\nBOM CSV,"${B}"\n`) },
      { path: 'bom.json', bytes: bytes(BOM, JSON.stringify([{ type: 'article', title: 'BOM CSL', abstract: C }])) },
      { path: 'latin1.ris', bytes: bytes(`TY  - JOUR\nTI  - Caf`, [0xe9], `\nAB  - ${D}\nER  - \n`) },
    );
    expect(data.papers.map((p) => p.title).sort()).toEqual(['BOM', 'BOM CSL', 'BOM CSV', expect.stringMatching(/^Protein folding/)].sort());
    expect(items(report, 'invalid-utf8')[0]).toMatchObject({ file: 'latin1.ris', line: 2 });
  });
});

describe('duplicates inside one file', () => {
  it('same DOI, same arXiv id in another version, same title and year: merged, each with what was merged', () => {
    const bib = `@article{a1, title={Retrieval Across Domains}, doi={10.1000/DUP}, year=2020, abstract={${A}}}
@article{a2, title={Retrieval across domains (preprint)}, doi={https://doi.org/10.1000/dup}, year=2020, abstract={${A} A longer version of it, with one more sentence.}}
@article{b1, title={Pruning Speech Models}, eprint={2102.00002v1}, archiveprefix={arXiv}, abstract={${B}}}
@article{b2, title={Pruning speech models}, eprint={2102.00002v3}, archiveprefix={arXiv}, abstract={${B}}}
@article{c1, title={Robust Image Classifiers Under Corruption}, year=2019, abstract={${C}}}
@inproceedings{c2, title={Robust image classifiers under corruption.}, year=2019, booktitle={Proc. Things}, abstract={Corrupted inputs make image classifiers fail, and we fix that with augmentation, measured on three benchmarks.}}
@article{d1, title={Robust Image Classifiers Under Corruption}, year=2019, doi={10.1000/OTHER}, abstract={A different paper under the same title, about something else entirely, in two sentences. Really.}}
`;
    const { data, report } = build(textFile('dups.bib', bib));
    const merged = items(report, 'duplicate-merged').map((i) => [i.line, i.message]);
    expect(merged).toEqual([
      [2, expect.stringMatching(/same paper as dups\.bib:1 \(same DOI 10\.1000\/dup\): merged, kept the copy at dups\.bib:2 \(longer text\)/)],
      [4, expect.stringMatching(/same paper as dups\.bib:3 \(same id "2102\.00002"/)],
      [6, expect.stringMatching(/same paper as dups\.bib:5 \(same title and year \(2019\)\)/)],
    ]);
    expect(data.papers).toHaveLength(4);
    const c = data.papers.find((p) => p.source.line === 5 || p.source.line === 6)!;
    expect(c.venue).toBe('Proc. Things'); // a field only the other copy had is kept
    expect(c.alsoIn).toHaveLength(1);
    // The same title and year but different abstracts: two papers, said so.
    expect(items(report, 'possible-duplicate')[0]).toMatchObject({ line: 7, message: expect.stringMatching(/same title and year \(2019\) as dups\.bib:5 but different abstracts \(word overlap 0\.0\d\): kept both/) });
  });

  it('the same (or nearly the same) abstract under two different DOIs is two papers, reported', () => {
    const bib = `@article{v1, title={Conference version}, doi={10.1000/conf}, abstract={${A}}}
@article{v2, title={Journal version}, doi={10.1000/jour}, abstract={${A}}}
@article{v3, title={Another journal version}, doi={10.1000/jour2}, abstract={${A} With one more sentence at the end of it.}}
`;
    const { data, report } = build(textFile('versions.bib', bib));
    expect(data.papers).toHaveLength(3);
    expect(data.papers[1].id).toBe(`${data.papers[0].id}~2`); // same abstract, same hash: the second gets a suffix
    expect(items(report, 'duplicate-merged')).toEqual([]);
    expect(items(report, 'possible-duplicate')[0]).toMatchObject({ line: 2, message: expect.stringMatching(/same abstract as versions\.bib:1 but different DOIs 10\.1000\/conf and 10\.1000\/jour: kept both/) });
  });
});
