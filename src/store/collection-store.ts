/**
 * The user's own papers: named collections of imported papers, their chunks and vectors, in an
 * IndexedDB database of their own ("paperscope-collections"), separate from the corpus vector
 * cache, which evicts whatever the shipped corpus no longer names.
 *
 * Vectors are stored under the same cache keys as the corpus's (model fingerprint + chunker +
 * passage text, src/search/passage.ts): a page with another model finds no vector for a key and
 * embeds the passage again; nothing stale is ever ranked.
 *
 * Schema history (ordered migrations, never edit a released one):
 *   v1  'collections' (key: id) → CollectionInfo
 *       'papers' (key: paper id, index 'collection') → { id, collection, paper, chunks }
 *       'vectors' (key: cache key, index 'collection') → { key, collection, vector }
 *   v2  'reading-list' (key: paper id) → { id, added }: papers of the corpus or of a collection
 *   v3  'imports' (key: id) → PendingImport: an import under way, removed when its papers are
 *       saved; one found on the next visit was cut short (the tab closed) and the page says so
 */
import { openDB, type IDBPDatabase } from 'idb';
import type { Chunk, ChunkerSettings } from '../corpus/types';
import type { ImportedPaper } from '../import/pipeline';
import { vectorProblem } from './record';

/** Vectors read per transaction (each slice's requests are made in one task: 500 were ~100 ms at load 12). */
const GET_SLICE = 200;
/** Vectors written per transaction, each slice whole or not at all (its puts are one task: 200 were 100-180 ms at load 12). */
const PUT_SLICE = 64;

export const COLLECTIONS_DB = 'paperscope-collections';

export interface CollectionInfo {
  id: string;
  name: string;
  /** ISO time of the first import into it */
  created: string;
  papers: number;
  chunker: ChunkerSettings;
}

export interface StoredPaper {
  id: string;
  collection: string;
  paper: ImportedPaper;
  chunks: Chunk[];
}

interface StoredVector {
  key: string;
  collection: string;
  vector: Float32Array;
}

type Db = IDBPDatabase<any>;
type Migration = (db: Db) => void;

const MIGRATIONS: readonly Migration[] = [
  // 0 → 1
  (db) => {
    db.createObjectStore('collections', { keyPath: 'id' });
    db.createObjectStore('papers', { keyPath: 'id' }).createIndex('collection', 'collection');
    db.createObjectStore('vectors', { keyPath: 'key' }).createIndex('collection', 'collection');
  },
  // 1 → 2
  (db) => {
    db.createObjectStore('reading-list', { keyPath: 'id' });
  },
  // 2 → 3
  (db) => {
    db.createObjectStore('imports', { keyPath: 'id' });
  },
];
export const COLLECTIONS_SCHEMA_VERSION = MIGRATIONS.length;

/** An import that has started and not yet saved all its papers. */
export interface PendingImport {
  id: string;
  collection: string;
  name: string;
  files: string[];
  /** ISO time it started */
  started: string;
  /** the collection's papers before it (0 for a new collection): what it saved is the difference */
  before: number;
  /** papers it had to save, once parsed */
  papers?: number;
}

