import { describe, expect, it } from 'vitest';
import { openVectorStore, SCHEMA_VERSION } from '../../src/store/vector-store';
import { splitCacheKey } from '../../src/store/cache-key';
import { checksum, encodePack } from '../../src/store/record';
import { DIMS, entries, fingerprint, freshFactory, keys, quotaFactory, rawAddPack, rawAll, rawOpen, rawPacks, rawPut, unitVectors } from './store-helpers';

/** A pack of ks (all one group) as the store writes it. */
function pack(ks: string[], vs: Float32Array[]) {
  const [group] = splitCacheKey(ks[0]);
  return encodePack(group, ks.map((k) => splitCacheKey(k)[1]), vs, DIMS);
}

describe('vector store: round trip and keys', () => {
  it('returns exactly what was stored, in the order asked, across reopening', async () => {
    const factory = freshFactory();
    const ks = keys(600);
    const vs = unitVectors(600);
    const a = await openVectorStore({ factory, dims: DIMS, batchSize: 100 });
    expect(a.mode).toBe('indexeddb');
    expect(a.notice).toBeUndefined();
    await a.putMany(entries(ks, vs));
    a.close();

    const b = await openVectorStore({ factory, dims: DIMS });
    const asked = [ks[5], 'not-a-key', ks[599], ks[5], ...ks];
    const got = await b.getMany(asked);
    expect(got[0]).toEqual(vs[5]);
    expect(got[1]).toBeUndefined();
    expect(got[2]).toEqual(vs[599]);
    expect(got[3]).toEqual(vs[5]);
    got.slice(4).forEach((v, i) => expect(v).toEqual(vs[i]));
    expect(await b.stats()).toEqual({ mode: 'indexeddb', entries: 600, bytes: 600 * DIMS * 4, rejected: 0 });
    b.close();
  });

  it('writes one pack of at most batchSize vectors per transaction, copying views out of larger buffers', async () => {
    const factory = freshFactory();
    const flat = new Float32Array(5 * DIMS);
    const vs = unitVectors(5);
    vs.forEach((v, i) => flat.set(v, i * DIMS));
    const ks = keys(5);
    const store = await openVectorStore({ factory, dims: DIMS, batchSize: 2 });
    await store.putMany(ks.map((key, i) => ({ key, vector: flat.subarray(i * DIMS, (i + 1) * DIMS) })));
    store.close();
    const db = await rawOpen(factory, 'paperscope');
    const packs = await rawPacks(db);
    expect(packs.map((p) => p.keys.h.length)).toEqual([2, 2, 1]);
    expect(packs.map((p) => p.payload.v.byteLength)).toEqual([2, 2, 1].map((n) => n * DIMS * 4));
    expect(packs[0].keys.g).toBe(splitCacheKey(ks[0])[0]);
    db.close();
  });

  it('misses for another model fingerprint or chunker version: never a vector made for something else', async () => {
    const factory = freshFactory();
    const store = await openVectorStore({ factory, dims: DIMS });
    await store.putMany(entries(keys(20, fingerprint('a')), unitVectors(20)));
    expect((await store.getMany(keys(20, fingerprint('b')))).every((v) => v === undefined)).toBe(true);
    expect((await store.getMany(keys(20, fingerprint('a'), 'c2'))).every((v) => v === undefined)).toBe(true);
    expect((await store.getMany(keys(20, fingerprint('a')))).every((v) => v !== undefined)).toBe(true);
    // Misses are real entries, not holes: the app finds what to embed by iterating the answer.
    const misses: number[] = [];
    (await store.getMany(keys(20, fingerprint('b')))).forEach((v, i) => v === undefined && misses.push(i));
    expect(misses).toHaveLength(20);
    store.close();
  });

  it('serves keys from several groups in one call', async () => {
    const factory = freshFactory();
    const a = keys(5, fingerprint('a'));
    const b = keys(5, fingerprint('b'));
    const vs = unitVectors(10);
    const store = await openVectorStore({ factory, dims: DIMS });
    await store.putMany(entries([...a, ...b], vs));
    expect(await store.getMany([b[4], a[0], 'x', b[0]])).toEqual([vs[9], vs[0], undefined, vs[5]]);
    store.close();
  });

  it('refuses bad vectors before writing anything, naming the key', async () => {
    const factory = freshFactory();
    const store = await openVectorStore({ factory, dims: DIMS });
    const ks = keys(3);
    const [good, second] = unitVectors(2);
    const nan = good.slice();
    nan[2] = NaN;
    await expect(store.putMany([{ key: ks[0], vector: good }, { key: ks[1], vector: nan }])).rejects.toThrow(`"${ks[1]}" (entry 1) cannot be stored: value 2 is NaN`);
    await expect(store.putMany([{ key: ks[2], vector: good.subarray(1) }])).rejects.toThrow(/has 7 values, expected 8/);
    await expect(store.putMany([{ key: ks[2], vector: second.map((x) => x * 2) }])).rejects.toThrow(/norm/);
    expect(await store.getMany(ks)).toEqual([undefined, undefined, undefined]);
    expect(store.mode).toBe('indexeddb');
    store.close();
  });

  it('keeps every batch written before the tab went away', async () => {
    const factory = freshFactory();
    const ks = keys(300);
    const vs = unitVectors(300);
    const tab = await openVectorStore({ factory, dims: DIMS, batchSize: 64 });
    // The app writes each embedded batch as it finishes; the tab is then closed without close().
    for (let at = 0; at < 200; at += 20) await tab.putMany(entries(ks.slice(at, at + 20), vs.slice(at, at + 20)));
    const next = await openVectorStore({ factory, dims: DIMS });
    const got = await next.getMany(ks);
    expect(got.filter(Boolean)).toHaveLength(200);
    got.slice(0, 200).forEach((v, i) => expect(v).toEqual(vs[i]));
  });
});

