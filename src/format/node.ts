/**
 * Node side of format 2: write a corpus folder (shards first, then the manifest by one rename,
 * then remove what no manifest names) and read one back, verified.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '../corpus/hash';
import type { CorpusData } from '../corpus/types';
import { MANIFEST_FILE, parseManifest, type ShardedManifest } from './manifest';
import type { QuantisedBlock } from './quantise';
import { assembleCorpus, decodeText, decodeVectors, verifyFile } from './read';
import type { WrittenCorpus } from './write';

export interface WriteReport {
  manifestPath: string;
  /** shard files written now (the others were already there, byte-identical) */
  written: string[];
  kept: string[];
  /** files of earlier builds removed after the new manifest took effect */
  removed: string[];
}

/**
 * Writes a corpus into outDir. A reader never sees a half-written corpus: shard names are
 * content hashes (a file is only ever written under its own hash, via a temporary name), the
 * manifest is replaced by one rename, and files of older builds are removed only afterwards.
 */
export async function writeCorpusDir(outDir: string, corpus: WrittenCorpus): Promise<WriteReport> {
  await mkdir(join(outDir, 'shards'), { recursive: true });
  const written: string[] = [];
  const kept: string[] = [];
  for (const f of corpus.files) {
    const path = join(outDir, f.path);
    const existing = await stat(path).catch(() => null);
    if (existing && existing.size === f.bytes.length && sha256Hex(await readFile(path)) === sha256Hex(f.bytes)) {
      kept.push(f.path);
      continue;
    }
    await writeDurably(path, f.bytes);
    written.push(f.path);
  }
  const manifestPath = join(outDir, MANIFEST_FILE);
  await writeDurably(manifestPath, corpus.manifestBytes);
  const named = new Set(corpus.files.map((f) => f.path));
  const removed: string[] = [];
  for (const name of await readdir(join(outDir, 'shards'))) {
    if (!named.has(`shards/${name}`)) {
      await rm(join(outDir, 'shards', name), { force: true });
      removed.push(`shards/${name}`);
    }
  }
  // format 1's single data file
  for (const name of await readdir(outDir)) {
    if (/^corpus\.[0-9a-f]{16}\.json$/.test(name)) {
      await rm(join(outDir, name), { force: true });
      removed.push(name);
    }
  }
  return { manifestPath, written, kept, removed };
}

/** Writes via a temporary file and a rename, so a killed build never leaves a torn file under the final name. */
async function writeDurably(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}

export interface ReadCorpus {
  dir: string;
  manifest: ShardedManifest;
  data: CorpusData;
  /** one block per shard, when the corpus ships vectors and they were asked for */
  vectors: QuantisedBlock[] | null;
}

export async function readManifest(dir: string): Promise<ShardedManifest> {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new Error(`${path} not found: build the corpus first ("npm run build:corpus").`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message}); rebuild with "npm run build:corpus".`);
  }
  return parseManifest(value, path);
}

/** Reads and verifies every shard (sha256 and structure); chunk hashes are computed (cache keys). */
export async function readCorpusDir(dir: string, options: { vectors?: boolean } = {}): Promise<ReadCorpus> {
  const manifest = await readManifest(dir);
  const parts = [];
  const vectors: QuantisedBlock[] = [];
  for (const shard of manifest.shards) {
    const text = new Uint8Array(await readFile(join(dir, shard.text.file)));
    await verifyFile(text, shard.text);
    parts.push(decodeText(text, shard, (t) => sha256Hex(t)));
    if (options.vectors && shard.vectors) {
      const bytes = new Uint8Array(await readFile(join(dir, shard.vectors.file)));
      await verifyFile(bytes, shard.vectors);
      vectors.push(decodeVectors(bytes, shard, manifest));
    }
  }
  return { dir, manifest, data: assembleCorpus(manifest, parts), vectors: options.vectors && manifest.vectors ? vectors : null };
}
