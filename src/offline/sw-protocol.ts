/** Messages between the page (register.ts) and the service worker (sw.ts). */

export interface StoreReport {
  /** URLs (relative to the scope) this request fetched from the network */
  fetched: string[];
  /** every file the device keeps, now stored */
  stored: string[];
}

export type SwRequest =
  /** the page accepts the waiting build */
  | { type: 'SKIP_WAITING' }
  /** the page has loaded what it needs: store the rest of this device's offline copy */
  | { type: 'STORE_OFFLINE_COPY'; webgpu: boolean };

export type SwReply = ({ ok: true } & StoreReport) | { ok: false; error: string };
