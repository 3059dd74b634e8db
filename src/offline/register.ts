/**
 * Page side of the service worker (src/sw.ts): registers it, reports whether the app is stored for
 * offline use, offers a new build when one is waiting, and reloads the page when the controlling
 * worker changes, so a page never runs one build's code against another build's files.
 */
import { Workbox } from 'workbox-window';

/**
 * unsupported: no service workers here (old browser, insecure context, dev server);
 * saving: the first visit is storing the app, corpus, model and runtime;
 * ready: everything needed is stored, the app works offline;
 * failed: the browser would not store them (the detail says what still works).
 */
export type OfflineStatus = 'unsupported' | 'saving' | 'ready' | 'failed';

export interface OfflineHooks {
  onStatus(status: OfflineStatus, detail?: string): void;
  /** A new build is installed and waiting; calling accept() switches to it (the page reloads). */
  onUpdateReady(accept: () => void): void;
}

/** How often an open page asks the server for a new build (the browser also checks on navigation). */
const UPDATE_CHECK_MS = 60 * 60 * 1000;

const FAILED =
  'This browser did not store the app for offline use (often for lack of storage space, or in private browsing). ' +
  'Search keeps working while you are online; reload to try again.';

export function registerOffline(swUrl: string, hooks: OfflineHooks): void {
  if (!('serviceWorker' in navigator) || !import.meta.env.PROD) {
    hooks.onStatus('unsupported');
    return;
  }
  const container = navigator.serviceWorker;
  // Controlled from the start means a worker already serves this page's build; any later change
  // of controller is another build taking over, so this page must reload to match it.
  const controlledAtStart = container.controller !== null;
  let reloading = false;
  container.addEventListener('controllerchange', () => {
    if (!controlledAtStart || reloading) return;
    reloading = true;
    location.reload();
  });

  const wb = new Workbox(swUrl);
  hooks.onStatus(controlledAtStart ? 'ready' : 'saving');
  wb.addEventListener('waiting', () => {
    hooks.onUpdateReady(() => wb.messageSkipWaiting());
  });
  wb.addEventListener('redundant', () => {
    // A failed first install leaves nothing stored; a failed update leaves the running build intact.
    if (!container.controller) hooks.onStatus('failed', FAILED);
  });
  wb.register()
    .then(async (registration) => {
      if (!registration) throw new Error('no registration');
      await wb.active;
      hooks.onStatus('ready');
      setInterval(() => void wb.update(), UPDATE_CHECK_MS);
      document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'visible') void wb.update();
      });
    })
    .catch((err: unknown) => {
      hooks.onStatus('failed', `${FAILED} (${swUrl}: ${(err as Error)?.message ?? String(err)})`);
    });
}