export interface CollectionStore {
  readonly mode: 'indexeddb' | 'memory';
  /** Why the store is in memory mode, when it is. */
  readonly notice: string | null;
  collections(): Promise<CollectionInfo[]>;
  papers(collection?: string): Promise<StoredPaper[]>;
  /**
   * Adds papers to a collection (created when new); the collection's count is updated. One
   * transaction: all the papers are stored or none (an error, e.g. quota exceeded, rejects).
   */
  addPapers(info: Omit<CollectionInfo, 'papers'>, papers: StoredPaper[]): Promise<CollectionInfo>;
  getVectors(keys: string[]): Promise<(Float32Array | null)[]>;
  /**
   * Stores vectors, 64 per transaction, each slice whole or not at all: an error (quota exceeded)
   * rejects with the slices before it stored.
   */
  putVectors(collection: string, entries: { key: string; vector: Float32Array }[]): Promise<void>;
  /** Removes the collection, its papers and their vectors. */
  deleteCollection(id: string): Promise<void>;
  /** Gives a collection another name; rejects when there is no such collection. */
  renameCollection(id: string, name: string): Promise<CollectionInfo>;
  /**
   * Removes papers (by id) and the vectors under `vectorKeys`, and updates their collections'
   * counts, in one transaction; returns the collections whose counts changed.
   */
  deletePapers(ids: string[], vectorKeys: string[]): Promise<CollectionInfo[]>;
  /** Paper ids on the reading list, in the order they were added. */
  readingList(): Promise<ListEntry[]>;
  setOnList(id: string, on: boolean): Promise<void>;
  /** Imports under way, or cut short by a closed tab. */
  pendingImports(): Promise<PendingImport[]>;
  putPendingImport(p: PendingImport): Promise<void>;
  endImport(id: string): Promise<void>;
  close(): void;
}

export interface ListEntry {
  id: string;
  added: string;
}

const byAdded = (a: ListEntry, b: ListEntry) => (a.added < b.added ? -1 : a.added > b.added ? 1 : 0);

class IdbCollectionStore implements CollectionStore {
  readonly mode = 'indexeddb' as const;
  readonly notice = null;
  constructor(private readonly db: Db) {}

