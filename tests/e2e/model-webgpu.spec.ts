import { CHROMIUM_ARGS, systemChromium } from '../../playwright.config';
import { checkBackend, checkGpuLoss } from './model-parity';
import { test } from './fixtures';

// Chromium's software WebGPU adapter (SwiftShader): the WebGPU path runs on machines without a GPU.
test.use({ launchOptions: { executablePath: systemChromium, args: [...CHROMIUM_ARGS, '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'] } });

test('model on WebGPU: the vectors Node gives (cosine >= 0.999), PARP ranked first among 6 papers, as on WASM', async ({ page }) => {
  test.setTimeout(720_000);
  await checkBackend(page, 'webgpu', 5);
});

test('WebGPU device lost while the corpus is embedded: WASM takes over, every passage is embedded, PARP still first', async ({ page }) => {
  test.setTimeout(720_000);
  await checkGpuLoss(page);
});
