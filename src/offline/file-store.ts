/// <reference lib="webworker" />
/**
 * Service-worker side of the model and runtime files (see offline-files.ts): one Cache Storage
 * cache, each file under its URL plus its build revision, so two builds' files can sit side by
 * side while an update waits.
 *
 * - respond(): the page's own fetch. A stored file is served from the cache; otherwise the network
 *   response is streamed to the page and, at the same time, kept, once its sha256 matches the
 *   manifest. This is how a first visit stores the model and runtime without downloading them again.
 * - store(): fetches what a device needs and the cache lacks (on a first visit: what the page did
 *   not load, e.g. the WASM runtime on a device that runs WebGPU; on an update: changed files only).
 *   A file being fetched already (by the page) is waited for, not fetched twice.
 */
import { filesFor, sriOf, type OfflineFile } from './offline-files';
import { withIsolationHeaders } from './isolation';
import type { StoreReport } from './sw-protocol';

declare const self: ServiceWorkerGlobalScope;

export const FILES_CACHE = 'paperscope-files-v1';

/** The Workbox precache's own key scheme: an older build that precached these files is reused. */
const REVISION_PARAM = '__WB_REVISION__';

interface Known {
  file: OfflineFile;
  key: string;
}

export class FileStore {
  private readonly byUrl = new Map<string, Known>();
  private readonly inflight = new Map<string, Promise<void>>();

  constructor(private readonly files: readonly OfflineFile[], scope: string) {
    for (const file of files) {
      const url = new URL(file.url, scope);
      const key = new URL(url);
      key.searchParams.set(REVISION_PARAM, file.revision);
      this.byUrl.set(url.href, { file, key: key.href });
    }
  }

  /** Whether a request is for one of the files (plain GETs only: a HEAD or a range goes to the network). */
  handles(request: Request): boolean {
    return request.method === 'GET' && !request.headers.has('Range') && this.byUrl.has(request.url);
  }

  async respond(event: FetchEvent): Promise<Response> {
    const known = this.byUrl.get(event.request.url)!;
    const cache = await caches.open(FILES_CACHE);
    const hit = (await cache.match(known.key)) ?? (await this.afterInflight(cache, known));
    if (hit) return withIsolationHeaders(hit);

    const abort = new AbortController();
    const res = await fetch(new Request(event.request, { signal: abort.signal }));
    if (!res.ok || !res.body || this.inflight.has(known.key)) return withIsolationHeaders(res);
    const [toPage, toCache] = res.body.tee();
    const keeping = this.keep(cache, known, res.headers, new Response(toCache).arrayBuffer()).catch((err: unknown) => {
      console.warn(`paperscope: not stored for offline use: ${(err as Error).message}`);
    });
    this.track(known.key, keeping);
    event.waitUntil(keeping);
    // The page giving up (Stop, a closed tab) ends the download: nothing is fetched on its behalf.
    const reader = toPage.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel(reason) {
        abort.abort(reason);
        return reader.cancel(reason);
      },
    });
    return withIsolationHeaders(new Response(body, { status: res.status, statusText: res.statusText, headers: decodedHeaders(res.headers) }));
  }

  /**
   * Stores every file the device needs that the cache lacks. `webgpu`: true/false as the page
   * found an adapter; 'as-stored' (an update's install, no page to ask): the WebGPU files only if
   * an earlier build's are stored.
   */
  async store(webgpu: boolean | 'as-stored'): Promise<StoreReport> {
    const cache = await caches.open(FILES_CACHE);
    const gpu = webgpu === 'as-stored' ? await this.storedWebGpu(cache) : webgpu;
    const report: StoreReport = { fetched: [], stored: [] };
    // One at a time: the model and the runtime are tens of MB each, held in memory until checked.
    for (const file of filesFor(this.files, gpu)) {
      const known = this.byUrl.get(new URL(file.url, self.registration.scope).href)!;
      if (!((await cache.match(known.key)) ?? (await this.afterInflight(cache, known)))) {
        const earlier = await caches.match(known.key);
        if (earlier) await this.keep(cache, known, earlier.headers, earlier.arrayBuffer());
        else {
          const job = this.download(cache, known);
          this.track(known.key, job);
          await job;
          report.fetched.push(file.url);
        }
      }
      report.stored.push(file.url);
    }
    return report;
  }

  /** Deletes every stored file that is not this build's (called on activation). */
  async cleanup(): Promise<void> {
    const cache = await caches.open(FILES_CACHE);
    const current = new Set([...this.byUrl.values()].map((k) => k.key));
    for (const request of await cache.keys()) {
      if (!current.has(request.url)) await cache.delete(request);
    }
  }

  private async storedWebGpu(cache: Cache): Promise<boolean> {
    const keys = await cache.keys();
    const gpuPaths = new Set([...this.byUrl.values()].filter((k) => k.file.need === 'webgpu').map((k) => new URL(k.key).pathname));
    return keys.some((r) => gpuPaths.has(new URL(r.url).pathname));
  }

  private async afterInflight(cache: Cache, known: Known): Promise<Response | undefined> {
    const pending = this.inflight.get(known.key);
    if (!pending) return undefined;
    await pending.catch(() => undefined);
    return cache.match(known.key);
  }

  private track(key: string, job: Promise<void>): void {
    this.inflight.set(key, job);
    void job.catch(() => undefined).finally(() => {
      if (this.inflight.get(key) === job) this.inflight.delete(key);
    });
  }

  /** The network's copy, checked by the browser against the manifest's hash (a stale HTTP-cache copy is fetched again). */
  private async download(cache: Cache, known: Known): Promise<void> {
    const { file } = known;
    let res: Response;
    try {
      res = await fetch(file.url, { credentials: 'same-origin', integrity: file.integrity });
    } catch {
      res = await fetch(file.url, { credentials: 'same-origin', integrity: file.integrity, cache: 'reload' }).catch((err: unknown) => {
        throw new Error(`${file.url}: could not fetch this build's copy (${(err as Error).message}); a newer version may have been deployed, reload the page.`);
      });
    }
    if (!res.ok) throw new Error(`${file.url}: the server answered ${res.status} ${res.statusText}.`);
    await this.keep(cache, known, res.headers, res.arrayBuffer());
  }

  private async keep(cache: Cache, known: Known, headers: Headers, body: Promise<ArrayBuffer>): Promise<void> {
    const bytes = await body;
    const got = sriOf(await crypto.subtle.digest('SHA-256', bytes));
    if (got !== known.file.integrity) {
      throw new Error(`${known.file.url}: the bytes received (${got}) are not this build's file (${known.file.integrity}); a newer version may have been deployed, reload the page.`);
    }
    const stored = decodedHeaders(headers);
    stored.set('Content-Length', String(bytes.byteLength));
    await cache.put(known.key, new Response(bytes, { status: 200, headers: stored }));
  }
}

/** A fetched body is already decoded: its stored or forwarded copy must not claim an encoding. */
function decodedHeaders(headers: Headers): Headers {
  const out = new Headers(headers);
  if (out.has('Content-Encoding')) {
    out.delete('Content-Encoding');
    out.delete('Content-Length');
  }
  return out;
}
