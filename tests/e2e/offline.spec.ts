/**
 * Offline use and updates, against a static host the test controls: after one online visit the
 * app works with the host gone (every connection cut, not only Playwright's offline switch, which
 * service-worker fetches ignore), and a new deployment is offered and then used whole.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, loadCorpus, paperWith, probe, resultTitles, test, waitReady } from './fixtures';
import { startStaticHost, type StaticHost } from './static-server';
import { buildVariant, type VariantBuild } from './variant-build';

const PORT = Number(process.env.E2E_PORT ?? 4317) + 1;
const DIST = resolve(import.meta.dirname, '..', '..', 'dist');

const NEW_PAPER = {
  _id: 'update-test-0001',
  title: 'Echolocation maps for subterranean rescue robots',
  text:
    'Rescue robots working in collapsed tunnels cannot rely on cameras or satellite positioning. ' +
    'We build maps from ultrasonic echoes the way bats do, and show that a small robot can localise ' +
    'trapped people behind rubble within half a metre using only sound.',
  metadata: {},
};

const KELP = 'Kelp forest canopy recovery after marine heatwaves';

let host: StaticHost;
let work: string;
let next: VariantBuild;

test.use({ baseURL: `http://127.0.0.1:${PORT}` });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  host = await startStaticHost(PORT);
  // The next release: changed code (see variant.vite.config.ts), the default corpus plus one new paper.
  work = mkdtempSync(join(tmpdir(), 'paperscope-next-'));
  const extra = join(work, 'new-paper.jsonl');
  writeFileSync(extra, `${JSON.stringify(NEW_PAPER)}\n`);
  next = await buildVariant(work, [resolve(import.meta.dirname, '..', '..', 'seeds'), extra]);
});

test.afterAll(async () => {
  await host?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** What a user sees without scrolling (the status line and prompt are at the top). */
async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `test-results/screenshots/${name}.png` });
}

async function isolated(page: Page): Promise<boolean> {
  return page.evaluate(() => self.crossOriginIsolated);
}

