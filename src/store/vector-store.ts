/**
 * Vectors cached in IndexedDB, keyed by cacheKey(model fingerprint, chunker version, chunk hash).
 *
 * - Packs (record.ts): up to PACK_SIZE vectors of one cache group per record pair, because one
 *   record per vector reads ~6x slower in Chromium at 75k vectors. Eviction reads only the small
 *   key records; it also removes duplicate copies and merges small packs (the app writes 16 at a
 *   time) so the next visit reads few, full packs.
 * - Reads check every vector served (checksum, finite, unit norm); a bad one is a miss, is counted
 *   in `rejected` and is removed, so the app recomputes it.
 * - Each write batch (<= batchSize vectors) is one transaction, so a tab closed mid-embedding
 *   keeps every batch that completed. A transaction is atomic: a failed one leaves nothing behind.
 * - Memory fallback: when IndexedDB is missing, cannot be opened, is blocked by another tab, or a
 *   write fails (e.g. QuotaExceededError), the store switches to `mode: 'memory'` with a `notice`
 *   and keeps working: new vectors live in memory for this visit; vectors already in IndexedDB
 *   stay readable through the open connection when there still is one.
 * - Other tabs: on `versionchange` (another tab upgrades or deletes the database) the connection
 *   closes at once so that tab can proceed, and reopens on the next call; if it cannot (the other
 *   tab runs a newer schema), the store falls back to memory.
 *
 * idb (wrap) drives opening and the migrations; reads and writes use plain requests counted in
 * callbacks, which lets a failed batch abort cleanly without stray rejected promises.
 */
import { wrap } from 'idb';
import { splitCacheKey } from './cache-key';
import { encodePack, packKeysProblem, packVector, payloadProblem, vectorProblem, type PackKeys, type PackPayload } from './record';
import { GROUP_INDEX, META, PACKS, PACK_KEYS, PACK_SIZE, SCHEMA_VERSION, migrate, type UpgradeReport, type UpgradeTx } from './schema';

export { cacheKey } from './cache-key';
export { SCHEMA_VERSION, type UpgradeReport } from './schema';

export const DEFAULT_DB_NAME = 'paperscope';
export const DEFAULT_BATCH_SIZE = PACK_SIZE;
export const DEFAULT_BLOCKED_TIMEOUT_MS = 3000;

export interface VectorEntry {
  key: string;
  /** dims float32 values, L2-normalised. May be a view into a larger buffer: it is copied. */
  vector: Float32Array;
}

