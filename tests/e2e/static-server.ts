/**
 * A tiny static host for the offline tests: serves one build folder at a time (switchable, as a
 * deployment replaces the site), or nothing at all (`down`: every connection is cut, as when the
 * network is gone — Playwright's setOffline does not reach service-worker fetches in Chromium).
 * Sends the same isolation headers as the vite preview server.
 */
import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { extname, normalize, resolve, sep } from 'node:path';
import { ISOLATION_HEADERS } from '../../src/offline/isolation';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.pack': 'application/octet-stream',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

export interface StaticHost {
  origin: string;
  /** Serve this folder from now on (null: the host is down). */
  serve(root: string | null): void;
  /** Requests answered since the last call, then reset (paths only). */
  takeLog(): string[];
  close(): Promise<void>;
}

export async function startStaticHost(port: number): Promise<StaticHost> {
  let root: string | null = null;
  let log: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer(async (req, res) => {
    if (root === null) {
      req.socket.destroy();
      return;
    }
    const base = root;
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://host').pathname);
    log.push(path);
    const file = resolve(base, normalize(`.${path.endsWith('/') ? `${path}index.html` : path}`));
    const headers: Record<string, string> = { ...ISOLATION_HEADERS, 'Cache-Control': 'no-cache' };
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(403, headers).end();
      return;
    }
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new Error('not a file');
      const body = await readFile(file);
      res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': String(body.length) });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end(`not found: ${path}`);
    }
  });
  server.on('connection', (socket) => {
    if (root === null) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok());
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    serve(next) {
      root = next === null ? null : resolve(next);
      // Kept-alive connections would otherwise still reach the old state.
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    takeLog() {
      const out = log;
      log = [];
      return out;
    },
    close: () => new Promise<void>((ok) => {
      for (const s of sockets) s.destroy();
      server.close(() => ok());
    }),
  };
}
