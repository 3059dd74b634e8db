/** Typed messages between the page (client.ts) and the import worker (worker.ts). */
import type { KnownPaper } from './known';
import type { ImportResult, ImportStage } from './pipeline';

/** A slice of the result's papers, their passages and vectors: sent ahead of the result, in order. */
export type ImportPart = Pick<ImportResult, 'papers' | 'chunks' | 'vectors'>;

export interface ImportRequest {
  type: 'import';
  id: number;
  payload: {
    /** The user's files as Blobs (a File is one): cloned by reference, read in the worker. */
    files: { path: string; blob: Blob }[];
    known: KnownPaper[];
    idPrefix: string;
    maxTokens?: number;
  };
}

export type ImportResponse =
  | { type: 'stage'; id: number; payload: ImportStage }
  | { type: 'part'; id: number; payload: ImportPart }
  /** the result; its papers, chunks and vectors follow those of the parts before it */
  | { type: 'result'; id: number; payload: ImportResult }
  | { type: 'error'; id: number; payload: { message: string } };

/** Papers per part message, with their passages (and the vectors that came with them). */
const PART_PAPERS = 100;

/**
 * The result's papers, passages and vectors in parts of PART_PAPERS papers: the page reads each
 * message in one task (5,000 papers with their passages in one message were one 0.3 s+ task; 250 with an export's
 * vectors, ~60 ms at load 12 on 2 cores).
 */
export function* resultParts(result: ImportPart): Generator<ImportPart> {
  const { papers, chunks, vectors } = result;
  let c = 0;
  let v = 0;
  for (let at = 0; at < papers.length; at += PART_PAPERS) {
    const part = papers.slice(at, at + PART_PAPERS);
    const ids = new Set(part.map((p) => p.id));
    const c0 = c;
    while (c < chunks.length && ids.has(chunks[c].paperId)) c++;
    const chunkIds = new Set(chunks.slice(c0, c).map((x) => x.id));
    const v0 = v;
    while (v < vectors.length && chunkIds.has(vectors[v].chunkId)) v++;
    yield { papers: part, chunks: chunks.slice(c0, c), vectors: vectors.slice(v0, v) };
  }
  // whatever is not next to its paper (the pipeline keeps them in order) goes in a last part
  if (c < chunks.length || v < vectors.length) yield { papers: [], chunks: chunks.slice(c), vectors: vectors.slice(v) };
}

/** The parts (and the result's own arrays, last) as one result again. */
export function joinParts(parts: ImportPart[], result: ImportResult): ImportResult {
  const all = [...parts, result];
  return { ...result, papers: all.flatMap((p) => p.papers), chunks: all.flatMap((p) => p.chunks), vectors: all.flatMap((p) => p.vectors) };
}
