/**
 * The text shard: the papers of one shard and their passages as offsets into each abstract
 * (a passage's text is abstract.slice(start, end): never stored twice). Pure (Node + browser).
 *
 * One line of JSON (the papers without their abstracts, the passage offsets, each abstract's
 * length in UTF-8 bytes), a newline, then the abstracts' UTF-8 bytes one after the other. Text, so
 * it compresses as well as JSON; the abstracts (80% of the bytes) are never run through
 * JSON.parse: each is one TextDecoder call on its bytes, 3-5x faster on arXiv abstracts, which is
 * most of reading a 75,000-paper corpus back on a returning visit. A shard that is all JSON (its
 * papers carrying their abstracts, no `abstractBytes`: builds before this layout) still reads.
 */
import type { Chunk, Paper } from '../corpus/types';
import { ShardFormatError } from './vector-shard';

export interface TextShard {
  format: 2;
  /** without `abstract` when `abstractBytes` is there (the abstracts follow the JSON line) */
  papers: Paper[];
  /** per paper: [start0, end0, start1, end1, …] offsets of its passages into its abstract */
  spans: number[][];
  /** per paper: its abstract's length in UTF-8 bytes, in the bytes after the JSON line */
  abstractBytes?: number[];
}

export function encodeTextShard(papers: readonly Paper[], chunksOf: (paper: Paper) => readonly Chunk[]): Uint8Array {
  const utf8 = new TextEncoder();
  const spans = papers.map((p) => chunksOf(p).flatMap((c) => [c.start, c.end]));
  const abstracts = papers.map((p) => utf8.encode(p.abstract));
  const meta = papers.map(({ abstract: _, ...rest }) => rest);
  const head = utf8.encode(`${JSON.stringify({ format: 2, papers: meta, spans, abstractBytes: abstracts.map((a) => a.length) })}\n`);
  const out = new Uint8Array(head.length + abstracts.reduce((n, a) => n + a.length, 0));
  out.set(head, 0);
  let at = head.length;
  for (const a of abstracts) {
    out.set(a, at);
    at += a.length;
  }
  return out;
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
  const raw = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const newline = raw.indexOf(0x0a);
  const headEnd = newline < 0 ? raw.length : newline;
  let shard: TextShard;
  try {
    shard = JSON.parse(utf8.decode(raw.subarray(0, headEnd))) as TextShard;
  } catch (err) {
    throw new ShardFormatError(`${name}: not a valid text shard (${(err as Error).message})`);
  }
  if (!shard || shard.format !== 2 || !Array.isArray(shard.papers) || !Array.isArray(shard.spans) || shard.spans.length !== shard.papers.length) {
    throw new ShardFormatError(`${name}: not a format-2 text shard`);
  }
  if (shard.papers.length !== expect.papers) throw new ShardFormatError(`${name}: ${shard.papers.length} papers, the manifest says ${expect.papers}`);
  const lengths = shard.abstractBytes;
  if (lengths !== undefined) {
    if (!Array.isArray(lengths) || lengths.length !== shard.papers.length) throw new ShardFormatError(`${name}: ${Array.isArray(lengths) ? lengths.length : 'no'} abstract lengths for ${shard.papers.length} papers`);
    let at = headEnd + 1;
    const end = raw.length;
    shard.papers.forEach((p, i) => {
      const n = lengths[i];
      if (!Number.isInteger(n) || n < 0 || at + n > end) throw new ShardFormatError(`${name}: the abstract of paper ${i} runs past the end of the file (truncated?)`);
      if (p && typeof p === 'object') {
        try {
          p.abstract = utf8.decode(raw.subarray(at, at + n));
        } catch {
          throw new ShardFormatError(`${name}: the abstract of paper ${i} is not valid UTF-8`);
        }
      }
      at += n;
    });
    if (at !== end) throw new ShardFormatError(`${name}: ${end - at} bytes after the last abstract (not this build's file)`);
  } else if (newline >= 0 && raw.subarray(newline + 1).some((b) => b !== 0x0a && b !== 0x0d && b !== 0x20)) {
    throw new ShardFormatError(`${name}: text after the shard's JSON, but no abstract lengths`);
  }
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
