/**
 * Vectors cached in IndexedDB, keyed by cacheKey(model fingerprint, chunker version, chunk hash).
 *
 * - One record per chunk key ({ d, v: ArrayBuffer, s: checksum }, see record.ts): simple, and
 *   eviction is per chunk.
 * - Reads validate every record (length, checksum, finite, unit norm); a bad one is a miss, is
 *   counted in `rejected` and deleted, so the app recomputes it.
 * - Writes go in transactions of `batchSize` records, so a tab closed mid-embedding keeps every
 *   batch that completed. A transaction is atomic: a failed one leaves no partial record.
 * - Memory fallback: when IndexedDB is missing, cannot be opened, is blocked by another tab, or a
 *   write fails (e.g. QuotaExceededError), the store switches to `mode: 'memory'` with a `notice`
 *   and keeps working: new vectors live in memory for this visit; vectors already in IndexedDB stay
 *   readable through the open connection when there still is one.
 * - Other tabs: on `versionchange` (another tab upgrades or deletes the database) the connection
 *   closes at once so that tab can proceed, and reopens on the next call; if it cannot (the other
 *   tab runs a newer schema), the store falls back to memory.
 *
 * idb (wrap) drives opening and the migrations; reads and writes use plain requests counted in
 * callbacks, which avoids one promise per record on 10^4-10^5 records and lets a failed batch
 * abort cleanly without stray rejected promises.
 */
import { wrap } from 'idb';
import { decodeVector, encodeVector, vectorProblem, type StoredVector } from './record';
import { META, SCHEMA_VERSION, VECTORS, migrate, type UpgradeReport, type UpgradeTx } from './schema';

export { cacheKey } from './cache-key';
export { SCHEMA_VERSION, type UpgradeReport } from './schema';

export const DEFAULT_DB_NAME = 'paperscope';
export const DEFAULT_BATCH_SIZE = 256;
export const DEFAULT_BLOCKED_TIMEOUT_MS = 3000;
/** getMany reads a key range with getAll (in pages of this size) instead of one get per key when it holds few extras. */
const RANGE_PAGE = 2048;

export interface VectorEntry {
  key: string;
  /** dims float32 values, L2-normalised. May be a view into a larger buffer: it is copied. */
  vector: Float32Array;
}

export interface VectorStoreStats {
  mode: 'indexeddb' | 'memory';
  /** vectors this store can serve right now */
  entries: number;
  /** their float32 payload in bytes (keys and record overhead not included) */
  bytes: number;
  /** stored records found invalid on read this session (treated as misses) */
  rejected: number;
}

export interface VersionChangeInfo {
  oldVersion: number;
  /** null when another tab deletes the database */
  newVersion: number | null;
}

export interface VectorStoreOptions {
  /** undefined: globalThis.indexedDB; null: none (memory mode). Tests pass fake-indexeddb's. */
  factory?: IDBFactory | null;
  name?: string;
  /** floats per vector; records of another length are misses */
  dims: number;
  /** records per write transaction */
  batchSize?: number;
  /** how long to wait for other tabs to let an upgrade through before using memory */
  blockedTimeoutMs?: number;
  /** our open waits for another tab to close its connection (the app can say "close other tabs") */
  onBlocked?: () => void;
  /** another tab upgrades or deletes the database; this store has closed its connection and reopens lazily */
  onVersionChange?: (info: VersionChangeInfo) => void;
}

export interface VectorStore {
  readonly mode: 'indexeddb' | 'memory';
  /** why the store is in memory mode, in words for the user */
  readonly notice?: string;
  /** stored records found invalid on read this session (each counted once) */
  readonly rejected: number;
  /** set when opening ran schema migrations */
  readonly upgrade?: UpgradeReport;
  /** One readonly transaction; undefined for a miss or an invalid record. Treat results as read-only. */
  getMany(keys: string[]): Promise<(Float32Array | undefined)[]>;
  /** Throws RangeError (before writing anything) for a vector of the wrong length, non-finite or not unit length. */
  putMany(entries: VectorEntry[]): Promise<void>;
  /** Deletes every entry whose key is not valid; returns how many. */
  evictExcept(valid: Set<string> | ((key: string) => boolean)): Promise<number>;
  /** Walks all records (O(n) reads): for diagnostics, not the hot path. */
  stats(): Promise<VectorStoreStats>;
  close(): void;
}

