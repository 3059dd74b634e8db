/**
 * Shared by first-visit.spec.ts and first-visit-webgpu.spec.ts: a first visit against a static
 * host that counts requests (the one place every download of page, workers and service worker
 * passes), and the offline check after it.
 */
import type { Page } from '@playwright/test';
import { resolve } from 'node:path';
import { RUNTIME_FILES } from '../../src/embed/runtime';
import { getModel } from '../../src/embed/registry';
import { expect, resultTitles, test, waitReady } from './fixtures';
import { startStaticHost, type StaticHost } from './static-server';

export const PORT = Number(process.env.E2E_PORT ?? 4317) + 1;
export const DIST = resolve(import.meta.dirname, '..', '..', 'dist');
export const MODEL = `/models/${getModel().id}`;
/** What WASM runs: set-up's expanded graph and the pack its weights are rebuilt from (src/embed/expanded.ts). */
export const MODEL_FILES = [`${MODEL}/onnx/expanded.onnx`, `${MODEL}/onnx/expanded.pack`, `${MODEL}/onnx/expanded.json`, `${MODEL}/tokenizer.json`, `${MODEL}/config.json`];
/** The installed ONNX file: WebGPU runs it (WASM only where the expanded graph fails). */
export const WEBGPU_MODEL = `${MODEL}/onnx/model_quantized.onnx`;
export const WASM_RUNTIME = Object.values(RUNTIME_FILES.plain).map((f) => `/ort/${f}`);
export const WEBGPU_RUNTIME = Object.values(RUNTIME_FILES.asyncify).map((f) => `/ort/${f}`);

let host: StaticHost;

/** A static host on E2E_PORT + 1 for the file's tests (started before, closed after them). */
export function useStaticHost(): void {
  test.use({ baseURL: `http://127.0.0.1:${PORT}` });
  test.beforeAll(async () => {
    host = await startStaticHost(PORT);
  });
  test.afterAll(async () => {
    await host?.close();
  });
}

function counts(log: string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const path of log) out.set(path, (out.get(path) ?? 0) + 1);
  return out;
}

/**
 * The first visit to `root` (dist/ unless given), until the page says the offline copy is complete
 * (or, with expectReady false, until it is ready to search); returns the host's request counts.
 */
export async function firstVisit(page: Page, options: { root?: string; expectReady?: boolean } = {}): Promise<Map<string, number>> {
  host.serve(options.root ?? DIST);
  host.takeLog();
  await page.goto('/');
  await waitReady(page);
  if (options.expectReady ?? true) await expect(page.getByTestId('offline-ready')).toBeVisible();
  else await expect(page.getByTestId('offline-saving')).toHaveCount(0);
  return counts(host.takeLog());
}

/** With the host gone, a reload answers a new question with the model: the offline copy is complete. */
export async function worksOffline(page: Page): Promise<void> {
  host.serve(null);
  await page.context().setOffline(true);
  await page.reload();
  await waitReady(page);
  await page.getByRole('searchbox').fill('pruning self-supervised speech models');
  await expect.poll(async () => (await resultTitles(page)).length).toBeGreaterThan(0);
  await expect(page.getByTestId('result-meta')).toContainText('hybrid');
  await expect(page.getByTestId('model-error')).toHaveCount(0);
  await page.context().setOffline(false);
}

export async function hasWebGpu(page: Page): Promise<boolean> {
  return page.evaluate(async () => {
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    return !!gpu && (await gpu.requestAdapter().catch(() => null)) != null;
  });
}

