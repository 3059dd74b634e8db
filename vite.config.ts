import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { ISOLATION_HEADERS } from './src/offline/isolation.ts';
import { describePrecache, missingFromPrecache } from './src/offline/precache-check.ts';
import { fetchedByPage, sriOf } from './src/offline/offline-files.ts';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

// Cross-origin isolation lets onnxruntime-web use WASM threads (SharedArrayBuffer).
// A host that cannot send these headers still works, single-threaded.
const isolationHeaders = { ...ISOLATION_HEADERS };

/**
 * Content-Security-Policy of the built page (a meta tag, so it holds on any static host): nothing
 * from another origin, no inline script, no eval; 'wasm-unsafe-eval' is what WebAssembly needs.
 * Inline styles stay allowed for Svelte's style directives. The dev server is left without it (HMR).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

function contentSecurityPolicy(): Plugin {
  return {
    name: 'paperscope-csp',
    apply: 'build',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' }],
  };
}

/** The build's output folder, known once Vite has resolved its config (the manifest transform reads files there). */
let outDir = 'dist';
const outDirProbe: Plugin = { name: 'paperscope-out-dir', apply: 'build', configResolved: (config) => void (outDir = resolve(config.root, config.build.outDir)) };

/**
 * The model and runtime files carry the sha256 of their bytes: the service worker stores only this
 * build's copy, whether the page fetched it or the worker itself (src/offline/file-store.ts).
 */
async function withIntegrity<T extends { url: string; integrity?: string }>(entries: T[]): Promise<T[]> {
  return Promise.all(
    entries.map(async (e) => (fetchedByPage(e.url) === null ? e : { ...e, integrity: sriOf(createHash('sha256').update(await readFile(resolve(outDir, e.url))).digest()) })),
  );
}

export default defineConfig({
  plugins: [
    svelte(),
    contentSecurityPolicy(),
    outDirProbe,
    VitePWA({
      // Our own service worker (src/sw.ts) so that cached responses keep the isolation headers.
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      // A new build waits until the page accepts it (src/offline/register.ts shows the prompt).
      registerType: 'prompt',
      injectRegister: false,
      // The manifest's icons are in globPatterns already.
      includeManifestIcons: false,
      injectManifest: {
        // A classic script: module service workers are not supported everywhere yet.
        rollupFormat: 'iife',
        // Everything the app fetches: shell, model, runtime. No source maps. The install precaches
        // the shell only; the model and runtime are stored as the page fetches them (src/sw.ts).
        // (manifest.webmanifest is added by the plugin itself.)
        globPatterns: ['**/*.{html,js,css,json,txt,png,svg,onnx,pack,wasm,mjs}'],
        // assets/*.wasm is onnxruntime's bundled fallback copy, unused: the app points the runtime
        // at ort/ (wasmPaths), so precaching it would store the same 26 MB twice.
        // corpus/: the page keeps the corpus itself (src/store/shard-cache.ts), shard by shard, so a
        // large corpus is not downloaded whole by the install and an update fetches changed shards only.
        globIgnores: ['**/*.map', '**/.setup-*/**', 'assets/*.wasm', 'corpus/**'],
        // The model (~23 MB) and the runtime builds (~14 MB plain, ~27 MB asyncify) must fit; the default limit is 2 MiB.
        maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
        // Vite's assets/ carry content hashes in their names: no revision needed.
        dontCacheBustURLsMatching: /^assets\//,
        manifestTransforms: [
          async (entries) => {
            const missing = missingFromPrecache(entries);
            if (missing.length > 0) {
              throw new Error(`The offline precache lacks ${missing.join('; ')}. Run "npm run setup:model" and "npm run build:corpus", then build again.`);
            }
            console.log(describePrecache(entries));
            return { manifest: await withIntegrity(entries), warnings: [] };
          },
        ],
      },
      manifest: {
        name: 'Paperscope',
        short_name: 'Paperscope',
        description: 'Semantic search over paper abstracts, running entirely in your browser.',
        start_url: '.',
        scope: '.',
        display: 'standalone',
        background_color: '#f7f7f5',
        theme_color: '#2f5fd0',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
    }),
  ],
  define: {
    __PAPERSCOPE_MODEL__: JSON.stringify(process.env.PAPERSCOPE_MODEL ?? ''),
  },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    sourcemap: true,
    // Rolldown's notice on every build ("[PLUGIN_TIMINGS] JavaScript callbacks ran for 5 s") names
    // the PWA plugin (it reads the ~63 MB precache) and the worker bundle: expected, not actionable.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
});
