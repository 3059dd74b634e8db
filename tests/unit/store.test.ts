import { describe, expect, it } from 'vitest';
import { openVectorStore, SCHEMA_VERSION } from '../../src/store/vector-store';
import { checksum, encodeVector } from '../../src/store/record';
import { DIMS, entries, fingerprint, freshFactory, keys, quotaFactory, rawAll, rawOpen, rawPut, unitVectors } from './store-helpers';

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

  it('reads a few keys out of a large store (per-key path) and many keys (range path) alike', async () => {
    const factory = freshFactory();
    const ks = keys(1200);
    const vs = unitVectors(1200);
    const store = await openVectorStore({ factory, dims: DIMS });
    await store.putMany(entries(ks, vs));
    const few = [ks[7], ks[1100]];
    expect(await store.getMany(few)).toEqual([vs[7], vs[1100]]);
    const many = ks.filter((_, i) => i % 2 === 0);
    (await store.getMany(many)).forEach((v, j) => expect(v).toEqual(vs[j * 2]));
    store.close();
  });

  it('stores a view into a larger buffer as its own dims floats', async () => {
    const factory = freshFactory();
    const flat = new Float32Array(3 * DIMS);
    const vs = unitVectors(3);
    vs.forEach((v, i) => flat.set(v, i * DIMS));
    const ks = keys(3);
    const store = await openVectorStore({ factory, dims: DIMS });
    await store.putMany(ks.map((key, i) => ({ key, vector: flat.subarray(i * DIMS, (i + 1) * DIMS) })));
    store.close();
    const db = await rawOpen(factory, 'paperscope');
    for (const rec of (await rawAll(db, 'vectors')).values()) {
      expect((rec as { v: ArrayBuffer }).v.byteLength).toBe(DIMS * 4);
    }
    db.close();
  });

  it('misses for another model fingerprint or chunker version: never a vector made for something else', async () => {
    const factory = freshFactory();
    const store = await openVectorStore({ factory, dims: DIMS });
    await store.putMany(entries(keys(20, fingerprint('a')), unitVectors(20)));
    expect((await store.getMany(keys(20, fingerprint('b')))).every((v) => v === undefined)).toBe(true);
    expect((await store.getMany(keys(20, fingerprint('a'), 'c2'))).every((v) => v === undefined)).toBe(true);
    expect((await store.getMany(keys(20, fingerprint('a')))).every((v) => v !== undefined)).toBe(true);
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
    await tab.putMany(entries(ks.slice(0, 100), vs.slice(0, 100)));
    await tab.putMany(entries(ks.slice(100, 200), vs.slice(100, 200)));
    const next = await openVectorStore({ factory, dims: DIMS });
    const got = await next.getMany(ks);
    expect(got.filter(Boolean)).toHaveLength(200);
    got.slice(0, 200).forEach((v, i) => expect(v).toEqual(vs[i]));
  });
});

describe('vector store: eviction', () => {
  it('removes entries not in the corpus or from an old model, and reports how many', async () => {
    const factory = freshFactory();
    const current = keys(50, fingerprint('a'));
    const oldModel = keys(30, fingerprint('b'));
    const store = await openVectorStore({ factory, dims: DIMS });
    await store.putMany(entries([...current, ...oldModel], unitVectors(80)));
    const inCorpus = new Set(current.slice(0, 40));
    expect(await store.evictExcept(inCorpus)).toBe(40);
    expect((await store.stats()).entries).toBe(40);
    expect((await store.getMany(current.slice(40))).every((v) => v === undefined)).toBe(true);
    expect((await store.getMany(current.slice(0, 40))).every((v) => v !== undefined)).toBe(true);
    expect(await store.evictExcept((k) => k === current[0])).toBe(39);
    expect(await store.evictExcept(new Set([current[0]]))).toBe(0);
    store.close();
  });
});

