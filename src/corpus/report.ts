/**
 * What a corpus build tells its user: every file read, every paper found, merged or dropped, and
 * every piece of input skipped, with file:line and the reason.
 *
 * Severity decides the exit code of `npm run build:corpus`:
 *   info    — expected clean-up (site boilerplate, duplicates merged): exit 0
 *   warning — input the user should look at (broken JSON line, binary file, id clash): exit 3,
 *             the corpus is still written
 *   error   — going on would give a wrong or empty corpus: exit 1, nothing is written
 */

export type Severity = 'info' | 'warning' | 'error';

export type ReportCode =
  | 'empty-file'
  | 'binary-file'
  | 'gzip-not-decompressed'
  | 'not-utf8'
  | 'invalid-utf8'
  | 'unknown-format'
  | 'no-papers-in-file'
  | 'boilerplate'
  | 'foreign-language'
  | 'tldr'
  | 'unused-metadata'
  | 'unrecognised-line'
  | 'arxiv-id-without-abstract'
  | 'broken-json'
  | 'row-shape'
  | 'missing-abstract'
  | 'abstract-too-long'
  | 'long-abstract'
  | 'long-sentence-split'
  | 'duplicate-merged'
  | 'duplicate-id'
  | 'same-abstract-different-ids'
  | 'no-papers'
  | 'syntax-error'
  | 'lone-dollar'
  | 'unclosed-record'
  | 'bad-date'
  | 'bad-doi'
  | 'bad-url'
  | 'unknown-category'
  | 'not-a-category'
  | 'markup-removed'
  | 'possible-duplicate';

export interface ReportItem {
  severity: Severity;
  code: ReportCode;
  file: string;
  /** 1-based line, when the problem has one. */
  line?: number;
  message: string;
}

export interface FileSummary {
  file: string;
  format: 'text' | 'jsonl' | 'json' | 'csl-json' | 'bibtex' | 'ris' | 'nbib' | 'csv' | 'atom' | 'skipped';
  bytes: number;
  lines: number;
  /** Papers parsed from this file, before duplicates across the corpus were merged. */
  papers: number;
}

export interface BuildReport {
  files: FileSummary[];
  /** Papers parsed from all files, before merging duplicates. */
  papersFound: number;
  duplicatesMerged: number;
  /** Papers dropped because another paper already had their id. */
  duplicateIdsDropped: number;
  papers: number;
  chunks: number;
  items: ReportItem[];
  /** Items beyond the per-file, per-reason cap, counted but not listed (see Reporter). */
  suppressed: { file: string; code: ReportCode; severity: Severity; count: number }[];
}

/** Past this many items of one reason in one file, the rest are only counted. */
const ITEMS_PER_FILE_AND_CODE = 200;

export class Reporter {
  readonly items: ReportItem[] = [];
  private readonly counts = new Map<string, { file: string; code: ReportCode; severity: Severity; count: number }>();

  add(severity: Severity, code: ReportCode, file: string, line: number | undefined, message: string): void {
    const key = `${file}\u0000${code}`;
    const c = this.counts.get(key) ?? { file, code, severity, count: 0 };
    c.count++;
    this.counts.set(key, c);
    if (c.count <= ITEMS_PER_FILE_AND_CODE) this.items.push(line === undefined ? { severity, code, file, message } : { severity, code, file, line, message });
  }

  info(code: ReportCode, file: string, line: number | undefined, message: string): void {
    this.add('info', code, file, line, message);
  }
  warn(code: ReportCode, file: string, line: number | undefined, message: string): void {
    this.add('warning', code, file, line, message);
  }
  error(code: ReportCode, file: string, line: number | undefined, message: string): void {
    this.add('error', code, file, line, message);
  }

  /** This reporter, for a parser given lines from `by` + 1 on: its line numbers are moved by `by`. */
  shifted(by: number): Reporter {
    const view = Object.create(this) as Reporter;
    view.add = (severity, code, file, line, message) => this.add(severity, code, file, line === undefined ? undefined : line + by, message);
    return view;
  }

  suppressed(): BuildReport['suppressed'] {
    return [...this.counts.values()]
      .filter((c) => c.count > ITEMS_PER_FILE_AND_CODE)
      .map((c) => ({ ...c, count: c.count - ITEMS_PER_FILE_AND_CODE }));
  }
}

export function hasErrors(report: BuildReport): boolean {
  return report.items.some((i) => i.severity === 'error');
}

export function hasWarnings(report: BuildReport): boolean {
  return report.items.some((i) => i.severity === 'warning');
}

/** 0 = clean, 3 = built with warnings, 1 = failed (nothing written). `strict` treats warnings as errors. */
export function exitCodeFor(report: BuildReport, strict = false): 0 | 1 | 3 {
  if (hasErrors(report)) return 1;
  if (hasWarnings(report)) return strict ? 1 : 3;
  return 0;
}

function where(item: { file: string; line?: number }): string {
  return item.line === undefined ? item.file : `${item.file}:${item.line}`;
}

/** The human-readable report printed by the CLI. */
export function formatReport(report: BuildReport): string {
  const out: string[] = [];
  out.push(`Files read: ${report.files.length}`);
  for (const f of report.files) {
    out.push(`  ${f.file}  ${f.format}, ${f.bytes} bytes, ${f.lines} lines, ${f.papers} papers`);
  }
  out.push(`Papers found: ${report.papersFound}`);
  out.push(`Duplicates merged: ${report.duplicatesMerged}`);
  if (report.duplicateIdsDropped > 0) out.push(`Dropped for a duplicate id: ${report.duplicateIdsDropped}`);
  out.push(`Papers written: ${report.papers}`);
  out.push(`Chunks written: ${report.chunks}`);
  for (const severity of ['error', 'warning', 'info'] as const) {
    const items = report.items.filter((i) => i.severity === severity);
    const more = report.suppressed.filter((s) => s.severity === severity);
    if (items.length === 0 && more.length === 0) continue;
    const total = items.length + more.reduce((n, s) => n + s.count, 0);
    const title = severity === 'error' ? 'Errors' : severity === 'warning' ? 'Warnings' : 'Skipped and merged (info)';
    out.push(`${title}: ${total}`);
    for (const i of items) out.push(`  ${where(i)}  [${i.code}] ${i.message}`);
    for (const s of more) out.push(`  ${s.file}  [${s.code}] … and ${s.count} more like the above`);
  }
  return out.join('\n');
}
