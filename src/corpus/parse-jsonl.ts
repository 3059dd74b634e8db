/**
 * Parser for JSON Lines: one paper per line. Two row shapes are known and detected per row:
 *   BEIR corpus rows   {"_id", "title", "text", "metadata"}
 *   arXiv metadata     {"id", "title", "abstract", "categories", "comments"?, "authors"?, ...}
 * A broken line is reported with its line number and skipped; the rest of the file is used.
 */
import type { DecodedFile } from './decode.ts';
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

function rowToPaper(row: Record<string, unknown>, file: string, line: number, reporter: Reporter): ParsedPaper | null {
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
    reporter.warn('missing-abstract', file, line, `row${sourceId ? ` "${sourceId}"` : ''} has no abstract text: row skipped`);
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
  const authors = Array.isArray(row.authors) ? row.authors.filter((a) => typeof a === 'string').join(', ') : row.authors;
  if (typeof authors === 'string' && cleanText(authors)) paper.authors = cleanText(authors);
  const comment = typeof row.comments === 'string' ? row.comments : typeof row.comment === 'string' ? row.comment : undefined;
  if (comment && cleanText(comment)) paper.comment = cleanText(comment);
  const categories = typeof row.categories === 'string' ? row.categories.split(/[\s,]+/) : Array.isArray(row.categories) ? row.categories : [];
  const cats = categories.filter((c): c is string => typeof c === 'string' && c.trim() !== '').map((c) => c.trim());
  if (cats.length > 0) paper.categories = cats;
  const codeUrl = (paper.comment && findCodeUrl(paper.comment)) || findCodeUrl(abstract);
  if (codeUrl) paper.codeUrl = codeUrl;
  return paper;
}
