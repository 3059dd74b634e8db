/**
 * Metadata is what the source says, normalised, or nothing: dates in the formats exports use
 * (and none), author names in every order with LaTeX accents, DOIs, arXiv categories.
 */
import { describe, expect, it } from 'vitest';
import { splitArxivCategories } from '../../src/corpus/arxiv-categories.ts';
import { buildCorpus, DEFAULT_MAX_TOKENS } from '../../src/corpus/build.ts';
import { decodeLatexText } from '../../src/corpus/latex.ts';
import { dateFromYearMonth, displayName, normaliseDoi, parseDate, splitAuthorList } from '../../src/corpus/metadata.ts';
import { chunkTokenLimit } from '../../src/embed/registry.ts';
import { textFile } from '../fixtures/corpus/helpers.ts';

const ABSTRACT = 'We study how retrieval models generalise to new domains. Our experiments cover five datasets and show that hybrid ranking is the most robust choice.';

describe('dates', () => {
  it.each([
    ['2020', '2020'],
    ['2020-05', '2020-05'],
    ['2020-05-03', '2020-05-03'],
    ['2020/5/3', '2020-05-03'],
    ['2020.05.03', '2020-05-03'],
    ['2020-05-03T12:34:56Z', '2020-05-03'],
    ['2021-01-01T00:00:00+01:00', '2021-01-01'],
    ['2020/05/03/', '2020-05-03'], // RIS DA
    ['2020///', '2020'], // RIS PY with nothing but the year
    ['2020/05//', '2020-05'],
    ['20200503', '2020-05-03'],
    ['3 May 2020', '2020-05-03'],
    ['May 3, 2020', '2020-05-03'],
    ['September 21st, 2019', '2019-09-21'],
    ['Mar 2020', '2020-03'],
    ['2020 May 3', '2020-05-03'], // PubMed DP
    ['2020 May', '2020-05'],
    ['2020 Mar-Apr', '2020'], // a range of months: the year is all that is certain
    ['2019 Spring', '2019'],
    ['2019-2020', '2019'],
    ['  2018 ', '2018'],
  ])('%s → %s', (input, iso) => {
    expect(parseDate(input)).toEqual({ date: iso });
  });

  it.each([
    ['', /empty/],
    ['n.d.', /not a date/],
    ['forthcoming', /not a date/],
    ['in press', /not a date/],
    ['2020-13-01', /month 13/],
    ['2021-02-29', /day 29 does not exist in 2021-02/],
    ['0999', /year 999/],
    ['32 May 2020', /day 32/],
    ['12/05/2020', /not a date/], // day-first or month-first: ambiguous, never guessed
  ])('"%s" is reported, not guessed', (input, problem) => {
    const r = parseDate(input);
    expect('problem' in r && r.problem).toMatch(problem);
  });

  it('BibTeX-style year + month, as names, abbreviations or numbers', () => {
    expect(dateFromYearMonth('2020', 'mar')).toEqual({ date: '2020-03' });
    expect(dateFromYearMonth('2020', 'March')).toEqual({ date: '2020-03' });
    expect(dateFromYearMonth('2020', '3')).toEqual({ date: '2020-03' });
    expect(dateFromYearMonth('2020', '3', '7')).toEqual({ date: '2020-03-07' });
    expect(dateFromYearMonth('2020')).toEqual({ date: '2020' });
    expect(dateFromYearMonth('2020', 'Hiver')).toEqual({ problem: 'month "Hiver" is not a month' });
  });
});

describe('author names', () => {
  it('"Last, First" and "First Last" both display as "First Last"', () => {
    expect(displayName('Smith, John')).toBe('John Smith');
    expect(displayName('John Smith')).toBe('John Smith');
    expect(displayName('van der Berg, Anna')).toBe('Anna van der Berg');
    expect(displayName('King, Jr., Martin Luther')).toBe('Martin Luther King Jr.');
    expect(displayName('Smith, Jr.')).toBe('Smith Jr.');
  });

  it('LaTeX accents are decoded to Unicode (NFC)', () => {
    expect(displayName('M{\\"u}ller, J{\\"o}rg')).toBe('Jörg Müller');
    expect(displayName("Erd\\H{o}s, P\\'{a}l")).toBe('Pál Erdős');
    expect(displayName('{\\O}stergaard, S{\\o}ren')).toBe('Søren Østergaard');
    expect(decodeLatexText('Fran\\c{c}ois Vi\\`ete and \\v{S}imon')).toBe('François Viète and Šimon');
    expect(decodeLatexText('na\\"{\\i}ve')).toBe('naïve');
    expect(displayName('José Gómez').normalize('NFC')).toBe('José Gómez'); // already Unicode: unchanged
  });

  it('author lists in one string: commas, "and", semicolons, BibTeX order, initials', () => {
    expect(splitAuthorList('Ada Lovelace, Alan Turing and Grace Hopper')).toEqual(['Ada Lovelace', 'Alan Turing', 'Grace Hopper']);
    expect(splitAuthorList('Lovelace, Ada; Turing, Alan')).toEqual(['Ada Lovelace', 'Alan Turing']);
    expect(splitAuthorList('Lovelace, Ada and Turing, Alan')).toEqual(['Ada Lovelace', 'Alan Turing']);
    expect(splitAuthorList('Smith, J., Doe, A. B.')).toEqual(['J. Smith', 'A. B. Doe']);
    expect(splitAuthorList('M. M{\\"u}ller, A. Author')).toEqual(['M. Müller', 'A. Author']);
    expect(splitAuthorList('  ')).toEqual([]);
  });
});

