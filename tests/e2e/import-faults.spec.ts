/**
 * Imports that go wrong in the ways a browser makes them go wrong: a file too big to hold twice,
 * storage that runs out in the middle, a tab closed before the import finished. Real Chromium,
 * real IndexedDB; the only thing simulated is the quota (Chromium gives a test no way to fill a
 * disk), by making IDBObjectStore.put throw the QuotaExceededError a full disk gives.
 */
import { writeFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { expect, resultTitles, test, waitReady } from './fixtures';

/** A distinct made-up word per number: abstracts that dedupe never takes for one another. */
const word = (i: number) => Array.from(String(i * 7919 + 13), (d) => 'bcdfghjklm'[Number(d)]).join('') + 'ite';

/** One JSON Lines row of about `bytes` bytes, like the build's rows (id, title, abstract, year). */
function row(i: number, bytes = 300): string {
  const title = `Sediment study ${i} of the ${word(i)} river`;
  const sentences = [
    `We measured ${word(i)} and ${word(i + 1)} transport in river ${i} over ${(i % 9) + 2} seasons.`,
    'Flood pulses moved gravel downstream, and bank vegetation reduced erosion by a share that grew with root density.',
    'Cores from each reach were dated and sieved; grain size fined downstream as expected.',
    'A model fitted on the upper reaches predicted the lower ones within the error of the survey.',
  ];
  let abstract = sentences[0];
  for (let k = 1; abstract.length < bytes - title.length - 60; k++) abstract += ` ${sentences[1 + (k % 3)]}`;
  return JSON.stringify({ id: `s${i}`, title, year: 2000 + (i % 25), abstract });
}

function jsonl(n: number, bytes?: number): Buffer {
  return Buffer.from(Array.from({ length: n }, (_, i) => row(i, bytes)).join('\n') + '\n');
}

async function search(page: Page, q: string): Promise<string[]> {
  await page.getByRole('searchbox').fill(q);
  await expect(page).toHaveURL(new RegExp(`q=${encodeURIComponent(q.split(' ')[0])}`));
  await expect(page.getByTestId('results')).toBeVisible();
  await page.waitForTimeout(400);
  return resultTitles(page);
}

async function panelShot(page: Page, name: string): Promise<void> {
  await page.getByTestId('import-panel').screenshot({ path: `test-results/screenshots/${name}.png` });
}

/** Vectors and papers in the user's store, read straight from IndexedDB. */
async function stored(page: Page): Promise<{ papers: number; vectors: number }> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('paperscope-collections');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(['papers', 'vectors']);
          const papers = tx.objectStore('papers').count();
          const vectors = tx.objectStore('vectors').count();
          tx.oncomplete = () => {
            db.close();
            resolve({ papers: papers.result, vectors: vectors.result });
          };
        };
      }),
  );
}

/** The progress line's texts as the page showed them, sampled every 50 ms. */
const WATCH_PROGRESS = () => {
  const w = window as unknown as { __progress: string[]; __longtasks: number[] };
  w.__progress = [];
  w.__longtasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) w.__longtasks.push(e.duration);
  }).observe({ type: 'longtask', buffered: true });
  setInterval(() => {
    const t = document.querySelector('[data-testid=import-progress]')?.textContent?.trim();
    if (t && w.__progress[w.__progress.length - 1] !== t) w.__progress.push(t);
  }, 50);
};

