/**
 * Content-defined shard boundaries. A shard ends after a paper whose id hashes to 0 modulo the
 * target size (bounded by a minimum and a maximum), so a boundary depends only on the papers
 * near it: inserting, removing or changing a paper moves at most the boundaries of its own
 * shard, and every other shard keeps its bytes and its content-hashed name.
 */

export interface ShardPlanOptions {
  /** average papers per shard (default 2048) */
  target?: number;
}

/** FNV-1a 32-bit over the UTF-16 code units: small, stable, identical in Node and browsers. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** [start, end) paper index ranges covering 0..ids.length. */
export function planShards(ids: readonly string[], options: ShardPlanOptions = {}): Array<[number, number]> {
  const target = options.target ?? 2048;
  if (!Number.isInteger(target) || target < 1) throw new RangeError(`planShards: target must be a positive integer, got ${target}.`);
  const min = Math.max(1, Math.floor(target / 4));
  const max = target * 4;
  const out: Array<[number, number]> = [];
  let start = 0;
  for (let i = 0; i < ids.length; i++) {
    const size = i - start + 1;
    if ((size >= min && fnv1a(ids[i]) % target === 0) || size >= max) {
      out.push([start, i + 1]);
      start = i + 1;
    }
  }
  if (start < ids.length) out.push([start, ids.length]);
  return out;
}
