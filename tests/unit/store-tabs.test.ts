import { describe, expect, it, vi } from 'vitest';
import { forceCloseDatabase } from 'fake-indexeddb';
import { openVectorStore, SCHEMA_VERSION } from '../../src/store/vector-store';
import { DIMS, entries, freshFactory, keys, rawOpen, rawPacks, rawPut, recordingFactory, unitVectors } from './store-helpers';

function deleteDb(factory: IDBFactory, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const r = factory.deleteDatabase(name);
    r.onsuccess = () => resolve();
    r.onerror = () => reject(r.error);
  });
}

describe('vector store: two tabs and schema upgrades', () => {
  it('two tabs on the same version share the cache', async () => {
    const factory = freshFactory();
    const ks = keys(40);
    const vs = unitVectors(40);
    const a = await openVectorStore({ factory, dims: DIMS });
    const b = await openVectorStore({ factory, dims: DIMS });
    await a.putMany(entries(ks.slice(0, 20), vs.slice(0, 20)));
    await b.putMany(entries(ks.slice(20), vs.slice(20)));
    expect(await b.getMany(ks)).toEqual(vs);
    expect(await a.getMany(ks)).toEqual(vs);
    expect([a.mode, b.mode]).toEqual(['indexeddb', 'indexeddb']);
    a.close();
    b.close();
  });

  it('tab B upgrades a v1 database while tab A holds a v1 connection that yields on versionchange', async () => {
    const factory = freshFactory();
    const ks = keys(3);
    const vs = unitVectors(3);
    const tabA = await rawOpen(factory, 'paperscope', 1, (db) => db.createObjectStore('vectors'));
    await rawPut(tabA, 'vectors', ks.map((k, i) => [k, vs[i]]));
    const yielded = vi.fn();
    tabA.onversionchange = () => {
      yielded();
      tabA.close();
    };
    const onBlocked = vi.fn();
    const tabB = await openVectorStore({ factory, dims: DIMS, onBlocked });
    expect(yielded).toHaveBeenCalledOnce();
    expect(tabB.mode).toBe('indexeddb');
    expect(tabB.upgrade).toMatchObject({ from: 1, to: SCHEMA_VERSION, kept: 3 });
    expect(await tabB.getMany(ks)).toEqual(vs);
    tabB.close();
  });

  it('tab A (this code) closes for a newer build in tab B, then keeps working from memory and says to reload', async () => {
    const factory = freshFactory();
    const ks = keys(10);
    const vs = unitVectors(10);
    const onVersionChange = vi.fn();
    const tabA = await openVectorStore({ factory, dims: DIMS, onVersionChange });
    await tabA.putMany(entries(ks.slice(0, 5), vs.slice(0, 5)));

    // A newer build's upgrade completes only because tab A closes its connection.
    const tabB = await rawOpen(factory, 'paperscope', SCHEMA_VERSION + 1, () => undefined);
    expect(onVersionChange).toHaveBeenCalledWith({ oldVersion: SCHEMA_VERSION, newVersion: SCHEMA_VERSION + 1 });
    expect(tabB.version).toBe(SCHEMA_VERSION + 1);
    expect((await rawPacks(tabB)).flatMap((p) => p.keys.h)).toHaveLength(5);

    // Tab A cannot reopen an older schema over a newer one: memory, with a notice.
    await tabA.putMany(entries(ks.slice(5), vs.slice(5)));
    expect(tabA.mode).toBe('memory');
    expect(tabA.notice).toMatch(/newer version of Paperscope.*Reload this tab/);
    expect(await tabA.getMany(ks.slice(5))).toEqual(vs.slice(5));
    tabA.close();
    tabB.close();
  });

  it('tab A reopens by itself after another tab deleted the database (e.g. "clear cache")', async () => {
    const factory = freshFactory();
    const ks = keys(6);
    const vs = unitVectors(6);
    const onVersionChange = vi.fn();
    const tabA = await openVectorStore({ factory, dims: DIMS, onVersionChange });
    await tabA.putMany(entries(ks.slice(0, 3), vs.slice(0, 3)));
    await deleteDb(factory, 'paperscope'); // would stay blocked if tab A did not close
    expect(onVersionChange).toHaveBeenCalledWith({ oldVersion: SCHEMA_VERSION, newVersion: null });

    await tabA.putMany(entries(ks.slice(3), vs.slice(3)));
    expect(tabA.mode).toBe('indexeddb');
    expect(await tabA.getMany(ks)).toEqual([undefined, undefined, undefined, ...vs.slice(3)]);
    tabA.close();
    const later = await openVectorStore({ factory, dims: DIMS });
    expect((await later.stats()).entries).toBe(3);
    later.close();
  });

  it('reopens after the browser closed the connection (terminated)', async () => {
    const factory = recordingFactory(freshFactory());
    const ks = keys(4);
    const vs = unitVectors(4);
    const store = await openVectorStore({ factory, dims: DIMS });
    await store.putMany(entries(ks.slice(0, 2), vs.slice(0, 2)));
    expect(factory.connections).toHaveLength(1);
    forceCloseDatabase(factory.connections[0] as never);
    await store.putMany(entries(ks.slice(2), vs.slice(2)));
    expect(factory.connections).toHaveLength(2);
    expect(store.mode).toBe('indexeddb');
    expect(await store.getMany(ks)).toEqual(vs);
    store.close();
  });

  it('an upgrade blocked by a tab that never yields falls back to memory, and completes once that tab closes', async () => {
    const factory = freshFactory();
    const ks = keys(4);
    const vs = unitVectors(4);
    const stubborn = await rawOpen(factory, 'paperscope', 1, (db) => db.createObjectStore('vectors'));
    await rawPut(stubborn, 'vectors', [[ks[0], vs[0]]]);
    const onBlocked = vi.fn();
    const store = await openVectorStore({ factory, dims: DIMS, onBlocked, blockedTimeoutMs: 50 });
    expect(onBlocked).toHaveBeenCalled();
    expect(store.mode).toBe('memory');
    expect(store.notice).toMatch(/Another Paperscope tab is holding an older version.*memory.*Close the other tabs/);
    await store.putMany(entries(ks, vs));
    expect(await store.getMany(ks)).toEqual(vs);

    // The queued upgrade runs when the old tab goes; the next visit finds the migrated cache.
    stubborn.close();
    await new Promise((r) => setTimeout(r, 20));
    const next = await openVectorStore({ factory, dims: DIMS, blockedTimeoutMs: 50 });
    expect(next.mode).toBe('indexeddb');
    expect(await next.getMany([ks[0]])).toEqual([vs[0]]);
    next.close();
    store.close();
  });
});
