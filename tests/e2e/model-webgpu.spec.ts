import { CHROMIUM_ARGS, SWIFTSHADER_WEBGPU_ARGS, chromiumExecutable } from '../../src/bench/chromium';
import { checkBackend, checkGpuLoss } from './model-parity';
import { test } from './fixtures';

test.use({ launchOptions: { executablePath: chromiumExecutable(), args: [...CHROMIUM_ARGS, ...SWIFTSHADER_WEBGPU_ARGS] } });

test('model on WebGPU: the vectors Node gives (cosine >= 0.999), PARP ranked first among 6 papers, as on WASM', async ({ page }) => {
  test.setTimeout(720_000);
  await checkBackend(page, 'webgpu', 5);
});

test('WebGPU device lost while the corpus is embedded: WASM takes over, every passage is embedded, PARP still first', async ({ page }) => {
  test.setTimeout(720_000);
  await checkGpuLoss(page);
});
