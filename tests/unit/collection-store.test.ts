import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openCollectionStore, type StoredPaper } from '../../src/store/collection-store';
import type { ImportedPaper } from '../../src/import/pipeline';

const chunker = { version: 'sent1+wpest1', maxTokens: 254, overlapSentences: 1 };
let n = 0;
const dbName = () => `collections-test-${n++}`;

function stored(collection: string, id: string): StoredPaper {
  const paper: ImportedPaper = { id, title: `Paper ${id}`, titleDerived: false, abstract: `Abstract of ${id}.`, source: { file: 'a.bib', line: 1 }, abstractKey: id };
  return { id, collection, paper, chunks: [{ id: `${id}#0`, paperId: id, index: 0, text: paper.abstract, start: 0, end: paper.abstract.length, hash: 'h' }] };
}
const unit = (i: number) => {
  const v = new Float32Array(4);
  v[i % 4] = 1;
  return v;
};

describe('collection store', () => {
  it('keeps collections, papers and vectors across connections; delete removes all of one collection only', async () => {
    const name = dbName();
    const a = await openCollectionStore(name);
    expect(a.mode).toBe('indexeddb');
    await a.addPapers({ id: 'c1', name: 'Mine', created: '2026-01-01T00:00:00Z', chunker }, [stored('c1', 'c1/x'), stored('c1', 'c1/y')]);
    const info = await a.addPapers({ id: 'c1', name: 'Mine', created: '2026-02-01T00:00:00Z', chunker }, [stored('c1', 'c1/z')]);
    expect(info).toMatchObject({ papers: 3, created: '2026-01-01T00:00:00Z' });
    await a.addPapers({ id: 'c2', name: 'Other', created: '2026-03-01T00:00:00Z', chunker }, [stored('c2', 'c2/q')]);
    await a.putVectors('c1', [{ key: 'k1', vector: unit(0) }]);
    await a.putVectors('c2', [{ key: 'k2', vector: unit(1) }]);
    a.close();

    const b = await openCollectionStore(name);
    expect((await b.collections()).map((c) => [c.name, c.papers])).toEqual([['Mine', 3], ['Other', 1]]);
    expect((await b.papers('c1')).map((p) => p.id).sort()).toEqual(['c1/x', 'c1/y', 'c1/z']);
    expect((await b.getVectors(['k1', 'k2', 'nope'])).map((v) => v && Array.from(v))).toEqual([[1, 0, 0, 0], [0, 1, 0, 0], null]);

    await b.deleteCollection('c1');
    expect((await b.collections()).map((c) => c.name)).toEqual(['Other']);
    expect((await b.papers()).map((p) => p.id)).toEqual(['c2/q']);
    expect((await b.getVectors(['k1', 'k2'])).map((v) => v !== null)).toEqual([false, true]);
    b.close();
  });

  it.each(['indexeddb', 'memory'] as const)('%s: rename keeps papers and vectors; deleting papers removes them and the given vectors, and recounts', async (mode) => {
    const saved = globalThis.indexedDB;
    if (mode === 'memory') Object.defineProperty(globalThis, 'indexedDB', { value: undefined, configurable: true });
    try {
      const name = dbName();
      const a = await openCollectionStore(name);
      expect(a.mode).toBe(mode);
      await a.addPapers({ id: 'c1', name: 'Mine', created: '2026-01-01T00:00:00Z', chunker }, [stored('c1', 'c1/x'), stored('c1', 'c1/y')]);
      await a.addPapers({ id: 'c2', name: 'Other', created: '2026-02-01T00:00:00Z', chunker }, [stored('c2', 'c2/q')]);
      await a.putVectors('c1', [{ key: 'kx', vector: unit(0) }, { key: 'ky', vector: unit(1) }]);
      expect(await a.renameCollection('c1', 'Thesis')).toMatchObject({ id: 'c1', name: 'Thesis', papers: 2, created: '2026-01-01T00:00:00Z' });
      await expect(a.renameCollection('nope', 'X')).rejects.toThrow(/No collection "nope"/);
      const changed = await a.deletePapers(['c1/x', 'missing'], ['kx']);
      expect(changed.map((c) => [c.id, c.name, c.papers])).toEqual([['c1', 'Thesis', 1]]);
      const b = mode === 'indexeddb' ? (a.close(), await openCollectionStore(name)) : a;
      expect((await b.collections()).map((c) => [c.name, c.papers])).toEqual([['Thesis', 1], ['Other', 1]]);
      expect((await b.papers()).map((p) => p.id).sort()).toEqual(['c1/y', 'c2/q']);
      expect((await b.getVectors(['kx', 'ky'])).map((v) => v !== null)).toEqual([false, true]);
      b.close();
    } finally {
      Object.defineProperty(globalThis, 'indexedDB', { value: saved, configurable: true });
    }
  });

  it('a damaged vector is a miss, never returned', async () => {
    const s = await openCollectionStore(dbName());
    await s.putVectors('c', [{ key: 'nan', vector: new Float32Array([NaN, 0, 0, 0]) }, { key: 'long', vector: new Float32Array([2, 0, 0, 0]) }]);
    expect(await s.getVectors(['nan', 'long'])).toEqual([null, null]);
  });

  it('without IndexedDB the store keeps collections in memory and says so', async () => {
    const saved = globalThis.indexedDB;
    Object.defineProperty(globalThis, 'indexedDB', { value: undefined, configurable: true });
    try {
      const s = await openCollectionStore(dbName());
      expect(s.mode).toBe('memory');
      expect(s.notice).toMatch(/cannot be stored/);
      await s.addPapers({ id: 'c', name: 'M', created: 'now', chunker }, [stored('c', 'c/a')]);
      expect((await s.collections())[0].papers).toBe(1);
    } finally {
      Object.defineProperty(globalThis, 'indexedDB', { value: saved, configurable: true });
    }
  });
});

