import { checkBackend } from './model-parity';
import { test } from './fixtures';

test('model on WASM: the vectors Node gives (cosine >= 0.999), PARP ranked first', async ({ page }) => {
  await checkBackend(page, 'wasm');
});

test('model on WASM: PARP ranked first among the same 6 papers the WebGPU test uses', async ({ page }) => {
  await checkBackend(page, 'wasm', 5);
});
