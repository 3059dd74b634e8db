/**
 * The IndexedDB schema and its ordered migrations (the imputnet/cobalt pattern: persisted data
 * carries a version; MIGRATIONS[n - 1] takes the database from version n - 1 to n, in order).
 *
 * History
 *   v1  'vectors': key = cache key, value = Float32Array (bare: no dims, no checksum).
 *   v2  'vectors' values become StoredVector { d, v: ArrayBuffer, s: checksum } so truncation or
 *       bit rot is detected on read; 'meta' store added (created, lastOpened, upgrade log).
 *       v1 values that are finite and unit length are kept, the rest dropped.
 * Adding a version: append a migration; never edit a released one.
 */
import type { IDBPDatabase, IDBPTransaction } from 'idb';
import { encodeVector, vectorProblem } from './record';

export const VECTORS = 'vectors';
export const META = 'meta';

export interface UpgradeReport {
  from: number;
  to: number;
  /** records kept (converted) by data migrations */
  kept: number;
  /** records dropped because they could not be converted */
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
    db.createObjectStore(VECTORS);
  },
  // 1 → 2
  async (db, tx, report) => {
    db.createObjectStore(META);
    let cursor = await tx.objectStore(VECTORS).openCursor();
    while (cursor) {
      const value: unknown = cursor.value;
      // Tag, not instanceof: a structured clone may come from another realm.
      if (Object.prototype.toString.call(value) === '[object Float32Array]' && vectorProblem(value as Float32Array) === null) {
        await cursor.update(encodeVector(value as Float32Array));
        report.kept++;
      } else {
        await cursor.delete();
        report.dropped++;
      }
      cursor = await cursor.continue();
    }
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
