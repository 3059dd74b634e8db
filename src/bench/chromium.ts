/**
 * The Chromium the e2e tests (playwright.config.ts) and the benchmark launch, and its flags.
 * Playwright cannot download its own browser on the build machines: the system Chromium is used
 * when there is one (CHROMIUM_PATH or Debian's /usr/bin/chromium), Playwright's own otherwise.
 */
import { existsSync } from 'node:fs';

export function systemChromium(): string | undefined {
  return [process.env.CHROMIUM_PATH, '/usr/bin/chromium'].find((p) => p && existsSync(p));
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/** Chromium's software WebGPU adapter (SwiftShader): the WebGPU path on machines without a GPU. */
export const SWIFTSHADER_WEBGPU_ARGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'];
