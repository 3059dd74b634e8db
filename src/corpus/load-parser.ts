/**
 * Parsers by format, loaded on demand: the page's importer picks the format with detectFormat
 * (formats.ts, no parser imported) and then loads only that parser's module and library, so a
 * BibTeX import never downloads the CSV or XML parser. Every parser is pure (no Node APIs) and
 * runs in a Web Worker.
 */
import type { DecodedFile } from './decode.ts';
import type { SourceFormat } from './formats.ts';
import type { ParsedPaper } from './parsed.ts';
import type { Reporter } from './report.ts';

export type Parser = (decoded: DecodedFile, file: string, reporter: Reporter) => ParsedPaper[];

export async function loadParser(format: SourceFormat): Promise<Parser> {
  switch (format) {
    case 'text': return (await import('./parse-text.ts')).parseScrapedText;
    case 'jsonl': return (await import('./parse-jsonl.ts')).parseJsonLines;
    case 'json': {
      const { parseJsonArray } = await import('./parse-csl.ts');
      return (decoded, file, reporter) => parseJsonArray(decoded, file, reporter).papers;
    }
    case 'bibtex': return (await import('./parse-bibtex.ts')).parseBibtex;
    case 'ris': return (await import('./parse-ris.ts')).parseRis;
    case 'nbib': return (await import('./parse-ris.ts')).parseNbib;
    case 'csv': return (await import('./parse-csv.ts')).parseCsv;
    case 'atom': return (await import('./parse-atom.ts')).parseAtom;
  }
}