describe('vector store: eviction and compaction', () => {
  it('removes vectors not in the corpus or from an old model, and reports how many', async () => {
    const factory = freshFactory();
    const current = keys(50, fingerprint('a'));
    const oldModel = keys(30, fingerprint('b'));
    const vs = unitVectors(80);
    const store = await openVectorStore({ factory, dims: DIMS, batchSize: 16 });
    await store.putMany(entries([...current, ...oldModel], vs));
    const inCorpus = new Set(current.slice(0, 40));
    expect(await store.evictExcept(inCorpus)).toBe(40);
    expect((await store.stats()).entries).toBe(40);
    expect((await store.getMany(current.slice(40))).every((v) => v === undefined)).toBe(true);
    expect(await store.getMany(current.slice(0, 40))).toEqual(vs.slice(0, 40));
    expect(await store.evictExcept((k) => k === current[0])).toBe(39);
    expect(await store.evictExcept(new Set([current[0]]))).toBe(0);
    expect(await store.getMany([current[0]])).toEqual([vs[0]]);
    store.close();
  });

  it('merges the small packs the app writes (16 at a time) into full packs, keeping every vector', async () => {
    const factory = freshFactory();
    const ks = keys(100);
    const vs = unitVectors(100);
    const store = await openVectorStore({ factory, dims: DIMS, batchSize: 64 });
    for (let at = 0; at < 100; at += 10) await store.putMany(entries(ks.slice(at, at + 10), vs.slice(at, at + 10)));
    expect(await store.evictExcept(new Set(ks))).toBe(0);
    const db = await rawOpen(factory, 'paperscope');
    expect((await rawPacks(db)).map((p) => p.keys.h.length)).toEqual([64, 36]);
    db.close();
    expect(await store.getMany(ks)).toEqual(vs);
    // Nothing to do the second time: no rewrite of a single remaining small pack.
    expect(await store.evictExcept(new Set(ks))).toBe(0);
    const again = await rawOpen(factory, 'paperscope');
    expect((await rawPacks(again)).map((p) => p.keys.h.length)).toEqual([64, 36]);
    again.close();
    store.close();
  });

  it('removes duplicate copies (two tabs embedding the same chunks) and keeps one', async () => {
    const factory = freshFactory();
    const ks = keys(20);
    const vs = unitVectors(20);
    const a = await openVectorStore({ factory, dims: DIMS });
    const b = await openVectorStore({ factory, dims: DIMS });
    await a.putMany(entries(ks, vs));
    await b.putMany(entries(ks.slice(0, 12), vs.slice(0, 12)));
    expect((await a.stats()).bytes).toBe(32 * DIMS * 4);
    expect(await a.evictExcept(new Set(ks))).toBe(12);
    expect(await a.stats()).toMatchObject({ entries: 20, bytes: 20 * DIMS * 4 });
    expect(await b.getMany(ks)).toEqual(vs);
    a.close();
    b.close();
  });
});

