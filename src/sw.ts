/// <reference lib="webworker" />
/**
 * The service worker: serves the whole app — shell, model, ONNX runtime — from Cache Storage, so
 * the page works offline after the first visit (the page keeps the corpus itself).
 *
 * One build = one manifest (injected by vite-plugin-pwa at build time, each file with a content
 * hash in its name or a revision), in two parts (offline-files.ts): the small shell, precached by
 * the install, and the large model and runtime files, which the page fetches itself and this worker
 * stores as they pass (file-store.ts). The first install takes control of the open page at once,
 * so the page's own downloads are the ones stored: nothing is downloaded twice.
 *
 * A new build installs beside the running one (storing only files whose revision changed) and
 * waits; it takes over only when the page accepts the update (SKIP_WAITING) and then every open
 * page of this origin reloads (src/offline/register.ts), so no page ever mixes files of two builds.
 */
import { clientsClaim } from 'workbox-core';
import { addPlugins, cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { FileStore } from './offline/file-store';
import { withIsolationHeaders } from './offline/isolation';
import { splitManifest, type ManifestEntry } from './offline/offline-files';
import type { SwReply, SwRequest } from './offline/sw-protocol';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<string | ManifestEntry> };

const { shell, files } = splitManifest(self.__WB_MANIFEST);
const store = new FileStore(files, self.registration.scope);

self.addEventListener('message', (event) => {
  const data = event.data as SwRequest | null;
  if (data?.type === 'SKIP_WAITING') void self.skipWaiting();
  if (data?.type === 'STORE_OFFLINE_COPY') {
    const reply = (message: SwReply) => event.ports[0]?.postMessage(message);
    event.waitUntil(
      store.store(data.webgpu).then(
        (report) => reply({ ok: true, ...report }),
        (err: unknown) => reply({ ok: false, error: (err as Error).message }),
      ),
    );
  }
});

// The model and runtime: from the store, or from the network and kept on the way to the page.
registerRoute(({ request }) => store.handles(request), ({ event }) => store.respond(event as FetchEvent));

// An update stores its changed model/runtime files before it may take over (the page asks for the
// first install's, once it has loaded them itself).
self.addEventListener('install', (event) => {
  if (self.registration.active) event.waitUntil(store.store('as-stored'));
});
self.addEventListener('activate', (event) => event.waitUntil(store.cleanup()));

// WASM threads need cross-origin isolation; a response from the cache must carry the same
// COOP/COEP headers as the server's, or an offline reload would lose threads (see isolation.ts).
addPlugins([
  {
    // Files under assets/ have content hashes in their names: the copy the page has just loaded
    // (HTTP cache) is the right one, so the install does not download the page's scripts again.
    requestWillFetch: async ({ request }) => (new URL(request.url).pathname.includes('/assets/') ? new Request(request, { cache: 'force-cache' }) : request),
    handlerWillRespond: async ({ response }) => withIsolationHeaders(response),
  },
]);

// No URL parameter ever selects a different precached file: the app's own parameters (?q=, ?like=)
// are for navigations, which the NavigationRoute below answers with index.html.
precacheAndRoute(shell, { directoryIndex: 'index.html', cleanURLs: false });
cleanupOutdatedCaches();

// Any in-app address (/?q=…, /?like=…) opens the precached page, online or not.
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html')));

// The first install takes control of the page that registered it, so that page's downloads of the
// model and runtime pass through (and are stored by) this worker. An update activates only after
// SKIP_WAITING, and the pages reload.
clientsClaim();
