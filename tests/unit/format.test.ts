/**
 * Format 2: the build's shards read back to the same corpus; content-defined boundaries keep
 * unchanged shards byte-identical when papers are added; int8 vectors stay within the recorded
 * error; every kind of damaged file is refused with its name.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCorpus } from '../../src/corpus/build';
import { sha256Hex } from '../../src/corpus/hash';
import { readCorpusFolder } from '../../src/corpus/node-io';
import type { CorpusData, Paper } from '../../src/corpus/types';
import { parseManifest, vectorMismatch, type ShardedManifest } from '../../src/format/manifest';
import { readCorpusDir, writeCorpusDir } from '../../src/format/node';
import { planShards } from '../../src/format/plan';
import { cosine, dequantiseRow, quantiseInt8 } from '../../src/format/quantise';
import { verifyFile } from '../../src/format/read';
import { decodeTextShard, encodeTextShard } from '../../src/format/text-shard';
import { decodeVectorShard, encodeVectorShard } from '../../src/format/vector-shard';
import { writeShardedCorpus, type ShippedVectors } from '../../src/format/write';
import { SEEDS } from '../fixtures/corpus/helpers';

const tmp = mkdtempSync(join(tmpdir(), 'paperscope-format-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A synthetic corpus of n papers with 1–3 passages each. */
function synthetic(n: number, offset = 0): CorpusData {
  const papers: Paper[] = [];
  const chunks: CorpusData['chunks'] = [];
  for (let i = offset; i < offset + n; i++) {
    const sentences = Array.from({ length: 1 + (i % 3) }, (_, k) => `Sentence ${k} of paper ${i} about topic ${i % 17}.`);
    const abstract = sentences.join(' ');
    const id = `p${i}`;
    papers.push({ id, title: `Paper ${i}`, titleDerived: false, abstract, source: { file: 'x.jsonl', line: i + 1 } });
    let at = 0;
    sentences.forEach((s, k) => {
      chunks.push({ id: `${id}#${k}`, paperId: id, index: k, text: s, start: at, end: at + s.length, hash: sha256Hex(s) });
      at += s.length + 1;
    });
  }
  return { chunker: { version: 'test', maxTokens: 254, overlapSentences: 0 }, papers, chunks };
}

function randomVectors(rows: number, dims: number, seed = 1): Float32Array {
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const flat = new Float32Array(rows * dims);
  for (let r = 0; r < rows; r++) {
    let n = 0;
    for (let j = 0; j < dims; j++) n += (flat[r * dims + j] = rnd()) ** 2;
    for (let j = 0; j < dims; j++) flat[r * dims + j] /= Math.sqrt(n);
  }
  return flat;
}

const INFO: ShippedVectors['info'] = {
  model: { fingerprint: 'm|q8|abc|mean|||256', id: 'm', dtype: 'q8', weightsSha256: 'abc', pooling: 'mean', queryPrefix: '', passagePrefix: '', maxTokens: 256 },
  passageMode: 'title+chunk',
  keyVersion: 'test+title+chunk',
};

