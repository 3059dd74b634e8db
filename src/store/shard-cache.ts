/**
 * The page's copy of the corpus files (manifest and shards) in Cache Storage, so a returning or
 * offline visit reads them locally and an update downloads only shards whose hash changed.
 *
 * Why Cache Storage rather than IndexedDB: a shard is an opaque byte file fetched by URL, which is
 * what the Cache API stores (one put per response, written whole or not at all, so a tab closed
 * mid-download never leaves half a shard), and reading it back is one arrayBuffer() call.
 * Every read is verified against the manifest's sha256 by the caller: a damaged entry is dropped
 * and fetched again. Where Cache Storage is unavailable or full, files are fetched each visit.
 */

export const SHARD_CACHE = 'paperscope-corpus-v2';

export class ShardCache {
  /** set once a write failed (quota, private mode): later writes are skipped */
  notice: string | null = null;

  private readonly pending = new Set<Promise<boolean>>();

  private constructor(private readonly cache: Cache | null) {}

  static async open(name = SHARD_CACHE): Promise<ShardCache> {
    try {
      if (typeof caches === 'undefined') return new ShardCache(null);
      return new ShardCache(await caches.open(name));
    } catch {
      return new ShardCache(null);
    }
  }

  get available(): boolean {
    return this.cache !== null && this.notice === null;
  }

  async get(url: string): Promise<Uint8Array | null> {
    if (!this.cache) return null;
    try {
      const res = await this.cache.match(url);
      return res ? new Uint8Array(await res.arrayBuffer()) : null;
    } catch {
      return null;
    }
  }

  /** Stores a verified file; false (and a notice) when the browser refuses (quota, private mode). */
  async put(url: string, bytes: Uint8Array, type: string): Promise<boolean> {
    if (!this.cache || this.notice) return false;
    try {
      await this.cache.put(url, new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { 'content-type': type, 'content-length': String(bytes.length) } }));
      return true;
    } catch (err) {
      const quota = (err as Error).name === 'QuotaExceededError';
      this.notice = quota
        ? 'The browser has no room to keep the corpus for offline use (storage quota exceeded): it is searched now and downloaded again on the next visit.'
        : `The corpus could not be kept for offline use (${(err as Error).message}): it is downloaded again on the next visit.`;
      return false;
    }
  }

  /** put() without waiting: the write is tracked, and settled() resolves once every such write has. */
  keep(url: string, bytes: Uint8Array, type: string): void {
    const write = this.put(url, bytes, type);
    this.pending.add(write);
    void write.finally(() => this.pending.delete(write));
  }

  /** Waits for the writes keep() started (their failures are in `notice`). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  async delete(url: string): Promise<void> {
    await this.cache?.delete(url).catch(() => false);
  }

  /** The URLs of the files kept now (empty where there is no cache). */
  async keptUrls(): Promise<Set<string>> {
    if (!this.cache) return new Set();
    try {
      return new Set((await this.cache.keys()).map((req) => req.url));
    } catch {
      return new Set();
    }
  }

  /** Removes every cached file whose URL is not in `keep` (files of older corpus builds). */
  async keepOnly(keep: ReadonlySet<string>): Promise<number> {
    if (!this.cache) return 0;
    let removed = 0;
    try {
      for (const req of await this.cache.keys()) {
        if (!keep.has(req.url) && !keep.has(new URL(req.url).pathname)) {
          await this.cache.delete(req);
          removed++;
        }
      }
    } catch {
      /* best effort: stale entries cost space, not correctness */
    }
    return removed;
  }
}
