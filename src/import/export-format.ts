/**
 * A collection exported as one JSON file: its papers, their passages and vectors, and the model
 * fingerprint the vectors belong to. Importing the file again (here or in another browser) uses
 * the vectors as they are when the page's model has the same fingerprint, and embeds the
 * passages again when it does not. Light: the page writes it, the import worker reads it.
 */
import type { Chunk, ChunkerSettings } from '../corpus/types';
import type { Paper } from '../corpus/types';

export const EXPORT_FORMAT = 'paperscope-collection';
export const EXPORT_VERSION = 1;

export interface CollectionExport {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  name: string;
  exported: string;
  /** modelFingerprint() of the vectors (src/embed/model-info.ts) */
  model: string;
  dims: number;
  chunker: ChunkerSettings;
  papers: (Paper & { abstractKey?: string })[];
  chunks: Chunk[];
  /** one per chunk, in order: little-endian float32, base64; null where the passage had no vector yet */
  vectors: (string | null)[];
}

export function encodeVector(v: Float32Array): string {
  const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function decodeVector(text: string, dims: number): Float32Array | null {
  let bin: string;
  try {
    bin = atob(text);
  } catch {
    return null;
  }
  if (bin.length !== dims * 4) return null;
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

/** Cheap test before JSON.parse: an export starts with its format tag. */
export function looksLikeExport(bytes: Uint8Array): boolean {
  const head = new TextDecoder().decode(bytes.subarray(0, 200));
  return /^\s*\{\s*"format"\s*:\s*"paperscope-collection"/.test(head);
}

/** The export in `bytes`, or why it cannot be read. */
export function readExport(bytes: Uint8Array, file: string): CollectionExport | { problem: string } {
  let v: Partial<CollectionExport>;
  try {
    v = JSON.parse(new TextDecoder().decode(bytes)) as Partial<CollectionExport>;
  } catch (err) {
    return { problem: `${file}: a Paperscope collection export that is not valid JSON (${(err as Error).message}); export the collection again` };
  }
  if (v.version !== EXPORT_VERSION) return { problem: `${file}: collection export version ${String(v.version)}, this page reads version ${EXPORT_VERSION}` };
  if (!Array.isArray(v.papers) || !Array.isArray(v.chunks) || !Array.isArray(v.vectors) || v.vectors.length !== v.chunks.length || typeof v.model !== 'string' || !Number.isInteger(v.dims)) {
    return { problem: `${file}: the collection export lacks papers, chunks, vectors or the model; export the collection again` };
  }
  return v as CollectionExport;
}