/** Our open waited longer than blockedTimeoutMs for another tab. */
class BlockedError extends Error {
  override name = 'BlockedError';
}

/** A migration failed; the upgrade transaction was aborted, so the old data is untouched. */
class MigrationError extends Error {
  override name = 'MigrationError';
}

const MEMORY_ONLY = 'vectors are kept in memory for this visit only';

function describe(err: unknown): string {
  if (err instanceof Error || err instanceof DOMException) return `${err.name}: ${err.message}`;
  return String(err);
}

function isQuotaError(err: unknown): boolean {
  const name = (err as { name?: string } | null)?.name;
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED';
}

function openNotice(err: unknown): string {
  const name = (err as { name?: string } | null)?.name;
  if (name === 'BlockedError') {
    return `Another Paperscope tab is holding an older version of the vector cache: ${MEMORY_ONLY}. Close the other tabs and reload to keep vectors between visits.`;
  }
  if (name === 'VersionError') {
    return `A newer version of Paperscope (perhaps in another tab) has upgraded the vector cache: ${MEMORY_ONLY}. Reload this tab to use it.`;
  }
  return `IndexedDB cannot be opened here (${describe(err)}; private browsing or disabled storage?): ${MEMORY_ONLY}.`;
}

function requestPromise<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Resolves when the transaction commits; rejects with its error (e.g. QuotaExceededError) if it aborts. */
function transactionDone(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new DOMException('The transaction was aborted.', 'AbortError'));
  });
}

interface OpenHooks {
  blockedTimeoutMs: number;
  onBlocked?: () => void;
}

/**
 * idb's openDB with an injected factory (openDB always uses the global indexedDB). Runs the
 * migrations in the upgrade transaction; gives up on a blocked open after blockedTimeoutMs (the
 * request stays queued: if it completes later the upgrade is done and the connection is closed).
 */
function openDatabase(factory: IDBFactory, name: string, hooks: OpenHooks): Promise<{ db: IDBDatabase; upgrade?: UpgradeReport }> {
  return new Promise((resolve, reject) => {
    let request: IDBOpenDBRequest;
    try {
      request = factory.open(name, SCHEMA_VERSION);
    } catch (err) {
      reject(err);
      return;
    }
    let gaveUp = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let upgrade: UpgradeReport | undefined;
    let migrationError: unknown;
    request.onupgradeneeded = (event) => {
      const tx = request.transaction!;
      const upgradeTx = wrap(tx) as unknown as UpgradeTx;
      // The open request reports the outcome; idb's done promise would otherwise reject unheard.
      upgradeTx.done.catch(() => undefined);
      migrate(wrap(request.result), upgradeTx, event.oldVersion, event.newVersion ?? SCHEMA_VERSION).then(
        (report) => (upgrade = report),
        (err) => {
          migrationError = err;
          try {
            tx.abort();
          } catch {
            // already aborted by the failing request
          }
        },
      );
    };
    request.onblocked = () => {
      hooks.onBlocked?.();
      if (timer === undefined) {
        timer = setTimeout(() => {
          gaveUp = true;
          reject(new BlockedError(`Opening IndexedDB "${name}" v${SCHEMA_VERSION} stayed blocked by another connection for ${hooks.blockedTimeoutMs} ms.`));
        }, hooks.blockedTimeoutMs);
      }
    };
    request.onsuccess = () => {
      clearTimeout(timer);
      if (gaveUp) {
        request.result.close();
        return;
      }
      resolve({ db: request.result, upgrade });
    };
    request.onerror = (event) => {
      clearTimeout(timer);
      event.preventDefault();
      if (migrationError !== undefined) {
        reject(new MigrationError(`Upgrading IndexedDB "${name}" to schema v${SCHEMA_VERSION} failed: ${describe(migrationError)}`));
      } else {
        reject(request.error);
      }
    };
  });
}

function deleteDatabase(factory: IDBFactory, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = factory.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
  });
}

class IdbVectorStore implements VectorStore {
  mode: 'indexeddb' | 'memory' = 'indexeddb';
  notice?: string;
  upgrade?: UpgradeReport;

