/**
 * The import pipeline's pure part: the user's files → papers and chunks that are new to them.
 * buildCorpus does decode → parse → dedupe inside the import → chunk (the same code as the corpus
 * build); then every paper is checked against what the user already has (the shipped corpus and
 * earlier imports) by normalised DOI, arXiv id without version, normalised title + year, and
 * normalised abstract. Runs in the import worker; no DOM, no IndexedDB.
 */
import { buildCorpus, type BuildOptions, type SourceFile } from '../corpus/build';
import type { FileSummary, ReportItem } from '../corpus/report';
import type { Chunk, ChunkerSettings, Paper } from '../corpus/types';
import { decodeVector, looksLikeExport, readExport } from './export-format';
import { abstractKey, differ, knownPaper, paperKeys, type KnownPaper } from './known';

export { knownPaper, type KnownPaper } from './known';

export interface ImportedPaper extends Paper {
  abstractKey: string;
}

export interface DuplicateLine {
  /** file:line of the entry in the imported file */
  at: string;
  title: string;
  /** the paper it duplicates: its title, and where it is */
  of: string;
  why: string;
}

export interface SkippedLine {
  at: string;
  code: string;
  message: string;
}

export interface ImportReport {
  files: FileSummary[];
  /** entries with an abstract, before any merging */
  found: number;
  imported: { at: string; title: string; id: string }[];
  duplicates: DuplicateLine[];
  skipped: SkippedLine[];
  /** informational lines (markup removed, a date not understood, …) */
  notes: SkippedLine[];
}

/** A vector that came with the input (a collection export), for the model it names. */
export interface ImportedVector {
  chunkId: string;
  model: string;
  vector: Float32Array;
}

export interface ImportResult {
  papers: ImportedPaper[];
  chunks: Chunk[];
  chunker: ChunkerSettings;
  vectors: ImportedVector[];
  report: ImportReport;
}

export type ImportStage =
  | { stage: 'read'; file: string; loaded: number; total: number }
  | { stage: 'parse'; files: number; bytes: number; file?: string; entries?: number; total?: number | null }
  | { stage: 'chunk'; done: number; total: number }
  | { stage: 'dedupe'; found: number; known: number }
  | { stage: 'done'; papers: number; duplicates: number; skipped: number };

/** Report lines about an entry that was still imported (cleaned, or a field not understood). */
const KEPT_CODES = new Set<string>([
  'markup-removed', 'bad-date', 'bad-doi', 'bad-url', 'unknown-category', 'not-a-category', 'long-abstract',
  'long-sentence-split', 'possible-duplicate', 'same-abstract-different-ids', 'unused-metadata', 'tldr', 'unclosed-record',
]);

export interface ImportOptions extends BuildOptions {
  /** prefix of the new papers' ids (the collection's id): ids never clash with shipped ones */
  idPrefix: string;
  onStage?: (s: ImportStage) => void;
}

/** A collection export (src/import/export-format.ts) is read whole, never through the corpus parsers. */
type ExportFile = SourceFile & { bytes: Uint8Array };

