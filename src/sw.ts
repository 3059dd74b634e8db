/// <reference lib="webworker" />
/**
 * The service worker: serves the whole app — shell, corpus, model, ONNX runtime — from one
 * precache, so the page works offline after the first visit.
 *
 * One build = one precache manifest (injected by vite-plugin-pwa at build time, each file with a
 * content hash in its name or a revision). A new build installs beside the running one and waits;
 * it takes over only when the page accepts the update (SKIP_WAITING) and then every open page of
 * this origin reloads (src/offline/register.ts), so no page ever mixes files of two builds.
 */
import { clientsClaim } from 'workbox-core';
import { addPlugins, cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { withIsolationHeaders } from './offline/isolation';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<string | { url: string; revision: string | null }> };

self.addEventListener('message', (event) => {
  if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});

// WASM threads need cross-origin isolation; a response from the cache must carry the same
// COOP/COEP headers as the server's, or an offline reload would lose threads (see isolation.ts).
addPlugins([{ handlerWillRespond: async ({ response }) => withIsolationHeaders(response) }]);

// No URL parameter ever selects a different precached file: the app's own parameters (?q=, ?like=)
// are for navigations, which the NavigationRoute below answers with index.html.
precacheAndRoute(self.__WB_MANIFEST, { directoryIndex: 'index.html', cleanURLs: false });
cleanupOutdatedCaches();

// Any in-app address (/?q=…, /?like=…) opens the precached page, online or not.
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html')));

// Only the first install takes control of already open pages (they were loaded from the same
// build over the network). An update activates only after SKIP_WAITING, and the pages reload.
clientsClaim();
