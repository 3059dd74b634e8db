/**
 * The page's loader for format 2: the manifest (network first, the kept copy offline) and shard
 * files (the kept copy first, verified, else the network, streamed with progress, verified, kept).
 * Nothing unverified is ever returned, except a kept copy whose check the caller asked to run later
 * (keptFile's `later`).
 */
import { parseManifest, shardContentType, MANIFEST_FILE, type FileRef, type ShardedManifest } from './manifest';
import { verifyFile } from './read';
import type { ShardCache } from '../store/shard-cache';

export interface FileProgress {
  /** bytes received so far for this file (from the network or the cache) */
  loaded: number;
  total: number;
  fromCache: boolean;
}

export async function loadManifest(base: string, cache: ShardCache): Promise<{ manifest: ShardedManifest; offline: boolean }> {
  const url = new URL(`${base}${MANIFEST_FILE}`, location.href).href;
  let text: string | null = null;
  let offline = false;
  let networkError = '';
  try {
    const res = await fetch(url, { cache: 'no-cache' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    text = await res.text();
  } catch (err) {
    networkError = (err as Error).message;
    const kept = await cache.get(url);
    if (kept) {
      text = new TextDecoder().decode(kept);
      offline = true;
    }
  }
  if (text === null) throw new Error(`Could not fetch the corpus manifest (${url}): ${networkError}. Rebuild with "npm run build" or check the server.`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`The corpus manifest (${url}) is not valid JSON. Rebuild with "npm run build:corpus".`);
  }
  const manifest = parseManifest(value, url);
  if (!offline) await cache.put(url, new TextEncoder().encode(text), 'application/json');
  return { manifest, offline };
}

export function fileUrl(base: string, ref: FileRef): string {
  return new URL(`${base}${ref.file}`, location.href).href;
}

/**
 * A deferred check of a kept copy's sha256 (see keptFile's `later`): resolves when the copy is
 * intact; when it is not, the copy is dropped from the cache and the promise rejects with the
 * ShardFormatError naming the file.
 */
export type LaterCheck = () => Promise<void>;

/**
 * The kept copy of a shard file, verified; null when there is none (or it was damaged: then it is
 * dropped). Never touches the network, so a returning visit can read files it will need later
 * (the vectors) while it parses the ones it needs first, without taking bandwidth from them on a
 * cold visit.
 *
 * With `later`, only the size is checked now and the sha256 check is handed to `later` to run once
 * the page is up: Chromium hashes on the calling thread (~500 MB/s here, measured: 30 MB in
 * 45–70 ms, all of it inside the digest() call), so checking the ~160 MB of a returning arXiv visit
 * first cost ~0.4 s of main thread before any result. A kept copy was verified before it was
 * stored, its name carries its hash, and Chromium's disk cache checksums its entries, so what the
 * check can still find is rare damage on disk: the caller reports it and the next visit fetches
 * the file again.
 */
export async function keptFile(base: string, ref: FileRef, cache: ShardCache, later?: (check: LaterCheck) => void): Promise<Uint8Array | null> {
  const url = fileUrl(base, ref);
  const kept = await cache.get(url);
  if (!kept) return null;
  try {
    // with `later`, only a wrong size is caught now (verifyFile checks it first, without hashing)
    if (!later || kept.length !== ref.bytes) await verifyFile(kept, ref);
  } catch {
    await cache.delete(url); // damaged copy: fetch it again
    return null;
  }
  later?.(async () => {
    try {
      await verifyFile(kept, ref);
    } catch (err) {
      await cache.delete(url);
      throw err;
    }
  });
  return kept;
}

/**
 * One verified shard file. Throws a ShardFormatError / Error naming the file when it cannot be had.
 * `kept`: a keptFile() read of this file started earlier, used instead of reading the cache again.
 */
export async function loadFile(base: string, ref: FileRef, cache: ShardCache, onProgress?: (p: FileProgress) => void, signal?: AbortSignal, later?: (check: LaterCheck) => void, early?: Promise<Uint8Array | null>): Promise<{ bytes: Uint8Array; fromCache: boolean }> {
  const url = fileUrl(base, ref);
  const kept = await (early ?? keptFile(base, ref, cache, later));
  if (signal?.aborted) throw new DOMException('stopped', 'AbortError');
  if (kept) {
    onProgress?.({ loaded: kept.length, total: ref.bytes, fromCache: true });
    return { bytes: kept, fromCache: true };
  }
  let res: Response;
  try {
    res = await fetch(url, { signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new Error(`${ref.file}: could not be downloaded (${(err as Error).message})`);
  }
  if (!res.ok) throw new Error(`${ref.file}: HTTP ${res.status} (missing on the server?)`);
  const bytes = await readBody(res, ref, onProgress);
  await verifyFile(bytes, ref);
  // kept in the background: decoding need not wait for the write (3.2 s of the cold arXiv visit's
  // main thread was in Cache.put); cache.settled() waits for every write, e.g. before declaring the
  // offline copy complete
  cache.keep(url, bytes, shardContentType(ref.file));
  return { bytes, fromCache: false };
}

async function readBody(res: Response, ref: FileRef, onProgress?: (p: FileProgress) => void): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const out = new Uint8Array(ref.bytes);
  let loaded = 0;
  const reader = res.body.getReader();
  let extra: Uint8Array[] | null = null;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!extra && loaded + value.length <= out.length) out.set(value, loaded);
    else (extra ??= [out.subarray(0, loaded)]).push(value);
    loaded += value.length;
    onProgress?.({ loaded, total: ref.bytes, fromCache: false });
  }
  if (extra) {
    const all = new Uint8Array(loaded);
    let at = 0;
    for (const part of extra) {
      all.set(part, at);
      at += part.length;
    }
    return all;
  }
  return loaded === out.length ? out : out.subarray(0, loaded);
}

/** Runs `task` over items with at most `limit` at a time, in order of start. */
export async function eachLimited<T>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await task(items[i], i);
    }
  });
  await Promise.all(workers);
}