describe('vector store: corrupted entries', () => {
  it('treats a flipped bit, NaN, Infinity or a non-unit vector as a miss, counts it, serves its neighbours and removes it', async () => {
    const factory = freshFactory();
    const ks = keys(8);
    const vs = unitVectors(8);
    await (await openVectorStore({ factory, dims: DIMS })).close();
    const db = await rawOpen(factory, 'paperscope');
    const { keys: packKeys, payload } = pack(ks, vs);
    const f32 = new Float32Array(payload.v);
    const resum = (j: number) => (payload.s[j] = checksum(payload.v, j * DIMS * 4, DIMS * 4));
    new Uint8Array(payload.v)[0 * DIMS * 4 + 9] ^= 0x10; // bit rot: checksum no longer matches
    f32[1 * DIMS] = NaN;
    resum(1);
    f32[2 * DIMS + 3] = Infinity;
    resum(2);
    for (let i = 0; i < DIMS; i++) f32[3 * DIMS + i] *= 1.01;
    resum(3);
    await rawAddPack(db, packKeys, payload);
    db.close();

    const store = await openVectorStore({ factory, dims: DIMS });
    const got = await store.getMany(ks);
    expect(got.slice(0, 4)).toEqual([undefined, undefined, undefined, undefined]);
    expect(got.slice(4)).toEqual(vs.slice(4));
    expect(store.rejected).toBe(4);
    expect(await store.stats()).toMatchObject({ entries: 4, rejected: 4 });
    // Counted once: the bad vectors are gone, a second read is a plain miss.
    await store.getMany(ks);
    expect(store.rejected).toBe(4);
    // Recomputed and stored again: valid from then on.
    await store.putMany(entries(ks.slice(0, 4), vs.slice(0, 4)));
    expect(await store.getMany(ks)).toEqual(vs);
    store.close();
  });

  it('treats a truncated or missing payload, junk key records and packs of other dims as misses, and removes them', async () => {
    const factory = freshFactory();
    const ks = keys(10);
    const vs = unitVectors(10);
    await (await openVectorStore({ factory, dims: DIMS })).close();
    const db = await rawOpen(factory, 'paperscope');
    const truncated = pack(ks.slice(0, 2), vs.slice(0, 2));
    await rawAddPack(db, truncated.keys, { ...truncated.payload, v: truncated.payload.v.slice(0, DIMS * 4 + 12) });
    await rawAddPack(db, pack(ks.slice(2, 4), vs.slice(2, 4)).keys, undefined);
    const wide = pack(ks.slice(4, 6), vs.slice(4, 6));
    await rawAddPack(db, { ...wide.keys, d: DIMS * 2 }, wide.payload);
    await rawAddPack(db, { g: truncated.keys.g, h: 'not-an-array', d: DIMS }, wide.payload);
    await rawAddPack(db, 'junk without a group', undefined);
    const fine = pack(ks.slice(6), vs.slice(6));
    await rawAddPack(db, fine.keys, fine.payload);
    db.close();

    const store = await openVectorStore({ factory, dims: DIMS });
    const got = await store.getMany(ks);
    expect(got.slice(0, 6)).toEqual(Array(6).fill(undefined));
    expect(got.slice(6)).toEqual(vs.slice(6));
    expect(store.rejected).toBe(6);
    store.close();
    const after = await rawOpen(factory, 'paperscope');
    // The unreadable packs of the group read are deleted; junk outside any group goes at the next eviction.
    expect((await rawPacks(after)).map((p) => p.keys)).toEqual(['junk without a group', fine.keys]);
    after.close();
    const next = await openVectorStore({ factory, dims: DIMS });
    await next.evictExcept(new Set(ks));
    const last = await rawOpen(factory, 'paperscope');
    expect((await rawPacks(last)).map((p) => p.keys.h)).toEqual([fine.keys.h]);
    last.close();
    next.close();
  });

  it('prefers a valid copy over a corrupt one of the same key', async () => {
    const factory = freshFactory();
    const ks = keys(2);
    const vs = unitVectors(2);
    await (await openVectorStore({ factory, dims: DIMS })).close();
    const db = await rawOpen(factory, 'paperscope');
    const bad = pack(ks, vs);
    new Uint8Array(bad.payload.v)[3] ^= 1;
    await rawAddPack(db, bad.keys, bad.payload);
    const good = pack(ks.slice(0, 1), vs.slice(0, 1));
    await rawAddPack(db, good.keys, good.payload);
    db.close();
    const store = await openVectorStore({ factory, dims: DIMS });
    expect(await store.getMany(ks)).toEqual([vs[0], vs[1]]);
    expect(store.rejected).toBe(0);
    store.close();
  });
});