describe('vector store: corrupted entries', () => {
  it('treats wrong length, NaN, Infinity, bad checksum, non-unit and junk records as misses, counts and deletes them', async () => {
    const factory = freshFactory();
    const ks = keys(8);
    const vs = unitVectors(8);
    const store = await openVectorStore({ factory, dims: DIMS });
    await store.putMany(entries(ks, vs));
    store.close();

    const db = await rawOpen(factory, 'paperscope');
    const withSum = (values: number[]) => {
      const v = Float32Array.from(values).buffer;
      return { d: values.length, v, s: checksum(v) };
    };
    const flipped = encodeVector(vs[3]);
    new Uint8Array(flipped.v)[9] ^= 0x10;
    const truncated = encodeVector(vs[0]);
    await rawPut(db, 'vectors', [
      [ks[0], { d: DIMS, v: truncated.v.slice(0, 20), s: truncated.s }],
      [ks[1], withSum([NaN, ...vs[1].slice(1)])],
      [ks[2], withSum([Infinity, ...vs[2].slice(1)])],
      [ks[3], flipped],
      [ks[4], withSum([...vs[4]].map((x) => x * 1.01))],
      [ks[5], 'garbage'],
      [ks[6], withSum([...vs[6], 0])],
    ]);
    db.close();

    const next = await openVectorStore({ factory, dims: DIMS });
    const got = await next.getMany(ks);
    expect(got.slice(0, 7)).toEqual(Array(7).fill(undefined));
    expect(got[7]).toEqual(vs[7]);
    expect(next.rejected).toBe(7);
    expect((await next.stats()).entries).toBe(1);
    // Counted once: the bad records are gone, a second read is a plain miss.
    await next.getMany(ks);
    expect(next.rejected).toBe(7);
    // Recomputed and stored again: valid from then on.
    await next.putMany(entries(ks.slice(0, 7), vs.slice(0, 7)));
    expect(await next.getMany(ks)).toEqual(vs);
    next.close();
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
    expect([...db.objectStoreNames].sort()).toEqual(['meta', 'vectors']);
    const meta = await rawAll(db, 'meta');
    expect(meta.get('created')).toEqual(expect.any(String));
    expect(meta.get('lastOpened')).toEqual(expect.any(String));
    db.close();
  });

  it('upgrades a v1 database (bare Float32Array values), keeping valid vectors and dropping the rest', async () => {
    const factory = freshFactory();
    const ks = keys(6);
    const vs = unitVectors(6);
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
    ]);
    v1.close();

    const store = await openVectorStore({ factory, dims: DIMS });
    expect(store.mode).toBe('indexeddb');
    expect(store.upgrade).toEqual({ from: 1, to: SCHEMA_VERSION, kept: 3, dropped: 3 });
    expect(await store.getMany(ks)).toEqual([vs[0], vs[1], vs[2], undefined, undefined, undefined]);
    expect(store.rejected).toBe(0);
    store.close();

    const db = await rawOpen(factory, 'paperscope');
    expect(db.version).toBe(SCHEMA_VERSION);
    const records = await rawAll(db, 'vectors');
    expect([...records.keys()].sort()).toEqual(ks.slice(0, 3).sort());
    expect(records.get(ks[0])).toEqual(encodeVector(vs[0]));
    expect(await rawAll(db, 'meta')).toEqual(
      new Map<string, unknown>([
        ['upgrades', [{ from: 1, to: SCHEMA_VERSION, kept: 3, dropped: 3, at: expect.any(String) }]],
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
  for (const how of ['throw', 'abort'] as const) {
    it(`quota exceeded mid-write (${how === 'throw' ? 'put throws' : 'transaction aborts at commit'}): memory mode, notice, everything readable, nothing corrupt next visit`, async () => {
      const real = freshFactory();
      const factory = quotaFactory(real, 120, how);
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
      const putsBefore = factory.puts;
      await store.putMany(entries(ks.slice(0, 10), vs.slice(0, 10)));
      expect(factory.puts).toBe(putsBefore); // memory mode does not keep hitting a full disk
      store.close();

      // Next visit: the two committed batches are there and valid; the failed batch left nothing behind.
      const next = await openVectorStore({ factory: real, dims: DIMS });
      expect(next.mode).toBe('indexeddb');
      const got = await next.getMany(ks);
      expect(next.rejected).toBe(0);
      got.slice(0, 100).forEach((v, i) => expect(v).toEqual(vs[i]));
      expect(got.slice(100).every((v) => v === undefined)).toBe(true);
      next.close();
    });
  }

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
