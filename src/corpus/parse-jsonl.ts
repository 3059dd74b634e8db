/**
 * Parser for JSON Lines: one paper per line. Two row shapes are known and detected per row:
 *   BEIR corpus rows   {"_id", "title", "text", "metadata"}
 *   arXiv metadata     {"id", "title", "abstract", "categories", "comments"?, "authors"?, ...}
 * A broken line is reported with its line number and skipped; the rest of the file is used.
 */
import type { DecodedFile } from './decode.ts';
import { entryLabel, type FieldContext, setAuthors, setCategories, setDate, setDoi, setKeywords, setUrl, setVenue } from './fields.ts';
import { dateFromYearMonth, displayName, splitAuthorList } from './metadata.ts';
import { arxivIdOf, findCodeUrl, type ParsedPaper } from './parsed.ts';
import type { Reporter } from './report.ts';
import { cleanText } from './text.ts';

const ID_KEYS = ['_id', 'id', 'arxiv_id', 'paper_id', 'doc_id'] as const;
const ABSTRACT_KEYS = ['abstract', 'text', 'summary'] as const;

export function parseJsonLines(decoded: DecodedFile, file: string, reporter: Reporter): ParsedPaper[] {
  const papers: ParsedPaper[] = [];
  let rows = 0;
  let broken = 0;
  decoded.lines.forEach((raw, i) => {
    const line = i + 1;
    if (decoded.invalidLines.has(line) || !raw.trim()) return;
    rows++;
    let row: unknown;
    try {
      row = JSON.parse(raw);
    } catch (err) {
      broken++;
      const last = i === decoded.lines.length - 1;
      reporter.warn('broken-json', file, line,
        `not valid JSON (${(err as Error).message})${last ? ' — the file may be truncated' : ''}: row skipped`);
      return;
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      reporter.warn('row-shape', file, line, `expected a JSON object per line, found ${Array.isArray(row) ? 'an array' : typeof row}: row skipped`);
      return;
    }
    const paper = rowToPaper(row as Record<string, unknown>, file, line, reporter);
    if (paper) papers.push(paper);
  });
  if (rows > 0 && broken === rows) {
    reporter.warn('unknown-format', file, undefined, `no line of this file is valid JSON (${rows} lines): is it really JSON Lines?`);
  }
  return papers;
}

/** One row (a JSON Lines line or an item of a JSON array) → a paper, or null (reported). */
export function rowToPaper(row: Record<string, unknown>, file: string, line: number, reporter: Reporter): ParsedPaper | null {
  const idKey = ID_KEYS.find((k) => typeof row[k] === 'string' || typeof row[k] === 'number');
  const absKey = ABSTRACT_KEYS.find((k) => typeof row[k] === 'string');
  if (!idKey && !absKey) {
    reporter.warn('row-shape', file, line,
      `row has none of the known fields (keys: ${Object.keys(row).slice(0, 8).join(', ') || 'none'}); expected BEIR {_id, title, text} or arXiv {id, title, abstract}: row skipped`);
    return null;
  }
  const sourceId = idKey ? String(row[idKey]).trim() : undefined;
  const abstract = absKey ? cleanText(row[absKey] as string) : '';
  if (!abstract) {
    reporter.warn('missing-abstract', file, line, `row${sourceId ? ` "${sourceId}"` : ''}: no abstract: skipped; add an abstract field ("abstract" or BEIR's "text")`);
    return null;
  }
  const paper: ParsedPaper = { abstract, source: { file, line } };
  if (sourceId) paper.sourceId = sourceId;
  const arxivId = typeof row.arxiv_id === 'string' ? arxivIdOf(row.arxiv_id) : sourceId ? arxivIdOf(sourceId) : null;
  if (arxivId) {
    paper.arxivId = arxivId;
    // "2309.16671v2" and "2309.16671" are the same paper.
    if (idKey !== '_id') paper.sourceId = arxivId;
  }
  if (typeof row.title === 'string' && cleanText(row.title)) paper.title = cleanText(row.title);
  const ctx: FieldContext = { reporter, file, line, entry: entryLabel(sourceId) };
  // BEIR rows keep extra fields in `metadata`; the row's own fields win.
  const meta = typeof row.metadata === 'object' && row.metadata !== null && !Array.isArray(row.metadata) ? row.metadata as Record<string, unknown> : {};
  const field = (...keys: string[]): unknown => {
    for (const k of keys) if (row[k] !== undefined && row[k] !== null && row[k] !== '') return row[k];
    for (const k of keys) if (meta[k] !== undefined && meta[k] !== null && meta[k] !== '') return meta[k];
    return undefined;
  };
  const text = (...keys: string[]): string | undefined => {
    const v = field(...keys);
    return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
  };
  const authors = field('authors', 'author');
  if (typeof authors === 'string') setAuthors(paper, splitAuthorList(authors));
  else if (Array.isArray(authors)) {
    setAuthors(paper, authors.flatMap((a) => (typeof a === 'string' ? [displayName(a)]
      // arXiv's authors_parsed shape: [last, first, suffix]
      : Array.isArray(a) && a.every((x) => typeof x === 'string') ? [[a[1], a[0], a[2]].filter(Boolean).join(' ')] : [])));
  }
  const comment = typeof row.comments === 'string' ? row.comments : typeof row.comment === 'string' ? row.comment : undefined;
  if (comment && cleanText(comment)) paper.comment = cleanText(comment);
  const date = text('date', 'published', 'publication_date', 'listing_date', 'update_date');
  if (date !== undefined) setDate(paper, date, ctx);
  else if (text('year') !== undefined) setDate(paper, dateFromYearMonth(text('year')!, text('month')), ctx, 'year');
  setVenue(paper, text('venue', 'journal', 'journal-ref', 'journal_ref', 'booktitle'));
  setDoi(paper, text('doi', 'DOI'), ctx);
  setUrl(paper, text('url', 'URL'), ctx);
  const categories = field('categories');
  const cats = typeof categories === 'string' ? categories.split(/[\s,]+/) : Array.isArray(categories) ? categories.filter((c): c is string => typeof c === 'string') : [];
  if (cats.length > 0) setCategories(paper, cats, ctx);
  const keywords = field('keywords');
  if (typeof keywords === 'string' || (Array.isArray(keywords) && keywords.every((k) => typeof k === 'string'))) setKeywords(paper, keywords as string | string[]);
  const codeUrl = (paper.comment && findCodeUrl(paper.comment)) || findCodeUrl(abstract);
  if (codeUrl) paper.codeUrl = codeUrl;
  return paper;
}