test.describe('import faults', () => {
  test('a 50 MB file: read and parse progress from the worker, the page answers during the import, every entry imported', async ({ page }, testInfo) => {
    test.setTimeout(600_000);
    const N = 40_000;
    const file = testInfo.outputPath('big.jsonl');
    const bytes = jsonl(N, 1240);
    expect(bytes.length).toBeGreaterThan(48e6);
    await writeFile(file, bytes);

    await page.addInitScript(WATCH_PROGRESS);
    await page.goto('/');
    await waitReady(page);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const heap = async () => ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0) / 1e6;
    const heapBefore = await heap();
    let heapPeak = heapBefore;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        heapPeak = Math.max(heapPeak, await heap().catch(() => 0));
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    await page.evaluate(() => ((window as unknown as { __longtasks: number[] }).__longtasks.length = 0));

    const t0 = Date.now();
    await page.getByTestId('collection-name').fill('Big');
    await page.getByTestId('import-files').setInputFiles(file);
    const progress = page.getByTestId('import-progress');
    await expect(progress).toContainText(/Parsed [\d,]+ of 40,000 entries/);
    await panelShot(page, 'import-faults-01-big-parse-progress');

    // The page answers while the worker parses: a search runs and shows its results.
    const during = Date.now();
    const titles = await search(page, 'pruning self-supervised speech models');
    expect(titles.length).toBeGreaterThan(0);
    await expect(progress).toBeVisible(); // still importing
    const answeredMs = Date.now() - during;

    await expect(progress).toContainText(/Embedding [\d,]+ of [\d,]+ passages/, { timeout: 400_000 });
    const importMs = Date.now() - t0;
    await page.getByTestId('import-stop').click();
    await expect(page.getByTestId('import-summary')).toHaveText(/Imported 40,000 papers into “Big”\./);
    await expect(page.getByTestId('collection')).toHaveText(/Big · 40,000 papers/);
    sampling = false;
    await sampler;
    await panelShot(page, 'import-faults-02-big-imported');

    const seen = await page.evaluate(() => (window as unknown as { __progress: string[] }).__progress);
    const parsed = seen.flatMap((t) => /Parsed ([\d,]+) of 40,000 entries/.exec(t)?.[1] ?? []).map((n) => Number(n.replace(/,/g, '')));
    // progress from the worker while it parsed, rising: several steps, not a jump from nothing to done
    expect(parsed.length).toBeGreaterThanOrEqual(3);
    expect(parsed).toEqual([...parsed].sort((a, b) => a - b));
    expect(seen.some((t) => /Reading big\.jsonl/.test(t))).toBe(true);
    expect(seen.some((t) => /Saved [\d,]+ of 40,000 papers/.test(t))).toBe(true);
    expect((await stored(page)).papers).toBe(N);
    // found by keyword at once (the passages are embedded later; hybrid ranks the few embedded first)
    const title = `Sediment study 31337 of the ${word(31337)} river`;
    await page.getByTitle('By words only (BM25)').click();
    await expect(page.getByRole('radio', { name: 'Keyword' })).toBeChecked();
    await search(page, title);
    await expect.poll(async () => (await resultTitles(page))[0], { timeout: 60_000 }).toBe(title);

    const longtasks = await page.evaluate(() => (window as unknown as { __longtasks: number[] }).__longtasks);
    const report = {
      fileMB: +(bytes.length / 1e6).toFixed(1),
      entries: N,
      importUntilEmbeddingMs: importMs,
      searchAnsweredDuringParseMs: answeredMs,
      parseProgressSteps: parsed.length,
      longestMainThreadTaskMs: Math.round(Math.max(0, ...longtasks)),
      longTasksOver50ms: longtasks.length,
      longTasksTotalMs: Math.round(longtasks.reduce((a, b) => a + b, 0)),
      mainHeapBeforeMB: +heapBefore.toFixed(1),
      mainHeapPeakMB: +heapPeak.toFixed(1),
    };
    console.log(`50 MB import: ${JSON.stringify(report)}`);
    await testInfo.attach('big-import.json', { body: JSON.stringify(report, null, 2), contentType: 'application/json' });
  });

  test('storage full mid-import: what was stored stays searchable, the report names what was not', async ({ page }) => {
    test.setTimeout(300_000);
    // Chromium's quota error, after 230 papers and 100 vectors: as a full disk gives it.
    await page.addInitScript(() => {
      if (sessionStorage.getItem('quota-off')) return;
      const limit: Record<string, number> = { papers: 230, vectors: 100 };
      const count: Record<string, number> = {};
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
        if (this.transaction.db.name === 'paperscope-collections' && this.name in limit) {
          count[this.name] = (count[this.name] ?? 0) + 1;
          if (count[this.name] > limit[this.name]) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        }
        return put.apply(this, args);
      };
    });
    await page.goto('/');
    await waitReady(page);
    await page.getByTestId('collection-name').fill('Rivers');
    await page.getByTestId('import-files').setInputFiles({ name: 'rivers.jsonl', mimeType: 'application/x-ndjson', buffer: jsonl(250) });

    // 200 papers in whole batches stored; the batch the quota hit is rolled back, not half-written
    await expect(page.getByTestId('import-summary')).toHaveText(/Imported 200 papers into “Rivers”\./);
    await expect(page.getByTestId('import-not-stored')).toContainText('storage for the site is full (QuotaExceededError): 50 of 250 papers were not stored');
    const notStored = page.getByTestId('report-not-stored').locator('li');
    await expect(notStored).toHaveCount(50);
    await expect(notStored.first()).toHaveText(`rivers.jsonl:201 Sediment study 200 of the ${word(200)} river`);
    await expect(notStored.last()).toHaveText(`rivers.jsonl:250 Sediment study 249 of the ${word(249)} river`);
    await expect(page.getByTestId('collection')).toHaveText(/Rivers · 200 papers/);
    await expect(page.getByText('Imported (200)')).toBeVisible();
    await expect(page.getByTestId('import-progress')).toBeHidden({ timeout: 200_000 });
    // vectors that could not be kept: searchable now, embedded again next time
    await expect(page.getByTestId('import-notice')).toContainText(/storage for the site is full: \d+ passage vectors of your papers could not be kept/);
    await panelShot(page, 'import-faults-03-quota');
    expect(await stored(page)).toEqual({ papers: 200, vectors: 96 }); // whole batches of 16 vectors only

    const kept = `Sediment study 150 of the ${word(150)} river`;
    const lost = `Sediment study 220 of the ${word(220)} river`;
    expect((await search(page, kept))[0]).toBe(kept);
    expect(await search(page, lost)).not.toContain(lost);
    // a paper whose vector could not be stored is still found on this visit
    expect((await search(page, `how much ${word(190)} and ${word(191)} moved in river 190`))[0]).toBe(`Sediment study 190 of the ${word(190)} river`);

    // Space again: the next visit keeps the 200, embeds only the passages without a stored vector.
    await page.evaluate(() => sessionStorage.setItem('quota-off', '1'));
    await page.reload();
    await waitReady(page);
    await expect(page.getByTestId('collection')).toHaveText(/Rivers · 200 papers/);
    await expect(page.getByTestId('import-resumed')).toHaveText(/104 embedded on this visit; 96 already stored were not embedded again/, { timeout: 200_000 });
    expect(await stored(page)).toEqual({ papers: 200, vectors: 200 });
    expect((await search(page, kept))[0]).toBe(kept);
  });

  test('the tab closed while embedding: the next visit embeds only what had no vector yet', async ({ context, page }) => {
    test.setTimeout(300_000);
    await page.goto('/');
    await waitReady(page);
    await page.getByTestId('import-files').setInputFiles({ name: 'rivers.jsonl', mimeType: 'application/x-ndjson', buffer: jsonl(150) });
    const progress = page.getByTestId('import-progress');
    await expect(progress).toContainText(/Embedding (3[2-9]|[4-9]\d|1[0-3]\d) of 150 passages/);
    const before = await stored(page);
    expect(before.papers).toBe(150);
    await page.close({ runBeforeUnload: false });

    const next = await context.newPage();
    await next.goto('/');
    await waitReady(next);
    await expect(next.getByTestId('collection')).toHaveText(/My papers · 150 papers/);
    const resumed = next.getByTestId('import-resumed');
    await expect(resumed).toHaveText(/(\d+) embedded on this visit; (\d+) already stored were not embedded again/, { timeout: 200_000 });
    await expect(next.getByTestId('import-progress')).toBeHidden({ timeout: 200_000 });
    const [, embedded, kept] = /(\d+) embedded on this visit; (\d+) already stored/.exec((await resumed.textContent())!)!.map(Number);
    expect(kept).toBeGreaterThanOrEqual(before.vectors);
    expect(embedded + kept).toBe(150);
    expect(await stored(next)).toEqual({ papers: 150, vectors: 150 });
    // the papers' saving had finished: nothing to say about an unfinished import
    await expect(next.getByTestId('import-interrupted')).toHaveCount(0);
    await panelShot(next, 'import-faults-04-resumed');
    expect((await search(next, `how much ${word(120)} and ${word(121)} moved in river 120`))[0]).toBe(`Sediment study 120 of the ${word(120)} river`);
  });

  test('the tab closed while saving or parsing: the next visit says what was kept; no half-written batch', async ({ context, page }, testInfo) => {
    test.setTimeout(400_000);
    const file = testInfo.outputPath('many.jsonl');
    await writeFile(file, jsonl(12_000, 900));
    await page.goto('/');
    await waitReady(page);
    await page.getByTestId('collection-name').fill('Many');
    await page.getByTestId('import-files').setInputFiles(file);
    await expect(page.getByTestId('import-progress')).toContainText(/Saved [1-9][\d,]* of 12,000 papers/, { timeout: 300_000 });
    await page.close({ runBeforeUnload: false });

    let next = await context.newPage();
    await next.goto('/');
    await waitReady(next);
    const told = next.getByTestId('import-interrupted');
    await expect(told).toHaveCount(1);
    await expect(told).toContainText(/Your import of many\.jsonl into “Many” \(.*\) did not finish: ([\d,]+) of 12,?000 papers were saved and are searchable; import the file again/);
    const saved = Number(/: ([\d,]+) of 12,?000 papers were saved/.exec((await told.textContent())!)![1].replace(/,/g, ''));
    expect(saved).toBeGreaterThan(0);
    expect(saved).toBeLessThan(12_000);
    expect(saved % 50).toBe(0); // whole batches (SAVE_BATCH in src/import/importer.svelte.ts)
    await expect(next.getByTestId('collection')).toHaveText(new RegExp(`Many · ${saved.toLocaleString('en')} papers`));
    expect((await stored(next)).papers).toBe(saved);
    await panelShot(next, 'import-faults-05-interrupted-saving');

    // told once: the visit after says nothing more
    await next.reload();
    await waitReady(next);
    await expect(next.getByTestId('import-interrupted')).toHaveCount(0);

    // the saved papers' passages are being embedded: a file given now is refused, by name
    await expect(next.getByTestId('import-progress')).toContainText(/Embedding [\d,]+ of [\d,]+ passages/);
    await next.getByTestId('import-files').setInputFiles(file);
    await expect(next.getByTestId('import-error')).toHaveText(/many\.jsonl not imported: the panel is busy \(importing or embedding\); Stop it or wait/);
    await next.getByTestId('import-stop').click();
    await expect(next.getByTestId('import-progress')).toBeHidden();

    // closed while the worker parses: nothing was added, and the page says so
    await next.getByTestId('collection-name').fill('Parsing');
    await next.getByTestId('import-files').setInputFiles(file);
    await expect(next.getByTestId('import-progress')).toContainText(/Parsed [\d,]+ of 12,000 entries/);
    await next.close({ runBeforeUnload: false });
    next = await context.newPage();
    await next.goto('/');
    await waitReady(next);
    await expect(next.getByTestId('import-interrupted')).toHaveText(/Your import of many\.jsonl into “Parsing” .* did not finish: the page was closed before any of its papers were saved, so nothing was added\. Import the file again\./);
    await expect(next.locator('[data-testid=collection][data-collection-name=Parsing]')).toHaveCount(0);
    await panelShot(next, 'import-faults-06-interrupted-parsing');
  });
});
