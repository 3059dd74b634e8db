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
  /** Authors in source order, each "First Last" (LaTeX decoded), when the source names them. */
  authors?: string[];
  /** ISO 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD', only as precise as the source (arXiv rows: the listing date). */
  date?: string;
  /** The year of `date`. */
  year?: number;
  /** Journal, proceedings or container title as the source gives it. */
  venue?: string;
  /** Lower case, without "https://doi.org/". */
  doi?: string;
  /** arXiv id without its version ("2309.16671"). */
  arxivId?: string;
  /** The source's link to the paper, else the arXiv abstract page when the arXiv id is known. */
  url?: string;
  /** Comment / venue line (e.g. "Accepted by Interspeech 2023"). */
  comment?: string;
  codeUrl?: string;
  /** arXiv categories, primary first (names outside the arXiv taxonomy are kept and reported). */
  categories?: string[];
  /** Keywords / subject terms the source gives (BibTeX keywords, RIS KW, CSL keyword, …). */
  keywords?: string[];
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

/** A whole corpus in memory (on disk and on the wire it is format 2: src/format/). */
export interface CorpusData {
  chunker: ChunkerSettings;
  papers: Paper[];
  chunks: Chunk[];
}

