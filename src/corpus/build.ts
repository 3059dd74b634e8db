/**
 * The corpus build: source files → papers → chunks. Pure (no file system, no clock), so Node,
 * the eval harness and the browser run the same code; src/corpus/node-io.ts reads and writes files.
 */
import { CHUNKER_VERSION, chunkAbstract } from './chunk.ts';
import { decodeFile } from './decode.ts';
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

export interface SourceFile {
  /** Path as it should appear in papers and the report: relative, '/'-separated. */
  path: string;
  bytes: Uint8Array;
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
    const { papers, summary } = parseFile(f, reporter);
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
  for (const g of groups) {
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

function parseFile(f: SourceFile, reporter: Reporter): { papers: ParsedPaper[]; summary: FileSummary } {
  const summary: FileSummary = { file: f.path, format: 'skipped', bytes: f.bytes.length, lines: 0, papers: 0 };
  const decoded = decodeFile(f.bytes, f.path, reporter);
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
  switch (detected.format) {
    case 'jsonl': papers = parseJsonLines(decoded, f.path, reporter); break;
    case 'text': papers = parseScrapedText(decoded, f.path, reporter); break;
    case 'bibtex': papers = parseBibtex(decoded, f.path, reporter); break;
    case 'ris': papers = parseRis(decoded, f.path, reporter); break;
    case 'nbib': papers = parseNbib(decoded, f.path, reporter); break;
    case 'csv': papers = parseCsv(decoded, f.path, reporter); break;
    case 'atom': papers = parseAtom(decoded, f.path, reporter); break;
    case 'json': {
      const r = parseJsonArray(decoded, f.path, reporter);
      papers = r.papers;
      if (r.csl) format = 'csl-json';
      break;
    }
  }
  summary.format = format;
  summary.papers = papers.length;
  if (papers.length === 0) {
    reporter.warn('no-papers-in-file', f.path, undefined, `no abstracts found in this ${FORMAT_NAMES[format]} file (see the lines reported above)`);
  }
  return { papers, summary };
}
