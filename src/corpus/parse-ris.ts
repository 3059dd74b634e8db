/**
 * Parsers for tagged-line reference formats: RIS (.ris; Zotero, Mendeley, EndNote, publishers)
 * and PubMed/MEDLINE (.nbib). Both are a tag, a dash and a value per line, with long values
 * wrapped onto untagged lines; the abstract is `AB` (RIS also `N2`). No library: the format is
 * a line grammar, and the well-known RIS packages are unmaintained or Node-only.
 */
import type { DecodedFile } from './decode.ts';
import { cleanAbstract, cleanField, entryLabel, type FieldContext, reportNoAbstract, setArxivId, setAuthors, setDate, setDoi, setKeywords, setUrl, setVenue } from './fields.ts';
import { displayName } from './metadata.ts';
import type { ParsedPaper } from './parsed.ts';
import type { Reporter } from './report.ts';

const RIS_TAG = /^([A-Z][A-Z0-9])\s{1,3}-(?:\s(.*))?$/;
const NBIB_TAG = /^([A-Z][A-Z0-9]{0,3})\s*-\s(.*)$/;

interface Record {
  line: number;
  fields: Map<string, string[]>;
}


/** Tagged records: `start` opens one, `end` (RIS "ER") closes it; untagged lines continue the previous value. */
function readRecords(decoded: DecodedFile, file: string, reporter: Reporter, format: 'ris' | 'nbib'): Record[] {
  const records: Record[] = [];
  let cur: Record | null = null;
  let lastTag: string | null = null;
  const close = (why: string | null, line: number) => {
    if (cur && why) {
      reporter.info('unclosed-record', file, cur.line, `${format === 'ris' ? 'RIS' : 'PubMed'} record ${why} at line ${line}: read up to there`);
    }
    if (cur) records.push(cur);
    cur = null;
    lastTag = null;
  };
  decoded.lines.forEach((raw, i) => {
    const line = i + 1;
    if (decoded.invalidLines.has(line)) return;
    const m = (format === 'ris' ? RIS_TAG : NBIB_TAG).exec(raw.replace(/^\uFEFF/, ''));
    if (!m) {
      if (!raw.trim()) {
        if (format === 'nbib') lastTag = null; // MEDLINE records are separated by blank lines
        return;
      }
      if (cur && lastTag) {
        const values = cur.fields.get(lastTag)!;
        values[values.length - 1] += ` ${raw.trim()}`;
      } else {
        reporter.info('unrecognised-line', file, line, `line outside any ${format === 'ris' ? 'RIS' : 'PubMed'} record: skipped`);
      }
      return;
    }
    const tag = m[1];
    const value = (m[2] ?? '').trim();
    if ((format === 'ris' && tag === 'TY') || (format === 'nbib' && tag === 'PMID')) {
      close(format === 'ris' && cur ? `has no "ER  -" before the next "TY  -"` : null, line);
      cur = { line, fields: new Map() };
    } else if (format === 'ris' && tag === 'ER') {
      close(null, line);
      return;
    }
    if (!cur) {
      reporter.info('unrecognised-line', file, line, `"${tag}" line before the first record: skipped`);
      return;
    }
    const list = cur.fields.get(tag) ?? [];
    list.push(value);
    cur.fields.set(tag, list);
    lastTag = tag;
  });
  if (cur) close(format === 'ris' ? 'has no "ER  -" before the end of the file' : null, decoded.lines.length);
  return records;
}

const first = (r: Record, ...tags: string[]): string | undefined => {
  for (const t of tags) {
    const v = r.fields.get(t)?.find((x) => x.trim());
    if (v) return v;
  }
  return undefined;
};
const all = (r: Record, ...tags: string[]): string[] => tags.flatMap((t) => r.fields.get(t) ?? []).filter((v) => v.trim());

export function parseRis(decoded: DecodedFile, file: string, reporter: Reporter): ParsedPaper[] {
  const papers: ParsedPaper[] = [];
  for (const r of readRecords(decoded, file, reporter, 'ris')) {
    const key = first(r, 'ID');
    const ctx: FieldContext = { reporter, file, line: r.line, entry: entryLabel(key) };
    const title = first(r, 'TI', 'T1', 'CT') ? cleanField(first(r, 'TI', 'T1', 'CT')!) : undefined;
    const abstract = cleanAbstract(all(r, 'AB', 'N2').slice(0, 1).join(' '), ctx);
    if (!abstract) {
      reportNoAbstract(ctx, title, 'an "AB  - " line');
      continue;
    }
    const p: ParsedPaper = { abstract, source: { file, line: r.line } };
    if (title) p.title = title;
    setAuthors(p, all(r, 'AU', 'A1').map(displayName));
    setDate(p, first(r, 'DA', 'PY', 'Y1'), ctx);
    setVenue(p, first(r, 'T2', 'JF', 'JO', 'BT', 'JA', 'J2', 'T3'));
    setDoi(p, first(r, 'DO'), ctx);
    const urls = all(r, 'UR', 'L1', 'L2');
    const arxiv = urls.find((u) => /arxiv\.org\/(?:abs|pdf)\//i.test(u));
    if (arxiv) setArxivId(p, arxiv);
    if (p.arxivId) p.sourceId = p.arxivId;
    if (urls[0]) setUrl(p, urls[0], ctx);
    setKeywords(p, all(r, 'KW'));
    papers.push(p);
  }
  return papers;
}

export function parseNbib(decoded: DecodedFile, file: string, reporter: Reporter): ParsedPaper[] {
  const papers: ParsedPaper[] = [];
  for (const r of readRecords(decoded, file, reporter, 'nbib')) {
    const pmid = first(r, 'PMID');
    const ctx: FieldContext = { reporter, file, line: r.line, entry: entryLabel(pmid && `PMID ${pmid}`) };
    const title = first(r, 'TI') ? cleanField(first(r, 'TI')!) : undefined;
    const abstract = cleanAbstract(first(r, 'AB') ?? '', ctx);
    if (!abstract) {
      reportNoAbstract(ctx, title, 'an "AB  - " line');
      continue;
    }
    const p: ParsedPaper = { abstract, source: { file, line: r.line } };
    if (title) p.title = title;
    // FAU ("Smith, John") is the full name; AU ("Smith J") only when there is no FAU.
    const full = all(r, 'FAU');
    setAuthors(p, (full.length > 0 ? full : all(r, 'AU')).map(displayName));
    setDate(p, first(r, 'DP', 'DEP'), ctx);
    setVenue(p, first(r, 'JT', 'TA'));
    const doi = [...all(r, 'LID'), ...all(r, 'AID')].find((v) => /\[doi\]\s*$/.test(v));
    if (doi) setDoi(p, doi.replace(/\s*\[doi\]\s*$/, ''), ctx);
    setKeywords(p, [...all(r, 'OT'), ...all(r, 'MH').map((m) => m.replace(/^\*/, '').split('/')[0])]);
    papers.push(p);
  }
  return papers;
}
