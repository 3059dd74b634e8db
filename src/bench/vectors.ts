/**
 * Node-only: passage vectors for the bench's corpora and the format-2 corpus folder that ships
 * them. Vectors come from the Node disk cache of passage vectors (src/embed/disk-cache.ts, filled
 * by `npm run embed:corpus`) when it holds every passage of the corpus; otherwise random unit
 * vectors stand in: the same bytes on the wire, the same decode, storage and ranking cost, but
 * meaningless rankings, and the bench says so.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CorpusData } from '../corpus/types';
import { DiskVectorCache, vectorCacheDir } from '../embed/disk-cache';
import { fingerprintInfo, modelFingerprint, type ModelInfo } from '../embed/model-info';
import type { ModelSpec } from '../embed/registry';
import { writeCorpusDir } from '../format/node';
import { shippedLexical } from '../search/bm25';
import { writeShardedCorpus, type ShippedVectors, type WrittenCorpus } from '../format/write';
import { corpusPassages, DEFAULT_PASSAGES } from '../search/passage';

/** xorshift32 unit vectors: same cost to store, load and rank as real ones, no meaning. */
export function randomUnitVectors(rows: number, dims: number): Float32Array {
  const out = new Float32Array(rows * dims);
  let x = 2463534242;
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let j = 0; j < dims; j++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const v = (x >>> 0) / 4294967296 - 0.5;
      out[r * dims + j] = v;
      sum += v * v;
    }
    const inv = 1 / Math.sqrt(sum);
    for (let j = 0; j < dims; j++) out[r * dims + j] *= inv;
  }
  return out;
}

/** The manifest's description of vectors made by `spec` over the app's own passage texts. */
export function shippedInfo(spec: ModelSpec, info: ModelInfo, data: CorpusData): ShippedVectors['info'] {
  return { model: fingerprintInfo(spec, info), passageMode: DEFAULT_PASSAGES, keyVersion: `${data.chunker.version}+${DEFAULT_PASSAGES}` };
}

export interface CachedVectors {
  /** every passage's vector in corpus order, or null when the cache lacks some */
  flat: Float32Array | null;
  /** passages of the corpus the cache has a vector for */
  have: number;
  note: string;
}

/**
 * The corpus's passage vectors from the Node disk cache under `root`, keyed exactly as the app
 * keys them (corpusPassages). Read-only: the bench never embeds into it or locks it.
 */
export async function diskCacheVectors(data: CorpusData, spec: ModelSpec, info: ModelInfo, root: string): Promise<CachedVectors> {
  const fingerprint = modelFingerprint(spec, info);
  const dir = vectorCacheDir(root, fingerprint);
  if (!existsSync(join(dir, 'cache.json'))) return { flat: null, have: 0, note: `no vector cache for ${spec.id} in ${root}` };
  const cache = DiskVectorCache.open({ root, fingerprint, dims: spec.dims, readOnly: true });
  try {
    const { keys } = corpusPassages(data, fingerprint);
    const have = keys.filter((k) => cache.has(k)).length;
    if (have < keys.length) return { flat: null, have, note: `vector cache ${dir} has ${have}/${keys.length} passages` };
    return { flat: cache.read(keys), have, note: `vector cache ${dir}` };
  } finally {
    cache.close();
  }
}

/** Writes `data` with `flat` as its shipped vectors into `dir` (format 2; unchanged files are kept). */
export async function writeShippedCorpus(dir: string, data: CorpusData, source: string, flat: Float32Array, info: ShippedVectors['info']): Promise<WrittenCorpus> {
  // as build:corpus --vectors writes it: with the keyword index
  const written = writeShardedCorpus(data, source, { flat, info }, undefined, shippedLexical());
  await writeCorpusDir(dir, written);
  return written;
}
