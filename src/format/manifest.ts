/**
 * The sharded corpus format (format 2): one small manifest.json naming content-hashed shard
 * files. Pure types and checks (Node + browser). This module, with text-shard.ts and
 * vector-shard.ts, is the one owner of the format: the Node build writes it, the page, the eval
 * and the bench read it.
 *
 *   manifest.json                       changes every build (small; fetched first, never cached long)
 *   shards/p.<sha16>.txt                papers, passage offsets and abstracts of one shard (text-shard.ts; gzip/brotli well)
 *   shards/v.<sha16>.bin                int4/int8 vectors of the same shard's passages (optional)
 *   shards/l.<sha16>.bin                the keyword (BM25) index of the shard's papers (optional)
 *
 * Shard boundaries are content-defined (see plan.ts), so adding or changing papers rewrites only
 * the shards that hold them; every other file keeps its name, and browsers keep their copy.
 */
import type { ChunkerSettings } from '../corpus/types';

export const FORMAT_VERSION = 2;
export const MANIFEST_FILE = 'manifest.json';

export interface FileRef {
  /** path relative to the manifest */
  file: string;
  sha256: string;
  bytes: number;
}

export interface ShardEntry {
  papers: number;
  passages: number;
  text: FileRef;
  /** present when the corpus ships vectors */
  vectors?: FileRef;
  /** present when the corpus ships its keyword index (lexical-shard.ts) */
  lexical?: FileRef;
}

/** How the shipped keyword index was made: a page whose analyser differs builds its own. */
export interface LexicalInfo {
  /** analyzerId() of the build: tokenizer, stop words, stemmer, version */
  analyzer: string;
}

/** Everything that makes a vector what it is: a page whose model differs must not use them. */
export interface ModelFingerprintInfo {
  /** the app's fingerprint string (modelFingerprint(): id|dtype|sha256|pooling|prefixes|max tokens) */
  fingerprint: string;
  id: string;
  dtype: string;
  weightsSha256: string;
  pooling: string;
  queryPrefix: string;
  passagePrefix: string;
  maxTokens: number;
}

export interface VectorsInfo {
  model: ModelFingerprintInfo;
  /** passageText() mode used for the embedded text, e.g. "title+chunk" */
  passageMode: string;
  /** "<chunker version>+<passage mode>": the version part of the browser cache keys */
  keyVersion: string;
  quantisation: { kind: 'int8' | 'int4'; dims: number; scale: 'per-vector-f32' };
  /** cosine between each float vector and its int8 copy, over the whole corpus (build time) */
  error: { minCosine: number; meanCosine: number };
}

export interface ShardedManifest {
  format: 2;
  /** sha256 over the shard list (papers, passages and every file's sha256, in order) */
  hash: string;
  papers: number;
  passages: number;
  /** source name (no absolute paths: the output is deterministic) */
  source: string;
  chunker: ChunkerSettings;
  vectors: VectorsInfo | null;
  /** present when every shard ships its keyword index (absent in corpora built before it) */
  lexical?: LexicalInfo | null;
  shards: ShardEntry[];
}

export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

const SHA = /^[0-9a-f]{64}$/;
/** A shard file's name: its kind (p text, v vectors, l keyword index), 16 hex of its sha256, its extension. */
export const SHARD_NAME = /^[pvl]\.[0-9a-f]{16}\.(json|txt|bin)$/;
const isSafeFile = (file: string): boolean => file.startsWith('shards/') && SHARD_NAME.test(file.slice('shards/'.length));

/** The content type a shard file is served and kept with, by its extension. */
export function shardContentType(file: string): string {
  return file.endsWith('.json') ? 'application/json' : file.endsWith('.txt') ? 'text/plain; charset=utf-8' : 'application/octet-stream';
}