describe('vector store: schema migrations', () => {
  it('creates the current schema in a new database', async () => {
    const factory = freshFactory();
    const store = await openVectorStore({ factory, dims: DIMS });
    expect(store.upgrade).toEqual({ from: 0, to: SCHEMA_VERSION, kept: 0, dropped: 0 });
    store.close();
    const db = await rawOpen(factory, 'paperscope');
    expect(db.version).toBe(SCHEMA_VERSION);
    expect([...db.objectStoreNames].sort()).toEqual(['meta', 'pack-keys', 'packs']);
    const meta = await rawAll(db, 'meta');
    expect(meta.get('created')).toEqual(expect.any(String));
    expect(meta.get('lastOpened')).toEqual(expect.any(String));
    db.close();
  });

  it('upgrades a v1 database (one bare Float32Array per key), packing valid vectors and dropping the rest', async () => {
    const factory = freshFactory();
    const ks = [...keys(4, fingerprint('a')), ...keys(3, fingerprint('b'))];
    const vs = unitVectors(7);
    const v1 = await rawOpen(factory, 'paperscope', 1, (db) => db.createObjectStore('vectors'));
    const nan = vs[3].slice();
    nan[0] = NaN;
    await rawPut(v1, 'vectors', [
      [ks[0], vs[0]],
      [ks[1], vs[1]],
      [ks[2], vs[2]],
      [ks[3], nan],
      [ks[4], vs[4].map((x) => x * 3)],
      [ks[5], [...vs[5]]],
      [ks[6], vs[6]],
    ]);
    v1.close();

    const store = await openVectorStore({ factory, dims: DIMS });
    expect(store.mode).toBe('indexeddb');
    expect(store.upgrade).toEqual({ from: 1, to: SCHEMA_VERSION, kept: 4, dropped: 3 });
    expect(await store.getMany(ks)).toEqual([vs[0], vs[1], vs[2], undefined, undefined, undefined, vs[6]]);
    expect(store.rejected).toBe(0);
    store.close();

    const db = await rawOpen(factory, 'paperscope');
    expect(db.version).toBe(SCHEMA_VERSION);
    expect(db.objectStoreNames.contains('vectors')).toBe(false);
    const packs = await rawPacks(db);
    expect(packs.map((p) => [p.keys.g, p.keys.h.length])).toEqual([
      [splitCacheKey(ks[0])[0], 3],
      [splitCacheKey(ks[6])[0], 1],
    ]);
    expect(await rawAll(db, 'meta')).toEqual(
      new Map<string, unknown>([
        ['upgrades', [{ from: 1, to: SCHEMA_VERSION, kept: 4, dropped: 3, at: expect.any(String) }]],
        ['lastOpened', expect.any(String)],
      ]),
    );
    db.close();
  });

  it('starts afresh when a migration cannot run (a v1 database without the vectors store)', async () => {
    const factory = freshFactory();
    const odd = await rawOpen(factory, 'paperscope', 1, (db) => db.createObjectStore('something-else'));
    odd.close();
    const store = await openVectorStore({ factory, dims: DIMS });
    expect(store.mode).toBe('indexeddb');
    expect(store.upgrade?.from).toBe(0);
    expect(store.upgrade?.cleared).toMatch(/Upgrading IndexedDB "paperscope" to schema v2 failed: NotFoundError/);
    const ks = keys(3);
    await store.putMany(entries(ks, unitVectors(3)));
    expect((await store.getMany(ks)).every(Boolean)).toBe(true);
    store.close();
  });

  it('uses memory when the database was upgraded by a newer build', async () => {
    const factory = freshFactory();
    const newer = await rawOpen(factory, 'paperscope', SCHEMA_VERSION + 1, (db) => db.createObjectStore('vectors'));
    newer.close();
    const store = await openVectorStore({ factory, dims: DIMS });
    expect(store.mode).toBe('memory');
    expect(store.notice).toMatch(/newer version of Paperscope.*memory.*Reload/);
    const ks = keys(4);
    const vs = unitVectors(4);
    await store.putMany(entries(ks, vs));
    expect(await store.getMany(ks)).toEqual(vs);
    store.close();
  });
});