test('works offline after one visit, and a new deployment is offered, then used whole', async ({ page, context }) => {
  test.setTimeout(420_000);
  host.serve(DIST);
  const corpus = await loadCorpus(page);
  const parp = paperWith(corpus, 'Prune-Adjust- Re-Prune');
  expect(next.corpus.papers.length).toBe(corpus.papers.length + 1);

  await test.step('first visit, online: embeds the corpus and stores the app for offline use', async () => {
    await page.goto('/');
    const first = await waitReady(page);
    expect(first.embedding.embeddedNow).toBe(corpus.chunks.length);
    await expect(page.getByTestId('offline-ready')).toBeVisible();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    expect(await isolated(page)).toBe(true);
    // Installable: Chromium's own check of manifest, icons and service worker. Test contexts are
    // incognito-like, which alone keeps the install prompt away.
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    expect(installabilityErrors.map((e) => e.errorId).filter((id) => id !== 'in-incognito')).toEqual([]);
    // A second DevTools session on the page overrides Playwright's offline emulation while attached.
    await cdp.detach();
  });

  await test.step('host gone: a reload works from the stored copy, nothing re-embedded', async () => {
    host.serve(null);
    await context.setOffline(true);
    await page.reload();
    const again = await waitReady(page);
    expect(again.embedding.embeddedNow).toBe(0);
    expect(again.embedding.fromCache).toBe(corpus.chunks.length);
    expect(again.embedding.total).toBe(corpus.chunks.length);
    // Served by the service worker, the page is still cross-origin isolated (WASM threads).
    expect(await isolated(page)).toBe(true);
    await expect(page.getByTestId('offline-now')).toBeVisible();
    await expect(page.getByTestId('offline-ready')).toBeVisible();

    // A new query is embedded by the model, loaded offline: the ranking is hybrid, not words only.
    await page.getByRole('searchbox').fill('pruning self-supervised speech models');
    await expect.poll(async () => (await resultTitles(page))[0]).toBe(parp.title);
    await expect(page.getByTestId('result-meta')).toContainText('hybrid');
    await expect(page.getByTestId('model-error')).toHaveCount(0);
    await shot(page, 'offline-01-query');

    // More like this, from a result
    const target = await page.locator('[data-testid=results] article').nth(1).getAttribute('data-paper-id');
    await page.locator(`article[data-paper-id="${target}"]`).getByRole('button', { name: 'More like this' }).click();
    await expect(page.getByTestId('like-heading')).toBeVisible();
    const ids = await page.locator('[data-testid=results] article').evaluateAll((els) => els.map((e) => e.getAttribute('data-paper-id')));
    expect(ids.length).toBeGreaterThan(0);
    expect(ids).not.toContain(target);
    await expect(page.getByTestId('result-meta')).toContainText('semantic');

    // Keyboard
    await page.locator('body').click();
    await page.keyboard.press('/');
    await expect(page.getByRole('searchbox')).toBeFocused();
    await page.keyboard.type('audio-visual benchmark');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('result-meta')).toContainText('hybrid');
    await page.keyboard.press('ArrowDown');
    await expect(page.locator('[data-testid=results] article').first()).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(page.getByRole('searchbox')).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(page.getByRole('searchbox')).toHaveValue('');
    await shot(page, 'offline-02-keyboard');

    expect((await probe(page)).embedding.embeddedNow).toBe(0);
  });

  await test.step('offline: a library imported now is parsed, embedded, searched and kept', async () => {
    await page.getByTestId('import-files').setInputFiles(resolve(import.meta.dirname, '..', 'fixtures', 'import', 'library.bib'));
    await expect(page.getByTestId('import-summary')).toHaveText(/Imported 2 papers into “My papers”/);
    await expect(page.getByTestId('import-vectors')).toHaveText('2 passages: 2 embedded now.');
    await page.getByRole('searchbox').fill('sea otters help seaweed come back after ocean warming');
    await expect.poll(async () => (await resultTitles(page))[0]).toBe(KELP);
    await page.reload();
    await waitReady(page);
    await expect(page.getByTestId('offline-now')).toBeVisible();
    await expect(page.getByTestId('collection')).toContainText('My papers · 2 papers');
    await page.getByRole('searchbox').fill('kelp canopy after marine heatwaves');
    await expect.poll(async () => (await resultTitles(page))[0]).toBe(KELP);
    await expect(page.getByTestId('result-meta')).toContainText('hybrid');
    await shot(page, 'offline-03-import');
  });

  await test.step('a new deployment while the tab is open: offered, and once accepted its corpus is used', async () => {
    host.serve(next.outDir);
    host.takeLog();
    await context.setOffline(false);
    await expect(page.getByTestId('offline-now')).toHaveCount(0);
    // What the browser does on its own every so often (and the page hourly): look for a new build.
    await page.evaluate(async () => {
      await (await navigator.serviceWorker.getRegistration())!.update();
    });
    const prompt = page.getByTestId('update-prompt');
    await expect(prompt).toBeVisible();
    // Until accepted, the page keeps running the build it was loaded from.
    await expect(page.getByTestId('corpus-stats')).toContainText(`${corpus.papers.length} papers`);
    await shot(page, 'offline-03-update-prompt');

    await Promise.all([page.waitForEvent('load'), prompt.getByRole('button', { name: 'Reload now' }).click()]);
    await expect(page.getByTestId('corpus-stats')).toContainText(`${next.corpus.papers.length} papers`);
    const updated = await waitReady(page);
    const newChunks = next.corpus.chunks.filter((c) => c.paperId === NEW_PAPER._id).length;
    expect(newChunks).toBeGreaterThan(0);
    // Only the new paper's passages are embedded; the rest come from the cache.
    expect(updated.embedding.embeddedNow).toBe(newChunks);
    expect(updated.embedding.fromCache).toBe(next.corpus.chunks.length - newChunks);
    await expect(page.getByTestId('update-prompt')).toHaveCount(0);
    // The new release has the same model and runtime: neither its install nor the reloaded page
    // downloaded them again (only changed files are fetched).
    expect(host.takeLog().filter((path) => /^\/(models|ort)\//.test(path))).toEqual([]);

    await page.getByRole('searchbox').fill('robots that find trapped people with sound');
    await expect.poll(async () => (await resultTitles(page))[0]).toBe(NEW_PAPER.title);

    // The new build is the one stored: it works with the host gone, too.
    host.serve(null);
    await context.setOffline(true);
    await page.reload();
    const offlineAgain = await waitReady(page);
    expect(offlineAgain.embedding.total).toBe(next.corpus.chunks.length);
    expect(offlineAgain.embedding.embeddedNow).toBe(0);
    await shot(page, 'offline-04-after-update');
  });
});