  private db: IDBDatabase | null = null;
  /** non-null in memory mode: vectors written since the switch */
  private memory: Map<string, Float32Array> | null = null;
  private rejectedKeys = new Set<string>();
  /** operations run one at a time, so a mode switch never happens under a running operation */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private written = 0;
  private readonly dims: number;
  private readonly name: string;
  private readonly batchSize: number;

  constructor(
    private readonly factory: IDBFactory | null,
    private readonly options: VectorStoreOptions,
  ) {
    this.dims = options.dims;
    this.name = options.name ?? DEFAULT_DB_NAME;
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  }

  get rejected(): number {
    return this.rejectedKeys.size;
  }

  /** First open. Never throws: anything that stops IndexedDB means memory mode. */
  async init(): Promise<void> {
    if (!this.factory) {
      this.toMemory(`IndexedDB is not available in this browser (private browsing or disabled storage): ${MEMORY_ONLY}.`);
      return;
    }
    try {
      await this.connect();
    } catch (err) {
      if (!(err instanceof MigrationError)) {
        this.toMemory(openNotice(err));
        return;
      }
      // It is only a cache: start afresh rather than stay in memory mode on every visit.
      try {
        await deleteDatabase(this.factory, this.name);
        await this.connect();
        this.upgrade = { ...this.upgrade!, cleared: describe(err) };
      } catch (again) {
        this.toMemory(openNotice(again));
        return;
      }
    }
    await this.touch();
  }

  private async connect(): Promise<IDBDatabase> {
    const { db, upgrade } = await openDatabase(this.factory!, this.name, {
      blockedTimeoutMs: this.options.blockedTimeoutMs ?? DEFAULT_BLOCKED_TIMEOUT_MS,
      onBlocked: this.options.onBlocked,
    });
    if (upgrade) this.upgrade = upgrade;
    db.onversionchange = (event) => {
      // Close at once so the other tab's upgrade (or delete) is not blocked by us.
      if (this.db === db) this.db = null;
      db.close();
      this.options.onVersionChange?.({ oldVersion: event.oldVersion, newVersion: event.newVersion });
    };
    db.onclose = () => {
      // Closed by the browser (storage cleared, disk error): reopen on next use.
      if (this.db === db) this.db = null;
    };
    this.db = db;
    return db;
  }

  /** Records when the cache was last opened (best effort; a full disk is found by the next write anyway). */
  private async touch(): Promise<void> {
    try {
      const tx = this.db!.transaction(META, 'readwrite');
      tx.objectStore(META).put(new Date().toISOString(), 'lastOpened');
      await transactionDone(tx);
    } catch {
      // not needed for correctness
    }
  }

  /** The open connection; reopens one closed by another tab or the browser. null in memory mode without one. */
  private async connection(): Promise<IDBDatabase | null> {
    if (this.db) return this.db;
    if (this.mode === 'memory') return null;
    try {
      return await this.connect();
    } catch (err) {
      this.toMemory(openNotice(err));
      return null;
    }
  }

  private toMemory(notice: string): void {
    this.mode = 'memory';
    this.notice ??= notice;
    this.memory ??= new Map();
  }

