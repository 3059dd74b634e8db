/**
 * Node-only: bytes a first visit receives, from opening the page until its offline copy is
 * complete (the page's status says "works offline"). Every request of the page, its workers and
 * the service worker is counted (Playwright reports service-worker requests on the context): the
 * response's headers plus its body as received (Chromium's encodedDataLength, compressed if the
 * host compresses). A response the service worker answered, or the HTTP cache, received nothing
 * from the network and counts 0.
 * (Chromium reports the service worker's own script, sw.js, ~20 KB, without a body: not counted.)
 */
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Request } from '@playwright/test';
import { preview } from 'vite';
import type { AppProbe } from '../ui/probe';
import { newContext } from './browser';
import type { FirstVisitResult } from './results';

export type FirstVisitFigures = Omit<FirstVisitResult, 'baseline'>;

interface Received {
  path: string;
  wire: number;
}

async function received(request: Request): Promise<Received | null> {
  const response = await request.response();
  if (!response || response.fromServiceWorker()) return null;
  const sizes = await request.sizes();
  // A response from the HTTP cache has no body size (≤ 0): nothing came over the wire.
  const wire = sizes.responseBodySize > 0 ? Math.max(0, sizes.responseHeadersSize) + sizes.responseBodySize : 0;
  return { path: new URL(request.url()).pathname, wire };
}

/** A served path's file in the build folder ('/' is index.html); null if there is none. */
function fileSize(distDir: string, path: string): number | null {
  try {
    return statSync(join(distDir, path.endsWith('/') ? `${path}index.html` : path)).size;
  } catch {
    return null;
  }
}

/**
 * Opens the app in a fresh context (service workers allowed) and counts until the offline copy is
 * complete. The distinct files' sizes are those of the files in `distDir`, the folder served
 * (a host that compresses, as vite preview does with gzip, sends fewer bytes than that).
 */
export async function measureFirstVisit(browser: Browser, baseURL: string, distDir: string, timeoutMs = 600_000): Promise<FirstVisitFigures> {
  const context = await newContext(browser, baseURL);
  const pending: Promise<Received | null>[] = [];
  context.on('requestfinished', (request) => pending.push(received(request).catch(() => null)));
  try {
    const page = await context.newPage();
    const t0 = Date.now();
    await page.goto('/');
    const status = await page.waitForFunction(
      () => {
        const offline = (window as unknown as { __paperscope?: () => AppProbe }).__paperscope?.().storage.offline;
        return offline === 'ready' || offline === 'failed' || offline === 'unsupported' ? offline : null;
      },
      null,
      { timeout: timeoutMs, polling: 100 },
    );
    const ms = Date.now() - t0;
    const offline = (await status.jsonValue()) as string;
    // Requests finishing right now are still counted.
    await page.waitForTimeout(500);
    const rows = (await Promise.all(pending)).filter((r): r is Received => r !== null && r.wire > 0);
    const fetches = new Map<string, number>();
    for (const r of rows) fetches.set(r.path, (fetches.get(r.path) ?? 0) + 1);
    const fileBytes = [...fetches.keys()].reduce((n, path) => n + (fileSize(distDir, path) ?? Math.max(...rows.filter((r) => r.path === path).map((r) => r.wire))), 0);
    return {
      wireBytes: rows.reduce((n, r) => n + r.wire, 0),
      fileBytes,
      requests: rows.length,
      repeated: Object.fromEntries([...fetches].filter(([, n]) => n > 1)),
      ms,
      offline,
    };
  } finally {
    await context.close();
  }
}

/**
 * The first visit to the build served at baseURL and, given a folder of another build (`baseline`,
 * e.g. the main branch's dist/), to that one served on port + 1 by the same preview server.
 */
export async function firstVisitResult(
  browser: Browser,
  opts: { baseURL: string; root: string; port: number; baseline?: string; log: (line: string) => void },
): Promise<FirstVisitResult> {
  opts.log('first visit (no WebGPU): bytes received until the offline copy is complete');
  const current = await measureFirstVisit(browser, opts.baseURL, join(opts.root, 'dist'));
  if (!opts.baseline) return current;
  const dir = resolve(opts.baseline);
  opts.log(`first visit to the baseline build in ${dir}`);
  const server = await preview({ root: opts.root, configFile: join(opts.root, 'vite.config.ts'), logLevel: 'warn', build: { outDir: dir }, preview: { host: '127.0.0.1', port: opts.port + 1, strictPort: true } });
  try {
    const baseline = await measureFirstVisit(browser, `http://127.0.0.1:${opts.port + 1}`, dir);
    return { ...current, baseline: { ...baseline, build: dir } };
  } finally {
    await new Promise<void>((done) => server.httpServer.close(() => done()));
  }
}
