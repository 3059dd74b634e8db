/**
 * The IndexedDB schema and its ordered migrations (the imputnet/cobalt pattern: persisted data
 * carries a version; MIGRATIONS[n - 1] takes the database from version n - 1 to n, in order).
 *
 * History
 *   v1  'vectors': key = cache key, value = Float32Array. One record per vector, no checksum.
 *   v2  Packs (see record.ts): 'pack-keys' (autoIncrement id → { g, h, d }, index 'group' on g)
 *       and 'packs' (same id → { v, s }), plus 'meta' (created, lastOpened, upgrade log).
 *       Per-vector checksums catch truncation and bit rot; packs read several times faster.
 *       v1 vectors that are finite and unit length are packed, the rest dropped; 'vectors' goes.
 * Adding a version: append a migration; never edit a released one.
 */
import type { IDBPDatabase, IDBPTransaction } from 'idb';
import { splitCacheKey } from './cache-key';
import { encodePack, vectorProblem } from './record';

export const PACK_KEYS = 'pack-keys';
export const PACKS = 'packs';
export const META = 'meta';
export const GROUP_INDEX = 'group';
/** Vectors per pack when writing or compacting. */
export const PACK_SIZE = 256;

export interface UpgradeReport {
  from: number;
  to: number;
  /** vectors kept (converted) by data migrations */
  kept: number;
  /** vectors dropped because they could not be converted */
  dropped: number;
  /** set when migrating failed and the old cache was deleted and created afresh: the failure */
  cleared?: string;
}

/* The schema changes shape across versions, so migrations see it untyped. */
export type AnyDb = IDBPDatabase<any>;
export type UpgradeTx = IDBPTransaction<any, string[], 'versionchange'>;

export type Migration = (db: AnyDb, tx: UpgradeTx, report: UpgradeReport) => Promise<void> | void;

export const MIGRATIONS: readonly Migration[] = [
  // 0 → 1
  (db) => {
    db.createObjectStore('vectors');
  },
  // 1 → 2
  async (db, tx, report) => {
    const keys = db.createObjectStore(PACK_KEYS, { autoIncrement: true });
    keys.createIndex(GROUP_INDEX, 'g');
    db.createObjectStore(PACKS);
    db.createObjectStore(META);
    // Group the valid v1 vectors by model/chunker and dims, then write them as packs.
    const groups = new Map<string, { group: string; d: number; rests: string[]; vectors: Float32Array[] }>();
    let cursor = await tx.objectStore('vectors').openCursor();
    while (cursor) {
      const value: unknown = cursor.value;
      // Tag, not instanceof: a structured clone may come from another realm.
      if (typeof cursor.key === 'string' && Object.prototype.toString.call(value) === '[object Float32Array]' && vectorProblem(value as Float32Array) === null) {
        const vector = value as Float32Array;
        const [group, rest] = splitCacheKey(cursor.key);
        const id = `${vector.length}:${group}`;
        let bucket = groups.get(id);
        if (!bucket) groups.set(id, (bucket = { group, d: vector.length, rests: [], vectors: [] }));
        bucket.rests.push(rest);
        bucket.vectors.push(vector);
        report.kept++;
      } else {
        report.dropped++;
      }
      cursor = await cursor.continue();
    }
    for (const { group, d, rests, vectors } of groups.values()) {
      for (let at = 0; at < rests.length; at += PACK_SIZE) {
        const pack = encodePack(group, rests.slice(at, at + PACK_SIZE), vectors.slice(at, at + PACK_SIZE), d);
        const id = await tx.objectStore(PACK_KEYS).add(pack.keys);
        await tx.objectStore(PACKS).put(pack.payload, id);
      }
    }
    db.deleteObjectStore('vectors');
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Runs the migrations from oldVersion to newVersion inside the versionchange transaction. */
export async function migrate(db: AnyDb, tx: UpgradeTx, oldVersion: number, newVersion: number): Promise<UpgradeReport> {
  const report: UpgradeReport = { from: oldVersion, to: newVersion, kept: 0, dropped: 0 };
  for (let v = oldVersion; v < newVersion; v++) {
    const step = MIGRATIONS[v];
    if (!step) throw new Error(`No migration from schema version ${v} to ${v + 1} (known up to ${SCHEMA_VERSION}).`);
    await step(db, tx, report);
  }
  if (!db.objectStoreNames.contains(META)) return report;
  const meta = tx.objectStore(META);
  const log = ((await meta.get('upgrades')) as UpgradeReport[] | undefined) ?? [];
  const now = new Date().toISOString();
  if (oldVersion === 0) await meta.put(now, 'created');
  await meta.put([...log, { ...report, at: now }], 'upgrades');
  return report;
}
