/**
 * Runs before the browser tests (`npm run test:e2e`): finds a Chromium that starts (see
 * src/bench/chromium.ts for where it looks), downloads Playwright's when there is none and the
 * network allows, and otherwise stops with one line naming the command to run.
 * Exit 0: a browser is ready (its path is printed). Exit 1: none; the browser tests must not run.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findChromium, playwrightChromiumPath, type ChromiumLookup } from '../bench/chromium';

const SKIP_DOWNLOAD = 'PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD';

function isDebian(): boolean {
  try {
    return /^ID=("?)debian\1$/m.test(readFileSync('/etc/os-release', 'utf8'));
  } catch {
    return false;
  }
}

/** The command that gets this machine a Chromium: Debian's package, else Playwright's download. */
export function installCommand(debian: boolean, root: boolean): string {
  return debian ? `${root ? '' : 'sudo '}apt-get install chromium` : 'npx playwright install chromium';
}

function stopLine(reason: string): string {
  const root = process.getuid?.() === 0;
  return `Browser tests not run: ${reason}. Run \`${installCommand(isDebian(), root)}\` (or set CHROMIUM_PATH to a Chromium binary), then \`npm test\` again.`;
}

/** The first line of what a failed command said that explains it, e.g. "getaddrinfo ENOTFOUND host". */
export function failureReason(output: string, status: number | null): string {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  const error = lines.find((l) => /^Error: /.test(l) && !/^Error: Failed to /.test(l));
  return error?.replace(/^Error: /, '') ?? lines.at(-1) ?? `exit code ${status}`;
}

function startsUp(path: string): { ok: true; version: string } | { ok: false; reason: string } {
  const run = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 60_000 });
  if (run.status === 0) return { ok: true, version: run.stdout.trim() };
  return { ok: false, reason: run.error?.message ?? failureReason(`${run.stderr}\n${run.stdout}`, run.status) };
}

/** Playwright's full Chromium only: it is launched by path, so its separate headless shell is not needed. */
function downloadPlaywrightChromium(): { ok: true } | { ok: false; reason: string } {
  const cli = createRequire(import.meta.url).resolve('@playwright/test/cli');
  const run = spawnSync(process.execPath, [cli, 'install', '--no-shell', 'chromium'], { encoding: 'utf8' });
  if (run.status === 0) return { ok: true };
  return { ok: false, reason: failureReason(`${run.stderr}\n${run.stdout}`, run.status) };
}

function lookup(): ChromiumLookup {
  return findChromium({ env: process.env, playwrightChromium: playwrightChromiumPath() });
}

export function ensureChromium(log: (line: string) => void): boolean {
  let found = lookup();
  if (found.kind === 'bad-env') {
    log(`Browser tests not run: ${found.message}`);
    return false;
  }
  if (found.kind === 'none') {
    const skip = process.env[SKIP_DOWNLOAD];
    if (skip && skip !== '0') {
      log(stopLine(`no Chromium found (CHROMIUM_PATH, the PATH, Playwright's cache; ${SKIP_DOWNLOAD} is set, so none was downloaded)`));
      return false;
    }
    log(`Browser tests: no Chromium found (CHROMIUM_PATH, the PATH, Playwright's cache); downloading Playwright's (over 100 MB; ${SKIP_DOWNLOAD}=1 skips this)…`);
    const download = downloadPlaywrightChromium();
    if (!download.ok) {
      log(stopLine(`no Chromium found, and downloading Playwright's failed (${download.reason})`));
      return false;
    }
    found = lookup();
    if (found.kind !== 'found') {
      log(stopLine(`Playwright's download finished but no Chromium is at ${playwrightChromiumPath()}`));
      return false;
    }
  }
  const started = startsUp(found.path);
  if (!started.ok) {
    const hint = found.source === 'Playwright cache' ? ' (its system libraries: `npx playwright install-deps chromium`)' : '';
    log(stopLine(`${found.path} (from ${found.source}) does not start: ${started.reason}${hint}`));
    return false;
  }
  log(`Browser tests: ${started.version} (${found.source}: ${found.path})`);
  return true;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exit(ensureChromium((line) => console.log(line)) ? 0 : 1);
}
