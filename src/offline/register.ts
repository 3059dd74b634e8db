/**
 * Page side of the service worker (src/sw.ts): registers it as the page starts, so that on a first
 * visit the page's own downloads of the model and runtime pass through it and are stored (nothing
 * is downloaded twice); reports whether the offline copy is complete; offers a new build when one
 * is waiting; and reloads the page when the controlling worker changes to another build, so a page
 * never runs one build's code against another build's files.
 */
import { messageSW, Workbox } from 'workbox-window';
import { webgpuAdapter } from '../embed/gpu-adapter';
import type { SwReply, SwRequest } from './sw-protocol';

/**
 * unsupported: no service workers here (old browser, insecure context, dev server);
 * saving: the app, model and runtime are being stored;
 * ready: everything this device needs is stored, the app works offline;
 * failed: the browser would not store them (the detail says what still works).
 */
export type OfflineStatus = 'unsupported' | 'saving' | 'ready' | 'failed';

export interface OfflineHooks {
  onStatus(status: OfflineStatus, detail?: string): void;
  /** A new build is installed and waiting; calling accept() switches to it (the page reloads). */
  onUpdateReady(accept: () => void): void;
}

export interface OfflineRegistration {
  /**
   * true once the page's requests go through the service worker (at once when it did at load);
   * false where they will not soon: no service worker, a failed install, or none within
   * CONTROL_WAIT_MS. The page waits for this before it downloads the model.
   */
  controlled: Promise<boolean>;
  /**
   * The page has what it needs loaded: the service worker stores whatever of this device's copy it
   * lacks (on a first visit only what the page did not fetch), then the status is 'ready'.
   */
  complete(): void;
}

/** How often an open page asks the server for a new build (the browser also checks on navigation). */
const UPDATE_CHECK_MS = 60 * 60 * 1000;

/**
 * The longest a first visit holds the model download back for the service worker to take control:
 * its install fetches only the small shell, so on any working connection it is well within this.
 * After it, the page downloads the model itself and the service worker fetches it a second time.
 */
export const CONTROL_WAIT_MS = 15_000;

const FAILED =
  'This browser did not store the app for offline use (often for lack of storage space, or in private browsing). ' +
  'Search keeps working while you are online; reload to try again.';

export function registerOffline(swUrl: string, hooks: OfflineHooks): OfflineRegistration {
  if (!('serviceWorker' in navigator) || !import.meta.env.PROD) {
    hooks.onStatus('unsupported');
    return { controlled: Promise.resolve(false), complete: () => undefined };
  }
  const container = navigator.serviceWorker;
  // Uncontrolled at load, the first controller is this page's first install claiming it; any
  // later change of controller is another build taking over, so this page must reload to match it.
  let controlled = container.controller !== null;
  let reloading = false;
  let settleControl: (value: boolean) => void = () => undefined;
  const controlledPromise = controlled
    ? Promise.resolve(true)
    : new Promise<boolean>((resolve) => {
        settleControl = resolve;
        setTimeout(() => resolve(false), CONTROL_WAIT_MS);
      });
  container.addEventListener('controllerchange', () => {
    if (!controlled) {
      controlled = true;
      settleControl(true);
      return;
    }
    if (reloading) return;
    reloading = true;
    location.reload();
  });

  const wb = new Workbox(swUrl);
  hooks.onStatus('saving');
  wb.addEventListener('waiting', () => {
    hooks.onUpdateReady(() => wb.messageSkipWaiting());
  });
  wb.addEventListener('redundant', () => {
    // A failed first install leaves nothing stored; a failed update leaves the running build intact.
    if (!container.controller) {
      settleControl(false);
      hooks.onStatus('failed', FAILED);
    }
  });
  // At once, not after the load event (Workbox's default): the model download waits for it.
  const registered = wb.register({ immediate: true }).then((registration) => {
    if (!registration) throw new Error('no registration');
    // Only a first install in progress takes control of this page. An uncontrolled page beside an
    // active worker (a hard reload) or with no worker at all (service workers blocked) never will.
    const worker = registration.active ?? registration.waiting ?? registration.installing;
    if (!worker || (registration.active?.state === 'activated' && !container.controller)) settleControl(false);
    setInterval(() => void wb.update(), UPDATE_CHECK_MS);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') void wb.update();
    });
    return registration;
  });
  registered.catch(() => settleControl(false));

  let completing = false;
  return {
    controlled: controlledPromise,
    complete() {
      if (completing) return;
      completing = true;
      void (async () => {
        await registered;
        // The active worker of this registration: the page's controller, or (if it never took
        // control in time) the one that will serve the next load.
        const sw = (await container.ready).active;
        if (!sw) throw new Error('no active service worker');
        const request: SwRequest = { type: 'STORE_OFFLINE_COPY', webgpu: await webgpuAdapter() };
        const reply = (await messageSW(sw, request)) as SwReply;
        if (!reply.ok) throw new Error(reply.error);
        hooks.onStatus('ready');
      })().catch((err: unknown) => {
        completing = false;
        hooks.onStatus('failed', `${FAILED} (${swUrl}: ${(err as Error)?.message ?? String(err)})`);
      });
    },
  };
}
