/**
 * The corpus build: source files → papers → chunks. Pure (no file system, no clock), so Node,
 * the eval harness and the browser run the same code; src/corpus/node-io.ts reads and writes files.
 */
import { CHUNKER_VERSION, chunkAbstract } from './chunk.ts';
import { type DecodedFile, decodeFile, type LineDecoder } from './decode.ts';
import { dedupePapers } from './dedupe.ts';
import { detectFormat, FORMAT_NAMES } from './formats.ts';
import { sha256Hex } from './hash.ts';
import { yearOf } from './metadata.ts';
import { parseAtom } from './parse-atom.ts';
import { parseBibtex } from './parse-bibtex.ts';
import { parseJsonArray } from './parse-csl.ts';
import { parseCsv } from './parse-csv.ts';
import { parseJsonLines } from './parse-jsonl.ts';
import { parseNbib, parseRis } from './parse-ris.ts';
import { parseScrapedText } from './parse-text.ts';
import { arxivUrl, MAX_ABSTRACT_CHARS, type ParsedPaper } from './parsed.ts';

export { MAX_ABSTRACT_CHARS };
import { type BuildReport, type FileSummary, type ReportItem, Reporter } from './report.ts';
import { comparisonWords, countWords } from './text.ts';
import { deriveTitle } from './title.ts';
import { estimateTokens, TOKEN_ESTIMATOR_ID, type TokenCounter } from './tokens.ts';
import type { Chunk, ChunkerSettings, CorpusData, Paper } from './types.ts';

export type SourceFile =
  | {
      /** Path as it should appear in papers and the report: relative, '/'-separated. */
      path: string;
      bytes: Uint8Array;
    }
  /** A file already read through a LineDecoder (streamed, as the import worker reads a Blob). */
  | { path: string; size: number; lines: LineDecoder };

/** Entries parsed so far, of the total when the format lets it be counted up front. */
export interface ParseProgress {
  stage: 'parse' | 'chunk';
  file: string;
  done: number;
  total: number | null;
}

/**
 * maxTokens and overlapSentences are used; `version` is always computed (chunker + token counter).
 * maxTokens is the model's limit minus its special tokens: the caller knows the model
 * (src/cli/build-corpus.ts takes it from the embed registry); the corpus code does not.
 */
export interface BuildOptions extends Partial<ChunkerSettings> {
  /** Name of the source recorded in the manifest (no absolute paths). */
  source?: string;
  /** Exact token counter (e.g. the model's tokenizer); default: the conservative estimate. */
  countTokens?: TokenCounter;
  /** Short name of countTokens, recorded in the chunker version. */
  tokenCounterId?: string;
  /** Called as entries are parsed (a large file in pieces) and as papers are chunked. */
  onProgress?: (p: ParseProgress) => void;
}

/**
 * maxTokens when the caller passes none: all-MiniLM-L6-v2's 256 minus its 2 special tokens, the
 * smallest limit among the registered models. Callers that know the model pass
 * chunkTokenLimit() from src/embed/registry.ts; a unit test keeps the two equal.
 */
export const DEFAULT_MAX_TOKENS = 254;
export const DEFAULT_OVERLAP_SENTENCES = 1;
/** An abstract this long is suspicious (probably a whole paper or several abstracts run together). */
export const LONG_ABSTRACT_WORDS = 2000;

export function chunkerSettings(options: BuildOptions = {}): ChunkerSettings {
  const maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
  const overlapSentences = options.overlapSentences ?? DEFAULT_OVERLAP_SENTENCES;
  if (!Number.isInteger(maxTokens) || maxTokens < 16) throw new RangeError(`maxTokens must be an integer ≥ 16, got ${maxTokens}`);
  if (!Number.isInteger(overlapSentences) || overlapSentences < 0) throw new RangeError(`overlapSentences must be an integer ≥ 0, got ${overlapSentences}`);
  const counter = options.countTokens ? options.tokenCounterId ?? 'custom' : TOKEN_ESTIMATOR_ID;
  return { version: `${CHUNKER_VERSION}+${counter}`, maxTokens, overlapSentences };
}

