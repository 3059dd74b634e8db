/**
 * The lexical shard (shards/l.<sha16>.bin): the build ships the keyword index so the page need not
 * tokenise the corpus. Shipped segments must score exactly as the page's own index would, and
 * damaged files must be refused with their name.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeLexicalShard, encodeLexicalShard } from '../../src/format/lexical-shard';
import { parseManifest } from '../../src/format/manifest';
import { decodeLexical } from '../../src/format/read';
import { writeShardedCorpus } from '../../src/format/write';
import { buildCorpus } from '../../src/corpus/build';
import type { CorpusData, Paper } from '../../src/corpus/types';
import { analyzerId, Bm25Index, lexicalDoc, shippedLexical } from '../../src/search/bm25';
import type { LexicalDoc } from '../../src/search/lexical';

const rows = readFileSync(new URL('../../../shared/datasets/scifact/corpus.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter(Boolean)
  .slice(0, 1200)
  .map((l) => JSON.parse(l) as { _id: string; title: string; text: string });
const docs: LexicalDoc[] = rows.map((r) => ({ title: r.title, text: r.text }));
const queries = ['vitamin D deficiency and bone density', 'microRNA regulation of tumour growth', 'T cell receptor signalling', 'Ünïcode naïve café façade', 'zebrafish'];

function corpus(): CorpusData {
  const files = [{ path: 'scifact.jsonl', bytes: new TextEncoder().encode(rows.map((r) => JSON.stringify(r)).join('\n')) }];
  return buildCorpus(files, { source: 'scifact', maxTokens: 254 }).data;
}

describe('lexical shards', () => {
  it('a shipped index (encoded, decoded, per shard) gives exactly the scores of the page-built one', () => {
    const data = corpus();
    const written = writeShardedCorpus(data, 'scifact', undefined, { target: 200 }, shippedLexical());
    const manifest = parseManifest(JSON.parse(new TextDecoder().decode(written.manifestBytes)), 'manifest.json');
    expect(manifest.lexical?.analyzer).toBe(analyzerId());
    expect(manifest.shards.length).toBeGreaterThan(3);
    const shipped = new Bm25Index();
    for (const shard of manifest.shards) {
      const file = written.files.find((f) => f.path === shard.lexical!.file)!;
      expect(file.path).toMatch(/^shards\/l\.[0-9a-f]{16}\.bin$/);
      shipped.addSegment(decodeLexical(file.bytes, shard));
    }
    const built = Bm25Index.fromDocs(data.papers.map(lexicalDoc));
    expect(shipped.size).toBe(built.size);
    for (const q of queries) {
      const a = built.scoreAll(q).slice();
      const b = shipped.scoreAll(q);
      expect(Array.from(b)).toEqual(Array.from(a));
      expect(shipped.queryStats(q)).toEqual(built.queryStats(q));
    }
    expect(built.search('zebrafish', 5).length).toBeGreaterThan(0);
  });

  it('non-ASCII terms are found (the dictionary is in UTF-8 byte order)', () => {
    const words = ['zèbre', 'zebra', 'zeta', 'Ωmega', '𝑥-ray', 'ｆｕｌｌwidth', 'ä', 'a', 'éclair', 'eclair'];
    const index = new Bm25Index({ stem: 'none', stopWords: false });
    const seg = index.buildSegment(words.map((w, i) => ({ title: '', text: `${w} common${i}` })));
    const back = new Bm25Index({ stem: 'none', stopWords: false });
    back.addSegment(decodeLexicalShard(encodeLexicalShard(seg), { docs: words.length, name: 'l.test.bin' }));
    for (const [i, w] of words.entries()) {
      const hits = back.search(w);
      expect(hits.map((h) => h.index), w).toContain(i);
    }
  });

  it('adding papers changes only the lexical shards that hold them', () => {
    const data = corpus();
    const before = writeShardedCorpus(data, 's', undefined, { target: 100 }, shippedLexical());
    const extra: Paper[] = data.papers.slice(0, 3).map((p, i) => ({ ...p, id: `new-${i}`, title: `${p.title} (new)` }));
    const more: CorpusData = {
      ...data,
      papers: [...data.papers, ...extra],
      chunks: [...data.chunks, ...extra.map((p) => ({ ...data.chunks.find((c) => c.paperId === data.papers[0].id)!, id: `${p.id}#0`, paperId: p.id }))],
    };
    const after = writeShardedCorpus(more, 's', undefined, { target: 100 }, shippedLexical());
    const lex = (w: typeof before) => new Set(w.manifest.shards.map((s) => s.lexical!.sha256));
    const old = lex(before);
    const changed = [...lex(after)].filter((h) => !old.has(h)).length;
    expect(changed).toBeGreaterThan(0);
    expect(changed).toBeLessThanOrEqual(3);
    expect(after.manifest.shards.length).toBeGreaterThan(8);
  });

  it('damaged lexical shards are refused, naming the file and what is wrong', () => {
    const seg = new Bm25Index().buildSegment(docs.slice(0, 50));
    const good = encodeLexicalShard(seg);
    const name = 'shards/l.0123456789abcdef.bin';
    expect(() => decodeLexicalShard(good, { docs: 50, name })).not.toThrow();
    expect(() => decodeLexicalShard(good, { docs: 51, name })).toThrow(/l\.0123456789abcdef\.bin: 50 documents, the manifest says 51/);
    expect(() => decodeLexicalShard(good.slice(0, good.length - 7), { docs: 50, name })).toThrow(/l\.0123456789abcdef\.bin: .*truncated/);
    const magic = good.slice();
    magic[0] = 0x58;
    expect(() => decodeLexicalShard(magic, { docs: 50, name })).toThrow(/bad magic/);
    const version = good.slice();
    version[4] = 9;
    expect(() => decodeLexicalShard(version, { docs: 50, name })).toThrow(/version 9/);
    const extra = new Uint8Array(good.length + 2);
    extra.set(good);
    expect(() => decodeLexicalShard(extra, { docs: 50, name })).toThrow(/2 bytes after the postings/);
    // a posting pointing past the last document: the last tf stream byte is fine, so break a doc delta
    const counts = good.slice();
    new DataView(counts.buffer).setUint32(16, seg.docs.length + 1, true);
    expect(() => decodeLexicalShard(counts, { docs: 50, name })).toThrow(/posting counts add up to \d+, the header says \d+/);
  });

  it('a manifest that names a lexical shard with an unsafe path, or an index without its analyser, is refused', () => {
    const data = corpus();
    const written = writeShardedCorpus(data, 's', undefined, { target: 400 }, shippedLexical());
    const m = JSON.parse(new TextDecoder().decode(written.manifestBytes));
    expect(() => parseManifest(m, 'manifest.json')).not.toThrow();
    const unsafe = structuredClone(m);
    unsafe.shards[0].lexical.file = '../../etc/passwd';
    expect(() => parseManifest(unsafe, 'manifest.json')).toThrow(/shard 0 keyword index: missing or unsafe file name/);
    const missing = structuredClone(m);
    delete missing.shards[1].lexical;
    expect(() => parseManifest(missing, 'manifest.json')).toThrow(/shard 1 keyword index/);
    const noAnalyzer = structuredClone(m);
    noAnalyzer.lexical = {};
    expect(() => parseManifest(noAnalyzer, 'manifest.json')).toThrow(/keyword index without its analyser/);
  });
});
