/**
 * Faults a user can meet in the browser: storage that fails, a cache that is corrupt or half
 * written, a model that is missing, hostile or odd queries, and a strict Content-Security-Policy.
 */
import { expect, loadCorpus, paperWith, probe, resultTitles, test, waitReady } from './fixtures';

const PRUNING = 'pruning self-supervised speech models';

test.describe('faults', () => {
  test('a strict Content-Security-Policy is set and the app runs under it without a violation', async ({ page }) => {
    await page.addInitScript(() => {
      (window as unknown as { __csp: string[] }).__csp = [];
      document.addEventListener('securitypolicyviolation', (e) => (window as unknown as { __csp: string[] }).__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    await page.goto(`/?q=${encodeURIComponent(PRUNING)}`);
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toMatch(/https?:|'unsafe-eval'/);
    await waitReady(page);
    await expect(page.getByTestId('results')).toBeVisible();
    expect(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);
  });

  test.describe('as a server header', () => {
  test.use({ serviceWorkers: 'block' });
  test('the same policy sent as a header on every response, the inference worker included: the model still loads', async ({ context, page }) => {
    // A meta tag binds the page only; a server that sends the policy as a header binds the worker
    // too (no blob: scripts there: transformers.js re-serves onnxruntime's loader as one unless
    // told not to). Our own service worker would answer before the route, so it is kept out.
    const html = await (await page.request.get('/')).text();
    const policy = html.match(/http-equiv="Content-Security-Policy" content="([^"]+)"/)?.[1]?.replace(/&#39;/g, "'");
    expect(policy).toBeTruthy();
    await context.route('**/*', async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': policy! } });
    });
    await page.goto(`/?backend=wasm&q=${encodeURIComponent(PRUNING)}`);
    const ready = await waitReady(page);
    expect(ready.backend.name).toBe('wasm');
    expect(ready.embedding.embeddedNow).toBe(ready.embedding.total);
    await expect(page.getByTestId('model-error')).toHaveCount(0);
    await expect.poll(async () => (await resultTitles(page))[0]).toContain('PARP');
  });
  });

  test('IndexedDB unavailable: a notice, and search works from memory', async ({ page }) => {
    await page.addInitScript(() => {
      // as in a browser with storage disabled: open() throws
      IDBFactory.prototype.open = () => {
        throw new DOMException('The user denied permission to access the database.', 'SecurityError');
      };
    });
    const corpus = await loadCorpus(page);
    await page.goto('/');
    const ready = await waitReady(page);
    expect(ready.embedding.embeddedNow).toBe(corpus.chunks.length);
    await expect(page.getByRole('status').filter({ hasText: /IndexedDB cannot be opened.*kept in memory/ })).toBeVisible();
    await page.getByRole('searchbox').fill(PRUNING);
    await expect.poll(async () => (await resultTitles(page))[0]).toBe(paperWith(corpus, 'Prune-Adjust- Re-Prune').title);
  });

  test('quota exceeded in the middle of writing: search goes on from memory, the next visit is not corrupt', async ({ page, context }) => {
    const corpus = await loadCorpus(page);
    const parp = paperWith(corpus, 'Prune-Adjust- Re-Prune');
    await page.addInitScript(() => {
      // the first write goes through, every later one fails as a full disk does
      const put = IDBObjectStore.prototype.put;
      let writes = 0;
      IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
        if (this.name === 'packs' && ++writes > 1) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return put.apply(this, args);
      };
    });
    await page.goto('/');
    const first = await waitReady(page);
    expect(first.embedding.embeddedNow).toBe(corpus.chunks.length);
    await expect(page.getByRole('status').filter({ hasText: /quota|full|kept in memory/i })).toBeVisible();
    await page.getByRole('searchbox').fill(PRUNING);
    await expect.poll(async () => (await resultTitles(page))[0]).toBe(parp.title);

    // next visit, storage healthy again: what was stored is used, nothing invalid, the rest embedded
    const next = await context.newPage();
    await next.goto(`/?q=${encodeURIComponent(PRUNING)}`);
    const second = await waitReady(next);
    expect(second.embedding.fromCache).toBeGreaterThan(0);
    expect(second.embedding.fromCache).toBeLessThan(corpus.chunks.length);
    expect(second.embedding.fromCache + second.embedding.embeddedNow).toBe(corpus.chunks.length);
    expect(second.embedding.rejected).toBe(0);
    await expect.poll(async () => (await resultTitles(next))[0]).toBe(parp.title);
  });

  test('a corrupted cache entry is detected, never ranked, and recomputed', async ({ page }) => {
    const corpus = await loadCorpus(page);
    await page.goto('/');
    await waitReady(page);
    // flip one stored vector to NaN and truncate another pack's payload, as a broken disk might
    const damaged = await page.evaluate(
      () =>
        new Promise<number>((resolve, reject) => {
          const open = indexedDB.open('paperscope');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const db = open.result;
            const tx = db.transaction(['packs'], 'readwrite');
            const store = tx.objectStore('packs');
            const all = store.getAllKeys();
            all.onsuccess = () => {
              const ids = all.result;
              const get = store.get(ids[0]);
              get.onsuccess = () => {
                const payload = get.result as { v: ArrayBuffer; s: number[] };
                new Float32Array(payload.v)[3] = NaN;
                store.put(payload, ids[0]);
              };
              tx.oncomplete = () => {
                db.close();
                resolve(ids.length);
              };
            };
          };
        }),
    );
    expect(damaged).toBeGreaterThan(0);
    await page.goto(`/?q=${encodeURIComponent(PRUNING)}`);
    const after = await waitReady(page);
    expect(after.embedding.rejected).toBe(1);
    expect(after.embedding.embeddedNow).toBe(1);
    expect(after.embedding.fromCache).toBe(corpus.chunks.length - 1);
    await expect(page.getByRole('status').filter({ hasText: '1 cached vectors were invalid and are recomputed.' })).toBeVisible();
    await expect.poll(async () => (await resultTitles(page))[0]).toBe(paperWith(corpus, 'Prune-Adjust- Re-Prune').title);
    // and the repaired cache is whole again
    await page.reload();
    const again = await waitReady(page);
    expect(again.embedding).toMatchObject({ fromCache: corpus.chunks.length, embeddedNow: 0, rejected: 0 });
  });

  test('the tab closed in the middle of embedding: the next visit embeds only what was not stored', async ({ context }) => {
    const first = await context.newPage();
    const corpus = await loadCorpus(first);
    await first.goto('/');
    // the app stores every batch as soon as it is embedded; close the tab once one batch is stored
    const storedVectors = () =>
      first.evaluate(
        () =>
          new Promise<number>((resolve) => {
            const open = indexedDB.open('paperscope');
            // never create the database ahead of the app (that would leave it an empty version 1)
            open.onupgradeneeded = () => open.transaction!.abort();
            open.onerror = () => resolve(0);
            open.onsuccess = () => {
              const db = open.result;
              if (!db.objectStoreNames.contains('pack-keys')) {
                db.close();
                return resolve(0);
              }
              const all = db.transaction('pack-keys').objectStore('pack-keys').getAll();
              all.onsuccess = () => {
                db.close();
                resolve((all.result as { h: string[] }[]).reduce((n, k) => n + k.h.length, 0));
              };
            };
          }),
      );
    // read every 20 ms, not at expect.poll's growing intervals: the second batch follows the first
    // within about a second, and the tab must close between them
    let stored = 0;
    for (const until = Date.now() + 170_000; stored === 0 && Date.now() < until; ) {
      stored = await storedVectors();
      if (stored === 0) await new Promise((r) => setTimeout(r, 20));
    }
    await first.close();
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(corpus.chunks.length);

    const second = await context.newPage();
    await second.goto('/');
    const ready = await waitReady(second);
    expect(ready.embedding.fromCache).toBeGreaterThanOrEqual(stored);
    expect(ready.embedding.fromCache + ready.embedding.embeddedNow).toBe(corpus.chunks.length);
    expect(ready.embedding.embeddedNow).toBeLessThan(corpus.chunks.length);
  });

  test.describe('model missing', () => {
  // the page's own fetch must reach the route: our service worker (which stores the model as the
  // page fetches it on a first visit) would fetch it from the server past the route
  test.use({ serviceWorkers: 'block' });
  test("the expanded graph's pack missing on the server: the page runs the installed ONNX file, search is semantic", async ({ page }) => {
    const corpus = await loadCorpus(page);
    const asked: string[] = [];
    const warnings: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'warning') warnings.push(m.text());
    });
    page.on('request', (r) => asked.push(new URL(r.url()).pathname));
    await page.route(/\/models\/.*\/expanded\.pack$/, (route) => route.fulfill({ status: 404, body: 'not found' }));
    await page.goto('/?q=' + encodeURIComponent('pruning self-supervised speech models for low-resource recognition'));
    const ready = await waitReady(page);
    expect(ready.embedding.done).toBe(corpus.chunks.length);
    expect(asked.some((p) => p.endsWith('/onnx/model_quantized.onnx'))).toBe(true);
    expect(warnings.join('\n')).toMatch(/expanded model did not load.*expanded\.pack: HTTP 404/);
    await expect.poll(async () => (await probe(page)).lastResults?.mode).toBe('hybrid');
    expect((await resultTitles(page))[0]).toBe(paperWith(corpus, 'Prune-Adjust- Re-Prune').title);
  });

  test('model file missing on the server: a clear message, and keyword search still works', async ({ page }) => {
    const corpus = await loadCorpus(page);
    await page.route(/\/models\/.*\.onnx$/, (route) => route.fulfill({ status: 404, body: 'not found' }));
    await page.goto('/');
    await expect(page.getByTestId('model-error')).toContainText(/model could not be loaded.*Keyword search still works/i, { timeout: 120_000 });
    await page.getByRole('searchbox').fill('Prune-Adjust-Re-Prune PARP');
    await page.getByRole('searchbox').press('Enter');
    await expect.poll(async () => (await resultTitles(page))[0]).toBe(paperWith(corpus, 'Prune-Adjust- Re-Prune').title);
    await expect(page.getByTestId('result-meta')).toContainText('keyword');
  });
  });

  test('odd queries: empty, blank, 20,000 characters, emoji, RTL, CJK, HTML — no crash, no injection', async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto('/');
    await waitReady(page);
    const box = page.getByRole('searchbox');

    for (const blank of ['', '   \t  ']) {
      await box.fill(blank);
      await box.press('Enter');
      await expect(page.getByTestId('results')).toHaveCount(0);
    }
    const long = `${PRUNING} `.repeat(Math.ceil(20_000 / (PRUNING.length + 1))).slice(0, 20_000);
    for (const q of [long, 'speech 🎤🔊 models 🤖', 'نماذج الكلام ذاتية الإشراف', '自监督语音模型剪枝', '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>']) {
      await box.fill(q);
      await box.press('Enter');
      await expect(page.getByTestId('results')).toBeVisible();
      await expect(page.getByTestId('announce')).toHaveText(/^\d+ results? for /);
    }
    await expect(page.getByTestId('results').locator('li').first()).toBeVisible();
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(errors).toEqual([]);
  });
});
