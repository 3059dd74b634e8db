/**
 * Parser for BibTeX / BibLaTeX (.bib): one paper per entry with an `abstract` field.
 * @retorquere/bibtex-parser (the parser behind Better BibTeX for Zotero) reads the syntax and
 * turns LaTeX (accents, math, \emph) into Unicode text; this module maps its fields onto a
 * ParsedPaper and reports entries it cannot use with file:line and the entry key.
 */
import { type Creator, type Entry, parse } from '@retorquere/bibtex-parser';
import { type DecodedFile, joinedText, lineFinder } from './decode.ts';
import { cleanAbstract, cleanField, entryLabel, type FieldContext, reportNoAbstract, setArxivId, setAuthors, setCategories, setDate, setDoi, setKeywords, setUrl, setVenue } from './fields.ts';
import { LIBRARY_OPTIONS, stashPlainValues } from './bibtex-plain.ts';
import { redotAccented } from './latex.ts';
import { dateFromYearMonth, nameFromParts } from './metadata.ts';
import type { ParsedPaper } from './parsed.ts';
import type { Reporter } from './report.ts';

const ENTRY_START = /@\s*([A-Za-z]+)\s*[{(]\s*([^,\s{}()]*)/g;
const NOT_ENTRIES = new Set(['comment', 'string', 'preamble']);


export function parseBibtex(decoded: DecodedFile, file: string, reporter: Reporter): ParsedPaper[] {
  const lone: number[] = [];
  const original = joinedText(decoded);
  const text = escapeForLatex(original, (at) => lone.push(at));
  const lineAt = lineFinder(text);
  if (lone.length > 0) {
    // (offsets in the file as it was, before the escapes)
    const lineInOriginal = lineFinder(original);
    for (const at of lone) {
      reporter.info('lone-dollar', file, lineInOriginal(at), 'a lone "$" with no closing "$" is read as a dollar sign (a math section would run to the end of the field); write \\$ for a dollar sign');
    }
  }

  // Where each entry starts, by key, in file order: the parser gives entries, not positions.
  const starts = new Map<string, number[]>();
  for (const m of text.matchAll(ENTRY_START)) {
    if (NOT_ENTRIES.has(m[1].toLowerCase())) continue;
    const list = starts.get(m[2]) ?? [];
    list.push(lineAt(m.index ?? 0));
    starts.set(m[2], list);
  }
  const lineOf = (key: string): number => starts.get(key)?.shift() ?? 1;

  // plain values, and the plain words of LaTeX ones, skip the parser's LaTeX decoding (bibtex-plain.ts); same lines, so positions hold
  const stashed = stashPlainValues(text);
  const lineInStashed = lineFinder(stashed.text);
  let lib: ReturnType<typeof parse>;
  try {
    lib = parse(stashed.text, LIBRARY_OPTIONS);
  } catch (err) {
    reporter.warn('syntax-error', file, undefined, `BibTeX not read (${(err as Error).message}): file skipped`);
    return [];
  }

  const broken = new Set<string>();
  for (const err of lib.errors) {
    const key = err.input ? /@\s*[A-Za-z]+\s*[{(]\s*([^,\s{}()]*)/.exec(err.input)?.[1] : undefined;
    if (key) broken.add(key);
    const at = err.input ? stashed.text.indexOf(err.input) : -1;
    const line = at >= 0 ? lineInStashed(at) : Number(/at line (\d+)/.exec(err.error)?.[1] ?? NaN);
    reporter.warn('syntax-error', file, Number.isNaN(line) ? undefined : line,
      // the parser's own "at line L, column C" counts in the text it was given, not in the file: left out
      `BibTeX entry${entryLabel(key)} not read (${err.error.replace(/ at line \d+, column \d+/, '')}): skipped; check its braces and quotes`);
  }

  const papers: ParsedPaper[] = [];
  for (const entry of lib.entries) {
    const line = lineOf(entry.key);
    if (broken.has(entry.key) && Object.keys(entry.fields).length === 0) continue; // reported above
    stashed.restoreFields(entry.fields as Record<string, unknown>);
    const paper = entryToPaper(entry, { reporter, file, line, entry: entryLabel(entry.key) });
    if (paper) papers.push(paper);
  }
  return papers;
}

function entryToPaper(entry: Entry, ctx: FieldContext): ParsedPaper | null {
  const f = entry.fields;
  const str = (name: string): string | undefined => {
    const v = (f as Record<string, unknown>)[name];
    return typeof v === 'string' && v.trim() ? redotAccented(v) : undefined;
  };
  // url, doi and eprint are verbatim: the library leaves escapeForLatex's `\%` in them ("%20" in a
  // URL came back as "\%20"); a URL or DOI meaning a backslash before a percent sign does not occur
  const verbatim = (name: string): string | undefined => str(name)?.replace(/\\%/g, '%');
  const title = str('title') ? cleanField(str('title')!) : undefined;
  const abstract = str('abstract') ? cleanAbstract(str('abstract')!, ctx) : '';
  if (!abstract && entry.crossref?.donated.length) {
    // A container (@proceedings) other entries inherit from: not a paper itself.
    ctx.reporter.info('missing-abstract', ctx.file, ctx.line,
      `entry${ctx.entry} is cross-referenced by other entries (they inherit its ${entry.crossref.donated.join(', ')}): not a paper, skipped`);
    return null;
  }
  if (!abstract) {
    reportNoAbstract(ctx, title, `@${entry.type}{${entry.key}, abstract = {…}}`);
    return null;
  }
  const p: ParsedPaper = { abstract, source: { file: ctx.file, line: ctx.line } };
  if (title) p.title = title;
  if (f.author) setAuthors(p, f.author.map(creatorName));
  if (str('date')) setDate(p, str('date'), ctx);
  else if (str('year')) setDate(p, dateFromYearMonth(str('year')!, str('month'), str('day')), ctx, 'year/month');
  setVenue(p, str('journaltitle') ?? str('journal') ?? str('booktitle') ?? str('eventtitle'));
  setDoi(p, verbatim('doi'), ctx);
  const eprintType = (str('eprinttype') ?? str('archiveprefix') ?? '').toLowerCase();
  if (str('eprint') && (eprintType === 'arxiv' || /^\d{4}\.\d{4,5}/.test(str('eprint')!))) setArxivId(p, verbatim('eprint'));
  else if (str('arxiv')) setArxivId(p, str('arxiv'));
  if (p.arxivId) p.sourceId = p.arxivId;
  setUrl(p, verbatim('url'), ctx);
  const primary = str('primaryclass') ?? str('eprintclass');
  if (primary) setCategories(p, primary.split(/[\s,]+/), ctx);
  if (f.keywords) setKeywords(p, f.keywords);
  return p;
}

function creatorName(c: Creator): string {
  return redotAccented(c.name ?? nameFromParts(c.firstName, c.lastName, c.prefix, c.suffix));
}

const VALUE_ESCAPES: Record<string, string> = { '%': '\\%', '<': '\\textless{}', '>': '\\textgreater{}' };

/**
 * Characters LaTeX reads differently from what exports mean by them, escaped inside field values
 * (inside braces or quotes) only, so `%` comment lines between entries keep their meaning:
 *  - a bare `%` ("50% of cases") would start a comment and cut the abstract short;
 *  - `<` and `>` (JATS tags from Crossref, "p < 0.05") would come out as ¡ and ¿ (TeX's OT1 font
 *    encoding); as \textless/\textgreater they stay < and >, and the markup is stripped after;
 *  - a value with an odd number of `$` ("it cost $5 million") has a math section that never
 *    closes, and the parser refuses the whole entry: its last lone `$` (the one that opens the
 *    unclosed section, as LaTeX reads it) is escaped, a dollar sign. `onLoneDollar` gets its offset.
 */
export function escapeForLatex(text: string, onLoneDollar?: (offset: number) => void): string {
  if (!/[%<>$]/.test(text)) return text;
  const edits: [number, string][] = [];
  let depth = 0;
  let quoted = false;
  let dollars: number[] = [];
  const valueEnds = () => {
    if (dollars.length % 2 === 1) {
      const at = dollars[dollars.length - 1];
      edits.push([at, '\\$']);
      onLoneDollar?.(at);
    }
    dollars = [];
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') {
      i++; // the next character is escaped
      continue;
    }
    const inValue = depth >= 2 || quoted;
    if (ch === '{') depth++;
    else if (ch === '}') {
      depth = Math.max(0, depth - 1);
      if (depth === 1 && !quoted) valueEnds();
    } else if (ch === '"' && depth === 1) {
      if (quoted) valueEnds();
      quoted = !quoted;
    } else if (ch === '@' && depth === 0) {
      quoted = false;
      dollars = [];
    } else if (ch === '$' && inValue) dollars.push(i);
    else if ((ch === '%' || ch === '<' || ch === '>') && inValue) edits.push([i, VALUE_ESCAPES[ch]]);
    else if (ch === '%') {
      const eol = text.indexOf('\n', i);
      i = eol === -1 ? text.length : eol; // a comment line: its braces do not count
    }
  }
  if (edits.length === 0) return text;
  edits.sort((a, b) => a[0] - b[0]);
  let out = '';
  let last = 0;
  for (const [at, replacement] of edits) {
    out += `${text.slice(last, at)}${replacement}`;
    last = at + 1;
  }
  return out + text.slice(last);
}