describe('format 2 round trip', () => {
  it('the seeds read back as the same papers and passages, and the text shard is smaller than format 1', async () => {
    const { data } = buildCorpus(await readCorpusFolder(SEEDS));
    const out = join(tmp, 'seeds');
    const written = writeShardedCorpus(data, 'seeds');
    await writeCorpusDir(out, written);
    const back = await readCorpusDir(out);
    expect(back.data.papers).toEqual(data.papers);
    expect(back.data.chunks).toEqual(data.chunks);
    const format1 = JSON.stringify({ chunker: data.chunker, papers: data.papers, chunks: data.chunks }).length;
    const shardBytes = written.files.reduce((n, f) => n + f.bytes.length, 0);
    expect(shardBytes).toBeLessThan(format1 * 0.6);
  });

  it.each([[8, 0.999, 0.27], [4, 0.99, 0.14]] as const)('int%i vectors come back within the error the manifest records', async (bits, floor, share) => {
    const data = synthetic(300);
    const flat = randomVectors(data.chunks.length, 384);
    const out = join(tmp, `vec${bits}`);
    const written = writeShardedCorpus(data, 'syn', { flat, info: INFO, bits }, { target: 64 });
    expect(written.manifest.vectors!.quantisation.kind).toBe(`int${bits}`);
    expect(written.manifest.shards.length).toBeGreaterThan(2);
    await writeCorpusDir(out, written);
    const back = await readCorpusDir(out, { vectors: true });
    const rows = back.vectors!.flatMap((b) => Array.from({ length: b.count }, (_, r) => dequantiseRow(b, r)));
    expect(rows).toHaveLength(data.chunks.length);
    let min = 1;
    rows.forEach((v, r) => (min = Math.min(min, cosine(v, flat.subarray(r * 384, (r + 1) * 384)))));
    expect(min).toBeGreaterThanOrEqual(written.manifest.vectors!.error.minCosine - 1e-6);
    expect(written.manifest.vectors!.error.minCosine).toBeGreaterThan(floor);
    // int8: about a quarter of float32, int4 an eighth (plus a scale per vector)
    const vbytes = written.files.filter((f) => f.path.startsWith('shards/v.')).reduce((n, f) => n + f.bytes.length, 0);
    expect(vbytes).toBeLessThan(flat.byteLength * share);
  });
});

describe('text shard layout: a JSON line, then the abstracts as UTF-8', () => {
  const abstracts = ['Plain ASCII abstract. Two sentences.', 'École, café naïve — “quoted” ’s, 中文摘要, emoji 🎧 and math α≤β.', 'Short.', 'Ends with a newline\nand has one inside.\n'];
  const papers: Paper[] = abstracts.map((abstract, i) => ({ id: `x${i}`, title: `T${i}`, titleDerived: false, abstract, source: { file: 'x', line: i + 1 } }));
  const chunksOf = (p: Paper) => [{ id: `${p.id}#0`, paperId: p.id, index: 0, text: p.abstract, start: 0, end: p.abstract.length, hash: '' }];
  const bytes = encodeTextShard(papers, chunksOf);
  const expectOf = { papers: papers.length, passages: 4, name: 'shards/p.x.txt' };
  const utf8 = new TextEncoder();

  it('reads back every abstract exactly (any script, newlines inside), the passages as offsets into it', () => {
    const back = decodeTextShard(bytes, expectOf, () => '');
    expect(back.papers.map((p) => p.abstract)).toEqual(abstracts);
    expect(back.papers.map(({ abstract: _, ...rest }) => rest)).toEqual(papers.map(({ abstract: _, ...rest }) => rest));
    expect(back.chunks.map((c) => c.text)).toEqual(abstracts);
    // the abstracts are not in the JSON line: only after it, as they are
    const newline = bytes.indexOf(0x0a);
    expect(new TextDecoder().decode(bytes.subarray(0, newline))).not.toContain('Plain ASCII');
    expect(new TextDecoder().decode(bytes.subarray(newline + 1))).toBe(abstracts.join(''));
  });

  it('a shard that is all JSON (the layout before) still reads', () => {
    const spans = papers.map((p) => chunksOf(p).flatMap((c) => [c.start, c.end]));
    const old = utf8.encode(`${JSON.stringify({ format: 2, papers, spans })}\n`);
    expect(decodeTextShard(old, expectOf, () => '').papers.map((p) => p.abstract)).toEqual(abstracts);
  });

  it('a truncated, padded or miscut file is refused with its name', () => {
    expect(() => decodeTextShard(bytes.subarray(0, bytes.length - 3), expectOf, () => '')).toThrow(/shards\/p\.x\.txt: the abstract of paper 3 runs past the end/);
    const padded = new Uint8Array(bytes.length + 2);
    padded.set(bytes);
    expect(() => decodeTextShard(padded, expectOf, () => '')).toThrow(/shards\/p\.x\.txt: 2 bytes after the last abstract/);
    // lengths that cut a character in two: the second paper's "É" starts in the first paper's bytes
    const newline = bytes.indexOf(0x0a);
    const head = JSON.parse(new TextDecoder().decode(bytes.subarray(0, newline)));
    head.abstractBytes[0] += 1;
    head.abstractBytes[1] -= 1;
    const miscut = new Uint8Array([...utf8.encode(JSON.stringify(head)), 0x0a, ...bytes.subarray(newline + 1)]);
    expect(() => decodeTextShard(miscut, expectOf, () => '')).toThrow(/shards\/p\.x\.txt: the abstract of paper 0 is not valid UTF-8/);
  });
});

