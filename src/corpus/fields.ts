/**
 * Setting a ParsedPaper's metadata from what a parser found, with what cannot be read reported
 * (code, file:line, the entry's key) and left out. Shared by every parser, so each field means the
 * same whatever the format.
 */
import { splitArxivCategories } from './arxiv-categories.ts';
import { type DateResult, normaliseDoi, normaliseKeywords, normaliseUrl, normaliseVenue, parseDate } from './metadata.ts';
import { arxivIdOf, type ParsedPaper } from './parsed.ts';
import type { Reporter } from './report.ts';
import { stripMarkup } from './markup.ts';
import { cleanText } from './text.ts';

export interface FieldContext {
  reporter: Reporter;
  file: string;
  line: number;
  /** How the report names the entry: ' "smith2020"' or ''. */
  entry: string;
}

export function entryLabel(key: string | undefined): string {
  return key ? ` "${key}"` : '';
}

export function setDate(p: ParsedPaper, value: string | DateResult | undefined, ctx: FieldContext, field = 'date'): void {
  if (value === undefined || (typeof value === 'string' && !cleanText(value))) return;
  const r = typeof value === 'string' ? parseDate(value) : value;
  if ('date' in r) p.date = r.date;
  else ctx.reporter.info('bad-date', ctx.file, ctx.line, `entry${ctx.entry}: ${field} not read (${r.problem}): left out`);
}

export function setDoi(p: ParsedPaper, value: string | undefined, ctx: FieldContext): void {
  if (value === undefined || !cleanText(value)) return;
  const doi = normaliseDoi(value);
  if (doi) p.doi = doi;
  else ctx.reporter.info('bad-doi', ctx.file, ctx.line, `entry${ctx.entry}: "${cleanText(value).slice(0, 60)}" is not a DOI (10.NNNN/…): left out`);
}

export function setUrl(p: ParsedPaper, value: string | undefined, ctx: FieldContext): void {
  if (value === undefined || !cleanText(value)) return;
  const url = normaliseUrl(value);
  if (url) p.url = url;
  else ctx.reporter.info('bad-url', ctx.file, ctx.line, `entry${ctx.entry}: "${cleanText(value).slice(0, 60)}" is not an http(s) URL: left out`);
}

export function setArxivId(p: ParsedPaper, value: string | undefined): void {
  if (value === undefined) return;
  const id = arxivIdOf(value.replace(/^https?:\/\/arxiv\.org\/(?:abs|pdf)\//i, '').replace(/\.pdf$/i, ''));
  if (id) p.arxivId = id;
}

export function setVenue(p: ParsedPaper, value: string | undefined): void {
  const v = value === undefined ? undefined : normaliseVenue(value);
  if (v) p.venue = v;
}

export function setKeywords(p: ParsedPaper, values: string[] | string | undefined): void {
  if (values === undefined) return;
  const k = normaliseKeywords(values);
  if (k.length > 0) p.keywords = [...(p.keywords ?? []), ...k.filter((x) => !p.keywords?.includes(x))];
}

/** arXiv categories: kept in source order; unknown ones reported as info; non-categories reported and left out. */
export function setCategories(p: ParsedPaper, tokens: string[], ctx: FieldContext): void {
  const split = splitArxivCategories(tokens);
  if (split.categories.length > 0) p.categories = split.categories;
  if (split.unknown.length > 0) {
    ctx.reporter.info('unknown-category', ctx.file, ctx.line,
      `entry${ctx.entry}: ${split.unknown.map((c) => `"${c}"`).join(', ')} not in the arXiv taxonomy: kept as given`);
  }
  if (split.other.length > 0) {
    const shown = split.other.slice(0, 6).join(' ');
    ctx.reporter.info('not-a-category', ctx.file, ctx.line,
      `entry${ctx.entry}: "${shown}${split.other.length > 6 ? ' …' : ''}" in the categories field is no arXiv category (MSC/ACM classes or free text?): left out`);
  }
}

export function setAuthors(p: ParsedPaper, names: string[]): void {
  const list = names.map((n) => cleanText(n)).filter((n) => /\p{L}/u.test(n));
  if (list.length > 0) p.authors = list;
}

/** Abstract text: markup stripped (active content reported), whitespace cleaned. */
export function cleanAbstract(raw: string, ctx: FieldContext): string {
  const s = stripMarkup(raw);
  if (s.scripts > 0) {
    ctx.reporter.warn('markup-removed', ctx.file, ctx.line,
      `entry${ctx.entry}: ${s.scripts} <script>/<style> block(s) removed from the abstract with their content (the corpus holds text only)`);
  }
  return cleanText(s.text);
}

/** Titles and other short text fields: markup stripped, whitespace cleaned. */
export function cleanField(raw: string): string {
  return cleanText(stripMarkup(raw).text);
}

export function reportNoAbstract(ctx: FieldContext, title: string | undefined, hint: string): void {
  const named = title ? ` ("${title.length > 60 ? `${title.slice(0, 59)}…` : title}")` : '';
  ctx.reporter.warn('missing-abstract', ctx.file, ctx.line, `entry${ctx.entry}${named}: no abstract: skipped; add an abstract field (${hint})`);
}
