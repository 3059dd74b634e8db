/**
 * The Chromium the e2e tests (playwright.config.ts) and the benchmark launch, and its flags.
 * Looked for in this order: CHROMIUM_PATH, a Chromium or Chrome on the PATH (Debian's
 * `apt-get install chromium`), then the one Playwright downloads into its cache
 * (`npx playwright install chromium`). `src/cli/ensure-chromium.ts` runs the same lookup before
 * the browser tests and stops with the command to run when it finds nothing.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium } from '@playwright/test';

/** Names a Chromium-based browser has on the PATH (Debian, Ubuntu, Fedora, Arch, Chrome). */
export const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

export type ChromiumSource = 'CHROMIUM_PATH' | 'PATH' | 'Playwright cache';

export type ChromiumLookup =
  | { kind: 'found'; path: string; source: ChromiumSource }
  /** CHROMIUM_PATH names something that cannot be run: an error, never silently passed over. */
  | { kind: 'bad-env'; message: string }
  | { kind: 'none' };

export interface ChromiumPlaces {
  env: Record<string, string | undefined>;
  /** The executable Playwright launches when given none (its cache, PLAYWRIGHT_BROWSERS_PATH). */
  playwrightChromium: string;
  isExecutable?: (path: string) => boolean;
}

export function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function findChromium({ env, playwrightChromium, isExecutable = isExecutableFile }: ChromiumPlaces): ChromiumLookup {
  const fromEnv = env.CHROMIUM_PATH?.trim();
  if (fromEnv) {
    if (isExecutable(fromEnv)) return { kind: 'found', path: fromEnv, source: 'CHROMIUM_PATH' };
    return {
      kind: 'bad-env',
      message: `CHROMIUM_PATH=${fromEnv} is not an executable file: point it at a Chromium binary, or unset it to use the one on the PATH or Playwright's.`,
    };
  }
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const dir of dirs) {
    for (const name of CHROMIUM_NAMES) {
      const path = join(dir, name);
      if (isExecutable(path)) return { kind: 'found', path, source: 'PATH' };
    }
  }
  if (isExecutable(playwrightChromium)) return { kind: 'found', path: playwrightChromium, source: 'Playwright cache' };
  return { kind: 'none' };
}

/** Where Playwright keeps (or would download) its Chromium on this machine. */
export function playwrightChromiumPath(): string {
  return chromium.executablePath();
}

/**
 * The executable to launch, or undefined (Playwright then reports its own missing browser; the
 * test script runs ensure-chromium first, so `npm test` stops earlier with the command to run).
 */
export function chromiumExecutable(): string | undefined {
  const found = findChromium({ env: process.env, playwrightChromium: playwrightChromiumPath() });
  return found.kind === 'found' ? found.path : undefined;
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
