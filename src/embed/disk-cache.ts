/**
 * Node only: passage vectors on disk, keyed by the cache keys corpusPassages() makes (the same keys
 * as the browser's IndexedDB cache), so a corpus update embeds only new or changed passages.
 *
 * One folder per model fingerprint, <root>/<sha256(fingerprint) 16 hex>/:
 *   cache.json   { format, fingerprint, dims }, written once (temporary file + rename), checked on open
 *   vectors.bin  append-only records, one per vector (layout below)
 *   writer.lock  pid of the process that has the cache open for writing
 *
 * Crash safety: every append is ONE write(2) of whole records on an O_APPEND descriptor, then
 * fdatasync. A process killed at any moment leaves at most one incomplete record at the end; each
 * record carries its length and a CRC-32, so open() finds the last complete record, ignores what
 * follows and (when writing) truncates it away so later appends line up. A record is never half
 * visible: it is counted only once all its bytes and its checksum are there.
 *
 * Only the keys and the file offset of each vector are kept in memory (163k arXiv passages: ~20 MB,
 * not 250 MB of floats); read() fetches the vectors a caller asks for.
 *
 * Record (little-endian), padded so the vector starts at a multiple of 4 bytes:
 *   u32 magic 'PVR1' · u32 key bytes · u32 dims · key suffix (UTF-8, zero-padded to 4) ·
 *   f32 × dims · u32 CRC-32 of everything before it in the record
 * The key suffix is the key without the `${fingerprint}#` every key of this model starts with.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { KEY_SEPARATOR } from '../store/cache-key';
import { isRunning } from '../corpus/node-io';

export const CACHE_FORMAT = 1;
const META_FILE = 'cache.json';
const DATA_FILE = 'vectors.bin';
const LOCK_FILE = 'writer.lock';
const MAGIC = 0x31525650; // 'PVR1' read as a little-endian u32
const HEADER_BYTES = 12;
const MAX_KEY_BYTES = 4096;
/** Bytes read per step while opening: bounds memory whatever the file size. */
const READ_CHUNK = 16 * 1024 * 1024;
/** read(): vectors this close in the file are fetched in one read (the bytes between are read too). */
const MAX_READ_GAP = 64 * 1024;

interface CacheMeta {
  format: number;
  fingerprint: string;
  dims: number;
}

export interface OpenVectorCacheOptions {
  /** parent folder: the cache is <root>/<hash of fingerprint>/ (see vectorCacheDir) */
  root?: string;
  /** the cache folder itself, instead of root */
  dir?: string;
  /** modelFingerprint(spec, info): every key must start with it; recorded in cache.json */
  fingerprint: string;
  dims: number;
  /**
   * Read only: no lock, nothing created or truncated, an incomplete tail (a writer may be
   * appending it right now) is ignored. Throws if the cache does not exist.
   */
  readOnly?: boolean;
  /** fdatasync after each append (default true): survives power loss, not only a killed process */
  durable?: boolean;
}

/** What open() found and did; `droppedBytes` > 0 means an interrupted write was discarded. */
export interface CacheOpenReport {
  rows: number;
  bytes: number;
  droppedBytes: number;
  /** why the tail was dropped ('' when nothing was) */
  dropReason: string;
  ms: number;
}

/** The folder holding the vectors of one model fingerprint under `root`. */
export function vectorCacheDir(root: string, fingerprint: string): string {
  return join(root, createHash('sha256').update(fingerprint).digest('hex').slice(0, 16));
}

function recordBytes(keyBytes: number, dims: number): number {
  return HEADER_BYTES + pad4(keyBytes) + dims * 4 + 4;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}


export class DiskVectorCache {
  readonly dir: string;
  readonly fingerprint: string;
  readonly dims: number;
  readonly readOnly: boolean;
  readonly opened: CacheOpenReport;
  private readonly prefix: string;
  private readonly dataPath: string;
  private readonly lockPath: string;
  private readonly durable: boolean;
  /** key suffix → byte offset of its vector in vectors.bin (the last record of a key wins) */
  private readonly index = new Map<string, number>();
  private fd: number | null = null;
  private bytes = 0;

