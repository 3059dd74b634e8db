/**
 * Parser for a JSON array (.json): CSL JSON (Zotero, Mendeley, Crossref, pandoc citeproc) or rows
 * shaped like the build's JSON Lines (BEIR, arXiv), decided item by item. CSL's abstract is
 * `abstract` (Crossref's often in JATS markup, stripped to text here). Plain JSON.parse: no
 * library needed; a small scanner finds each item's line for the report.
 */
import { type DecodedFile, joinedText, lineFinder } from './decode.ts';
import { cleanAbstract, cleanField, entryLabel, type FieldContext, reportNoAbstract, setArxivId, setAuthors, setDate, setDoi, setKeywords, setUrl, setVenue } from './fields.ts';
import { isoDate, nameFromParts } from './metadata.ts';
import type { ParsedPaper } from './parsed.ts';
import { rowToPaper } from './parse-jsonl.ts';
import type { Reporter } from './report.ts';

/** CSL item types (CSL 1.0.2), to tell a CSL item from a build-like row. */
const CSL_TYPES = new Set(('article article-journal article-magazine article-newspaper bill book broadcast chapter classic ' +
  'collection dataset document entry entry-dictionary entry-encyclopedia event figure graphic hearing interview ' +
  'legal_case legislation manuscript map motion_picture musical_score pamphlet paper-conference patent performance ' +
  'periodical personal_communication post post-weblog regulation report review review-book software song speech ' +
  'standard thesis treaty webpage').split(' '));

export function parseJsonArray(decoded: DecodedFile, file: string, reporter: Reporter): { papers: ParsedPaper[]; csl: boolean } {
  const text = joinedText(decoded);
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch (err) {
    const pos = /position (\d+)/.exec((err as Error).message);
    reporter.warn('broken-json', file, pos ? lineFinder(text)(Number(pos[1])) : undefined,
      `not valid JSON (${(err as Error).message}): file skipped; a JSON file must be one array (CSL JSON) or one object per line (JSON Lines)`);
    return { papers: [], csl: false };
  }
  if (!Array.isArray(items)) {
    reporter.warn('row-shape', file, 1, 'expected a JSON array of items (CSL JSON) or one object per line: skipped');
    return { papers: [], csl: false };
  }
  const lines = itemLines(text);
  const papers: ParsedPaper[] = [];
  let csl = 0;
  items.forEach((item, i) => {
    const line = lines[i] ?? 1;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      reporter.warn('row-shape', file, line, `item ${i + 1} is ${Array.isArray(item) ? 'an array' : typeof item}, not an object: skipped`);
      return;
    }
    const row = item as Record<string, unknown>;
    if (isCslItem(row)) {
      csl++;
      const p = cslToPaper(row, { reporter, file, line, entry: entryLabel(typeof row.id === 'string' || typeof row.id === 'number' ? String(row.id) : undefined) });
      if (p) papers.push(p);
    } else {
      const p = rowToPaper(row, file, line, reporter);
      if (p) papers.push(p);
    }
  });
  return { papers, csl: csl > 0 && csl >= items.length / 2 };
}

function isCslItem(row: Record<string, unknown>): boolean {
  if (typeof row.type === 'string' && CSL_TYPES.has(row.type)) return true;
  return 'issued' in row || 'container-title' in row || 'DOI' in row || (Array.isArray(row.author) && row.author.some((a) => typeof a === 'object'));
}

function cslToPaper(row: Record<string, unknown>, ctx: FieldContext): ParsedPaper | null {
  const s = (k: string): string | undefined => {
    const v = row[k];
    if (typeof v === 'string' && v.trim()) return v;
    if (Array.isArray(v) && typeof v[0] === 'string' && v[0].trim()) return v[0]; // Crossref: container-title: ["…"]
    return undefined;
  };
  const title = s('title') ? cleanField(s('title')!) : undefined;
  const abstract = s('abstract') ? cleanAbstract(s('abstract')!, ctx) : '';
  if (!abstract) {
    reportNoAbstract(ctx, title, '"abstract": "…"');
    return null;
  }
  const p: ParsedPaper = { abstract, source: { file: ctx.file, line: ctx.line } };
  if (title) p.title = title;
  if (Array.isArray(row.author)) {
    setAuthors(p, row.author.flatMap((a) => {
      if (typeof a !== 'object' || a === null) return [];
      const n = a as Record<string, unknown>;
      const str = (k: string) => (typeof n[k] === 'string' ? (n[k] as string) : undefined);
      return [str('literal') ?? nameFromParts(str('given'), str('family'), str('non-dropping-particle') ?? str('dropping-particle'), str('suffix'))];
    }));
  }
  const issued = row.issued ?? row['published-print'] ?? row['published-online'] ?? row.published;
  if (issued !== undefined) setDate(p, cslDate(issued), ctx, 'issued');
  setVenue(p, s('container-title') ?? s('event-title') ?? s('collection-title'));
  setDoi(p, s('DOI'), ctx);
  const url = s('URL');
  for (const candidate of [url, s('number'), s('archive_location')]) {
    if (candidate && !p.arxivId && /arxiv/i.test(candidate + (s('publisher') ?? '') + (s('archive') ?? ''))) setArxivId(p, candidate);
  }
  if (p.arxivId) p.sourceId = p.arxivId;
  setUrl(p, url, ctx);
  setKeywords(p, s('keyword'));
  return p;
}

/** CSL dates: {"date-parts": [[2020, 5, 3]]}, {"raw": "…"}, {"literal": "…"} or a string. */
function cslDate(v: unknown): string | { problem: string } | { date: string } {
  if (typeof v === 'string') return v;
  if (typeof v !== 'object' || v === null) return { problem: `${JSON.stringify(v)} is not a CSL date` };
  const d = v as Record<string, unknown>;
  const parts = Array.isArray(d['date-parts']) ? d['date-parts'][0] : undefined;
  if (Array.isArray(parts) && parts.length > 0) {
    const [y, m, day] = parts.map((x) => (typeof x === 'string' && /^\d+$/.test(x) ? Number(x) : x));
    if (typeof y !== 'number') return { problem: `date-parts ${JSON.stringify(parts)} has no year` };
    return isoDate(y, typeof m === 'number' ? m : undefined, typeof m === 'number' && typeof day === 'number' ? day : undefined);
  }
  if (typeof d.raw === 'string') return d.raw;
  if (typeof d.literal === 'string') return d.literal;
  return { problem: `${JSON.stringify(v).slice(0, 60)} is not a CSL date` };
}

/** 1-based line where each top-level array item starts. */
function itemLines(text: string): number[] {
  const lineAt = lineFinder(text);
  const out: number[] = [];
  let depth = 0;
  let inString = false;
  let expectItem = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (depth === 1 && expectItem && !/\s/.test(ch) && ch !== ',' && ch !== ']') {
      out.push(lineAt(i));
      expectItem = false;
    }
    if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') {
      depth++;
      if (depth === 1) expectItem = true;
    } else if (ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 1) expectItem = true;
  }
  return out;
}
