/**
 * A first visit downloads each file once: the service worker stores the model and the runtime as
 * the page fetches them, instead of downloading them again for the offline copy, and keeps the
 * runtime build only WebGPU runs (26 MB) only on a device that has WebGPU. Requests are counted at
 * the static host, the one place every download (page, workers, service worker) must pass.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, MODEL, MODEL_FILES, WASM_RUNTIME, WEBGPU_MODEL, WEBGPU_RUNTIME, firstVisit, hasWebGpu, useStaticHost, worksOffline } from './first-visit-helpers';
import { expect, test } from './fixtures';

useStaticHost();

test('without WebGPU: the model and the WASM runtime are downloaded once, the WebGPU runtime never, and the app then works offline', async ({ page }) => {
  test.setTimeout(300_000);
  const fetched = await firstVisit(page);
  expect(await hasWebGpu(page)).toBe(false);
  for (const path of [...MODEL_FILES, ...WASM_RUNTIME]) expect(fetched.get(path), `${path}: requests at the host`).toBe(1);
  for (const path of [...WEBGPU_RUNTIME, WEBGPU_MODEL]) expect(fetched.get(path) ?? 0, `${path}: requests at the host`).toBe(0);
  // No file of the build at all is fetched twice, apart from the page's icon and model description,
  // which the page loads before the service worker has taken control (a few KB).
  const twice = [...fetched].filter(([path, n]) => n > 1 && !/\/icons\/|paperscope-model\.json$|\/sw\.js$/.test(path));
  expect(twice).toEqual([]);
  await worksOffline(page);
});

test('a file that is not the build’s (a deployment mid-visit, a broken host) is not stored, and the page says it is online only', async ({ page }) => {
  test.setTimeout(300_000);
  // dist/ as links, but with one model file changed: the host now serves bytes the manifest's sha256 does not match.
  const work = mkdtempSync(join(tmpdir(), 'paperscope-tampered-'));
  try {
    for (const name of readdirSync(DIST)) if (name !== 'models') symlinkSync(join(DIST, name), join(work, name));
    cpSync(join(DIST, 'models'), join(work, 'models'), { recursive: true, dereference: true });
    const vocab = join(work, MODEL.slice(1), 'vocab.txt');
    writeFileSync(vocab, `${readFileSync(vocab, 'utf8')}tampered\n`);
    const fetched = await firstVisit(page, { root: work, expectReady: false });
    expect(fetched.get(`${MODEL}/vocab.txt`)).toBeGreaterThan(0);
    await expect(page.getByTestId('offline-failed')).toBeVisible();
    await expect(page.getByTestId('offline-ready')).toHaveCount(0);
    await expect(page.getByText(/vocab\.txt/)).toBeVisible();
    // Search itself is unaffected: the page's model came through intact.
    await expect(page.getByTestId('model-error')).toHaveCount(0);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
