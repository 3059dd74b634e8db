/** The corpus as static files: content-hashed data file + the small manifest the app reads first. */
import { sha256Hex } from './hash.ts';
import type { CorpusData, CorpusManifest } from './types.ts';

export const MANIFEST_FILE = 'manifest.json';
/** Names of data files this build writes (and may remove when replaced). */
export const DATA_FILE_PATTERN = /^corpus\.[0-9a-f]{16}\.json$/;

export interface CorpusFiles {
  dataFile: string;
  dataBytes: Uint8Array;
  manifest: CorpusManifest;
  manifestBytes: Uint8Array;
}

/**
 * Serialise deterministically: objects are built with a fixed key order, no timestamps and no
 * absolute paths, so the same input gives byte-identical files.
 */
export function serializeCorpus(data: CorpusData, source: string): CorpusFiles {
  const encoder = new TextEncoder();
  const dataBytes = encoder.encode(`${JSON.stringify({ chunker: data.chunker, papers: data.papers, chunks: data.chunks })}\n`);
  const hash = sha256Hex(dataBytes);
  const dataFile = `corpus.${hash.slice(0, 16)}.json`;
  const manifest: CorpusManifest = {
    format: 1,
    file: dataFile,
    hash,
    bytes: dataBytes.length,
    papers: data.papers.length,
    chunks: data.chunks.length,
    chunker: data.chunker,
    source,
  };
  const manifestBytes = encoder.encode(`${JSON.stringify(manifest, null, 2)}\n`);
  return { dataFile, dataBytes, manifest, manifestBytes };
}
