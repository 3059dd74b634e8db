/**
 * Finding the browser for the e2e tests on a machine a new user brings: CHROMIUM_PATH, the PATH,
 * Playwright's cache, in that order; and `npm test`'s pre-step (src/cli/ensure-chromium.ts) in a
 * child process with a fake PATH and a fake Playwright cache: it starts the browser it found, or
 * stops with one line naming the command to run.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findChromium } from '../../src/bench/chromium';
import { failureReason, installCommand } from '../../src/cli/ensure-chromium';

const ROOT = resolve(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'paperscope-chromium-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
function dir(): string {
  const d = join(tmp, `d${n++}`);
  mkdirSync(d, { recursive: true });
  return d;
}

function script(path: string, body: string, mode = 0o755): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, mode);
  return path;
}

describe('findChromium', () => {
  it('takes a Chromium from the PATH, skipping files that are not executable', () => {
    const first = dir();
    const second = dir();
    script(join(first, 'chromium'), 'exit 0', 0o644);
    const browser = script(join(second, 'chromium-browser'), 'exit 0');
    const found = findChromium({ env: { PATH: [dir(), first, second].join(delimiter) }, playwrightChromium: join(tmp, 'none') });
    expect(found).toEqual({ kind: 'found', path: browser, source: 'PATH' });
  });

  it('prefers CHROMIUM_PATH over the PATH, and the PATH over Playwright\'s cache', () => {
    const bin = dir();
    const onPath = script(join(bin, 'google-chrome'), 'exit 0');
    const cached = script(join(dir(), 'chromium-1255', 'chrome-linux64', 'chrome'), 'exit 0');
    const chosen = script(join(dir(), 'my-chromium'), 'exit 0');
    expect(findChromium({ env: { PATH: bin, CHROMIUM_PATH: chosen }, playwrightChromium: cached })).toMatchObject({ path: chosen, source: 'CHROMIUM_PATH' });
    expect(findChromium({ env: { PATH: bin }, playwrightChromium: cached })).toMatchObject({ path: onPath, source: 'PATH' });
    expect(findChromium({ env: { PATH: dir() }, playwrightChromium: cached })).toMatchObject({ path: cached, source: 'Playwright cache' });
  });

  it('reports a CHROMIUM_PATH that names no executable instead of quietly using another browser', () => {
    const bin = dir();
    script(join(bin, 'chromium'), 'exit 0');
    const found = findChromium({ env: { PATH: bin, CHROMIUM_PATH: join(tmp, 'missing') }, playwrightChromium: join(tmp, 'none') });
    expect(found.kind).toBe('bad-env');
    expect(found.kind === 'bad-env' && found.message).toContain(`CHROMIUM_PATH=${join(tmp, 'missing')}`);
  });

  it('finds nothing on a machine without any', () => {
    expect(findChromium({ env: { PATH: dir() }, playwrightChromium: join(tmp, 'none') })).toEqual({ kind: 'none' });
    expect(findChromium({ env: {}, playwrightChromium: join(tmp, 'none') })).toEqual({ kind: 'none' });
  });
});

describe('the stop line', () => {
  it('names the command for the machine', () => {
    expect(installCommand(true, false)).toBe('sudo apt-get install chromium');
    expect(installCommand(true, true)).toBe('apt-get install chromium');
    expect(installCommand(false, false)).toBe('npx playwright install chromium');
  });

  it('gives the reason a download failed, not the retry noise', () => {
    const output = [
      'Downloading Chrome for Testing 159.0.8154.6 (playwright chromium v1255) from https://cdn.playwright.dev/x.zip',
      'Error: getaddrinfo ENOTFOUND cdn.playwright.dev',
      '    at GetAddrInfoReqWrap.onlookupall [as oncomplete] (node:internal/dns/promises:99:17) {',
      'Failed to install browsers',
      'Error: Failed to download Chrome for Testing 159.0.8154.6 (playwright chromium v1255), caused by',
    ].join('\n');
    expect(failureReason(output, 1)).toBe('getaddrinfo ENOTFOUND cdn.playwright.dev');
    expect(failureReason('', 3)).toBe('exit code 3');
  });
});

describe('ensure-chromium (npm test\'s step before the browser tests)', () => {
  // A PATH with node and sh only: the machine's own Chromium is hidden.
  const bin = dir();
  symlinkSync(process.execPath, join(bin, 'node'));
  symlinkSync('/bin/sh', join(bin, 'sh'));

  function run(env: Record<string, string>) {
    const child = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/ensure-chromium.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { HOME: tmp, PATH: bin, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1', ...env },
      timeout: 60_000,
    });
    return { status: child.status, lines: `${child.stdout}${child.stderr}`.trim().split('\n') };
  }

  /** Where Playwright looks for its Chromium under a given cache folder (its real layout). */
  function playwrightPath(cache: string): string {
    const child = spawnSync(process.execPath, ['-e', "process.stdout.write(require('@playwright/test').chromium.executablePath())"], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, PLAYWRIGHT_BROWSERS_PATH: cache },
    });
    expect(child.stdout.startsWith(cache)).toBe(true);
    return child.stdout;
  }

  it('stops with exit 1 and one line naming the command when there is no Chromium anywhere', () => {
    const { status, lines } = run({ PLAYWRIGHT_BROWSERS_PATH: dir() });
    expect(status).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Browser tests not run: no Chromium found/);
    expect(lines[0]).toMatch(/`(sudo )?apt-get install chromium`|`npx playwright install chromium`/);
  });

  it('uses the Chromium in Playwright\'s cache when it starts', () => {
    const cache = dir();
    const chrome = script(playwrightPath(cache), 'echo "Chromium 999.0.0.0 (fake)"');
    const { status, lines } = run({ PLAYWRIGHT_BROWSERS_PATH: cache });
    expect(lines).toEqual([`Browser tests: Chromium 999.0.0.0 (fake) (Playwright cache: ${chrome})`]);
    expect(status).toBe(0);
  });

  it('stops when the Chromium it found does not start, and says why', () => {
    const chrome = script(join(dir(), 'chromium'), 'echo "chromium: error while loading shared libraries: libnss3.so" >&2; exit 127');
    const { status, lines } = run({ CHROMIUM_PATH: chrome, PLAYWRIGHT_BROWSERS_PATH: dir() });
    expect(status).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`${chrome} (from CHROMIUM_PATH) does not start: chromium: error while loading shared libraries: libnss3.so`);
  });
});