export function buildCorpus(files: SourceFile[], options: BuildOptions = {}): { data: CorpusData; report: BuildReport } {
  const chunker = chunkerSettings(options);
  const count = options.countTokens ?? estimateTokens;
  const reporter = new Reporter();
  const summaries: FileSummary[] = [];
  const parsed: ParsedPaper[] = [];

  // Code-point order, not locale order: the same files give the same corpus everywhere.
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const f of sorted) {
    const { papers, summary } = parseFile(f, reporter, options.onProgress);
    summaries.push(summary);
    for (const p of papers) {
      if (p.abstract.length > MAX_ABSTRACT_CHARS) {
        reporter.warn('abstract-too-long', p.source.file, p.source.line,
          `${p.abstract.length} characters is not an abstract (limit ${MAX_ABSTRACT_CHARS}): skipped`);
        summary.papers--;
        continue;
      }
      parsed.push(p);
    }
  }

  const { groups, merged, droppedIds } = dedupePapers(parsed, reporter);

  const papers: Paper[] = [];
  const chunks: Chunk[] = [];
  const usedIds = new Set<string>();
  const chunkFile = sorted.length === 1 ? sorted[0].path : `${sorted.length} files`;
  for (const [n, g] of groups.entries()) {
    if (n % PROGRESS_EVERY === 0) options.onProgress?.({ stage: 'chunk', file: chunkFile, done: n, total: groups.length });
    const p = g.paper;
    let id = p.sourceId ?? `h${sha256Hex(comparisonWords(p.abstract).join(' ')).slice(0, 12)}`;
    // A hash id can only clash with a source id by coincidence; keep ids unique regardless.
    // (Two papers with the same abstract stay apart when their DOIs differ: same hash, "~2".)
    const base = id;
    for (let n = 2; usedIds.has(id); n++) id = `${base}~${n}`;
    usedIds.add(id);
    const url = p.url ?? (p.arxivId !== undefined ? arxivUrl(p.arxivId) : undefined);
    // Fixed key order and no undefined keys: the JSON is byte-identical for the same input.
    const paper: Paper = {
      id,
      title: p.title ?? deriveTitle(p.abstract),
      titleDerived: p.title === undefined,
      abstract: p.abstract,
      ...(p.authors !== undefined && { authors: p.authors }),
      ...(p.date !== undefined && { date: p.date, year: yearOf(p.date) }),
      ...(p.venue !== undefined && { venue: p.venue }),
      ...(p.doi !== undefined && { doi: p.doi }),
      ...(p.arxivId !== undefined && { arxivId: p.arxivId }),
      ...(url !== undefined && { url }),
      ...(p.comment !== undefined && { comment: p.comment }),
      ...(p.codeUrl !== undefined && { codeUrl: p.codeUrl }),
      ...(p.categories !== undefined && { categories: p.categories }),
      ...(p.keywords !== undefined && { keywords: p.keywords }),
      source: { file: p.source.file, line: p.source.line },
      ...(g.alsoIn.length > 0 && { alsoIn: g.alsoIn.map((s) => ({ file: s.file, line: s.line })) }),
    };
    papers.push(paper);

    const words = countWords(p.abstract);
    if (words > LONG_ABSTRACT_WORDS) {
      reporter.warn('long-abstract', p.source.file, p.source.line,
        `abstract of ${words} words (over ${LONG_ABSTRACT_WORDS}; is it several abstracts or a whole paper?): kept, split into chunks`);
    }
    const plan = chunkAbstract(p.abstract, chunker.maxTokens, chunker.overlapSentences, count);
    for (const cut of plan.cutSentences) {
      reporter.info('long-sentence-split', p.source.file, p.source.line,
        `a sentence of ~${cut.tokens} tokens is longer than the chunk limit (${chunker.maxTokens}): cut at word boundaries into ${cut.pieces} pieces`);
    }
    plan.spans.forEach((s, index) => {
      const text = p.abstract.slice(s.start, s.end);
      chunks.push({ id: `${id}#${index}`, paperId: id, index, text, start: s.start, end: s.end, hash: sha256Hex(text) });
    });
  }

  if (papers.length === 0) {
    reporter.error('no-papers', sorted.length === 1 ? sorted[0].path : options.source ?? '(input)', undefined,
      files.length === 0 ? 'no input files' : 'no papers found in the input: refusing to write an empty corpus over the current one');
  }

  const report: BuildReport = {
    files: summaries,
    papersFound: parsed.length,
    duplicatesMerged: merged,
    duplicateIdsDropped: droppedIds,
    papers: papers.length,
    chunks: chunks.length,
    items: sortedItems(reporter.items),
    suppressed: reporter.suppressed(),
  };
  return { data: { chunker, papers, chunks }, report };
}

/** Report items in file and line order (stable: same-line items keep the order they were found). */
function sortedItems(items: ReportItem[]): ReportItem[] {
  return [...items].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0)));
}