describe('vector store: storage faults', () => {
  const ways = {
    throw: 'adding the pack throws',
    'throw-payload': 'the payload write throws after its key record was added',
    abort: 'the transaction aborts at commit',
  } as const;
  for (const [how, label] of Object.entries(ways) as [keyof typeof ways, string][]) {
    it(`quota exceeded mid-write (${label}): memory mode, notice, everything readable, nothing corrupt next visit`, async () => {
      const real = freshFactory();
      const factory = quotaFactory(real, 2, how);
      const ks = keys(300);
      const vs = unitVectors(300);
      const store = await openVectorStore({ factory, dims: DIMS, batchSize: 50 });
      expect(store.mode).toBe('indexeddb');
      await store.putMany(entries(ks.slice(0, 150), vs.slice(0, 150)));
      expect(store.mode).toBe('memory');
      expect(store.notice).toMatch(/^Storage full: vectors are kept in memory for this visit only \(100 were saved/);
      await store.putMany(entries(ks.slice(150), vs.slice(150)));
      expect(await store.getMany(ks)).toEqual(vs);
      expect(await store.stats()).toEqual({ mode: 'memory', entries: 300, bytes: 300 * DIMS * 4, rejected: 0 });
      const packsBefore = factory.packs;
      await store.putMany(entries(ks.slice(0, 10), vs.slice(0, 10)));
      expect(factory.packs).toBe(packsBefore); // memory mode does not keep hitting a full disk
      store.close();

      // Next visit: the two committed packs are there and valid; the failed one left nothing behind.
      const db = await rawOpen(real, 'paperscope');
      const packs = await rawPacks(db);
      expect(packs.map((p) => p.keys.h.length)).toEqual([50, 50]);
      expect(packs.every((p) => p.payload !== undefined)).toBe(true);
      db.close();
      const next = await openVectorStore({ factory: real, dims: DIMS });
      expect(next.mode).toBe('indexeddb');
      const got = await next.getMany(ks);
      expect(next.rejected).toBe(0);
      expect(got.slice(0, 100)).toEqual(vs.slice(0, 100));
      expect(got.slice(100).every((v) => v === undefined)).toBe(true);
      next.close();
    });
  }

  it('eviction on a full disk still deletes what is stale (no compaction writes)', async () => {
    const real = freshFactory();
    const ks = keys(40);
    const vs = unitVectors(40);
    const filling = await openVectorStore({ factory: real, dims: DIMS, batchSize: 10 });
    await filling.putMany(entries(ks, vs));
    filling.close();
    const store = await openVectorStore({ factory: quotaFactory(real, 0, 'throw'), dims: DIMS, batchSize: 10 });
    // Keep 15 of 4 packs of 10: two fully stale packs are deleted; the partial one would need a
    // rewrite (space), so it stays as it is.
    expect(await store.evictExcept(new Set(ks.slice(0, 15)))).toBe(20);
    const db = await rawOpen(real, 'paperscope');
    expect((await rawPacks(db)).map((p) => p.keys.h.length)).toEqual([10, 10]);
    db.close();
    expect(store.mode).toBe('indexeddb');
    expect(await store.getMany(ks.slice(0, 15))).toEqual(vs.slice(0, 15));
    store.close();
  });

  it('any other write failure also switches to memory and says why', async () => {
    const factory = quotaFactory(freshFactory(), 0, 'throw', 'UnknownError');
    const store = await openVectorStore({ factory, dims: DIMS });
    const ks = keys(5);
    const vs = unitVectors(5);
    await store.putMany(entries(ks, vs));
    expect(store.mode).toBe('memory');
    expect(store.notice).toMatch(/Saving vectors failed \(UnknownError: .*\): vectors are kept in memory/);
    expect(await store.getMany(ks)).toEqual(vs);
    store.close();
  });

  it('eviction in memory mode applies to the vectors held in memory', async () => {
    const store = await openVectorStore({ factory: null, dims: DIMS });
    const ks = keys(10);
    await store.putMany(entries(ks, unitVectors(10)));
    expect(await store.evictExcept(new Set(ks.slice(0, 4)))).toBe(6);
    expect((await store.getMany(ks)).filter(Boolean)).toHaveLength(4);
    store.close();
  });

  const unavailable: [string, () => IDBFactory | null][] = [
    ['no IndexedDB at all', () => null],
    [
      'open throws SecurityError',
      () =>
        ({
          open() {
            throw new DOMException('access denied in this context', 'SecurityError');
          },
        }) as unknown as IDBFactory,
    ],
    [
      'open request fails with InvalidStateError (private mode)',
      () =>
        ({
          open() {
            const request = new EventTarget() as EventTarget & Record<string, unknown>;
            request.error = new DOMException('A mutation operation was attempted on a database that did not allow mutations.', 'InvalidStateError');
            setTimeout(() => (request.onerror as (e: Event) => void)(new Event('error')));
            return request;
          },
        }) as unknown as IDBFactory,
    ],
  ];
  for (const [label, make] of unavailable) {
    it(`keeps working in memory when IndexedDB is unavailable: ${label}`, async () => {
      const store = await openVectorStore({ factory: make(), dims: DIMS });
      expect(store.mode).toBe('memory');
      expect(store.notice).toMatch(/IndexedDB (is not available|cannot be opened).*memory for this visit only/);
      if (label.includes('Error')) expect(store.notice).toContain(label.includes('Security') ? 'SecurityError' : 'InvalidStateError');
      const ks = keys(20);
      const vs = unitVectors(20);
      await store.putMany(entries(ks, vs));
      expect(await store.getMany(ks)).toEqual(vs);
      expect(await store.stats()).toEqual({ mode: 'memory', entries: 20, bytes: 20 * DIMS * 4, rejected: 0 });
      store.close();
    });
  }

  it('refuses use after close with a clear error', async () => {
    const store = await openVectorStore({ factory: freshFactory(), dims: DIMS });
    store.close();
    await expect(store.getMany(keys(1))).rejects.toThrow(/closed; open a new one/);
  });

  it('rejects a bad dims option', async () => {
    await expect(openVectorStore({ factory: null, dims: 0 })).rejects.toThrow(/dims must be a positive integer/);
  });
});