describe('identifiers and categories', () => {
  it('DOIs: lower case, no resolver prefix; a non-DOI is refused', () => {
    expect(normaliseDoi('https://doi.org/10.1000/ABC.123')).toBe('10.1000/abc.123');
    expect(normaliseDoi('http://dx.doi.org/10.1000/x%2Fy')).toBe('10.1000/x/y');
    expect(normaliseDoi('doi:10.48550/arXiv.2101.00001')).toBe('10.48550/arxiv.2101.00001');
    expect(normaliseDoi('10.1000/xyz.')).toBe('10.1000/xyz');
    expect(normaliseDoi('not a doi')).toBeNull();
    expect(normaliseDoi('11.1000/xyz')).toBeNull();
  });

  it('arXiv categories: known kept in order, unknown arXiv-shaped kept and flagged, MSC/ACM classes and words left out', () => {
    expect(splitArxivCategories(['cs.CL', 'cs.LG', 'cs.CL', 'hep-th', 'cs.XY', '68T50', 'I.2.7', 'and'])).toEqual({
      categories: ['cs.CL', 'cs.LG', 'hep-th', 'cs.XY'],
      unknown: ['cs.XY'],
      other: ['68T50', 'I.2.7', 'and'],
    });
  });
});

describe('metadata in the build', () => {
  it('arXiv rows: listing date as the date (and year), categories validated and reported with file:line', () => {
    const rows = [
      { id: '2503.11731v2', title: 'A', abstract: ABSTRACT, categories: 'cs.CV cs.RO', listing_date: '2025-03-18' },
      { id: '2503.11732', title: 'B', abstract: `${ABSTRACT} Second.`, categories: 'cs.CL 68T50, I.2.7 cs.FOO', listing_date: 'someday' },
    ];
    const { data, report } = buildCorpus([textFile('a.jsonl', rows.map((r) => JSON.stringify(r)).join('\n'))]);
    expect(data.papers[0]).toMatchObject({ id: '2503.11731', date: '2025-03-18', year: 2025, categories: ['cs.CV', 'cs.RO'], url: 'https://arxiv.org/abs/2503.11731' });
    expect(data.papers[1]).not.toHaveProperty('date');
    expect(data.papers[1]).not.toHaveProperty('year');
    expect(data.papers[1].categories).toEqual(['cs.CL', 'cs.FOO']);
    const at = (code: string) => report.items.filter((i) => i.code === code).map((i) => [i.file, i.line, i.severity, i.message]);
    expect(at('bad-date')).toEqual([['a.jsonl', 2, 'info', expect.stringMatching(/"2503\.11732".*"someday" is not a date.*left out/)]]);
    expect(at('unknown-category')).toEqual([['a.jsonl', 2, 'info', expect.stringMatching(/"cs\.FOO" not in the arXiv taxonomy: kept/)]]);
    expect(at('not-a-category')).toEqual([['a.jsonl', 2, 'info', expect.stringMatching(/"68T50 I\.2\.7".*left out/)]]);
  });

  it('BEIR rows read title, authors, year, DOI and venue from `metadata` when it has them; an empty one adds nothing', () => {
    const rows = [
      { _id: '1', title: 'T', text: ABSTRACT, metadata: { authors: ['Doe, Jane'], year: 2019, doi: 'https://doi.org/10.1000/AB', journal: 'Nature' } },
      { _id: '2', title: 'U', text: `${ABSTRACT} Two.`, metadata: {} },
    ];
    const { data } = buildCorpus([textFile('corpus.jsonl', rows.map((r) => JSON.stringify(r)).join('\n'))]);
    expect(data.papers[0]).toMatchObject({ id: '1', authors: ['Jane Doe'], date: '2019', year: 2019, doi: '10.1000/ab', venue: 'Nature' });
    expect(Object.keys(data.papers[1])).toEqual(['id', 'title', 'titleDerived', 'abstract', 'source']);
  });

  it('scraped arXiv page: "Subjects:", "DOI:", "Keywords:", "Journal-ref:" lines after the abstract become its metadata', () => {
    const page = [
      'DOI: 10.1000/orphan',
      'Title: Demystifying CLIP Data',
      'Authors: Hu Xu, Saining Xie, Xiaoqing Ellen Tan',
      `Abstract: ${ABSTRACT}`,
      'Comments: 17 pages',
      'Subjects: Computer Vision and Pattern Recognition (cs.CV); Computation and Language (cs.CL)',
      'Journal-ref: ICLR 2024',
      'DOI: https://doi.org/10.48550/arXiv.2309.16671',
      'Keywords: data curation, CLIP',
    ].join('\n');
    const { data, report } = buildCorpus([textFile('page.txt', page)]);
    expect(data.papers).toHaveLength(1);
    expect(data.papers[0]).toMatchObject({
      title: 'Demystifying CLIP Data', authors: ['Hu Xu', 'Saining Xie', 'Xiaoqing Ellen Tan'], comment: '17 pages',
      categories: ['cs.CV', 'cs.CL'], venue: 'ICLR 2024', doi: '10.48550/arxiv.2309.16671', keywords: ['data curation', 'CLIP'],
    });
    expect(report.items.find((i) => i.code === 'unused-metadata')).toMatchObject({ line: 1, message: expect.stringMatching(/no abstract before it/) });
  });

  it('the corpus default chunk limit is the one the embed registry computes (the CLI passes the registry value)', () => {
    expect(DEFAULT_MAX_TOKENS).toBe(chunkTokenLimit());
  });
});