  private run<T>(op: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`VectorStore "${this.name}" is closed; open a new one with openVectorStore().`));
    const next = this.queue.then(op, op);
    this.queue = next.catch(() => undefined);
    return next;
  }

  getMany(keys: string[]): Promise<(Float32Array | undefined)[]> {
    return this.run(async () => {
      const out: (Float32Array | undefined)[] = new Array(keys.length);
      const wanted: number[] = [];
      for (let i = 0; i < keys.length; i++) {
        const hit = this.memory?.get(keys[i]);
        if (hit) out[i] = hit;
        else wanted.push(i);
      }
      if (wanted.length === 0) return out;
      const db = await this.connection();
      if (!db) return out;
      let values: unknown[];
      try {
        values = await readRecords(db, wanted.map((i) => keys[i]));
      } catch (err) {
        // Reading failed (not a missing record): treat all as misses and stop relying on IndexedDB.
        this.toMemory(`Reading stored vectors failed (${describe(err)}): ${MEMORY_ONLY}.`);
        return out;
      }
      const bad: string[] = [];
      wanted.forEach((i, j) => {
        if (values[j] === undefined) return;
        const decoded = decodeVector(values[j], this.dims);
        if (typeof decoded === 'string') {
          this.rejectedKeys.add(keys[i]);
          bad.push(keys[i]);
        } else {
          out[i] = decoded;
        }
      });
      if (bad.length > 0 && this.mode === 'indexeddb') await this.deleteKeys(db, bad);
      return out;
    });
  }

  /** Best effort: a record left behind is rejected again on read and overwritten when recomputed. */
  private async deleteKeys(db: IDBDatabase, keys: string[]): Promise<void> {
    try {
      const tx = db.transaction(VECTORS, 'readwrite');
      const store = tx.objectStore(VECTORS);
      for (const key of keys) store.delete(key);
      await transactionDone(tx);
    } catch {
      // see above
    }
  }

  async putMany(entries: VectorEntry[]): Promise<void> {
    // Check everything before writing anything: a bad vector is the caller's bug, not a storage fault.
    const records = entries.map(({ key, vector }, i) => {
      if (typeof key !== 'string' || key === '') throw new RangeError(`putMany: entry ${i} has no key.`);
      if (vector.length !== this.dims) {
        throw new RangeError(`putMany: vector for "${key}" (entry ${i}) has ${vector.length} values, expected ${this.dims}.`);
      }
      const problem = vectorProblem(vector);
      if (problem) throw new RangeError(`putMany: vector for "${key}" (entry ${i}) cannot be stored: ${problem}.`);
      return { key, record: encodeVector(vector) };
    });
    return this.run(async () => {
      for (let start = 0; start < records.length; start += this.batchSize) {
        const batch = records.slice(start, start + this.batchSize);
        const db = this.mode === 'indexeddb' ? await this.connection() : null;
        if (db) {
          try {
            await writeRecords(db, batch);
            this.written += batch.length;
            continue;
          } catch (err) {
            this.toMemory(
              isQuotaError(err)
                ? `Storage full: ${MEMORY_ONLY} (${this.written} were saved before it filled up). Free disk space or clear old site data to keep them between visits.`
                : `Saving vectors failed (${describe(err)}): ${MEMORY_ONLY}.`,
            );
          }
        }
        for (const { key, record } of batch) this.memory!.set(key, new Float32Array(record.v));
      }
    });
  }

  evictExcept(valid: Set<string> | ((key: string) => boolean)): Promise<number> {
    const keep = typeof valid === 'function' ? valid : (key: string) => valid.has(key);
    return this.run(async () => {
      let evicted = 0;
      if (this.memory) {
        for (const key of [...this.memory.keys()]) {
          if (!keep(key)) {
            this.memory.delete(key);
            evicted++;
          }
        }
      }
      // In memory mode IndexedDB is not written to; stale records there are never served for a current key anyway.
      const db = this.mode === 'indexeddb' ? await this.connection() : null;
      if (!db) return evicted;
      try {
        evicted += await deleteRecordsExcept(db, keep);
      } catch (err) {
        this.toMemory(`Cleaning the vector cache failed (${describe(err)}): ${MEMORY_ONLY}.`);
      }
      return evicted;
    });
  }

  stats(): Promise<VectorStoreStats> {
    return this.run(async () => {
      let entries = 0;
      let bytes = 0;
      for (const v of this.memory?.values() ?? []) {
        entries++;
        bytes += v.byteLength;
      }
      const db = await this.connection();
      if (db) {
        try {
          const found = await measureRecords(db, this.memory);
          entries += found.entries;
          bytes += found.bytes;
        } catch {
          // stats are diagnostics; the next real operation reports the fault
        }
      }
      return { mode: this.mode, entries, bytes, rejected: this.rejected };
    });
  }

  close(): void {
    this.closed = true;
    this.db?.close();
    this.db = null;
    this.memory = null;
  }
}

/**
 * Values for keys (undefined where absent), in one readonly transaction. When the key range
 * spanned by the keys holds few records besides them, reads it with getAll/getAllKeys in pages
 * (a handful of requests instead of one per key); otherwise one get per key, all in flight at once.
 */