  private constructor(options: OpenVectorCacheOptions) {
    const t0 = performance.now();
    if (!options.fingerprint) throw new Error('DiskVectorCache: empty model fingerprint; build it with modelFingerprint(spec, info).');
    if (!Number.isInteger(options.dims) || options.dims <= 0) throw new Error(`DiskVectorCache: dims must be a positive integer, got ${options.dims}.`);
    if (!options.dir && !options.root) throw new Error('DiskVectorCache: give root (a parent folder) or dir (the cache folder).');
    this.dir = options.dir ?? vectorCacheDir(options.root!, options.fingerprint);
    this.fingerprint = options.fingerprint;
    this.dims = options.dims;
    this.readOnly = options.readOnly ?? false;
    this.durable = options.durable ?? true;
    this.prefix = `${options.fingerprint}${KEY_SEPARATOR}`;
    this.dataPath = join(this.dir, DATA_FILE);
    this.lockPath = join(this.dir, LOCK_FILE);

    this.checkMeta();
    if (!this.readOnly) this.lock();
    try {
      this.fd = openSync(this.dataPath, this.readOnly ? 'r' : 'a+');
      const { droppedBytes, dropReason } = this.scan();
      this.opened = { rows: this.index.size, bytes: this.bytes, droppedBytes, dropReason, ms: performance.now() - t0 };
    } catch (err) {
      this.close();
      throw err;
    }
  }

  /** Opens (creating it unless readOnly) the cache of `fingerprint`; throws if it belongs to another model. */
  static open(options: OpenVectorCacheOptions): DiskVectorCache {
    return new DiskVectorCache(options);
  }

  /** Distinct keys with a vector. */
  get size(): number {
    return this.index.size;
  }

  has(key: string): boolean {
    const rest = this.suffix(key, false);
    return rest !== null && this.index.has(rest);
  }

  /** The stored keys (full keys, as given to append). */
  *keys(): IterableIterator<string> {
    for (const rest of this.index.keys()) yield this.prefix + rest;
  }

  /** The vector of `key`, or undefined when none is stored. */
  get(key: string): Float32Array | undefined {
    const rest = this.suffix(key, false);
    const at = rest === null ? undefined : this.index.get(rest);
    if (at === undefined) return undefined;
    const out = new Float32Array(this.dims);
    this.readInto(out, 0, at);
    return out;
  }

  /** Vectors of `keys`, row-major in the order given (one Float32Array). Throws on a key without one. */
  read(keys: readonly string[]): Float32Array {
    const out = new Float32Array(keys.length * this.dims);
    const offsets = keys.map((k, i) => {
      const rest = this.suffix(k, false);
      const at = rest === null ? undefined : this.index.get(rest);
      if (at === undefined) throw new Error(`${this.dataPath}: no vector for key ${i} ("${k}"); embed the corpus first ("npm run embed:corpus").`);
      return at;
    });
    // In file order, one read per run of nearby vectors: 200k vectors one read each took 1.4 s.
    const order = offsets.map((_, i) => i).sort((a, b) => offsets[a] - offsets[b]);
    const vecBytes = this.dims * 4;
    const outBytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    let window: Buffer | null = null;
    for (let s = 0; s < order.length; ) {
      const first = offsets[order[s]];
      let e = s + 1;
      while (e < order.length && offsets[order[e]] + vecBytes - first <= READ_CHUNK && offsets[order[e]] - offsets[order[e - 1]] <= MAX_READ_GAP) e++;
      const span = offsets[order[e - 1]] + vecBytes - first;
      if (e - s === 1) {
        this.readInto(out, order[s], first);
      } else {
        window ??= Buffer.alloc(READ_CHUNK);
        this.readExactly(window, span, first);
        for (let k = s; k < e; k++) {
          const at = offsets[order[k]] - first;
          outBytes.set(window.subarray(at, at + vecBytes), order[k] * vecBytes);
        }
      }
      s = e;
    }
    return out;
  }