export function importFiles(files: SourceFile[], known: KnownPaper[], options: ImportOptions): ImportResult {
  const bytes = files.reduce((n, f) => n + ('bytes' in f ? f.bytes.length : f.size), 0);
  options.onStage?.({ stage: 'parse', files: files.length, bytes });
  const exports = files.filter((f): f is ExportFile => 'bytes' in f && looksLikeExport(f.bytes));
  const { data, report } = buildCorpus(files.filter((f) => !exports.includes(f as ExportFile)), {
    ...options,
    onProgress: (p) => options.onStage?.(p.stage === 'parse'
      ? { stage: 'parse', files: files.length, bytes, file: p.file, entries: p.done, total: p.total }
      : { stage: 'chunk', done: p.done, total: p.total ?? p.done }),
  });

  const out: ImportReport = { files: report.files, found: report.papersFound, imported: [], duplicates: [], skipped: [], notes: [] };
  for (const item of report.items) {
    const at = where(item);
    if (item.code === 'no-papers') continue; // said by the per-file lines, and "nothing added" by the page
    if (item.code === 'duplicate-merged') {
      const m = /^same paper as (\S+) \((.*)\): merged/.exec(item.message);
      out.duplicates.push({ at, title: '', of: m ? `${m[1]} (this import)` : 'another entry of this import', why: m ? m[2] : item.message });
    } else if (KEPT_CODES.has(item.code)) {
      out.notes.push({ at, code: item.code, message: item.message });
    } else {
      out.skipped.push({ at, code: item.code, message: item.message });
    }
  }
  for (const s of report.suppressed) {
    (KEPT_CODES.has(s.code) ? out.notes : out.skipped).push({ at: s.file, code: s.code, message: `${s.count} more like this, not listed` });
  }

  // Candidates: the papers just parsed, then those of collection exports (with their vectors).
  const chunksOf = new Map<string, Chunk[]>();
  for (const c of data.chunks) chunksOf.set(c.paperId, [...(chunksOf.get(c.paperId) ?? []), c]);
  const candidates: Candidate[] = data.papers.map((p) => ({ paper: p, chunks: chunksOf.get(p.id) ?? [] }));
  for (const f of exports) {
    const x = readExport(f.bytes, f.path);
    if ('problem' in x) {
      out.skipped.push({ at: f.path, code: 'bad-export', message: x.problem });
      continue;
    }
    out.files.push({ file: f.path, format: 'json', bytes: f.bytes.length, lines: 1, papers: x.papers.length });
    out.found += x.papers.length;
    const byPaper = new Map<string, { chunk: Chunk; vector: string | null }[]>();
    x.chunks.forEach((c, i) => byPaper.set(c.paperId, [...(byPaper.get(c.paperId) ?? []), { chunk: c, vector: x.vectors[i] }]));
    for (const p of x.papers) {
      const list = byPaper.get(p.id) ?? [];
      if (typeof p.abstract !== 'string' || typeof p.title !== 'string' || list.length === 0) {
        out.skipped.push({ at: `${f.path}`, code: 'bad-export', message: `paper "${String(p.id)}" has no abstract, title or passages: skipped` });
        continue;
      }
      candidates.push({
        paper: { ...p, source: { file: f.path, line: 1 } },
        chunks: list.map((l) => l.chunk),
        vectors: { model: x.model, list: list.map((l) => (l.vector === null ? null : decodeVector(l.vector, x.dims))) },
      });
    }
  }

  options.onStage?.({ stage: 'dedupe', found: out.found, known: known.length });
  const byKey = new Map<string, KnownPaper>();
  const remember = (k: KnownPaper) => {
    for (const [key] of paperKeys(k)) if (!byKey.has(key)) byKey.set(key, k);
  };
  known.forEach(remember);

  const papers: ImportedPaper[] = [];
  const chunks: Chunk[] = [];
  const vectors: ImportedVector[] = [];
  for (const { paper: p, chunks: own, vectors: given } of candidates) {
    const candidate: ImportedPaper = { ...p, abstractKey: abstractKey(p.abstract) };
    let dup: { of: KnownPaper; why: string } | null = null;
    for (const [key, why] of paperKeys(candidate)) {
      const k = byKey.get(key);
      if (k && !differ(k, p)) {
        dup = { of: k, why };
        break;
      }
    }
    const at = `${p.source.file}:${p.source.line}`;
    if (dup) {
      out.duplicates.push({ at, title: p.title, of: `“${dup.of.title}” in ${dup.of.where}`, why: dup.why });
      continue;
    }
    // An exported paper's id carries its old collection's prefix ("c1a2b3.4f/…"): replaced, not stacked.
    const id = `${options.idPrefix}/${given ? p.id.slice(p.id.indexOf('/') + 1) : p.id}`;
    const { alsoIn: _alsoIn, ...rest } = candidate;
    const paper = { ...rest, id };
    papers.push(paper);
    // Later candidates (an export imported with the files it came from) are checked against this one too.
    if (given) remember(knownPaper(paper, 'this import'));
    out.imported.push({ at, title: p.title, id });
    own.forEach((c, i) => {
      const chunk = { ...c, paperId: id, id: `${id}#${c.index}` };
      chunks.push(chunk);
      const v = given?.list[i];
      if (v && given) vectors.push({ chunkId: chunk.id, model: given.model, vector: v });
    });
  }
  // Within-import duplicates name the kept entry by file:line only; give its title too.
  const titleAt = new Map(data.papers.map((p) => [`${p.source.file}:${p.source.line}`, p.title]));
  for (const d of out.duplicates) {
    if (d.of.endsWith('(this import)')) {
      const t = titleAt.get(d.of.replace(' (this import)', ''));
      if (t) d.of = `“${t}” at ${d.of}`;
    }
  }
  options.onStage?.({ stage: 'done', papers: papers.length, duplicates: out.duplicates.length, skipped: out.skipped.length });
  return { papers, chunks, chunker: data.chunker, vectors, report: out };
}

interface Candidate {
  paper: Paper;
  chunks: Chunk[];
  vectors?: { model: string; list: (Float32Array | null)[] };
}

function where(item: ReportItem): string {
  return item.line !== undefined ? `${item.file}:${item.line}` : item.file;
}