function parseFile(f: SourceFile, reporter: Reporter, onProgress?: (p: ParseProgress) => void): { papers: ParsedPaper[]; summary: FileSummary } {
  const summary: FileSummary = { file: f.path, format: 'skipped', bytes: 'bytes' in f ? f.bytes.length : f.size, lines: 0, papers: 0 };
  const decoded = 'bytes' in f ? decodeFile(f.bytes, f.path, reporter) : f.lines.finish(f.path, reporter);
  if (!decoded) return { papers: [], summary };
  summary.lines = decoded.lines.length;

  const detected = detectFormat(f.path, decoded);
  if (detected.format === 'empty') {
    reporter.warn('empty-file', f.path, undefined, 'file holds only blank or unreadable lines: nothing to read');
    return { papers: [], summary };
  }
  if (detected.format === 'unknown') {
    reporter.warn('unknown-format', f.path, detected.line, detected.why);
    return { papers: [], summary };
  }
  let papers: ParsedPaper[];
  let format: FileSummary['format'] = detected.format;
  const pieces = PIECES[detected.format];
  switch (detected.format) {
    case 'jsonl': papers = parseInPieces(decoded, f.path, reporter, parseJsonLines, pieces, onProgress); break;
    case 'text': papers = parseScrapedText(decoded, f.path, reporter); break;
    case 'bibtex': papers = parseInPieces(decoded, f.path, reporter, parseBibtex, pieces, onProgress); break;
    case 'ris': papers = parseInPieces(decoded, f.path, reporter, parseRis, pieces, onProgress); break;
    case 'nbib': papers = parseInPieces(decoded, f.path, reporter, parseNbib, pieces, onProgress); break;
    case 'csv': papers = parseCsv(decoded, f.path, reporter); break;
    case 'atom': papers = parseAtom(decoded, f.path, reporter); break;
    case 'json': {
      const r = parseJsonArray(decoded, f.path, reporter);
      papers = r.papers;
      if (r.csl) format = 'csl-json';
      break;
    }
  }
  onProgress?.({ stage: 'parse', file: f.path, done: papers.length, total: papers.length });
  summary.format = format;
  summary.papers = papers.length;
  if (papers.length === 0) {
    reporter.warn('no-papers-in-file', f.path, undefined, `no abstracts found in this ${FORMAT_NAMES[format]} file (see the lines reported above)`);
  }
  return { papers, summary };
}

/** Progress is told every this many entries (parsed, or chunked). */
const PROGRESS_EVERY = 500;

/**
 * Formats whose records can be told apart by their first line, so a large file is parsed a
 * piece of PROGRESS_EVERY records at a time (progress between pieces; one piece's parse tree in
 * memory at a time) with the same papers and reports as the whole file at once.
 *  - JSON Lines: every line is a record.
 *  - RIS: a record starts at `TY  -`; cut only where the record before ended with `ER  -`, so a
 *    record without ER is reported as it is in the whole file.
 *  - PubMed: a record starts at `PMID-`.
 *  - BibTeX: an entry starts with `@type{` at the start of a line; not cut at all when the file
 *    defines @string macros or has crossref fields, which reach across entries.
 */
interface Pieces {
  starts: (line: string, previous: string | undefined) => boolean;
  whole?: (lines: string[]) => boolean;
}

const PIECES: Partial<Record<string, Pieces>> = {
  jsonl: { starts: (l) => l.trim() !== '' },
  ris: { starts: (l, prev) => /^TY {2}-/.test(l) && (prev === undefined || /^ER {2}-/.test(prev)) },
  nbib: { starts: (l) => /^PMID-/.test(l) },
  bibtex: {
    starts: (l) => /^@\s*[A-Za-z]+\s*[{(]/.test(l) && !/^@\s*(?:comment|string|preamble)\b/i.test(l),
    whole: (lines) => lines.some((l) => /@\s*string\s*[{(]|\bcrossref\s*=/i.test(l)),
  },
};

type Parser = (decoded: DecodedFile, file: string, reporter: Reporter) => ParsedPaper[];

function parseInPieces(
  decoded: DecodedFile, file: string, reporter: Reporter, parse: Parser, pieces: Pieces | undefined, onProgress?: (p: ParseProgress) => void,
): ParsedPaper[] {
  const { lines } = decoded;
  const starts: number[] = [];
  if (pieces && !pieces.whole?.(lines)) {
    let prev: string | undefined;
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i];
      if (!decoded.invalidLines.has(i + 1) && pieces.starts(l, prev)) starts.push(i);
      if (l.trim() !== '') prev = l;
    }
  }
  if (starts.length <= PROGRESS_EVERY) return parse(decoded, file, reporter);
  const papers: ParsedPaper[] = [];
  // the first piece also holds whatever comes before the first record (reported as it would be)
  const cuts = [0, ...starts.filter((_, k) => k > 0 && k % PROGRESS_EVERY === 0), lines.length];
  for (let k = 0; k + 1 < cuts.length; k++) {
    onProgress?.({ stage: 'parse', file, done: papers.length, total: starts.length });
    const from = cuts[k];
    const to = cuts[k + 1];
    const invalidLines = new Set<number>();
    for (const n of decoded.invalidLines) if (n > from && n <= to) invalidLines.add(n - from);
    for (const p of parse({ lines: lines.slice(from, to), invalidLines }, file, reporter.shifted(from))) {
      p.source = { ...p.source, line: p.source.line + from };
      papers.push(p);
    }
  }
  return papers;
}