describe('content-defined shards', () => {
  it('adding papers at the end or in the middle rewrites only the shards around them', () => {
    const base = synthetic(3000);
    const before = writeShardedCorpus(base, 's', undefined, { target: 128 });
    const grown = synthetic(3000);
    const extra = synthetic(5, 90_000);
    // five new papers in the middle, five at the end
    grown.papers.splice(1500, 0, ...extra.papers);
    grown.papers.push(...synthetic(5, 95_000).papers);
    grown.chunks = [...grown.papers.flatMap((p) => [...base.chunks, ...extra.chunks, ...synthetic(5, 95_000).chunks].filter((c) => c.paperId === p.id))];
    const after = writeShardedCorpus(grown, 's', undefined, { target: 128 });
    const old = new Set(before.files.map((f) => f.path));
    const changed = after.files.filter((f) => !old.has(f.path));
    expect(before.files.length).toBeGreaterThan(10);
    expect(changed.length).toBeLessThanOrEqual(3);
  });

  it('boundaries are bounded: no shard above 4x the target, none empty', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `id${i}`);
    const plan = planShards(ids, { target: 100 });
    expect(plan[0][0]).toBe(0);
    expect(plan.at(-1)![1]).toBe(ids.length);
    for (const [a, b] of plan) expect(b - a).toBeGreaterThan(0);
    for (const [a, b] of plan) expect(b - a).toBeLessThanOrEqual(400);
  });
});

