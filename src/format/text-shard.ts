/**
 * The text shard: the papers of one shard and their passages as offsets into each abstract
 * (a passage's text is abstract.slice(start, end): never stored twice). JSON, so it compresses
 * well and needs no decoder beyond JSON.parse. Pure (Node + browser).
 */
import type { Chunk, Paper } from '../corpus/types';
import { ShardFormatError } from './vector-shard';

export interface TextShard {
  format: 2;
  papers: Paper[];
  /** per paper: [start0, end0, start1, end1, …] offsets of its passages into its abstract */
  spans: number[][];
}

export function encodeTextShard(papers: readonly Paper[], chunksOf: (paper: Paper) => readonly Chunk[]): Uint8Array {
  const spans = papers.map((p) => chunksOf(p).flatMap((c) => [c.start, c.end]));
  return new TextEncoder().encode(`${JSON.stringify({ format: 2, papers, spans })}\n`);
}

/**
 * Parses a text shard into papers and chunks, checking it holds what the manifest says.
 * `hash` gives a chunk's content hash (the vector cache key part); pass () => '' where the
 * vectors are shipped and no browser cache key is needed.
 */
export function decodeTextShard(
  bytes: Uint8Array | string,
  expect: { papers: number; passages: number; name: string },
  hash: (text: string) => string,
): { papers: Paper[]; chunks: Chunk[] } {
  const { name } = expect;
  let shard: TextShard;
  try {
    shard = JSON.parse(typeof bytes === 'string' ? bytes : new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as TextShard;
  } catch (err) {
    throw new ShardFormatError(`${name}: not a valid text shard (${(err as Error).message})`);
  }
  if (!shard || shard.format !== 2 || !Array.isArray(shard.papers) || !Array.isArray(shard.spans) || shard.spans.length !== shard.papers.length) {
    throw new ShardFormatError(`${name}: not a format-2 text shard`);
  }
  if (shard.papers.length !== expect.papers) throw new ShardFormatError(`${name}: ${shard.papers.length} papers, the manifest says ${expect.papers}`);
  const chunks: Chunk[] = [];
  shard.papers.forEach((p, i) => {
    const s = shard.spans[i];
    if (!p || typeof p.id !== 'string' || typeof p.abstract !== 'string' || typeof p.title !== 'string' || !Array.isArray(s) || s.length === 0 || s.length % 2) {
      throw new ShardFormatError(`${name}: paper ${i} is malformed`);
    }
    for (let k = 0; k < s.length; k += 2) {
      const start = s[k];
      const end = s[k + 1];
      if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end <= start || end > p.abstract.length) {
        throw new ShardFormatError(`${name}: passage ${k / 2} of paper "${p.id}" has offsets ${start}..${end} outside its abstract`);
      }
      const text = p.abstract.slice(start, end);
      chunks.push({ id: `${p.id}#${k / 2}`, paperId: p.id, index: k / 2, text, start, end, hash: hash(text) });
    }
  });
  if (chunks.length !== expect.passages) throw new ShardFormatError(`${name}: ${chunks.length} passages, the manifest says ${expect.passages}`);
  return { papers: shard.papers, chunks };
}