  async collections(): Promise<CollectionInfo[]> {
    const all = (await this.db.getAll('collections')) as CollectionInfo[];
    return all.sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : 0));
  }

  async papers(collection?: string): Promise<StoredPaper[]> {
    return (collection === undefined ? await this.db.getAll('papers') : await this.db.getAllFromIndex('papers', 'collection', collection)) as StoredPaper[];
  }

  async addPapers(info: Omit<CollectionInfo, 'papers'>, papers: StoredPaper[]): Promise<CollectionInfo> {
    const tx = this.db.transaction(['collections', 'papers'], 'readwrite');
    tx.done.catch(() => {}); // its failure is the error thrown below
    try {
      const before = (await tx.objectStore('collections').get(info.id)) as CollectionInfo | undefined;
      for (const p of papers) await tx.objectStore('papers').put(p);
      const count = await tx.objectStore('papers').index('collection').count(info.id);
      const next: CollectionInfo = { ...info, created: before?.created ?? info.created, papers: count };
      await tx.objectStore('collections').put(next);
      await tx.done;
      return next;
    } catch (err) {
      abortQuietly(tx);
      throw storageError(err, tx);
    }
  }

  async getVectors(keys: string[]): Promise<(Float32Array | null)[]> {
    // one transaction per slice: asking for 10,000 vectors at once was one 0.7–1.4 s main-thread task
    const rows: (StoredVector | undefined)[] = [];
    for (let at = 0; at < keys.length; at += GET_SLICE) {
      const tx = this.db.transaction('vectors');
      rows.push(...((await Promise.all(keys.slice(at, at + GET_SLICE).map((k) => tx.store.get(k)))) as (StoredVector | undefined)[]));
      await tx.done;
    }
    // A damaged record (wrong type, NaN, not unit length) is a miss: embedded again, never ranked.
    return rows.map((r) => (r && Object.prototype.toString.call(r.vector) === '[object Float32Array]' && vectorProblem(r.vector) === null ? r.vector : null));
  }

  async putVectors(collection: string, entries: { key: string; vector: Float32Array }[]): Promise<void> {
    // a slice's puts are made in one task and awaited together: one put awaited at a time took
    // ~10,000 round trips for an imported collection's vectors
    for (let at = 0; at < entries.length; at += PUT_SLICE) {
      const tx = this.db.transaction('vectors', 'readwrite');
      tx.done.catch(() => {});
      try {
        await Promise.all(entries.slice(at, at + PUT_SLICE).map((e) => tx.store.put({ key: e.key, collection, vector: Float32Array.from(e.vector) } satisfies StoredVector)));
        await tx.done;
      } catch (err) {
        abortQuietly(tx);
        throw storageError(err, tx);
      }
    }
  }

  async deleteCollection(id: string): Promise<void> {
    const tx = this.db.transaction(['collections', 'papers', 'vectors'], 'readwrite');
    await tx.objectStore('collections').delete(id);
    for (const name of ['papers', 'vectors'] as const) {
      let cursor = await tx.objectStore(name).index('collection').openCursor(IDBKeyRange.only(id));
      while (cursor) {
        await cursor.delete();
        cursor = await cursor.continue();
      }
    }
    await tx.done;
  }

  async renameCollection(id: string, name: string): Promise<CollectionInfo> {
    const tx = this.db.transaction('collections', 'readwrite');
    tx.done.catch(() => {}); // an abort below rejects it; the error thrown is the one to see
    const info = (await tx.store.get(id)) as CollectionInfo | undefined;
    if (!info) {
      abortQuietly(tx);
      throw new Error(`No collection "${id}" to rename.`);
    }
    const next = { ...info, name };
    await tx.store.put(next);
    await tx.done;
    return next;
  }

  async deletePapers(ids: string[], vectorKeys: string[]): Promise<CollectionInfo[]> {
    const tx = this.db.transaction(['collections', 'papers', 'vectors'], 'readwrite');
    tx.done.catch(() => {});
    try {
      const touched = new Set<string>();
      for (const id of ids) {
        const stored = (await tx.objectStore('papers').get(id)) as StoredPaper | undefined;
        if (!stored) continue;
        touched.add(stored.collection);
        await tx.objectStore('papers').delete(id);
      }
      for (const key of vectorKeys) await tx.objectStore('vectors').delete(key);
      const out: CollectionInfo[] = [];
      for (const c of touched) {
        const info = (await tx.objectStore('collections').get(c)) as CollectionInfo | undefined;
        if (!info) continue;
        const next = { ...info, papers: await tx.objectStore('papers').index('collection').count(c) };
        await tx.objectStore('collections').put(next);
        out.push(next);
      }
      await tx.done;
      return out;
    } catch (err) {
      abortQuietly(tx);
      throw storageError(err, tx);
    }
  }

  async readingList(): Promise<ListEntry[]> {
    return ((await this.db.getAll('reading-list')) as ListEntry[]).sort(byAdded);
  }

  async setOnList(id: string, on: boolean): Promise<void> {
    if (on) await this.db.put('reading-list', { id, added: new Date().toISOString() } satisfies ListEntry);
    else await this.db.delete('reading-list', id);
  }

  async pendingImports(): Promise<PendingImport[]> {
    return (await this.db.getAll('imports')) as PendingImport[];
  }

  async putPendingImport(p: PendingImport): Promise<void> {
    await this.db.put('imports', p);
  }

  async endImport(id: string): Promise<void> {
    await this.db.delete('imports', id);
  }

  close(): void {
    this.db.close();
  }
}

function abortQuietly(tx: { abort(): void }): void {
  try {
    tx.abort();
  } catch {
    /* already finished or aborted */
  }
}

/** The error a failed write gives, with the transaction's own reason (QuotaExceededError) when it has one. */
function storageError(err: unknown, tx: { error: DOMException | null }): Error {
  const e = err as Error;
  if (e?.name === 'AbortError' && tx.error) return tx.error;
  return e instanceof Error ? e : new Error(String(err));
}

/** Whether a write failed because the browser's storage for this site is full. */
export function isQuotaError(err: unknown): boolean {
  return (err as Error)?.name === 'QuotaExceededError';
}