/** Checks a parsed manifest; `where` names it in errors. Returns it typed. */
export function parseManifest(value: unknown, where: string): ShardedManifest {
  const bad = (what: string) => new ManifestError(`${where}: ${what}. Rebuild the corpus with "npm run build:corpus".`);
  const m = value as Partial<ShardedManifest> | null;
  if (!m || typeof m !== 'object') throw bad('not a JSON object');
  if (m.format !== FORMAT_VERSION) {
    throw bad(`corpus format ${String(m.format)}, this app reads format ${FORMAT_VERSION}`);
  }
  if (typeof m.hash !== 'string' || !SHA.test(m.hash)) throw bad('missing corpus hash');
  if (!Number.isInteger(m.papers) || !Number.isInteger(m.passages)) throw bad('missing paper/passage counts');
  if (!m.chunker || typeof m.chunker.version !== 'string') throw bad('missing chunker settings');
  if (!Array.isArray(m.shards) || m.shards.length === 0) throw bad('no shards');
  let papers = 0;
  let passages = 0;
  m.shards.forEach((s, i) => {
    if (!s || !Number.isInteger(s.papers) || !Number.isInteger(s.passages) || s.papers <= 0) throw bad(`shard ${i}: bad counts`);
    checkRef(s.text, `shard ${i} text`, bad);
    if (m.vectors) checkRef(s.vectors, `shard ${i} vectors`, bad);
    if (m.lexical) checkRef(s.lexical, `shard ${i} keyword index`, bad);
    papers += s.papers;
    passages += s.passages;
  });
  if (papers !== m.papers || passages !== m.passages) throw bad(`shards hold ${papers} papers / ${passages} passages, the manifest says ${m.papers} / ${m.passages}`);
  if (m.lexical && typeof m.lexical.analyzer !== 'string') throw bad('keyword index without its analyser');
  if (m.vectors) {
    const v = m.vectors;
    if (!v.model || typeof v.model.fingerprint !== 'string') throw bad('vectors without a model fingerprint');
    if ((v.quantisation?.kind !== 'int8' && v.quantisation?.kind !== 'int4') || !Number.isInteger(v.quantisation.dims)) throw bad(`unsupported vector quantisation ${JSON.stringify(v.quantisation)}`);
  }
  return m as ShardedManifest;
}

function checkRef(ref: FileRef | undefined, what: string, bad: (w: string) => Error): void {
  if (!ref || typeof ref.file !== 'string' || !isSafeFile(ref.file)) throw bad(`${what}: missing or unsafe file name ${JSON.stringify(ref?.file)}`);
  if (!SHA.test(String(ref.sha256)) || !Number.isInteger(ref.bytes) || ref.bytes <= 0) throw bad(`${what}: bad sha256 or size`);
}

/** Bits per code of shipped vectors. */
export function codeBits(vectors: VectorsInfo): 4 | 8 {
  return vectors.quantisation.kind === 'int4' ? 4 : 8;
}

/** Why shipped vectors cannot be used with this page's model, or null when they can. */
export function vectorMismatch(vectors: VectorsInfo, fingerprint: string, dims: number, keyVersion: string): string | null {
  if (vectors.model.fingerprint !== fingerprint) {
    const [id, dtype, sha] = fingerprint.split('|');
    const m = vectors.model;
    const what =
      m.id !== id ? `model ${m.id}, this page runs ${id}` :
      m.dtype !== dtype ? `dtype ${m.dtype}, this page runs ${dtype}` :
      m.weightsSha256 !== sha ? `weights sha256 ${m.weightsSha256.slice(0, 12)}…, this page's are ${sha?.slice(0, 12)}…` :
      `model settings "${m.fingerprint}", this page uses "${fingerprint}"`;
    return `the corpus's vectors were made with ${what}`;
  }
  if (vectors.quantisation.dims !== dims) return `the corpus's vectors have ${vectors.quantisation.dims} dimensions, this model ${dims}`;
  if (vectors.keyVersion !== keyVersion) return `the corpus's vectors embed passages as "${vectors.keyVersion}", this page as "${keyVersion}"`;
  return null;
}