  /**
   * Stores `vectors` (keys.length rows of dims floats, row-major) under `keys`, durably, in one
   * write. Every key must be one of this model's (start with the fingerprint) and every value finite;
   * nothing is written if one is not.
   */
  append(keys: readonly string[], vectors: Float32Array): void {
    if (this.readOnly) throw new Error(`${this.dir}: opened read-only; open it without readOnly to add vectors.`);
    const fd = this.descriptor();
    if (vectors.length !== keys.length * this.dims) {
      throw new Error(`append: ${vectors.length} floats for ${keys.length} keys of ${this.dims} dims (expected ${keys.length * this.dims}).`);
    }
    for (let i = 0; i < vectors.length; i++) {
      if (!Number.isFinite(vectors[i])) {
        const row = Math.floor(i / this.dims);
        throw new Error(`append: vector of key ${row} ("${keys[row]}") has ${vectors[i]} at dimension ${i % this.dims}; nothing was written.`);
      }
    }
    const rests = keys.map((k) => Buffer.from(this.suffix(k, true)!, 'utf8'));
    rests.forEach((r, i) => {
      if (r.length > MAX_KEY_BYTES) throw new Error(`append: key ${i} is ${r.length} bytes long (at most ${MAX_KEY_BYTES}).`);
    });
    const total = rests.reduce((n, r) => n + recordBytes(r.length, this.dims), 0);
    const buf = Buffer.alloc(total);
    const offsets: number[] = [];
    let at = 0;
    rests.forEach((rest, i) => {
      const start = at;
      buf.writeUInt32LE(MAGIC, at);
      buf.writeUInt32LE(rest.length, at + 4);
      buf.writeUInt32LE(this.dims, at + 8);
      rest.copy(buf, at + HEADER_BYTES);
      at += HEADER_BYTES + pad4(rest.length);
      offsets.push(this.bytes + at);
      Buffer.from(vectors.buffer, vectors.byteOffset + i * this.dims * 4, this.dims * 4).copy(buf, at);
      at += this.dims * 4;
      buf.writeUInt32LE(crc32(buf.subarray(start, at)), at);
      at += 4;
    });
    try {
      let written = 0;
      while (written < buf.length) written += writeSync(fd, buf, written, buf.length - written);
      if (this.durable) fdatasyncSync(fd);
    } catch (err) {
      // a failed write (disk full) may have left part of a record: cut it off so the file stays whole
      try {
        ftruncateSync(fd, this.bytes);
      } catch {
        // open() drops it anyway (its checksum cannot match)
      }
      throw new Error(`${this.dataPath}: writing ${keys.length} vectors failed (${(err as Error).message}); the cache keeps the ${this.size} it had.`, { cause: err });
    }
    this.bytes += total;
    rests.forEach((rest, i) => this.index.set(rest.toString('utf8'), offsets[i]));
  }

  /** Closes the file and releases the writer lock. Safe to call twice. */
  close(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
    if (!this.readOnly) {
      try {
        if (readFileSync(this.lockPath, 'utf8').trim() === String(process.pid)) unlinkSync(this.lockPath);
      } catch {
        // no lock (open failed before taking it)
      }
    }
  }

  private descriptor(): number {
    if (this.fd === null) throw new Error(`${this.dir}: the cache is closed.`);
    return this.fd;
  }

  /** The key without this model's prefix; null (or an error when `strict`) for another model's key. */
  private suffix(key: string, strict: boolean): string | null {
    if (key.startsWith(this.prefix) && key.length > this.prefix.length) return key.slice(this.prefix.length);
    if (!strict) return null;
    throw new Error(
      `append: key "${key}" is not one of this cache's model (it must start with "${this.prefix}"); ` +
        'make keys with corpusPassages(data, fingerprint) and the fingerprint the cache was opened with.',
    );
  }

  private readInto(out: Float32Array, row: number, at: number): void {
    this.readExactly(new Uint8Array(out.buffer, out.byteOffset + row * this.dims * 4, this.dims * 4), this.dims * 4, at);
  }

  private readExactly(target: Uint8Array, length: number, at: number): void {
    const fd = this.descriptor();
    let got = 0;
    while (got < length) {
      const n = readSync(fd, target, got, length - got, at + got);
      if (n === 0) throw new Error(`${this.dataPath}: ends at byte ${at + got}, inside a vector; the file was changed while open.`);
      got += n;
    }
  }

  private checkMeta(): void {
    const metaPath = join(this.dir, META_FILE);
    if (!existsSync(metaPath)) {
      if (this.readOnly) throw new Error(`${this.dir}: no vector cache here (no ${META_FILE}); embed the corpus first ("npm run embed:corpus").`);
      if (existsSync(join(this.dir, DATA_FILE))) {
        throw new Error(`${this.dir}: has ${DATA_FILE} but no ${META_FILE}, so its model is unknown; delete the folder to start again.`);
      }
      mkdirSync(this.dir, { recursive: true });
      const meta: CacheMeta = { format: CACHE_FORMAT, fingerprint: this.fingerprint, dims: this.dims };
      const tmp = `${metaPath}.tmp-${process.pid}`;
      writeFileSync(tmp, `${JSON.stringify(meta, null, 2)}\n`);
      renameSync(tmp, metaPath);
      return;
    }
    let meta: Partial<CacheMeta>;
    try {
      meta = JSON.parse(readFileSync(metaPath, 'utf8')) as Partial<CacheMeta>;
    } catch (err) {
      throw new Error(`${metaPath}: not readable JSON (${(err as Error).message}); delete ${this.dir} to start again.`);
    }
    if (meta.format !== CACHE_FORMAT) {
      throw new Error(`${metaPath}: cache format ${meta.format}, this code reads format ${CACHE_FORMAT}; delete ${this.dir} to start again.`);
    }
    if (meta.fingerprint !== this.fingerprint) {
      throw new Error(
        `${metaPath}: holds vectors of model "${meta.fingerprint}", not "${this.fingerprint}"; ` +
          'open the folder of this model (vectorCacheDir(root, fingerprint)) instead.',
      );
    }
    if (meta.dims !== this.dims) throw new Error(`${metaPath}: holds ${meta.dims}-d vectors, not ${this.dims}-d.`);
  }

