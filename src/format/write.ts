/**
 * Corpus → the files of format 2 (manifest + shards). Pure and deterministic: the same corpus
 * (and vectors) give byte-identical files, so unchanged shards keep their names across builds.
 */
import { sha256Hex } from '../corpus/hash';
import type { Chunk, CorpusData, Paper } from '../corpus/types';
import { encodeLexicalShard, type LexicalSegmentData } from './lexical-shard';
import { FORMAT_VERSION, type FileRef, type LexicalInfo, type ShardEntry, type ShardedManifest, type VectorsInfo } from './manifest';
import { planShards, type ShardPlanOptions } from './plan';
import { quantise, quantisationError, type CodeBits } from './quantise';
import { encodeTextShard } from './text-shard';
import { encodeVectorShard } from './vector-shard';

export interface CorpusFile {
  /** relative to the corpus folder, e.g. "shards/p.0123456789abcdef.txt" */
  path: string;
  bytes: Uint8Array;
}

export interface ShippedVectors {
  /** row i = the vector of data.chunks[i] (float32, row-major) */
  flat: Float32Array;
  /** code width (default 4: see DEFAULT_BITS) */
  bits?: CodeBits;
  info: Omit<VectorsInfo, 'error' | 'quantisation'>;
}

/**
 * The keyword index to ship, one segment per shard: the caller's (src/search/bm25.ts makes one),
 * so the format does not depend on how papers are analysed.
 */
export interface ShippedLexical {
  analyzer: LexicalInfo['analyzer'];
  segment(papers: readonly Paper[]): LexicalSegmentData;
}

export interface WrittenCorpus {
  manifest: ShardedManifest;
  manifestBytes: Uint8Array;
  /** every shard file the manifest names */
  files: CorpusFile[];
}

/**
 * int4 by default. SciFact train nDCG@10, dense / hybrid: float32 0.6890 / 0.7299, int8
 * 0.6881 / 0.7302, int4 0.6850 / 0.7338 (99.4% / 100.5% of float32); int4 halves the vector bytes
 * (the arXiv set: 31 MB instead of 63 MB), which a complete offline copy within 80 MB needs.
 */
export const DEFAULT_BITS: CodeBits = 4;

function ref(prefix: 'p' | 'v' | 'l', ext: 'txt' | 'bin', bytes: Uint8Array): { ref: FileRef; file: CorpusFile } {
  const sha256 = sha256Hex(bytes);
  const path = `shards/${prefix}.${sha256.slice(0, 16)}.${ext}`;
  return { ref: { file: path, sha256, bytes: bytes.length }, file: { path, bytes } };
}

export function writeShardedCorpus(data: CorpusData, source: string, vectors?: ShippedVectors, plan?: ShardPlanOptions, lexical?: ShippedLexical): WrittenCorpus {
  const chunksOf = new Map<string, Chunk[]>();
  data.chunks.forEach((c) => {
    let list = chunksOf.get(c.paperId);
    if (!list) chunksOf.set(c.paperId, (list = []));
    list.push(c);
  });
  const rowOf = new Map(data.chunks.map((c, i) => [c, i]));
  const dims = vectors ? vectors.flat.length / data.chunks.length : 0;
  if (vectors && !Number.isInteger(dims)) throw new RangeError(`writeShardedCorpus: ${vectors.flat.length} vector values for ${data.chunks.length} passages.`);

  const files: CorpusFile[] = [];
  const shards: ShardEntry[] = [];
  let minCosine = 1;
  let cosineSum = 0;
  for (const [start, end] of planShards(data.papers.map((p) => p.id), plan)) {
    const papers: Paper[] = data.papers.slice(start, end);
    const chunks = papers.flatMap((p) => chunksOf.get(p.id) ?? []);
    const text = ref('p', 'txt', encodeTextShard(papers, (p) => chunksOf.get(p.id) ?? []));
    files.push(text.file);
    const entry: ShardEntry = { papers: papers.length, passages: chunks.length, text: text.ref };
    if (vectors) {
      const flat = new Float32Array(chunks.length * dims);
      chunks.forEach((c, i) => flat.set(vectors.flat.subarray(rowOf.get(c)! * dims, (rowOf.get(c)! + 1) * dims), i * dims));
      const block = quantise(flat, dims, vectors.bits ?? DEFAULT_BITS);
      const err = quantisationError(flat, block);
      minCosine = Math.min(minCosine, err.minCosine);
      cosineSum += err.meanCosine * chunks.length;
      const v = ref('v', 'bin', encodeVectorShard(block));
      files.push(v.file);
      entry.vectors = v.ref;
    }
    if (lexical) {
      const l = ref('l', 'bin', encodeLexicalShard(lexical.segment(papers)));
      files.push(l.file);
      entry.lexical = l.ref;
    }
    shards.push(entry);
  }
  const vectorsInfo: VectorsInfo | null = vectors
    ? {
        ...vectors.info,
        quantisation: { kind: (vectors.bits ?? DEFAULT_BITS) === 8 ? 'int8' : 'int4', dims, scale: 'per-vector-f32' },
        error: { minCosine: round(minCosine), meanCosine: round(cosineSum / Math.max(1, data.chunks.length)) },
      }
    : null;
  const hash = sha256Hex(JSON.stringify(shards.map((s) => [s.papers, s.passages, s.text.sha256, s.vectors?.sha256 ?? null, ...(s.lexical ? [s.lexical.sha256] : [])])));
  const manifest: ShardedManifest = {
    format: FORMAT_VERSION,
    hash,
    papers: data.papers.length,
    passages: data.chunks.length,
    source,
    chunker: data.chunker,
    vectors: vectorsInfo,
    ...(lexical ? { lexical: { analyzer: lexical.analyzer } } : {}),
    shards,
  };
  return { manifest, manifestBytes: new TextEncoder().encode(`${JSON.stringify(manifest, null, 1)}\n`), files };
}

function round(v: number): number {
  return Math.floor(v * 1e6) / 1e6;
}
