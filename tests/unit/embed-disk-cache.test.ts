/**
 * The disk vector cache (src/embed/disk-cache.ts): round trip, torn and corrupt tails, a writer
 * killed with SIGKILL at a random moment, the model check, input checks and the writer lock.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiskVectorCache, vectorCacheDir } from '../../src/embed/disk-cache';
import { vectorOf } from '../fixtures/embed/cache-writer';

const FP = 'test-model|q8|abc|mean|||256';
const DIMS = 8;
let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'paperscope-disk-cache-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const key = (n: number, fp = FP) => `${fp}#v1#${n}`;
function rows(from: number, count: number): { keys: string[]; vectors: Float32Array } {
  const vectors = new Float32Array(count * DIMS);
  const keys: string[] = [];
  for (let i = 0; i < count; i++) {
    keys.push(key(from + i));
    vectors.set(vectorOf(from + i, DIMS), i * DIMS);
  }
  return { keys, vectors };
}
const open = (extra: Partial<Parameters<typeof DiskVectorCache.open>[0]> = {}) => DiskVectorCache.open({ root, fingerprint: FP, dims: DIMS, ...extra });
const dataFile = () => join(vectorCacheDir(root, FP), 'vectors.bin');

describe('DiskVectorCache', () => {
  it('keeps vectors across reopening, in one folder per fingerprint that records it', () => {
    const c = open();
    expect(c.dir).toBe(vectorCacheDir(root, FP));
    const a = rows(0, 3);
    c.append(a.keys, a.vectors);
    const b = rows(3, 2);
    c.append(b.keys, b.vectors);
    expect(c.size).toBe(5);
    c.close();

    const again = open();
    expect(again.opened).toMatchObject({ rows: 5, droppedBytes: 0 });
    expect(again.has(key(4))).toBe(true);
    expect(again.has(key(5))).toBe(false);
    expect(again.has(key(1, 'other-model'))).toBe(false);
    expect([...again.keys()].sort()).toEqual([0, 1, 2, 3, 4].map((n) => key(n)).sort());
    expect(again.get(key(2))).toEqual(vectorOf(2, DIMS));
    expect(again.get(key(9))).toBeUndefined();
    const got = again.read([key(4), key(0), key(4)]);
    expect(got.subarray(0, DIMS)).toEqual(vectorOf(4, DIMS));
    expect(got.subarray(DIMS, 2 * DIMS)).toEqual(vectorOf(0, DIMS));
    expect(got.subarray(2 * DIMS)).toEqual(vectorOf(4, DIMS));
    expect(() => again.read([key(0), key(7)])).toThrow(/no vector for key 1 .*embed:corpus/);
    again.close();
    expect(JSON.parse(readFileSync(join(vectorCacheDir(root, FP), 'cache.json'), 'utf8'))).toEqual({ format: 1, fingerprint: FP, dims: DIMS });
  });

  it('drops a torn last row (file cut mid-row) and keeps every complete one', () => {
    const c = open();
    for (let n = 0; n < 10; n += 2) {
      const r = rows(n, 2);
      c.append(r.keys, r.vectors);
    }
    c.close();
    const whole = statSync(dataFile()).size;
    const perRow = whole / 10;
    // cut inside row 9's vector: rows 0-8 are complete
    truncateSync(dataFile(), whole - Math.floor(perRow / 2));

    const reopened = open();
    expect(reopened.opened.rows).toBe(9);
    expect(reopened.opened.droppedBytes).toBe(perRow - Math.floor(perRow / 2));
    expect(reopened.opened.dropReason).toMatch(/incomplete record/);
    expect(statSync(dataFile()).size).toBe(9 * perRow); // cut back so appends line up
    for (let n = 0; n < 9; n++) expect(reopened.get(key(n))).toEqual(vectorOf(n, DIMS));
    expect(reopened.has(key(9))).toBe(false);
    const r = rows(9, 2);
    reopened.append(r.keys, r.vectors);
    reopened.close();

    const third = open();
    expect(third.opened).toMatchObject({ rows: 11, droppedBytes: 0 });
    expect(third.get(key(10))).toEqual(vectorOf(10, DIMS));
    third.close();
  });

  it('drops a last row whose bytes are all there but whose checksum fails, and trailing garbage', () => {
    const c = open();
    const r = rows(0, 4);
    c.append(r.keys, r.vectors);
    c.close();
    const bytes = readFileSync(dataFile());
    bytes[bytes.length - 10] ^= 0xff; // inside row 3's vector
    writeFileSync(dataFile(), bytes);
    const reopened = open();
    expect(reopened.opened.rows).toBe(3);
    expect(reopened.opened.dropReason).toMatch(/checksum/);
    reopened.close();

    appendFileSync(dataFile(), Buffer.from('not a record at all, just bytes'));
    const third = open();
    expect(third.opened.rows).toBe(3);
    expect(third.opened.dropReason).toMatch(/incomplete record|no valid record header/);
    third.close();
  });

  it('read-only: ignores a torn tail without cutting it (a writer may be appending it)', () => {
    const c = open();
    const r = rows(0, 3);
    c.append(r.keys, r.vectors);
    c.close();
    const whole = statSync(dataFile()).size;
    truncateSync(dataFile(), whole - 5);
    const ro = open({ readOnly: true });
    expect(ro.opened.rows).toBe(2);
    expect(statSync(dataFile()).size).toBe(whole - 5);
    expect(() => ro.append(r.keys, r.vectors)).toThrow(/read-only/);
    ro.close();
    expect(() => DiskVectorCache.open({ root: join(root, 'none'), fingerprint: FP, dims: DIMS, readOnly: true })).toThrow(/no vector cache here/);
  });

  it('a writer killed with SIGKILL at a random moment leaves only complete, correct rows', async () => {
    const dir = vectorCacheDir(root, FP);
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../fixtures/embed/cache-writer.ts'), dir, FP, String(DIMS)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`writer exited with ${code} before writing`)));
    });
    await new Promise((r) => setTimeout(r, 150 + Math.random() * 150));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));

    const c = DiskVectorCache.open({ dir, fingerprint: FP, dims: DIMS }); // takes over the dead writer's lock
    expect(c.size).toBeGreaterThan(0);
    // rows are appended in key order, so the survivors are exactly keys 0 … size-1
    const all = c.read(Array.from({ length: c.size }, (_, n) => key(n)));
    for (let n = 0; n < c.size; n++) expect(all.subarray(n * DIMS, (n + 1) * DIMS)).toEqual(vectorOf(n, DIMS));
    expect(c.has(key(c.size))).toBe(false);
    console.log(`killed writer: ${c.size} complete rows, ${c.opened.droppedBytes} bytes of a torn row dropped, opened in ${c.opened.ms.toFixed(0)} ms`);
    c.close();
  }, 30_000);

  it("refuses a folder holding another model's vectors, or another dimension", () => {
    const c = open();
    c.close();
    const dir = vectorCacheDir(root, FP);
    expect(() => DiskVectorCache.open({ dir, fingerprint: 'another-model|q8|def|cls|||512', dims: DIMS })).toThrow(/holds vectors of model "test-model.*not "another-model/);
    expect(() => DiskVectorCache.open({ dir, fingerprint: FP, dims: 16 })).toThrow(/holds 8-d vectors, not 16-d/);
    writeFileSync(join(dir, 'cache.json'), '{"format":1,');
    expect(() => DiskVectorCache.open({ dir, fingerprint: FP, dims: DIMS })).toThrow(/cache\.json: not readable JSON/);
    // vectors without a record of their model are never adopted
    rmSync(join(dir, 'cache.json'));
    writeFileSync(join(dir, 'vectors.bin'), 'x');
    expect(() => DiskVectorCache.open({ dir, fingerprint: FP, dims: DIMS })).toThrow(/model is unknown/);
  });

  it('checks what it stores: row length, finite values, keys of its own model; a refused append writes nothing', () => {
    const c = open();
    const r = rows(0, 2);
    expect(() => c.append(r.keys, r.vectors.subarray(0, DIMS * 2 - 1))).toThrow(/15 floats for 2 keys of 8 dims/);
    const nan = r.vectors.slice();
    nan[DIMS + 3] = Number.NaN;
    expect(() => c.append(r.keys, nan)).toThrow(/key 1 .* NaN at dimension 3/);
    const inf = r.vectors.slice();
    inf[0] = Number.POSITIVE_INFINITY;
    expect(() => c.append(r.keys, inf)).toThrow(/Infinity/);
    expect(() => c.append([key(0), key(1, 'other-model')], r.vectors)).toThrow(/not one of this cache's model/);
    expect(c.size).toBe(0);
    expect(statSync(dataFile()).size).toBe(0);
    c.close();
  });

  it('one writer at a time; readers alongside; a dead writer’s lock is taken over', () => {
    const c = open();
    expect(() => open()).toThrow(new RegExp(`process ${process.pid} is writing this cache`));
    const ro = open({ readOnly: true });
    ro.close();
    c.close();
    const again = open();
    again.close();
    expect(existsSync(join(vectorCacheDir(root, FP), 'writer.lock'))).toBe(false);
    // a pid that is not running (pid_max on Linux is at most 2^22)
    writeFileSync(join(vectorCacheDir(root, FP), 'writer.lock'), `${2 ** 22 + 1}\n`);
    const taken = open();
    expect(readFileSync(join(vectorCacheDir(root, FP), 'writer.lock'), 'utf8').trim()).toBe(String(process.pid));
    taken.close();
  });
});