export interface VectorStoreStats {
  mode: 'indexeddb' | 'memory';
  /** distinct keys this store can serve right now (not checked: see rejected) */
  entries: number;
  /** float32 payload of the stored vectors in bytes, duplicates included (keys and overhead not) */
  bytes: number;
  /** stored vectors found invalid this session (treated as misses) */
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
  /** floats per vector; stored vectors of another length are misses */
  dims: number;
  /** vectors per write transaction (and per pack) */
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
  /** stored vectors found invalid this session (each key counted once) */
  readonly rejected: number;
  /** set when opening ran schema migrations */
  readonly upgrade?: UpgradeReport;
  /** One readonly transaction; undefined for a miss or an invalid vector. Treat results as read-only. */
  getMany(keys: string[]): Promise<(Float32Array | undefined)[]>;
  /** Throws RangeError (before writing anything) for a vector of the wrong length, non-finite or not unit length. */
  putMany(entries: VectorEntry[]): Promise<void>;
  /** Deletes every vector whose key is not valid, and duplicate copies; returns how many. Compacts packs. */
  evictExcept(valid: Set<string> | ((key: string) => boolean)): Promise<number>;
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

function abortQuietly(tx: IDBTransaction): void {
  try {
    tx.abort();
  } catch {
    // already finished or aborting
  }
}

/**
 * Runs `work` in one transaction and resolves when it commits. A synchronous throw inside `work`
 * or inside a request callback it registers via `guard` aborts the transaction and is the error
 * reported (rather than the AbortError that follows it).
 */
async function inTransaction<T>(
  db: IDBDatabase,
  stores: string[],
  mode: IDBTransactionMode,
  work: (tx: IDBTransaction, guard: (fn: () => void) => () => void) => Promise<T> | T,
): Promise<T> {
  const tx = db.transaction(stores, mode);
  const done = transactionDone(tx);
  let failure: { err: unknown } | undefined;
  const fail = (err: unknown) => {
    failure ??= { err };
    abortQuietly(tx);
  };
  const guard = (fn: () => void) => () => {
    try {
      fn();
    } catch (err) {
      fail(err);
    }
  };
  let result: T;
  try {
    result = await work(tx, guard);
  } catch (err) {
    fail(err);
  }
  try {
    await done;
  } catch (err) {
    throw failure ? failure.err : err;
  }
  if (failure) throw failure.err;
  return result!;
}

/** Adds a pack (key record, then its payload under the generated id) within tx. */
function addPack(tx: IDBTransaction, guard: (fn: () => void) => () => void, pack: { keys: PackKeys; payload: PackPayload }): void {
  const request = tx.objectStore(PACK_KEYS).add(pack.keys);
  request.onsuccess = guard(() => {
    tx.objectStore(PACKS).put(pack.payload, request.result);
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
          abortQuietly(tx);
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

/** A pack in which some vectors were found bad on read: rewritten without them ('all': deleted). */
interface Repair {
  keys?: PackKeys;
  payload?: PackPayload;
  drop: Set<number> | 'all';
}

/**
 * Reads the wanted keys: the key records of their groups (via the group index), then the
 * payloads of the packs that hold any of them, all in one readonly transaction.
 */
async function readVectors(
  db: IDBDatabase,
  keys: string[],
  dims: number,
): Promise<{ out: (Float32Array | undefined)[]; badKeys: Set<number>; repairs: Map<number, Repair> }> {
  const out: (Float32Array | undefined)[] = new Array(keys.length);
  const badKeys = new Set<number>();
  const repairs = new Map<number, Repair>();
  const byGroup = new Map<string, Map<string, number[]>>();
  keys.forEach((key, i) => {
    const [group, rest] = splitCacheKey(key);
    let rests = byGroup.get(group);
    if (!rests) byGroup.set(group, (rests = new Map()));
    const at = rests.get(rest);
    if (at) at.push(i);
    else rests.set(rest, [i]);
  });
  await inTransaction(db, [PACK_KEYS, PACKS], 'readonly', async (tx) => {
    const index = tx.objectStore(PACK_KEYS).index(GROUP_INDEX);
    const groups = await Promise.all(
      [...byGroup.keys()].map((group) =>
        Promise.all([requestPromise(index.getAllKeys(group)), requestPromise(index.getAll(group)), Promise.resolve(byGroup.get(group)!)]),
      ),
    );
    const wantPayload: { id: number; keys: PackKeys; hits: number[] }[] = [];
    for (const [ids, records, rests] of groups) {
      records.forEach((record: unknown, r) => {
        const id = ids[r] as number;
        const problem = packKeysProblem(record, dims);
        const h = (record as Partial<PackKeys> | null)?.h;
        if (problem) {
          // The pack's keys cannot be trusted with these dims: a miss for every wanted key it names.
          if (Array.isArray(h)) for (const rest of h) for (const i of rests.get(rest) ?? []) badKeys.add(i);
          repairs.set(id, { drop: 'all' });
          return;
        }
        const hits: number[] = [];
        (record as PackKeys).h.forEach((rest, j) => {
          if (rests.has(rest)) hits.push(j);
        });
        if (hits.length > 0) wantPayload.push({ id, keys: record as PackKeys, hits });
      });
    }
    const payloads = await Promise.all(wantPayload.map(({ id }) => requestPromise(tx.objectStore(PACKS).get(id))));
    wantPayload.forEach(({ id, keys: packKeys, hits }, p) => {
      const rests = byGroup.get(packKeys.g)!;
      const payload = payloads[p];
      const problem = payloadProblem(packKeys, payload);
      if (problem) {
        for (const j of hits) for (const i of rests.get(packKeys.h[j])!) badKeys.add(i);
        repairs.set(id, { drop: 'all' });
        return;
      }
      for (const j of hits) {
        const at = rests.get(packKeys.h[j])!;
        if (out[at[0]]) continue; // a valid copy was found in another pack
        const vector = packVector(packKeys, payload as PackPayload, j);
        if (typeof vector === 'string') {
          for (const i of at) badKeys.add(i);
          const repair = repairs.get(id) ?? { keys: packKeys, payload: payload as PackPayload, drop: new Set<number>() };
          if (repair.drop !== 'all') repair.drop.add(j);
          repairs.set(id, repair);
        } else {
          for (const i of at) out[i] = vector;
        }
      }
    });
  });
  for (const i of badKeys) if (out[i]) badKeys.delete(i);
  return { out, badKeys, repairs };
}

/** Copies the vectors at `take` out of a pack (bytes and checksums as stored: corruption stays detectable). */
function subPack(keys: PackKeys, payload: PackPayload, take: number[]): { keys: PackKeys; payload: PackPayload } {
  const d = keys.d;
  const src = new Float32Array(payload.v);
  const flat = new Float32Array(take.length * d);
  take.forEach((j, t) => flat.set(src.subarray(j * d, (j + 1) * d), t * d));
  return {
    keys: { g: keys.g, h: take.map((j) => keys.h[j]), d },
    payload: { v: flat.buffer, s: take.map((j) => payload.s[j]) },
  };
}

/** The vectors at `take` of each part, repacked into packs of at most `size` (one copy, bytes and checksums as stored). */
function mergePacks(parts: { keys: PackKeys; payload: PackPayload; take: number[] }[], size: number): { keys: PackKeys; payload: PackPayload }[] {
  const { g, d } = parts[0].keys;
  const total = parts.reduce((n, p) => n + p.take.length, 0);
  const merged: { keys: PackKeys; payload: PackPayload }[] = [];
  let flat = new Float32Array(0);
  let filled = size;
  for (const { keys, payload, take } of parts) {
    const src = new Float32Array(payload.v);
    for (const j of take) {
      if (filled === size) {
        const n = Math.min(size, total - merged.length * size);
        flat = new Float32Array(n * d);
        merged.push({ keys: { g, h: [], d }, payload: { v: flat.buffer, s: [] } });
        filled = 0;
      }
      const out = merged[merged.length - 1];
      flat.set(src.subarray(j * d, (j + 1) * d), filled * d);
      out.keys.h.push(keys.h[j]);
      out.payload.s.push(payload.s[j]);
      filled++;
    }
  }
  return merged;
}

/**
 * One eviction pass in one readwrite transaction. compact=false only deletes packs with nothing
 * left to keep (no writes that need space: the fallback when the disk is full).
 */
async function evictPacks(db: IDBDatabase, keep: (key: string) => boolean, compact: boolean, packSize: number): Promise<{ evicted: number; invalid: string[] }> {
  let evicted = 0;
  const invalid: string[] = [];
  await inTransaction(db, [PACK_KEYS, PACKS], 'readwrite', async (tx, guard) => {
    const keyStore = tx.objectStore(PACK_KEYS);
    const payloads = tx.objectStore(PACKS);
    const [ids, records] = await Promise.all([requestPromise(keyStore.getAllKeys()), requestPromise(keyStore.getAll())]);
    const seen = new Set<string>();
    // Packs to rewrite, per group and dims: partial ones, and small ones when there are several.
    const candidates = new Map<string, { id: number; keys: PackKeys; take: number[]; partial: boolean }[]>();
    const remove = (id: number) => {
      keyStore.delete(id);
      payloads.delete(id);
    };
    records.forEach((record: unknown, r) => {
      const id = ids[r] as number;
      if (packKeysProblem(record, (record as PackKeys | null)?.d ?? NaN)) {
        remove(id);
        evicted += Array.isArray((record as PackKeys | null)?.h) ? (record as PackKeys).h.length : 1;
        return;
      }
      const keys = record as PackKeys;
      const take: number[] = [];
      keys.h.forEach((rest, j) => {
        const key = keys.g + rest;
        // First copy wins: copies of one key hold the same vector (a corrupt one is caught on read).
        if (keep(key) && !seen.has(key)) take.push(j);
        seen.add(key);
      });
      if (take.length === 0) {
        remove(id);
        evicted += keys.h.length;
        return;
      }
      const partial = take.length < keys.h.length;
      if (!compact || (!partial && keys.h.length >= packSize / 4)) return;
      // Rewritten below (partial packs always are).
      evicted += keys.h.length - take.length;
      const slot = `${keys.d}:${keys.g}`;
      const list = candidates.get(slot) ?? [];
      list.push({ id, keys, take, partial });
      candidates.set(slot, list);
    });
    if (!compact) return;
    const rewrite = [...candidates.values()].filter((list) => list.some((c) => c.partial) || list.length >= 2).flat();
    const loaded = await Promise.all(rewrite.map((c) => requestPromise(payloads.get(c.id))));
    const parts = new Map<string, { keys: PackKeys; payload: PackPayload; take: number[] }[]>();
    rewrite.forEach((c, n) => {
      remove(c.id);
      const payload = loaded[n];
      if (payloadProblem(c.keys, payload)) {
        // Unreadable payload: its vectors are misses now; say so like a rejected read would.
        for (const j of c.take) invalid.push(c.keys.g + c.keys.h[j]);
        return;
      }
      const slot = `${c.keys.d}:${c.keys.g}`;
      const list = parts.get(slot) ?? [];
      list.push({ keys: c.keys, payload: payload as PackPayload, take: c.take });
      parts.set(slot, list);
    });
    for (const list of parts.values()) for (const pack of mergePacks(list, packSize)) addPack(tx, guard, pack);
  });
  return { evicted, invalid };
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
      await inTransaction(this.db!, [META], 'readwrite', (tx) => {
        tx.objectStore(META).put(new Date().toISOString(), 'lastOpened');
      });
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
      const out: (Float32Array | undefined)[] = new Array<Float32Array | undefined>(keys.length).fill(undefined); // dense: callers iterate with forEach
      const wanted: number[] = [];
      for (let i = 0; i < keys.length; i++) {
        const hit = this.memory?.get(keys[i]);
        if (hit) out[i] = hit;
        else wanted.push(i);
      }
      if (wanted.length === 0) return out;
      const db = await this.connection();
      if (!db) return out;
      let read: Awaited<ReturnType<typeof readVectors>>;
      try {
        read = await readVectors(db, wanted.map((i) => keys[i]), this.dims);
      } catch (err) {
        // Reading failed (not a missing record): treat all as misses and stop relying on IndexedDB.
        this.toMemory(`Reading stored vectors failed (${describe(err)}): ${MEMORY_ONLY}.`);
        return out;
      }
      read.out.forEach((v, j) => {
        if (v) out[wanted[j]] = v;
      });
      for (const j of read.badKeys) this.rejectedKeys.add(keys[wanted[j]]);
      if (read.repairs.size > 0 && this.mode === 'indexeddb') await this.repair(db, read.repairs);
      return out;
    });
  }

  /** Best effort: a bad vector left behind is rejected again on read and replaced when recomputed. */
  private async repair(db: IDBDatabase, repairs: Map<number, Repair>): Promise<void> {
    try {
      await inTransaction(db, [PACK_KEYS, PACKS], 'readwrite', (tx) => {
        for (const [id, { keys, payload, drop }] of repairs) {
          const keep = drop === 'all' || !keys ? [] : keys.h.map((_, j) => j).filter((j) => !drop.has(j));
          if (keep.length === 0) {
            tx.objectStore(PACK_KEYS).delete(id);
            tx.objectStore(PACKS).delete(id);
          } else {
            const pack = subPack(keys!, payload!, keep);
            tx.objectStore(PACK_KEYS).put(pack.keys, id);
            tx.objectStore(PACKS).put(pack.payload, id);
          }
        }
      });
    } catch {
      // see above
    }
  }

  async putMany(entries: VectorEntry[]): Promise<void> {
    // Check everything before writing anything: a bad vector is the caller's bug, not a storage fault.
    const groups = new Map<string, { rests: string[]; vectors: Float32Array[]; keys: string[] }>();
    entries.forEach(({ key, vector }, i) => {
      if (typeof key !== 'string' || key === '') throw new RangeError(`putMany: entry ${i} has no key.`);
      if (vector.length !== this.dims) {
        throw new RangeError(`putMany: vector for "${key}" (entry ${i}) has ${vector.length} values, expected ${this.dims}.`);
      }
      const problem = vectorProblem(vector);
      if (problem) throw new RangeError(`putMany: vector for "${key}" (entry ${i}) cannot be stored: ${problem}.`);
      const [group, rest] = splitCacheKey(key);
      const bucket = groups.get(group) ?? { rests: [], vectors: [], keys: [] };
      bucket.rests.push(rest);
      bucket.vectors.push(vector);
      bucket.keys.push(key);
      groups.set(group, bucket);
    });
    const packs: { keys: string[]; pack: ReturnType<typeof encodePack> }[] = [];
    for (const [group, { rests, vectors, keys }] of groups) {
      for (let at = 0; at < rests.length; at += this.batchSize) {
        const end = at + this.batchSize;
        packs.push({ keys: keys.slice(at, end), pack: encodePack(group, rests.slice(at, end), vectors.slice(at, end), this.dims) });
      }
    }
    return this.run(async () => {
      for (const { keys, pack } of packs) {
        const db = this.mode === 'indexeddb' ? await this.connection() : null;
        if (db) {
          try {
            await inTransaction(db, [PACK_KEYS, PACKS], 'readwrite', (tx, guard) => addPack(tx, guard, pack));
            this.written += keys.length;
            continue;
          } catch (err) {
            this.toMemory(
              isQuotaError(err)
                ? `Storage full: ${MEMORY_ONLY} (${this.written} were saved before it filled up). Free disk space or clear old site data to keep them between visits.`
                : `Saving vectors failed (${describe(err)}): ${MEMORY_ONLY}.`,
            );
          }
        }
        const flat = new Float32Array(pack.payload.v);
        keys.forEach((key, j) => this.memory!.set(key, flat.subarray(j * this.dims, (j + 1) * this.dims)));
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
      // In memory mode IndexedDB is not written to; stale vectors there are never served for a current key anyway.
      const db = this.mode === 'indexeddb' ? await this.connection() : null;
      if (!db) return evicted;
      try {
        const result = await evictPacks(db, keep, true, this.batchSize).catch(() => evictPacks(db, keep, false, this.batchSize));
        for (const key of result.invalid) this.rejectedKeys.add(key);
        evicted += result.evicted;
      } catch (err) {
        this.toMemory(`Cleaning the vector cache failed (${describe(err)}): ${MEMORY_ONLY}.`);
      }
      return evicted;
    });
  }

  stats(): Promise<VectorStoreStats> {
    return this.run(async () => {
      const keys = new Set<string>(this.memory?.keys() ?? []);
      let bytes = keys.size * this.dims * 4;
      const db = await this.connection();
      if (db) {
        try {
          const records = await inTransaction(db, [PACK_KEYS], 'readonly', (tx) => requestPromise(tx.objectStore(PACK_KEYS).getAll()));
          for (const record of records as PackKeys[]) {
            if (packKeysProblem(record, record?.d)) continue;
            for (const rest of record.h) {
              const key = record.g + rest;
              if (this.memory?.has(key)) continue;
              keys.add(key);
              bytes += record.d * 4;
            }
          }
        } catch {
          // stats are diagnostics; the next real operation reports the fault
        }
      }
      return { mode: this.mode, entries: keys.size, bytes, rejected: this.rejected };
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
