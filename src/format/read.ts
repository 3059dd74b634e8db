/**
 * Reading format 2 (Node + browser): verify a shard file against its manifest entry, decode it,
 * and assemble shards into the corpus the search engine takes. Fetching and caching are the
 * caller's (the page: src/store/shard-cache.ts; Node: src/format/node.ts).
 */
import type { Chunk, CorpusData, Paper } from '../corpus/types';
import { codeBits, type FileRef, type ShardEntry, type ShardedManifest } from './manifest';
import type { QuantisedBlock } from './quantise';
import { decodeLexicalShard, type LexicalSegmentData } from './lexical-shard';
import { decodeTextShard } from './text-shard';
import { decodeVectorShard, ShardFormatError } from './vector-shard';

export async function sha256HexAsync(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/** Throws a ShardFormatError naming the file when its size or sha256 differ from the manifest's. */
export async function verifyFile(bytes: Uint8Array, ref: FileRef): Promise<void> {
  if (bytes.length !== ref.bytes) {
    throw new ShardFormatError(`${ref.file}: ${bytes.length} bytes, the manifest says ${ref.bytes} (${bytes.length < ref.bytes ? 'truncated' : 'not this build\'s file'})`);
  }
  const sha = await sha256HexAsync(bytes);
  if (sha !== ref.sha256) throw new ShardFormatError(`${ref.file}: sha256 ${sha.slice(0, 12)}… does not match the manifest's ${ref.sha256.slice(0, 12)}… (damaged, or from another deployment)`);
}

export interface TextPart {
  papers: Paper[];
  chunks: Chunk[];
}

export function decodeText(bytes: Uint8Array, shard: ShardEntry, hash: (text: string) => string): TextPart {
  return decodeTextShard(bytes, { papers: shard.papers, passages: shard.passages, name: shard.text.file }, hash);
}

export function decodeVectors(bytes: Uint8Array, shard: ShardEntry, manifest: ShardedManifest): QuantisedBlock {
  if (!shard.vectors || !manifest.vectors) throw new ShardFormatError(`${shard.text.file}: this corpus ships no vectors`);
  return decodeVectorShard(bytes, { dims: manifest.vectors.quantisation.dims, count: shard.passages, bits: codeBits(manifest.vectors), name: shard.vectors.file });
}

export function decodeLexical(bytes: Uint8Array, shard: ShardEntry): LexicalSegmentData {
  if (!shard.lexical) throw new ShardFormatError(`${shard.text.file}: this corpus ships no keyword index`);
  return decodeLexicalShard(bytes, { docs: shard.papers, name: shard.lexical.file });
}

/** First passage row (in corpus order) of every shard. */
export function shardOffsets(manifest: ShardedManifest): { paper: number; passage: number }[] {
  let paper = 0;
  let passage = 0;
  return manifest.shards.map((s) => {
    const at = { paper, passage };
    paper += s.papers;
    passage += s.passages;
    return at;
  });
}

/** The corpus from all its text shards, in manifest order. */
export function assembleCorpus(manifest: ShardedManifest, parts: readonly TextPart[]): CorpusData {
  if (parts.length !== manifest.shards.length) throw new ShardFormatError(`assembleCorpus: ${parts.length} text shards, the manifest names ${manifest.shards.length}`);
  const papers: Paper[] = [];
  const chunks: Chunk[] = [];
  for (const part of parts) {
    for (const p of part.papers) papers.push(p);
    for (const c of part.chunks) chunks.push(c);
  }
  return { chunker: manifest.chunker, papers, chunks };
}
