/** Shared by the store tests: unit vectors, keys, raw IndexedDB access and fault-injecting factories. */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { cacheKey } from '../../src/store/cache-key';

export const DIMS = 8;

export function freshFactory(): IDBFactory {
  return new IDBFactory();
}

/** Deterministic unit vectors: failures reproduce. */
export function unitVectors(n: number, dims = DIMS, seed = 1): Float32Array[] {
  let s = seed >>> 0;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
  return Array.from({ length: n }, () => {
    const v = Float32Array.from({ length: dims }, rnd);
    let sq = 0;
    for (const x of v) sq += x * x;
    const norm = Math.sqrt(sq);
    return v.map((x) => x / norm);
  });
}

export function fingerprint(weights = 'a'): string {
  return ['Xenova/all-MiniLM-L6-v2', 'q8', weights.repeat(64), 'mean', '', '', '256'].join('|');
}

export function keys(n: number, fp = fingerprint(), chunker = 'c1'): string[] {
  return Array.from({ length: n }, (_, i) => cacheKey(fp, chunker, i.toString(16).padStart(64, '0')));
}

export function entries(ks: string[], vectors: Float32Array[]): { key: string; vector: Float32Array }[] {
  return ks.map((key, i) => ({ key, vector: vectors[i] }));
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/** Opens without the store's code, as another build or a test fixture would. */
export function rawOpen(
  factory: IDBFactory,
  name: string,
  version?: number,
  upgrade?: (db: IDBDatabase, tx: IDBTransaction, oldVersion: number) => void,
): Promise<IDBDatabase> {
  const r = factory.open(name, version);
  if (upgrade) r.onupgradeneeded = (e) => upgrade(r.result, r.transaction!, e.oldVersion);
  return request(r);
}

export async function rawPut(db: IDBDatabase, store: string, records: [string, unknown][]): Promise<void> {
  const tx = db.transaction(store, 'readwrite');
  for (const [key, value] of records) tx.objectStore(store).put(value, key);
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error);
  });
}

export async function rawAll(db: IDBDatabase, store: string): Promise<Map<string, unknown>> {
  const tx = db.transaction(store, 'readonly');
  const [ks, vs] = await Promise.all([request(tx.objectStore(store).getAllKeys()), request(tx.objectStore(store).getAll())]);
  return new Map(ks.map((k, i) => [k as string, vs[i]]));
}

/**
 * A factory whose connections fail pack writes after `okPacks` packs, the way a full disk does.
 * 'throw': adding the pack's key record throws QuotaExceededError; 'throw-payload': the key record
 * is added, then putting its payload throws; 'abort': both are accepted but the transaction aborts
 * at commit with a QuotaExceededError (what Chromium reports).
 */
export function quotaFactory(
  real: IDBFactory,
  okPacks: number,
  how: 'throw' | 'throw-payload' | 'abort',
  name = 'QuotaExceededError',
): IDBFactory & { packs: number } {
  const failing = new WeakSet<IDBTransaction>();
  const wrapper = {
    packs: 0,
    open(dbName: string, version?: number): IDBOpenDBRequest {
      const r = real.open(dbName, version);
      r.addEventListener('success', () => {
        const db = r.result;
        const transaction = db.transaction.bind(db);
        db.transaction = ((stores: string | string[], mode?: IDBTransactionMode) => {
          const tx = transaction(stores, mode);
          if (mode !== 'readwrite') return tx;
          const objectStore = tx.objectStore.bind(tx);
          const quota = () => new DOMException('The quota has been exceeded.', name);
          tx.objectStore = (storeName: string) => {
            const os = objectStore(storeName);
            if (storeName === 'pack-keys') {
              const add = os.add.bind(os);
              os.add = (value: unknown, key?: IDBValidKey) => {
                wrapper.packs++;
                if (wrapper.packs <= okPacks) return add(value, key);
                if (how === 'throw') throw quota();
                if (how === 'throw-payload') failing.add(tx);
                if (how === 'abort' && !failing.has(tx)) {
                  failing.add(tx);
                  const err = quota();
                  Object.defineProperty(tx, 'error', { get: () => err });
                  queueMicrotask(() => tx.abort());
                }
                return add(value, key);
              };
            }
            if (storeName === 'packs' && how === 'throw-payload') {
              const put = os.put.bind(os);
              os.put = (value: unknown, key?: IDBValidKey) => {
                if (failing.has(tx)) throw quota();
                return put(value, key);
              };
            }
            return os;
          };
          return tx;
        }) as IDBDatabase['transaction'];
      });
      return r;
    },
    deleteDatabase: (dbName: string) => real.deleteDatabase(dbName),
    cmp: (a: unknown, b: unknown) => real.cmp(a, b),
    databases: () => real.databases(),
  };
  return wrapper;
}

/** A factory that records every connection it opens (to close one abnormally in a test). */
export function recordingFactory(real: IDBFactory): IDBFactory & { connections: IDBDatabase[] } {
  const wrapper = {
    connections: [] as IDBDatabase[],
    open(dbName: string, version?: number): IDBOpenDBRequest {
      const r = real.open(dbName, version);
      r.addEventListener('success', () => wrapper.connections.push(r.result));
      return r;
    },
    deleteDatabase: (dbName: string) => real.deleteDatabase(dbName),
    cmp: (a: unknown, b: unknown) => real.cmp(a, b),
    databases: () => real.databases(),
  };
  return wrapper;
}

/** Writes a pack as the store would, bypassing its checks (for corrupt fixtures). Returns its id. */
export async function rawAddPack(db: IDBDatabase, keys: unknown, payload: unknown): Promise<number> {
  const tx = db.transaction(['pack-keys', 'packs'], 'readwrite');
  const id = await request(tx.objectStore('pack-keys').add(keys));
  if (payload !== undefined) await request(tx.objectStore('packs').put(payload, id));
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error);
  });
  return id as number;
}

/** All packs: key record and payload by id. */
export async function rawPacks(db: IDBDatabase): Promise<{ id: number; keys: { g: string; h: string[]; d: number }; payload: { v: ArrayBuffer; s: number[] } }[]> {
  const tx = db.transaction(['pack-keys', 'packs'], 'readonly');
  const [ids, ks] = await Promise.all([request(tx.objectStore('pack-keys').getAllKeys()), request(tx.objectStore('pack-keys').getAll())]);
  const ps = await Promise.all(ids.map((id) => request(tx.objectStore('packs').get(id))));
  return ids.map((id, i) => ({ id: id as number, keys: ks[i], payload: ps[i] }));
}
