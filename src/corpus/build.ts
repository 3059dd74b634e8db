/**
 * The corpus build: source files → papers → chunks. Pure (no file system, no clock), so Node,
 * the eval harness and the browser run the same code; src/corpus/node-io.ts reads and writes files.
 */
import { MODELS } from '../embed/registry.ts';
import { CHUNKER_VERSION, chunkAbstract } from './chunk.ts';
import { decodeFile } from './decode.ts';
import { dedupePapers } from './dedupe.ts';
import { sha256Hex } from './hash.ts';
import { parseJsonLines } from './parse-jsonl.ts';
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

/** maxTokens and overlapSentences are used; `version` is always computed (chunker + token counter). */
export interface BuildOptions extends Partial<ChunkerSettings> {
  /** Name of the source recorded in the manifest (no absolute paths). */
  source?: string;
  /** Exact token counter (e.g. the model's tokenizer); default: the conservative estimate. */
  countTokens?: TokenCounter;
  /** Short name of countTokens, recorded in the chunker version. */
  tokenCounterId?: string;
}

/**
 * Special tokens ([CLS], [SEP]) the model adds around every chunk.
 * Default maxTokens: the smallest limit among the registered models minus those, so a chunk fits
 * whichever model the page uses (all-MiniLM-L6-v2: 256 − 2 = 254).
 */
export const SPECIAL_TOKENS = 2;
export const DEFAULT_MAX_TOKENS = Math.min(...Object.values(MODELS).map((m) => m.maxTokens)) - SPECIAL_TOKENS;
export const DEFAULT_OVERLAP_SENTENCES = 1;
/** An abstract this long is suspicious (probably a whole paper or several abstracts run together). */
export const LONG_ABSTRACT_WORDS = 2000;

const TEXT_EXTENSIONS = new Set(['txt', 'text', '']);
const JSONL_EXTENSIONS = new Set(['jsonl', 'ndjson', 'json']);

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
    for (let n = 2; usedIds.has(id); n++) id = `${p.sourceId ?? 'h'}~${n}`;
    usedIds.add(id);
    // Fixed key order and no undefined keys: the JSON is byte-identical for the same input.
    const paper: Paper = {
      id,
      title: p.title ?? deriveTitle(p.abstract),
      titleDerived: p.title === undefined,
      abstract: p.abstract,
      ...(p.authors !== undefined && { authors: p.authors }),
      ...(p.arxivId !== undefined && { arxivId: p.arxivId, url: arxivUrl(p.arxivId) }),
      ...(p.comment !== undefined && { comment: p.comment }),
      ...(p.codeUrl !== undefined && { codeUrl: p.codeUrl }),
      ...(p.categories !== undefined && { categories: p.categories }),
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

function extensionOf(path: string): string {
  const name = path.split('/').pop() ?? path;
  const base = name.replace(/\.gz$/i, '');
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase();
}

function parseFile(f: SourceFile, reporter: Reporter): { papers: ParsedPaper[]; summary: FileSummary } {
  const summary: FileSummary = { file: f.path, format: 'skipped', bytes: f.bytes.length, lines: 0, papers: 0 };
  const decoded = decodeFile(f.bytes, f.path, reporter);
  if (!decoded) return { papers: [], summary };
  summary.lines = decoded.lines.length;

  const firstLine = decoded.lines.findIndex((l, i) => l.trim() !== '' && !decoded.invalidLines.has(i + 1));
  const first = firstLine === -1 ? '' : decoded.lines[firstLine].trim();
  const ext = extensionOf(f.path);
  let papers: ParsedPaper[];
  if (first === '') {
    reporter.warn('empty-file', f.path, undefined, 'file holds only blank or unreadable lines: nothing to read');
    return { papers: [], summary };
  } else if (first.startsWith('{')) {
    summary.format = 'jsonl';
    papers = parseJsonLines(decoded, f.path, reporter);
  } else if (first.startsWith('[')) {
    reporter.warn('unknown-format', f.path, firstLine + 1, 'a JSON array is not supported: write one JSON object per line (JSON Lines); skipped');
    return { papers: [], summary };
  } else if (/^<(?:!doctype|\?xml|html|[a-z]+[\s>])/i.test(first)) {
    reporter.warn('unknown-format', f.path, firstLine + 1, 'HTML/XML is not supported: save the page as plain text (.txt); skipped');
    return { papers: [], summary };
  } else if (JSONL_EXTENSIONS.has(ext)) {
    reporter.warn('unknown-format', f.path, firstLine + 1, `a .${ext} file should hold one JSON object per line, but line ${firstLine + 1} does not start with "{": skipped`);
    return { papers: [], summary };
  } else if (TEXT_EXTENSIONS.has(ext)) {
    summary.format = 'text';
    papers = parseScrapedText(decoded, f.path, reporter);
  } else {
    reporter.warn('unknown-format', f.path, undefined,
      `unsupported file type ".${ext}": use .txt for scraped abstracts or .jsonl for BEIR/arXiv rows (either may be .gz); skipped`);
    return { papers: [], summary };
  }
  summary.papers = papers.length;
  if (papers.length === 0) {
    reporter.warn('no-papers-in-file', f.path, undefined, `no abstracts found in this ${summary.format === 'text' ? 'text' : 'JSON Lines'} file (see the lines reported above)`);
  }
  return { papers, summary };
}