  /** One writer at a time: a second would truncate the first one's record in flight as a torn tail. */
  private lock(): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.lockPath, 'wx');
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const pid = Number(readFileSync(this.lockPath, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && isRunning(pid)) {
        throw new Error(
          `${this.dir}: process ${pid} is writing this cache (${this.lockPath}); wait for it to finish or stop it` +
            (pid === process.pid ? ' (it is this process: close the other DiskVectorCache first)' : '') +
            ', or open the cache read-only.',
        );
      }
      // left by a process that was killed: take it over
      unlinkSync(this.lockPath);
    }
    throw new Error(`${this.lockPath}: could not take the writer lock; another process took it first.`);
  }

  /** Indexes every complete record; returns what it dropped after the last one. */
  private scan(): { droppedBytes: number; dropReason: string } {
    const fd = this.descriptor();
    const size = fstatSync(fd).size;
    const file = new SequentialReader(fd, size);
    const minRecord = recordBytes(0, this.dims);
    let pos = 0; // file offset of the next record
    let reason = '';
    while (pos < size) {
      if (size - pos < minRecord) {
        reason = `an incomplete record (${size - pos} bytes) at byte ${pos}`;
        break;
      }
      let o = file.view(pos, HEADER_BYTES);
      const keyBytes = file.buf.readUInt32LE(o + 4);
      if (file.buf.readUInt32LE(o) !== MAGIC || keyBytes === 0 || keyBytes > MAX_KEY_BYTES || file.buf.readUInt32LE(o + 8) !== this.dims) {
        reason = `no valid record header at byte ${pos}`;
        break;
      }
      const length = recordBytes(keyBytes, this.dims);
      if (pos + length > size) {
        reason = `an incomplete record (${size - pos} of ${length} bytes) at byte ${pos}`;
        break;
      }
      o = file.view(pos, length);
      const end = o + length - 4;
      if (crc32(file.buf.subarray(o, end)) !== file.buf.readUInt32LE(end)) {
        reason = `a record whose checksum does not match at byte ${pos}`;
        break;
      }
      this.index.set(file.buf.toString('utf8', o + HEADER_BYTES, o + HEADER_BYTES + keyBytes), pos + HEADER_BYTES + pad4(keyBytes));
      pos += length;
    }
    this.bytes = pos;
    const dropped = size - pos;
    if (dropped > 0 && !this.readOnly) {
      ftruncateSync(fd, pos);
      fdatasyncSync(fd);
    }
    return { droppedBytes: dropped, dropReason: dropped > 0 ? reason : '' };
  }
}

/** Reads a file front to back through one buffer of READ_CHUNK bytes (memory bounded by it, not by the file). */
class SequentialReader {
  buf: Buffer;
  private start = 0; // file offset of buf[0]
  private filled = 0;

  constructor(
    private readonly fd: number,
    private readonly size: number,
  ) {
    this.buf = Buffer.alloc(Math.max(1, Math.min(READ_CHUNK, size)));
  }

  /** Offset in buf of file bytes [pos, pos + length); pos never goes backwards, pos + length <= size. */
  view(pos: number, length: number): number {
    if (pos + length <= this.start + this.filled) return pos - this.start;
    const keep = this.start + this.filled - pos;
    if (length > this.buf.length) {
      const bigger = Buffer.alloc(length);
      this.buf.copy(bigger, 0, pos - this.start, pos - this.start + keep);
      this.buf = bigger;
    } else {
      this.buf.copy(this.buf, 0, pos - this.start, pos - this.start + keep);
    }
    this.start = pos;
    this.filled = keep;
    while (this.filled < this.buf.length && this.start + this.filled < this.size) {
      const n = readSync(this.fd, this.buf, this.filled, Math.min(this.buf.length - this.filled, this.size - this.start - this.filled), this.start + this.filled);
      if (n === 0) break;
      this.filled += n;
    }
    if (pos + length > this.start + this.filled) throw new Error(`vector cache: file ended at byte ${this.start + this.filled} while reading to ${pos + length}; it was changed while being opened.`);
    return 0;
  }
}