describe('collection store: reading list (schema v2)', () => {
  it('a v1 database is upgraded in place: collections kept, the reading list added and kept across connections', async () => {
    const name = dbName();
    const { openDB } = await import('idb');
    const v1 = await openDB(name, 1, {
      upgrade(db) {
        db.createObjectStore('collections', { keyPath: 'id' });
        db.createObjectStore('papers', { keyPath: 'id' }).createIndex('collection', 'collection');
        db.createObjectStore('vectors', { keyPath: 'key' }).createIndex('collection', 'collection');
      },
    });
    await v1.put('collections', { id: 'c1', name: 'Old', created: '2025-01-01T00:00:00Z', papers: 0, chunker });
    v1.close();

    const s = await openCollectionStore(name);
    expect((await s.collections()).map((c) => c.name)).toEqual(['Old']);
    await s.setOnList('p1', true);
    await s.setOnList('p2', true);
    await s.setOnList('p1', false);
    await s.setOnList('p3', true);
    s.close();
    const again = await openCollectionStore(name);
    expect((await again.readingList()).map((e) => e.id)).toEqual(['p2', 'p3']);
    again.close();
  });
});

describe('collection store: failed writes and imports under way (schema v3)', () => {
  it('a write that fails mid-batch (quota) stores none of the batch; earlier batches stay; the error is the quota error', async () => {
    const s = await openCollectionStore(dbName());
    await s.addPapers({ id: 'c', name: 'M', created: 'now', chunker }, [stored('c', 'c/a'), stored('c', 'c/b')]);
    const proto = IDBObjectStore.prototype;
    const put = proto.put;
    let calls = 0;
    proto.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === 'papers' && ++calls === 2) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.apply(this, args);
    };
    try {
      await expect(s.addPapers({ id: 'c', name: 'M', created: 'now', chunker }, [stored('c', 'c/c'), stored('c', 'c/d'), stored('c', 'c/e')])).rejects.toMatchObject({ name: 'QuotaExceededError' });
    } finally {
      proto.put = put;
    }
    expect((await s.papers('c')).map((p) => p.id).sort()).toEqual(['c/a', 'c/b']);
    expect((await s.collections())[0].papers).toBe(2);
  });

  it('an import under way is kept until it ends, across connections', async () => {
    const name = dbName();
    const a = await openCollectionStore(name);
    const p = { id: 'i1', collection: 'c', name: 'M', files: ['a.bib'], started: '2026-01-01T00:00:00Z', before: 0 };
    await a.putPendingImport(p);
    a.close();
    const b = await openCollectionStore(name);
    expect(await b.pendingImports()).toEqual([p]);
    await b.endImport('i1');
    expect(await b.pendingImports()).toEqual([]);
  });
});
