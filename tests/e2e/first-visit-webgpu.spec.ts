/**
 * A first visit on a device with WebGPU (SwiftShader's software adapter): the page runs the
 * asyncify runtime, and the service worker adds the plain WASM one (what a device that loses its GPU
 * falls back to, offline too), each downloaded once.
 */
import { CHROMIUM_ARGS, SWIFTSHADER_WEBGPU_ARGS, chromiumExecutable } from '../../src/bench/chromium';
import { FILES_CACHE } from '../../src/offline/file-store';
import { MODEL_FILES, WASM_RUNTIME, WEBGPU_MODEL, WEBGPU_RUNTIME, firstVisit, hasWebGpu, useStaticHost } from './first-visit-helpers';
import { expect, test } from './fixtures';

test.use({ launchOptions: { executablePath: chromiumExecutable(), args: [...CHROMIUM_ARGS, ...SWIFTSHADER_WEBGPU_ARGS] } });
useStaticHost();

test('with WebGPU: both runtime builds are stored (a lost GPU falls back to WASM, offline too), each downloaded once', async ({ page }) => {
  test.setTimeout(600_000);
  const fetched = await firstVisit(page);
  expect(await hasWebGpu(page)).toBe(true);
  for (const path of [...MODEL_FILES, WEBGPU_MODEL, ...WASM_RUNTIME, ...WEBGPU_RUNTIME]) expect(fetched.get(path), `${path}: requests at the host`).toBe(1);
  const stored = await page.evaluate(async (name) => (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname), FILES_CACHE);
  for (const path of [...WASM_RUNTIME, ...WEBGPU_RUNTIME, ...MODEL_FILES, WEBGPU_MODEL]) expect(stored).toContain(path);
});