async function readRecords(db: IDBDatabase, keys: string[]): Promise<unknown[]> {
  const tx = db.transaction(VECTORS, 'readonly');
  const done = transactionDone(tx);
  const store = tx.objectStore(VECTORS);
  const out: unknown[] = new Array(keys.length);
  if (keys.length >= RANGE_PAGE / 8) {
    let lo = keys[0];
    let hi = keys[0];
    for (const k of keys) {
      if (k < lo) lo = k;
      if (k > hi) hi = k;
    }
    const range = IDBKeyRange.bound(lo, hi);
    const inRange = await requestPromise(store.count(range));
    if (inRange <= keys.length * 2) {
      const index = new Map<string, number[]>();
      keys.forEach((k, i) => {
        const at = index.get(k);
        if (at) at.push(i);
        else index.set(k, [i]);
      });
      let page = range;
      for (;;) {
        const [pageKeys, pageValues] = await Promise.all([
          requestPromise(store.getAllKeys(page, RANGE_PAGE)),
          requestPromise(store.getAll(page, RANGE_PAGE)),
        ]);
        pageKeys.forEach((k, j) => {
          for (const i of index.get(k as string) ?? []) out[i] = pageValues[j];
        });
        if (pageKeys.length < RANGE_PAGE) break;
        page = IDBKeyRange.bound(pageKeys[pageKeys.length - 1], hi, true, false);
      }
      await done;
      return out;
    }
  }
  keys.forEach((key, i) => {
    const request = store.get(key);
    request.onsuccess = () => {
      out[i] = request.result;
    };
  });
  await done;
  return out;
}

/** One transaction for the batch: all of it is stored or, if anything fails, none of it. */
async function writeRecords(db: IDBDatabase, batch: { key: string; record: StoredVector }[]): Promise<void> {
  const tx = db.transaction(VECTORS, 'readwrite');
  const done = transactionDone(tx);
  try {
    const store = tx.objectStore(VECTORS);
    for (const { key, record } of batch) store.put(record, key);
  } catch (err) {
    done.catch(() => undefined);
    try {
      tx.abort();
    } catch {
      // already finished
    }
    throw err;
  }
  await done;
}

async function deleteRecordsExcept(db: IDBDatabase, keep: (key: string) => boolean): Promise<number> {
  const tx = db.transaction(VECTORS, 'readwrite');
  const done = transactionDone(tx);
  const store = tx.objectStore(VECTORS);
  const keys = (await requestPromise(store.getAllKeys())) as string[];
  let deleted = 0;
  for (const key of keys) {
    if (!keep(key)) {
      store.delete(key);
      deleted++;
    }
  }
  await done;
  return deleted;
}

/** Counts valid-looking records and their payload, skipping keys shadowed by the memory map. */
async function measureRecords(db: IDBDatabase, shadow: Map<string, Float32Array> | null): Promise<{ entries: number; bytes: number }> {
  const tx = db.transaction(VECTORS, 'readonly');
  const done = transactionDone(tx);
  const request = tx.objectStore(VECTORS).openCursor();
  let entries = 0;
  let bytes = 0;
  request.onsuccess = () => {
    const cursor = request.result;
    if (!cursor) return;
    if (!shadow?.has(cursor.key as string)) {
      entries++;
      const v = (cursor.value as Partial<StoredVector>).v;
      bytes += Object.prototype.toString.call(v) === '[object ArrayBuffer]' ? (v as ArrayBuffer).byteLength : 0;
    }
    cursor.continue();
  };
  await done;
  return { entries, bytes };
}

/**
 * Opens the vector cache. Never rejects for storage reasons: when IndexedDB cannot be used the
 * store is in memory mode and `notice` says why. Throws only for a bad `dims`.
 */
export async function openVectorStore(options: VectorStoreOptions): Promise<VectorStore> {
  if (!Number.isInteger(options.dims) || options.dims <= 0) {
    throw new RangeError(`openVectorStore: dims must be a positive integer, got ${options.dims}.`);
  }
  let factory: IDBFactory | null = null;
  if (options.factory !== undefined) {
    factory = options.factory;
  } else {
    try {
      factory = globalThis.indexedDB ?? null;
    } catch {
      // Some sandboxed frames throw SecurityError on merely reading indexedDB.
      factory = null;
    }
  }
  const store = new IdbVectorStore(factory, options);
  await store.init();
  return store;
}
