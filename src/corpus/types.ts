/** Shared corpus types: what the build writes and the app, eval and bench read. */

export interface SourceRef {
  /** Path of the source file relative to the corpus folder (or as given). */
  file: string;
  /** 1-based line where the paper's text starts. */
  line: number;
}

export interface Paper {
  /** Stable id: arXiv id or BEIR _id when known, else a hash of the normalised abstract. */
  id: string;
  /** The title, or a short label derived from the abstract when the source has none. */
  title: string;
  titleDerived: boolean;
  abstract: string;
  /** Author list as the source gives it (one display string), when it does. */
  authors?: string;
  arxivId?: string;
  url?: string;
  /** Comment / venue line (e.g. "Accepted by Interspeech 2023"). */
  comment?: string;
  codeUrl?: string;
  categories?: string[];
  source: SourceRef;
  /** Other places the same paper was found (merged duplicates). */
  alsoIn?: SourceRef[];
}

export interface Chunk {
  /** `${paperId}#${index}` */
  id: string;
  paperId: string;
  index: number;
  text: string;
  /** Character offsets into the paper's abstract: abstract.slice(start, end) === text. */
  start: number;
  end: number;
  /** sha256 (hex) of the chunk text, used in cache keys. */
  hash: string;
}

export interface ChunkerSettings {
  version: string;
  maxTokens: number;
  overlapSentences: number;
}

/** The content-hashed corpus file: public/corpus/corpus.<hash>.json */
export interface CorpusData {
  chunker: ChunkerSettings;
  papers: Paper[];
  chunks: Chunk[];
}

/** public/corpus/manifest.json: the small file the app reads first. */
export interface CorpusManifest {
  format: 1;
  /** File name of the corpus data, relative to the manifest. */
  file: string;
  /** sha256 of the corpus data file. */
  hash: string;
  bytes: number;
  papers: number;
  chunks: number;
  chunker: ChunkerSettings;
  /** Source folder name (no absolute paths: the output is deterministic). */
  source: string;
}
