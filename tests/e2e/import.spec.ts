import { expect, resultTitles, shot, test, waitReady } from './fixtures';
import type { Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { buildCorpus } from '../../src/corpus/build';

const FIXTURES = 'tests/fixtures/import';
const KELP = 'Kelp forest canopy recovery after marine heatwaves';
const SOURDOUGH = 'Sourdough starter microbiology across bakeries';

/** The panel alone: the report and the collections, readable (a full page of results is not). */
async function panelShot(page: Page, name: string): Promise<void> {
  await page.getByTestId('import-panel').screenshot({ path: `test-results/screenshots/${name}.png` });
}

/** What the viewport shows: the top results. */
async function topShot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `test-results/screenshots/${name}.png` });
}

async function search(page: Page, q: string): Promise<string[]> {
  await page.getByRole('searchbox').fill(q);
  await expect(page.getByTestId('results')).toBeVisible();
  await expect(page.getByTestId('result-meta')).toContainText('hybrid');
  // the debounce and the query embedding: wait until the titles settle on this query
  await expect(page).toHaveURL(new RegExp(`q=${encodeURIComponent(q.split(' ')[0])}`));
  await page.waitForTimeout(400);
  return resultTitles(page);
}

test.describe('import your own papers', () => {
  test('a .bib and a .ris: report, found by meaning, kept across a reload, the same file again adds nothing, delete removes it', async ({ page }) => {
    await page.goto('/');
    await waitReady(page);
    await shot(page, 'import-01-panel');

    await page.getByTestId('import-files').setInputFiles([`${FIXTURES}/library.bib`, `${FIXTURES}/library.ris`]);
    const summary = page.getByTestId('import-summary');
    await expect(summary).toHaveText(/Imported 3 papers into “My papers”\. 2 duplicates merged\. 1 skipped\./);
    await expect(page.getByTestId('import-progress')).toBeHidden();
    await expect(page.getByTestId('report-skipped')).toContainText(/library\.bib:\d+ .*noabstract2022.*no abstract/);
    await expect(page.getByTestId('report-duplicates')).toContainText(`library.ris:11 is “${KELP}” at library.bib:1 (this import)`);
    await expect(page.getByTestId('collection')).toHaveText(/My papers · 3 papers/);
    await panelShot(page, 'import-02-report');

    // a question in other words than the abstract's: found by meaning (real model)
    expect((await search(page, 'sea otters help seaweed come back after ocean warming'))[0]).toBe(KELP);
    expect((await search(page, 'why does bread taste different in each bakery'))[0]).toBe(SOURDOUGH);
    await topShot(page, 'import-03-found');

    await page.reload();
    await waitReady(page);
    await expect(page.getByTestId('collection')).toHaveText(/My papers · 3 papers/);
    expect((await search(page, 'sea otters help seaweed come back after ocean warming'))[0]).toBe(KELP);
    await topShot(page, 'import-04-after-reload');

    // the same file again: every paper is a duplicate of the collection, nothing added
    await page.getByTestId('import-files').setInputFiles(`${FIXTURES}/library.bib`);
    await expect(summary).toHaveText(/Nothing was added to “My papers”\. 3 duplicates merged\. 1 skipped\./);
    await expect(page.getByTestId('report-duplicates')).toContainText(`“${KELP}” is “${KELP}” in your collection “My papers” (same DOI`);
    await expect(page.getByTestId('collection')).toHaveText(/My papers · 3 papers/);
    await panelShot(page, 'import-05-same-file-again');

    await page.getByRole('button', { name: 'Delete collection My papers' }).click();
    await expect(page.getByTestId('collection')).toHaveCount(0);
    expect(await search(page, 'sea otters help seaweed come back after ocean warming')).not.toContain(KELP);
    await page.reload();
    await waitReady(page);
    await expect(page.getByTestId('collection')).toHaveCount(0);
    expect(await search(page, 'kelp canopy sea urchin')).not.toContain(KELP);
    await panelShot(page, 'import-06-deleted');
  });

  test('rename a collection (not to an empty or taken name) and delete one paper of it: searched no more, off the reading list, after a reload too', async ({ page }) => {
    await page.goto('/');
    await waitReady(page);
    await page.getByTestId('import-files').setInputFiles(`${FIXTURES}/library.bib`);
    await expect(page.getByTestId('import-summary')).toHaveText(/Imported 2 papers into “My papers”/);
    await expect(page.getByTestId('import-progress')).toBeHidden();
    // (its kelp paper is a duplicate of the one in "My papers": only the sourdough one is added)
    await page.getByTestId('collection-name').fill('Baking');
    await page.getByTestId('import-files').setInputFiles(`${FIXTURES}/library.ris`);
    await expect(page.getByTestId('import-summary')).toHaveText(/Imported 1 paper into “Baking”/);
    await expect(page.getByTestId('import-progress')).toBeHidden();
    const mine = page.locator('[data-testid=collection][data-collection-name="My papers"]');
    await expect(mine).toContainText('My papers · 2 papers');

    // rename: an empty name and another collection's name are refused, with the reason
    await page.getByRole('button', { name: 'Rename collection My papers' }).click();
    const input = page.getByTestId('rename-input');
    await expect(input).toBeFocused();
    await input.fill('   ');
    await input.press('Enter');
    await expect(page.getByTestId('rename-error')).toHaveText(/needs a name/);
    await input.fill('Baking');
    await input.press('Enter');
    await expect(page.getByTestId('rename-error')).toHaveText(/already have a collection named “Baking”/);
    await panelShot(page, 'import-07-rename-refused');
    await input.fill('Ocean papers');
    await page.getByRole('button', { name: 'Save' }).click();
    const ocean = page.locator('[data-testid=collection][data-collection-name="Ocean papers"]');
    await expect(ocean).toContainText('Ocean papers · 2 papers');
    await expect(page.getByTestId('rename-input')).toHaveCount(0);
    // results name the collection by its new name
    expect((await search(page, 'sea otters help seaweed come back after ocean warming'))[0]).toBe(KELP);
    const kelpCard = page.locator('[data-testid=results] article').first();
    await expect(kelpCard.getByTestId('paper-collection')).toHaveText('in your collection “Ocean papers”');
    await kelpCard.getByTestId('save-paper').click();
    await expect(page.getByTestId('reading-list')).toContainText(KELP);

    // its papers, found by title; delete one
    await ocean.getByTestId('collection-papers').locator('summary').click();
    await expect(ocean.getByTestId('collection-papers').locator('li')).toHaveCount(2);
    await ocean.getByTestId('find-paper').fill('kelp');
    await expect(ocean.getByTestId('collection-papers').locator('li')).toHaveCount(1);
    await panelShot(page, 'import-08-collection-papers');
    await ocean.getByRole('button', { name: `Delete ${KELP} from Ocean papers` }).click();
    await expect(ocean).toContainText('Ocean papers · 1 paper');
    await expect(page.getByTestId('reading-list')).toHaveCount(0);
    expect(await search(page, 'sea otters help seaweed come back after ocean warming')).not.toContain(KELP);

    await page.reload();
    await waitReady(page);
    await expect(page.locator('[data-testid=collection][data-collection-name="Ocean papers"]')).toContainText('Ocean papers · 1 paper');
    await expect(page.locator('[data-testid=collection][data-collection-name="Baking"]')).toContainText('Baking · 1 paper');
    expect(await search(page, 'kelp forest canopy recovery marine heatwaves')).not.toContain(KELP);
    // what is left of the collection is still found by meaning
    const left = await page.locator('[data-testid=collection][data-collection-name="Ocean papers"]').getByTestId('collection-papers').locator('summary').click().then(() =>
      page.locator('[data-testid=collection][data-collection-name="Ocean papers"] [data-testid=collection-papers] li').first().getAttribute('data-paper-id'),
    );
    expect(left).toBeTruthy();
    await panelShot(page, 'import-09-after-delete-reload');
  });

  test('export a collection as JSON with its vectors; importing it again needs no embedding', async ({ page }, testInfo) => {
    await page.goto('/');
    await waitReady(page);
    await page.getByTestId('collection-name').fill('Baking');
    await page.getByTestId('import-files').setInputFiles(`${FIXTURES}/library.ris`);
    await expect(page.getByTestId('import-vectors')).toHaveText('2 passages: 2 embedded now.');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export collection Baking' }).click()]);
    expect(download.suggestedFilename()).toBe('Baking.paperscope.json');
    const file = testInfo.outputPath('Baking.paperscope.json');
    await download.saveAs(file);
    const doc = JSON.parse(await (await import('node:fs/promises')).readFile(file, 'utf8'));
    expect(doc).toMatchObject({ format: 'paperscope-collection', version: 1, name: 'Baking', dims: 384 });
    expect(doc.model).toMatch(/^Xenova\/all-MiniLM-L6-v2\|q8\|[0-9a-f]{64}\|/);
    expect(doc.vectors.every((v: string | null) => typeof v === 'string')).toBe(true);

    await page.getByRole('button', { name: 'Delete collection Baking' }).click();
    await expect(page.getByTestId('collection')).toHaveCount(0);
    await page.getByTestId('import-files').setInputFiles(file);
    await expect(page.getByTestId('import-summary')).toHaveText(/Imported 2 papers into “Baking”\./);
    await expect(page.getByTestId('import-vectors')).toHaveText('2 passages: 2 with vectors from the file, 0 embedded now.');
    expect((await search(page, 'why does bread taste different in each bakery'))[0]).toBe(SOURDOUGH);
    await topShot(page, 'import-11-export-reimported');
  });

  test('reading list: save results (shipped and imported), "Recommended from your list" leaves them out, export as BibTeX, kept across a reload', async ({ page }, testInfo) => {
    await page.goto('/');
    await waitReady(page);
    await page.getByTestId('import-files').setInputFiles(`${FIXTURES}/library.bib`);
    await expect(page.getByTestId('import-summary')).toHaveText(/Imported 2 papers/);
    await expect(page.getByTestId('import-progress')).toBeHidden();

    expect((await search(page, 'sea otters help seaweed come back after ocean warming'))[0]).toBe(KELP);
    const results = page.locator('[data-testid=results] article');
    await results.first().getByTestId('save-paper').click();
    await expect(results.first().getByTestId('save-paper')).toHaveText('On your reading list');
    const shipped = (await search(page, 'pruning self-supervised speech models'))[0];
    await results.first().getByTestId('save-paper').click();

    const list = page.getByTestId('reading-list');
    await expect(list.locator('li')).toHaveCount(2);
    await expect(list).toContainText(KELP);
    await expect(list).toContainText(shipped);
    const recommended = page.getByTestId('recommended').locator('li');
    await expect(recommended).toHaveCount(10);
    const listedIds = await list.locator('li').evaluateAll((els) => els.map((e) => e.getAttribute('data-paper-id')));
    const recommendedIds = await recommended.evaluateAll((els) => els.map((e) => e.getAttribute('data-paper-id')));
    expect(recommendedIds.filter((id) => listedIds.includes(id))).toEqual([]);
    // each names the saved paper(s) it is most like
    const because = page.getByTestId('recommended').getByTestId('because');
    await expect(because).toHaveCount(10);
    for (const text of await because.allTextContents()) {
      expect(text).toMatch(/^because you saved “/);
      expect(text.includes(KELP) || text.includes(shipped), text).toBe(true);
    }
    await panelShot(page, 'import-12-reading-list');

    // the list as BibTeX: the import's own parser reads it back as the same two papers
    const [bib] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-list-bibtex').click()]);
    expect(bib.suggestedFilename()).toBe('reading-list.bib');
    const file = testInfo.outputPath('reading-list.bib');
    await bib.saveAs(file);
    const back = buildCorpus([{ path: 'reading-list.bib', bytes: new Uint8Array(await readFile(file)) }]).data.papers;
    expect(back.map((p) => p.title).sort()).toEqual([KELP, shipped].sort());
    expect(back.find((p) => p.title === KELP)!.doi).toBe('10.5555/kelp.2024.001');

    await page.reload();
    await waitReady(page);
    await expect(page.getByTestId('reading-list').locator('li')).toHaveCount(2);
    await expect(page.getByTestId('recommended').locator('li')).toHaveCount(10);
    await page.getByRole('button', { name: `Remove ${KELP} from the reading list` }).click();
    await expect(page.getByTestId('reading-list').locator('li')).toHaveCount(1);
    // a paper on the list opens its "more like this"
    await page.getByTestId('reading-list').getByRole('button').first().click();
    await expect(page.getByTestId('like-heading')).toContainText(shipped);
  });

  test('a file dropped on the panel and text pasted from the clipboard are imported', async ({ page, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.goto('/');
    await waitReady(page);
    // drag and drop: a real File in a DataTransfer, dropped on the drop zone
    const ris = await readFile(`${FIXTURES}/library.ris`, 'utf8');
    const zone = page.getByTestId('drop-zone');
    const dataTransfer = await page.evaluateHandle((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'dropped.ris', { type: 'application/x-research-info-systems' }));
      return dt;
    }, ris);
    await zone.dispatchEvent('dragenter', { dataTransfer });
    await zone.dispatchEvent('dragover', { dataTransfer });
    await zone.dispatchEvent('drop', { dataTransfer });
    await expect(page.getByTestId('import-summary')).toHaveText(/Imported 2 papers into “My papers”\./);
    await expect(page.getByTestId('import-progress')).toBeHidden();
    expect((await search(page, 'why does bread taste different in each bakery'))[0]).toBe(SOURDOUGH);

    // the clipboard: text copied elsewhere, pasted with the keyboard into the paste box
    const abstract = 'We measured how long honeybees dance for each flower patch. Dance duration grew with the sugar content of the nectar, so a colony learns which patches are richest within a day.';
    await page.evaluate((text) => navigator.clipboard.writeText(text), `Waggle dances encode nectar quality\n\n${abstract}\n`);
    await page.getByTestId('import-paste').focus();
    await page.keyboard.press('ControlOrMeta+V');
    await expect(page.getByTestId('import-paste')).toHaveValue(/Waggle dances encode nectar quality/);
    await page.getByTestId('import-paste-button').click();
    await expect(page.getByTestId('import-summary')).toHaveText(/Imported 1 paper into “My papers”\./);
    await expect(page.getByTestId('import-progress')).toBeHidden();
    expect((await search(page, 'how do bees tell each other where the sweetest flowers are'))[0]).toBe('Waggle dances encode nectar quality');
    await expect(page.locator('[data-testid=collection][data-collection-name="My papers"]')).toContainText('My papers · 3 papers');
  });

  test('pasted text is imported; markup in it is shown as text and never run', async ({ page }) => {
    await page.goto('/');
    await waitReady(page);
    await page.getByTestId('collection-name').fill('Pasted');
    const ris = [
      'TY  - JOUR',
      'TI  - Harbour porpoises near tidal turbines',
      'PY  - 2022',
      'AB  - We recorded harbour porpoise clicks around a tidal turbine array for two years. Porpoises avoided the turbines at peak flow but returned within an hour. &lt;script&gt;window.__pwned = true&lt;/script&gt; &lt;img src=x onerror="window.__pwned = true"&gt;',
      'ER  - ',
      '',
    ].join('\n');
    await page.getByTestId('import-paste').fill(ris);
    await page.getByTestId('import-paste-button').click();
    await expect(page.getByTestId('import-summary')).toHaveText(/Imported 1 paper into “Pasted”\./);
    await expect(page.getByTestId('import-progress')).toBeHidden();
    expect((await search(page, 'do marine mammals avoid underwater tidal power machines'))[0]).toBe('Harbour porpoises near tidal turbines');
    const first = page.locator('[data-testid=results] li').first();
    await first.getByRole('button', { name: /Harbour porpoises/ }).click();
    await expect(first).toContainText('<script>window.__pwned = true</script>');
    expect(await first.locator('script, img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned)).toBeUndefined();
    await first.screenshot({ path: 'test-results/screenshots/import-07-paste-markup-as-text.png' });
  });

  test('bad input: an empty file and an image are reported, nothing lost; Stop during embedding keeps the papers', async ({ page }) => {
    await page.goto('/');
    await waitReady(page);
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    await page.getByTestId('import-files').setInputFiles([
      { name: 'empty.bib', mimeType: 'text/plain', buffer: Buffer.alloc(0) },
      { name: 'figure.png', mimeType: 'image/png', buffer: png },
    ]);
    await expect(page.getByTestId('import-summary')).toHaveText(/Nothing was added to “My papers”\./);
    await expect(page.getByTestId('report-skipped')).toContainText('empty.bib');
    await expect(page.getByTestId('report-skipped')).toContainText('figure.png');
    await expect(page.getByTestId('collection')).toHaveCount(0);
    await panelShot(page, 'import-08-bad-input');

    // 150 papers: long enough to see the progress and stop it
    const rows = Array.from({ length: 150 }, (_, i) => JSON.stringify({
      id: `t${i}`,
      title: `Synthetic study number ${i} of river sediment`,
      abstract: `Study ${i} measured sediment transport in river ${i} over ${i + 2} seasons. We found that flood pulses moved ${i * 3} tonnes of gravel and that vegetation on the banks reduced erosion by a share that grew with root density in plot ${i}.`,
    })).join('\n');
    await page.getByTestId('collection-name').fill('Rivers');
    await page.getByTestId('import-files').setInputFiles({ name: 'rivers.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(rows) });
    const progress = page.getByTestId('import-progress');
    await expect(progress).toContainText(/Embedding \d+ of 150 passages/);
    await expect(progress).toContainText(/left/);
    await panelShot(page, 'import-09-embedding-progress');
    await page.getByTestId('import-stop').click();
    await expect(page.getByTestId('import-stopped')).toContainText('papers are saved');
    await expect(page.getByTestId('collection')).toHaveText(/Rivers · 150 papers/);
    await panelShot(page, 'import-10-stopped');
    // found by keyword at once; the rest of the passages are embedded on the next visit
    await page.reload();
    await waitReady(page);
    await expect(page.getByTestId('collection')).toHaveText(/Rivers · 150 papers/);
    await expect(page.getByTestId('import-progress')).toBeHidden({ timeout: 170_000 });
    expect((await search(page, 'Synthetic study number 77 of river sediment'))[0]).toBe('Synthetic study number 77 of river sediment');
  });
});
