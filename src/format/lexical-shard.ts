/**
 * The lexical shard (`shards/l.<sha16>.bin`): the BM25 keyword index of one shard's papers, built
 * by the Node build so the page does not tokenise tens of thousands of abstracts itself. Pure
 * (Node + browser). The in-memory form, LexicalSegmentData, is also what the page builds for
 * papers it indexes itself (imports, corpora without this file): one layout, one scorer.
 *
 * A segment holds its own dictionary: the terms it contains, UTF-8, sorted bytewise. A query term
 * is found by binary search in each segment; document frequencies add up over segments at query
 * time. So shards stay independent (adding papers changes only their shard's file) and loading
 * is decoding varints into typed arrays, no string per term.
 *
 *   bytes 0..3   "PSL1"
 *   4..7         u32 LE version (1)
 *   8..11        u32 documents
 *   12..15       u32 terms
 *   16..19       u32 postings
 *   20..23       u32 bytes of the term dictionary
 *   24..31       reserved (0)
 *   then LEB128 varints: each document's length (terms counted), each term's byte length,
 *   the term bytes (raw), each term's posting count, every posting's document (delta from the
 *   previous posting of the same term; the first absolute), every posting's term frequency.
 * Separate streams keep alike numbers together (term frequencies are mostly 1), which brotli
 * and gzip compress well.
 */
import { ShardFormatError } from './vector-shard';

export interface LexicalSegmentData {
  /** documents in the segment (local indices 0..count-1) */
  count: number;
  /** terms counted per document (BM25 length) */
  lengths: Int32Array;
  /** the segment's terms, UTF-8, sorted bytewise, concatenated */
  termBytes: Uint8Array;
  /** term i is termBytes[termStart[i], termStart[i+1]) */
  termStart: Uint32Array;
  /** postings of term i: [offsets[i], offsets[i+1]) */
  offsets: Uint32Array;
  /** local document index of each posting, ascending within a term */
  docs: Uint16Array;
  /** term frequency of each posting */
  tfs: Uint16Array;
}

const MAGIC = [0x50, 0x53, 0x4c, 0x31]; // "PSL1"
const VERSION = 1;
const HEADER = 32;
/** Documents per segment: local indices are u16. */
export const MAX_SEGMENT_DOCS = 65535;

export function encodeLexicalShard(seg: LexicalSegmentData): Uint8Array {
  const terms = seg.termStart.length - 1;
  const postings = seg.docs.length;
  const out = new VarintWriter(HEADER + seg.termBytes.length + seg.count * 2 + terms * 3 + postings * 3);
  out.bytes.set(MAGIC, 0);
  const view = new DataView(out.bytes.buffer);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, seg.count, true);
  view.setUint32(12, terms, true);
  view.setUint32(16, postings, true);
  view.setUint32(20, seg.termBytes.length, true);
  out.at = HEADER;
  for (let d = 0; d < seg.count; d++) out.varint(seg.lengths[d]);
  for (let t = 0; t < terms; t++) out.varint(seg.termStart[t + 1] - seg.termStart[t]);
  out.raw(seg.termBytes);
  for (let t = 0; t < terms; t++) out.varint(seg.offsets[t + 1] - seg.offsets[t]);
  for (let t = 0; t < terms; t++) {
    let prev = 0;
    for (let p = seg.offsets[t]; p < seg.offsets[t + 1]; p++) {
      out.varint(seg.docs[p] - prev);
      prev = seg.docs[p];
    }
  }
  for (let p = 0; p < postings; p++) out.varint(seg.tfs[p]);
  return out.bytes.slice(0, out.at);
}

