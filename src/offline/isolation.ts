/**
 * Cross-origin isolation headers: the servers (vite.config.ts) and the service worker (sw.ts) send
 * the same ones, so multi-threaded WASM works whether a page came from the network or the cache.
 */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * The response with the isolation headers set. Responses read from the Cache API have immutable
 * headers, hence a new Response over the same body stream. Opaque and error responses pass as is.
 */
export function withIsolationHeaders(response: Response): Response {
  if (response.type === 'opaque' || response.type === 'opaqueredirect' || response.status < 200) return response;
  const missing = Object.entries(ISOLATION_HEADERS).filter(([name, value]) => response.headers.get(name) !== value);
  if (missing.length === 0) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of missing) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
