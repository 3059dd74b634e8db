/**
 * Cache keys for stored vectors. Pure (Node + browser).
 *
 * A vector is valid only for one model (the fingerprint covers id, dtype, weights sha256, pooling,
 * prefixes), one chunker version and one chunk text. All three are in the key, so changing any of
 * them gives a different key: a miss, never a wrong vector.
 */

/** Separates the parts; version and hash may not contain it, so the key can be split from the right. */
export const KEY_SEPARATOR = '#';

/**
 * `${fingerprint}#${chunkerVersion}#${chunkHash}`. Injective: the last two parts may not contain
 * the separator, so different inputs never give the same key. The fingerprint comes first so all
 * keys of one model and chunker are neighbours in key order (one key range).
 */
export function cacheKey(fingerprint: string, chunkerVersion: string, chunkHash: string): string {
  if (!fingerprint) throw new Error('cacheKey: empty model fingerprint; build it with modelFingerprint(spec, info).');
  if (!chunkerVersion || chunkerVersion.includes(KEY_SEPARATOR)) {
    throw new Error(`cacheKey: chunker version "${chunkerVersion}" is empty or contains "${KEY_SEPARATOR}"; use a plain version string.`);
  }
  if (!chunkHash || chunkHash.includes(KEY_SEPARATOR)) {
    throw new Error(`cacheKey: chunk hash "${chunkHash}" is empty or contains "${KEY_SEPARATOR}"; pass the chunk's hex sha256 (Chunk.hash).`);
  }
  return `${fingerprint}${KEY_SEPARATOR}${chunkerVersion}${KEY_SEPARATOR}${chunkHash}`;
}

/**
 * Splits a key into its group (everything up to and including the last separator: model
 * fingerprint and chunker version for keys made by cacheKey) and the rest. group + rest === key.
 * The store packs vectors by group, so one model's vectors are read without touching another's.
 */
export function splitCacheKey(key: string): [group: string, rest: string] {
  const at = key.lastIndexOf(KEY_SEPARATOR) + 1;
  return [key.slice(0, at), key.slice(at)];
}