describe('damaged files are refused, with their name', () => {
  const data = synthetic(40);
  const flat = randomVectors(data.chunks.length, 384, 7);
  const written = writeShardedCorpus(data, 'syn', { flat, info: INFO });
  const shard = written.manifest.shards[0];
  const vbytes = written.files.find((f) => f.path === shard.vectors!.file)!.bytes;

  it('a truncated or altered file fails its sha256/size check', async () => {
    await expect(verifyFile(vbytes.subarray(0, vbytes.length - 10), shard.vectors!)).rejects.toThrow(/truncated/);
    const altered = vbytes.slice();
    altered[100] ^= 1;
    await expect(verifyFile(altered, shard.vectors!)).rejects.toThrow(new RegExp(`${shard.vectors!.file.replace('.', '\\.')}.*sha256`));
    await expect(verifyFile(vbytes, shard.vectors!)).resolves.toBeUndefined();
  });

  it('a vector block of the wrong length, count or with a NaN scale is refused', () => {
    const expect0 = { dims: 384, count: shard.passages, bits: 4 as const, name: 'v.bin' };
    expect(() => decodeVectorShard(vbytes, { ...expect0, bits: 8 })).toThrow(/int4 vectors, the manifest says int8/);
    expect(() => decodeVectorShard(vbytes.subarray(0, vbytes.length - 192), expect0)).toThrow(/v\.bin: .*bytes, expected/);
    expect(() => decodeVectorShard(vbytes, { ...expect0, count: shard.passages + 1 })).toThrow(/v\.bin: \d+ vectors, the manifest says/);
    expect(() => decodeVectorShard(vbytes, { ...expect0, dims: 768 })).toThrow(/384 dimensions, the manifest says 768/);
    const nan = vbytes.slice();
    new DataView(nan.buffer).setFloat32(32 + 4 * 3, Number.NaN, true);
    expect(() => decodeVectorShard(nan, expect0)).toThrow(/vector 3 has an invalid scale/);
    expect(() => decodeVectorShard(new Uint8Array(64), expect0)).toThrow(/bad magic/);
  });

  it('a missing shard file on disk is named', async () => {
    const out = join(tmp, 'missing');
    await writeCorpusDir(out, written);
    rmSync(join(out, shard.text.file));
    await expect(readCorpusDir(out)).rejects.toThrow(/p\.[0-9a-f]{16}\.txt/);
  });

  it('a manifest of another format, with unsafe names or inconsistent counts is refused', () => {
    const m = JSON.parse(new TextDecoder().decode(written.manifestBytes)) as ShardedManifest;
    expect(() => parseManifest({ ...m, format: 1 }, 'm.json')).toThrow(/m\.json: corpus format 1, this app reads format 2/);
    expect(() => parseManifest({ ...m, papers: m.papers + 1 }, 'm.json')).toThrow(/shards hold/);
    const unsafe = structuredClone(m);
    unsafe.shards[0].text.file = '../../etc/passwd';
    expect(() => parseManifest(unsafe, 'm.json')).toThrow(/unsafe file name/);
    expect(parseManifest(m, 'm.json').shards).toHaveLength(m.shards.length);
  });

  it('vectors of another model, weights or passage text are not used, and the reason is named', () => {
    const v = written.manifest.vectors!;
    expect(vectorMismatch(v, INFO.model.fingerprint, 384, INFO.keyVersion)).toBeNull();
    expect(vectorMismatch(v, 'other|q8|abc|mean|||256', 384, INFO.keyVersion)).toMatch(/model m, this page runs other/);
    expect(vectorMismatch(v, 'm|fp32|abc|mean|||256', 384, INFO.keyVersion)).toMatch(/dtype q8, this page runs fp32/);
    expect(vectorMismatch(v, 'm|q8|def|mean|||256', 384, INFO.keyVersion)).toMatch(/weights sha256/);
    expect(vectorMismatch(v, INFO.model.fingerprint, 384, 'other+chunk')).toMatch(/embed passages as/);
  });
});

describe('writing a corpus folder', () => {
  it('keeps unchanged shard files, adds new ones and removes what no manifest names', async () => {
    const out = join(tmp, 'update');
    const first = writeShardedCorpus(synthetic(2000), 's', undefined, { target: 128 });
    const r1 = await writeCorpusDir(out, first);
    expect(r1.written.length).toBe(first.files.length);
    const grown = synthetic(2010);
    const second = writeShardedCorpus(grown, 's', undefined, { target: 128 });
    const r2 = await writeCorpusDir(out, second);
    expect(r2.kept.length).toBeGreaterThanOrEqual(first.files.length - 1);
    expect(r2.written.length).toBeLessThanOrEqual(2);
    expect(readdirSync(join(out, 'shards')).sort()).toEqual(second.files.map((f) => f.path.slice('shards/'.length)).sort());
    expect(readdirSync(out).filter((n) => n.includes('.tmp-'))).toEqual([]);
    writeFileSync(join(out, 'corpus.0123456789abcdef.json'), '{}'); // a format-1 leftover
    const r3 = await writeCorpusDir(out, second);
    expect(r3.removed).toContain('corpus.0123456789abcdef.json');
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).hash).toBe(second.manifest.hash);
  });

  it('int8 codes encode and decode losslessly', () => {
    const block = quantiseInt8(randomVectors(5, 32, 3), 32);
    const back = decodeVectorShard(encodeVectorShard(block), { dims: 32, count: 5, bits: 8, name: 'x' });
    expect(Array.from(back.codes)).toEqual(Array.from(block.codes));
    expect(Array.from(back.scales)).toEqual(Array.from(block.scales));
  });
});
