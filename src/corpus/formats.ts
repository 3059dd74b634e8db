/**
 * Which parser reads a file: by its extension, then by its first line. Light on purpose (no
 * parser imported), so the page can pick a format first and load only that parser's module.
 */
import type { DecodedFile } from './decode.ts';
import type { FileSummary } from './report.ts';

export type SourceFormat = 'text' | 'jsonl' | 'json' | 'bibtex' | 'ris' | 'nbib' | 'csv' | 'atom';

export type Detected =
  | { format: SourceFormat }
  | { format: 'empty' }
  | { format: 'unknown'; line?: number; why: string };

export const FORMAT_NAMES: Record<FileSummary['format'], string> = {
  text: 'text', jsonl: 'JSON Lines', json: 'JSON', 'csl-json': 'CSL JSON', bibtex: 'BibTeX', ris: 'RIS', nbib: 'PubMed',
  csv: 'CSV', atom: 'Atom', skipped: 'skipped',
};

const TEXT_EXTENSIONS = new Set(['txt', 'text', '']);
const JSONL_EXTENSIONS = new Set(['jsonl', 'ndjson', 'json']);
const BY_EXTENSION: Record<string, SourceFormat> = {
  bib: 'bibtex', bibtex: 'bibtex', biblatex: 'bibtex', ris: 'ris', nbib: 'nbib', medline: 'nbib', csv: 'csv', tsv: 'csv',
};
const SUPPORTED = '.txt (scraped abstracts), .jsonl/.json (BEIR or arXiv rows, CSL JSON), .bib, .ris, .nbib, .csv, .xml/.atom (arXiv API); any may be .gz';

export function extensionOf(path: string): string {
  const name = path.split('/').pop() ?? path;
  const base = name.replace(/\.gz$/i, '');
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase();
}

export function looksLikeBibtex(line: string): boolean {
  return /^@\s*[A-Za-z]+\s*[{(]/.test(line);
}
export function looksLikeRis(line: string): boolean {
  return /^TY\s{1,3}-/.test(line);
}
export function looksLikeNbib(line: string): boolean {
  return /^PMID\s*-\s/.test(line);
}
/** XML whose root element is an Atom <feed>. */
export function looksLikeAtom(head: string): boolean {
  return /<feed[\s>]/.test(head) && (/xmlns\s*=\s*["']http:\/\/www\.w3\.org\/2005\/Atom["']/.test(head) || /<entry[\s>]/.test(head));
}

export function detectFormat(path: string, decoded: DecodedFile): Detected {
  const firstLine = decoded.lines.findIndex((l, i) => l.trim() !== '' && !decoded.invalidLines.has(i + 1));
  if (firstLine === -1) return { format: 'empty' };
  const first = decoded.lines[firstLine].trim();
  const line = firstLine + 1;
  const ext = extensionOf(path);
  if (first.startsWith('{')) return { format: 'jsonl' };
  if (first.startsWith('[')) return { format: 'json' };
  if (/^<(?:!doctype|\?xml|html|[a-z]+[\s>:])/i.test(first)) {
    const head = decoded.lines.slice(firstLine, firstLine + 40).join('\n');
    if (looksLikeAtom(head)) return { format: 'atom' };
    return { format: 'unknown', line, why: 'HTML/XML is not supported (only Atom feeds, as the arXiv API returns): save the page as plain text (.txt); skipped' };
  }
  if (BY_EXTENSION[ext]) return { format: BY_EXTENSION[ext] };
  if (JSONL_EXTENSIONS.has(ext)) {
    return { format: 'unknown', line, why: `a .${ext} file should hold one JSON object per line (or one JSON array), but line ${line} does not start with "{" or "[": skipped` };
  }
  if (TEXT_EXTENSIONS.has(ext)) {
    // Exports saved as .txt (PubMed's "Save as MEDLINE" is .txt) keep their own parser.
    if (looksLikeBibtex(first)) return { format: 'bibtex' };
    if (looksLikeRis(first)) return { format: 'ris' };
    if (looksLikeNbib(first)) return { format: 'nbib' };
    return { format: 'text' };
  }
  return { format: 'unknown', why: `unsupported file type ".${ext}": use ${SUPPORTED}; skipped` };
}