/** Used when IndexedDB cannot be: the collections last for this visit only, and the page says so. */
class MemoryCollectionStore implements CollectionStore {
  readonly mode = 'memory' as const;
  private infos = new Map<string, CollectionInfo>();
  private stored = new Map<string, StoredPaper>();
  private vectors = new Map<string, StoredVector>();
  constructor(readonly notice: string) {}

  async collections(): Promise<CollectionInfo[]> {
    return [...this.infos.values()];
  }
  async papers(collection?: string): Promise<StoredPaper[]> {
    return [...this.stored.values()].filter((p) => collection === undefined || p.collection === collection);
  }
  async addPapers(info: Omit<CollectionInfo, 'papers'>, papers: StoredPaper[]): Promise<CollectionInfo> {
    for (const p of papers) this.stored.set(p.id, p);
    const next = { ...info, created: this.infos.get(info.id)?.created ?? info.created, papers: (await this.papers(info.id)).length };
    this.infos.set(info.id, next);
    return next;
  }
  async getVectors(keys: string[]): Promise<(Float32Array | null)[]> {
    return keys.map((k) => this.vectors.get(k)?.vector ?? null);
  }
  async putVectors(collection: string, entries: { key: string; vector: Float32Array }[]): Promise<void> {
    for (const e of entries) this.vectors.set(e.key, { key: e.key, collection, vector: Float32Array.from(e.vector) });
  }
  async deleteCollection(id: string): Promise<void> {
    this.infos.delete(id);
    for (const [k, p] of this.stored) if (p.collection === id) this.stored.delete(k);
    for (const [k, v] of this.vectors) if (v.collection === id) this.vectors.delete(k);
  }
  async renameCollection(id: string, name: string): Promise<CollectionInfo> {
    const info = this.infos.get(id);
    if (!info) throw new Error(`No collection "${id}" to rename.`);
    const next = { ...info, name };
    this.infos.set(id, next);
    return next;
  }

  async deletePapers(ids: string[], vectorKeys: string[]): Promise<CollectionInfo[]> {
    const touched = new Set<string>();
    for (const id of ids) {
      const stored = this.stored.get(id);
      if (!stored) continue;
      touched.add(stored.collection);
      this.stored.delete(id);
    }
    for (const key of vectorKeys) this.vectors.delete(key);
    const out: CollectionInfo[] = [];
    for (const c of touched) {
      const info = this.infos.get(c);
      if (!info) continue;
      const next = { ...info, papers: (await this.papers(c)).length };
      this.infos.set(c, next);
      out.push(next);
    }
    return out;
  }

  private list = new Map<string, ListEntry>();
  async readingList(): Promise<ListEntry[]> {
    return [...this.list.values()].sort(byAdded);
  }
  async setOnList(id: string, on: boolean): Promise<void> {
    if (on) this.list.set(id, { id, added: new Date().toISOString() });
    else this.list.delete(id);
  }
  // This visit's imports die with it: nothing to tell on the next.
  async pendingImports(): Promise<PendingImport[]> {
    return [];
  }
  async putPendingImport(): Promise<void> {}
  async endImport(): Promise<void> {}
  close(): void {}
}

/** Never rejects for storage reasons: without IndexedDB the store is in memory and `notice` says why. */
export async function openCollectionStore(name = COLLECTIONS_DB): Promise<CollectionStore> {
  try {
    const db = await openDB(name, COLLECTIONS_SCHEMA_VERSION, {
      upgrade(db, oldVersion, newVersion) {
        for (let v = oldVersion; v < (newVersion ?? COLLECTIONS_SCHEMA_VERSION); v++) MIGRATIONS[v](db as Db);
      },
      blocked() {
        /* an older tab holds the database open; the open waits for it */
      },
    });
    return new IdbCollectionStore(db as Db);
  } catch (err) {
    return new MemoryCollectionStore(
      `Your imported papers cannot be stored in this browser (${(err as Error).message || 'IndexedDB is unavailable'}): they stay searchable until this page is closed. Export a collection to keep it.`,
    );
  }
}
