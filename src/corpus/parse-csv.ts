/**
 * Parser for CSV / TSV exports (.csv, .tsv): Zotero ("Abstract Note"), Scopus ("Abstract"),
 * spreadsheets of papers. papaparse reads the syntax (quoted fields with newlines, the
 * delimiter — comma, semicolon, tab — detected from the file); columns are found by their header,
 * ignoring case.
 */
import Papa from 'papaparse';
import { type DecodedFile, joinedText, lineFinder } from './decode.ts';
import { cleanAbstract, cleanField, entryLabel, type FieldContext, reportNoAbstract, setArxivId, setAuthors, setDate, setDoi, setKeywords, setUrl, setVenue } from './fields.ts';
import { dateFromYearMonth, splitAuthorList } from './metadata.ts';
import type { ParsedPaper } from './parsed.ts';
import type { Reporter } from './report.ts';

const COLUMNS = {
  abstract: ['abstract note', 'abstract', 'summary', 'ab', 'description'],
  title: ['title', 'ti', 'article title', 'document title'],
  authors: ['author', 'authors', 'au', 'author full names', 'creators'],
  date: ['date', 'publication date', 'published', 'issued'],
  year: ['publication year', 'year', 'py'],
  venue: ['publication title', 'source title', 'journal', 'venue', 'container title', 'booktitle', 'so', 'conference name', 'proceedings title'],
  doi: ['doi', 'di'],
  url: ['url', 'link'],
  keywords: ['manual tags', 'author keywords', 'keywords', 'tags', 'de', 'kw'],
  key: ['key', 'id', 'citation key'],
  arxiv: ['arxiv id', 'arxiv', 'eprint'],
} as const;

export function parseCsv(decoded: DecodedFile, file: string, reporter: Reporter): ParsedPaper[] {
  const text = joinedText(decoded);
  const lineAt = lineFinder(text);
  const rows: { cells: string[]; line: number }[] = [];
  let prevCursor = 0;
  Papa.parse<string[]>(text, {
    skipEmptyLines: 'greedy',
    step(result) {
      let start = prevCursor;
      while (start < text.length && (text[start] === '\n' || text[start] === '\r')) start++;
      const line = lineAt(start);
      prevCursor = result.meta.cursor;
      for (const e of result.errors) reporter.warn('syntax-error', file, line, `CSV: ${e.message} (row read as far as it goes); check its quotes`);
      rows.push({ cells: result.data, line });
    },
  });
  if (rows.length === 0) return [];
  const header = rows[0].cells.map((h) => h.trim().toLowerCase());
  const col = (names: readonly string[]): number => {
    for (const n of names) {
      const i = header.indexOf(n);
      if (i !== -1) return i;
    }
    return -1;
  };
  const idx = Object.fromEntries(Object.entries(COLUMNS).map(([k, names]) => [k, col(names)])) as Record<keyof typeof COLUMNS, number>;
  if (idx.abstract === -1) {
    reporter.warn('missing-abstract', file, rows[0].line,
      `CSV header has no abstract column (columns: ${rows[0].cells.slice(0, 10).join(', ')}): file skipped; name one "Abstract" or "Abstract Note"`);
    return [];
  }
  const papers: ParsedPaper[] = [];
  for (const { cells, line } of rows.slice(1)) {
    const cell = (k: keyof typeof COLUMNS): string | undefined => {
      const v = idx[k] === -1 ? undefined : cells[idx[k]];
      return v !== undefined && v.trim() ? v : undefined;
    };
    const ctx: FieldContext = { reporter, file, line, entry: entryLabel(cell('key')) };
    const title = cell('title') ? cleanField(cell('title')!) : undefined;
    const abstract = cleanAbstract(cell('abstract') ?? '', ctx);
    if (!abstract) {
      reportNoAbstract(ctx, title, `fill in the "${rows[0].cells[idx.abstract]}" column`);
      continue;
    }
    const p: ParsedPaper = { abstract, source: { file, line } };
    if (title) p.title = title;
    if (cell('authors')) setAuthors(p, splitAuthorList(cell('authors')!));
    if (cell('date')) setDate(p, cell('date'), ctx);
    else if (cell('year')) setDate(p, dateFromYearMonth(cell('year')!), ctx, 'year');
    setVenue(p, cell('venue'));
    setDoi(p, cell('doi'), ctx);
    setArxivId(p, cell('arxiv') ?? (cell('url') && /arxiv\.org\//i.test(cell('url')!) ? cell('url') : undefined));
    if (p.arxivId) p.sourceId = p.arxivId;
    setUrl(p, cell('url'), ctx);
    if (cell('keywords')) setKeywords(p, cell('keywords')!);
    papers.push(p);
  }
  return papers;
}