/** Decodes and checks a lexical shard; `expect.docs` is the manifest's paper count for it. */
export function decodeLexicalShard(bytes: Uint8Array, expect: { docs: number; name: string }): LexicalSegmentData {
  const { name } = expect;
  const bad = (what: string) => new ShardFormatError(`${name}: ${what}`);
  if (bytes.length < HEADER || MAGIC.some((b, i) => bytes[i] !== b)) throw bad('not a lexical shard (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== VERSION) throw bad(`lexical shard version ${version}, this app reads ${VERSION}`);
  const count = view.getUint32(8, true);
  const terms = view.getUint32(12, true);
  const postings = view.getUint32(16, true);
  const dictBytes = view.getUint32(20, true);
  if (count !== expect.docs) throw bad(`${count} documents, the manifest says ${expect.docs}`);
  if (count > MAX_SEGMENT_DOCS) throw bad(`${count} documents, at most ${MAX_SEGMENT_DOCS} per shard`);
  // every number takes at least one byte: a header claiming more than the file holds is damage
  if (count + terms * 2 + dictBytes + postings * 2 > bytes.length - HEADER) throw bad('shorter than its header says (truncated?)');
  // one pass over the varints, the one-byte case inlined at each read (~25 MB of them at 75k
  // papers): decoding the arXiv set's 29 shards took 176 ms this way vs 235 ms through a read() closure
  // (medians of 8 alternating, Node)
  const end = bytes.length;
  let at = HEADER;
  let v = 0;
  const next = (): number => {
    let x = 0;
    let shift = 0;
    for (;;) {
      if (at >= end) throw bad('ends inside a number (truncated?)');
      const byte = bytes[at++];
      if (byte < 0x80) return x + byte * 2 ** shift;
      x += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (shift > 28) throw bad('a number longer than 32 bits');
    }
  };
  const lengths = new Int32Array(count);
  for (let d = 0; d < count; d++) lengths[d] = (v = bytes[at]) < 0x80 && at < end ? (at++, v) : next();
  const termStart = new Uint32Array(terms + 1);
  for (let t = 0; t < terms; t++) termStart[t + 1] = termStart[t] + ((v = bytes[at]) < 0x80 && at < end ? (at++, v) : next());
  if (termStart[terms] !== dictBytes) throw bad(`term lengths add up to ${termStart[terms]} bytes, the header says ${dictBytes}`);
  if (at + dictBytes > end) throw bad('ends inside the term dictionary (truncated?)');
  const termBytes = bytes.slice(at, at + dictBytes);
  at += dictBytes;
  const offsets = new Uint32Array(terms + 1);
  for (let t = 0; t < terms; t++) offsets[t + 1] = offsets[t] + ((v = bytes[at]) < 0x80 && at < end ? (at++, v) : next());
  if (offsets[terms] !== postings) throw bad(`posting counts add up to ${offsets[terms]}, the header says ${postings}`);
  const docs = new Uint16Array(postings);
  for (let t = 0; t < terms; t++) {
    let doc = -1;
    for (let p = offsets[t], stop = offsets[t + 1]; p < stop; p++) {
      const delta = (v = bytes[at]) < 0x80 && at < end ? (at++, v) : next();
      if (delta === 0 && doc >= 0) throw bad(`term ${t} lists a document twice`);
      doc = (doc < 0 ? 0 : doc) + delta;
      if (doc >= count) throw bad(`term ${t} points at document ${doc} of ${count}`);
      docs[p] = doc;
    }
  }
  const tfs = new Uint16Array(postings);
  for (let p = 0; p < postings; p++) {
    const f = (v = bytes[at]) < 0x80 && at < end ? (at++, v) : next();
    if (f === 0 || f > 65535) throw bad(`posting ${p} has term frequency ${f}`);
    tfs[p] = f;
  }
  if (at !== end) throw bad(`${end - at} bytes after the postings`);
  return { count, lengths, termBytes, termStart, offsets, docs, tfs };
}

class VarintWriter {
  bytes: Uint8Array;
  at = 0;
  constructor(capacity: number) {
    this.bytes = new Uint8Array(Math.max(64, capacity));
  }
  private reserve(n: number): void {
    if (this.at + n <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.at + n));
    next.set(this.bytes.subarray(0, this.at));
    this.bytes = next;
  }
  varint(v: number): void {
    this.reserve(5);
    while (v >= 0x80) {
      this.bytes[this.at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.bytes[this.at++] = v;
  }
  raw(b: Uint8Array): void {
    this.reserve(b.length);
    this.bytes.set(b, this.at);
    this.at += b.length;
  }
}
