/**
 * The source filter (shipped corpus / each of your collections), results naming their collection,
 * and shared reading lists (?list=), in real Chromium with real IndexedDB and the real model, on
 * the built site (the seed corpus) plus BibTeX and RIS files imported through the page.
 */
import type { Page } from '@playwright/test';
import { expect, loadCorpus, probe, shot, test, waitReady } from './fixtures';

const FIXTURES = 'tests/fixtures/import';
const KELP = 'Kelp forest canopy recovery after marine heatwaves';
const BEES = 'Urban beekeeping and wild pollinator decline';
const SOURDOUGH = 'Sourdough starter microbiology across bakeries';

interface Shown {
  id: string;
  title: string;
  collection: string | null;
}

/** The results on screen: id, title and the collection named in the metadata line (null: none named). */
async function shown(page: Page): Promise<Shown[]> {
  return page.locator('[data-testid=results] article').evaluateAll((els) =>
    els.map((e) => ({
      id: e.getAttribute('data-paper-id')!,
      title: e.querySelector('[data-testid=paper-title]')?.textContent?.trim() ?? '',
      collection: e.querySelector('[data-testid=paper-collection]')?.textContent?.trim() ?? null,
    })),
  );
}

/** Imports one file into a named collection and waits until its passages are embedded. */
async function importInto(page: Page, name: string, file: string, imported: RegExp): Promise<void> {
  await page.getByTestId('collection-name').fill(name);
  await page.getByTestId('import-files').setInputFiles(`${FIXTURES}/${file}`);
  await expect(page.getByTestId('import-summary')).toHaveText(imported);
  await expect(page.getByTestId('import-vectors')).toContainText('embedded now');
  await expect(page.getByTestId('import-progress')).toBeHidden();
}

async function collectionId(page: Page, name: string): Promise<string> {
  return (await page.getByTestId('source-list').getByRole('checkbox', { name: new RegExp(`^${name} `) }).getAttribute('data-source-id'))!;
}

/** Types a query and waits until the results on screen are for it, in `mode`. */
async function search(page: Page, q: string, mode = 'hybrid'): Promise<void> {
  await page.getByRole('searchbox').fill(q);
  await expect
    .poll(async () => {
      const r = (await probe(page)).lastResults;
      return r && `${r.mode}: ${r.query}`;
    })
    .toBe(`${mode}: ${q}`);
}

/** The ranking mode, by keyboard (the radio itself is styled away behind its label). */
async function pickMode(page: Page, mode: string): Promise<void> {
  const radio = page.getByRole('radio', { name: new RegExp(mode, 'i') });
  await radio.focus();
  await page.keyboard.press('Space');
  await expect(radio).toBeChecked();
}

/** The filters start folded on a corpus without metadata (the seeds): open them. */
async function openFilters(page: Page): Promise<void> {
  const filters = page.getByTestId('filters');
  await expect(filters).toBeVisible();
  if ((await filters.getAttribute('open')) === null) await filters.locator('summary').click();
  await expect(filters).toHaveAttribute('open', '');
}

const corpusSource = (page: Page) => page.getByTestId('source-list').getByRole('checkbox', { name: /^Shipped corpus / });
const source = (page: Page, name: string) => page.getByTestId('source-list').getByRole('checkbox', { name: new RegExp(`^${name} `) });

test('source filter: your collections and the shipped corpus, in every mode and "more like this", from the URL, back/forward, no match', async ({ page }) => {
  const corpus = await loadCorpus(page);
  const n = corpus.papers.length;
  await page.goto('/');
  await waitReady(page);
  // no collection yet: nothing to choose between, no Source group
  await expect(page.getByTestId('source-filter')).toHaveCount(0);

  await importInto(page, 'Ecology', 'library.bib', /Imported 2 papers into “Ecology”/);
  await importInto(page, 'Baking', 'library.ris', /Imported 1 paper into “Baking”/);
  const ecology = await collectionId(page, 'Ecology');
  const baking = await collectionId(page, 'Baking');
  expect(ecology).toMatch(/^c[0-9a-f]+$/);
  expect(baking).not.toBe(ecology);

  // a shipped-corpus question
  await openFilters(page);
  await search(page, 'pruning self-supervised speech models');
  await expect.poll(async () => (await shown(page)).length).toBe(Math.min(20, n + 3));
  // every paper has a cosine, so the counts over the best 200 cover the whole (small) corpus
  await expect(corpusSource(page)).toHaveAccessibleName(`Shipped corpus ${n} papers`);
  await expect(source(page, 'Ecology')).toHaveAccessibleName('Ecology 2 papers');
  await expect(source(page, 'Baking')).toHaveAccessibleName('Baking 1 paper');

  // keyboard: tick Ecology with Space; the filter applies before the top k in each mode
  await source(page, 'Ecology').focus();
  await page.keyboard.press('Space');
  await expect(page).toHaveURL(new RegExp(`src=${ecology}(&|$)`));
  for (const mode of ['hybrid', 'semantic', 'keyword'] as const) {
    if (mode !== 'hybrid') await pickMode(page, mode);
    await expect(page.getByTestId('result-meta')).toContainText(mode);
    if (mode === 'keyword') {
      // keyword ranks only papers holding a query word: the collection's bee paper alone has these
      await search(page, 'speech pruning honeybee hives', 'keyword');
      await expect.poll(async () => (await shown(page)).map((r) => r.title)).toEqual([BEES]);
    } else {
      await expect.poll(async () => (await shown(page)).map((r) => r.title).sort()).toEqual([BEES, KELP].sort());
    }
    for (const r of await shown(page)) expect(r.collection).toBe('in your collection “Ecology”');
  }
  await expect(page.getByTestId('filter-status')).toHaveText(`Filters allow 2 of ${n + 3} papers.`);
  await pickMode(page, 'hybrid');
  await search(page, 'pruning self-supervised speech models');
  await shot(page, 'sources-01-one-collection');

  // two collections at once, then the shipped corpus alone
  await source(page, 'Baking').check();
  await expect(page).toHaveURL(new RegExp(`src=${ecology}%2C${baking}`));
  await expect.poll(async () => (await shown(page)).map((r) => r.title).sort()).toEqual([BEES, KELP, SOURDOUGH].sort());
  expect((await shown(page)).find((r) => r.title === SOURDOUGH)!.collection).toBe('in your collection “Baking”');
  await source(page, 'Ecology').uncheck();
  await source(page, 'Baking').uncheck();
  await corpusSource(page).check();
  await expect(page).toHaveURL(/src=corpus(&|$)/);
  await search(page, 'kelp forest recovery after ocean heatwaves');
  await expect.poll(async () => (await shown(page)).length).toBe(Math.min(20, n));
  const corpusOnly = await shown(page);
  expect(corpusOnly.map((r) => r.title)).not.toContain(KELP);
  expect(corpusOnly.every((r) => r.collection === null)).toBe(true);
  expect(corpusOnly.every((r) => corpus.papers.some((p) => p.id === r.id))).toBe(true);

  // back: one step per filter change (typing a query replaces the entry): Ecology + Baking again; forward: the corpus only
  await page.goBack(); // before the corpus was ticked
  await page.goBack(); // before Baking was unticked
  await page.goBack(); // before Ecology was unticked
  await expect(source(page, 'Ecology')).toBeChecked();
  await expect(source(page, 'Baking')).toBeChecked();
  await expect(corpusSource(page)).not.toBeChecked();
  await expect.poll(async () => (await shown(page)).map((r) => r.title).sort()).toEqual([BEES, KELP, SOURDOUGH].sort());
  await page.goForward();
  await page.goForward();
  await page.goForward();
  await expect(corpusSource(page)).toBeChecked();
  await expect(source(page, 'Ecology')).not.toBeChecked();

  // more like this from a shipped paper, within a collection
  const shippedPaper = corpus.papers[0];
  await page.goto(`/?like=${encodeURIComponent(shippedPaper.id)}&src=${ecology}`);
  await openFilters(page);
  await expect(page.getByTestId('like-heading')).toBeVisible();
  await expect.poll(async () => (await shown(page)).map((r) => r.title).sort()).toEqual([BEES, KELP].sort());

  // a link naming a collection this browser does not have: a notice naming it, the known one applied
  // (the collections are read from IndexedDB after the page starts: the filter waits for them)
  await page.goto(`/?q=${encodeURIComponent('why does bread taste different')}&src=cfeedface0000,${baking}`);
  await expect(page.getByText('No collection "cfeedface0000" in this browser')).toBeVisible();
  await openFilters(page);
  await expect(source(page, 'Baking')).toBeChecked();
  await expect.poll(async () => (await shown(page)).map((r) => r.title)).toEqual([SOURDOUGH]);
  await shot(page, 'sources-02-unknown-collection-notice');

  // a collection filter with no match under the other filters says so where it is set
  await page.getByTestId('year-from').fill('1990');
  await page.getByTestId('year-from').press('Tab');
  await page.getByTestId('year-to').fill('1991');
  await page.getByTestId('year-to').press('Tab');
  await expect(page.getByTestId('source-none')).toHaveText('No paper in “Baking” matches the other filters.');
  await expect(page.getByTestId('no-match')).toContainText('No papers match these filters.');
  await page.getByTestId('filters').screenshot({ path: 'test-results/screenshots/sources-03-no-match.png' });
  await page.getByTestId('no-match').getByRole('button', { name: 'Clear filters' }).click();
  await expect(page).not.toHaveURL(/src=/);

  // deleting a collection that is filtered on: the filter on it goes, and the page says so
  await page.goto(`/?q=kelp&src=${ecology}`);
  await openFilters(page);
  await expect.poll(async () => (await shown(page)).map((r) => r.title).sort()).toEqual([BEES, KELP].sort());
  await page.getByRole('button', { name: 'Delete collection Ecology' }).click();
  await expect(page.getByText('The collection “Ecology” was deleted: the filter on it is left out.')).toBeVisible();
  await expect(page).not.toHaveURL(/src=/);
  expect((await shown(page)).map((r) => r.title)).not.toContain(KELP);
});

test('shared reading list: a link with ids only; opening it shows and adds the papers here, names the ids that are not', async ({ page, browser, baseURL }) => {
  const corpus = await loadCorpus(page);
  await page.goto('/');
  await waitReady(page);
  await importInto(page, 'Ecology', 'library.bib', /Imported 2 papers into “Ecology”/);

  await search(page, 'sea otters help seaweed come back after ocean warming');
  const results = page.locator('[data-testid=results] article');
  await expect(results.first()).toContainText(KELP);
  await expect(results.first().getByTestId('paper-collection')).toHaveText('in your collection “Ecology”');
  const kelpId = (await results.first().getAttribute('data-paper-id'))!;
  await results.first().getByTestId('save-paper').click();
  await search(page, 'pruning self-supervised speech models');
  const shippedId = (await results.first().getAttribute('data-paper-id'))!;
  const shippedTitle = corpus.papers.find((p) => p.id === shippedId)!.title;
  await results.first().getByTestId('save-paper').click();
  await expect(page.getByTestId('reading-list').locator('li')).toHaveCount(2);

  await page.getByTestId('share-list').click();
  const link = await page.getByTestId('share-link').inputValue();
  const url = new URL(link);
  expect(url.origin).toBe(new URL(baseURL!).origin);
  expect(url.searchParams.getAll('list')).toEqual([`${kelpId},${shippedId}`]);
  expect([...url.searchParams.keys()]).toEqual(['list']); // ids only: no query, no text of any paper
  await expect(page.getByTestId('share-status')).toContainText('1 of them is from your own collections, which only this browser has');
  await page.getByTestId('import-panel').screenshot({ path: 'test-results/screenshots/sources-04-share-link.png' });

  // another browser (a fresh profile: no collections, empty reading list) opens the link, plus an id nobody has
  const other = await browser.newContext({ baseURL });
  try {
    const them = await other.newPage();
    await them.goto(`${url.pathname}${url.search},no-such-paper-42&q=speech`);
    const offer = them.getByTestId('shared-list');
    await expect(offer).toBeVisible();
    await expect(them.getByTestId('shared-summary')).toHaveText('This link names 3 papers; 1 of them is here (see the notice for the others).');
    await expect(offer.locator('li')).toHaveCount(1);
    await expect(offer.locator('li')).toContainText(shippedTitle);
    await expect(them.getByText(`2 of the 3 papers in the shared reading list are not in this corpus or your collections: "${kelpId}", "no-such-paper-42".`)).toBeVisible();
    await shot(them, 'sources-05-shared-list-opened');
    await them.getByTestId('shared-add').click();
    await expect(them.getByTestId('shared-added')).toHaveText('Added 1 paper to your reading list.');
    await expect(them.getByTestId('reading-list').locator('li')).toHaveCount(1);
    await expect(them.getByTestId('reading-list')).toContainText(shippedTitle);
    // answered: the address drops the list (the rest stays), a reload does not offer it again, the list is kept
    await expect(them).toHaveURL(/\?q=speech$/);
    await them.reload();
    await expect(them.getByTestId('reading-list').locator('li')).toHaveCount(1);
    await expect(them.getByTestId('shared-list')).toHaveCount(0);
    // back to the link: offered again, nothing left to add
    await them.goto(`${url.pathname}${url.search}`);
    await expect(them.getByTestId('shared-list')).toContainText('All of them are on your reading list.');
  } finally {
    await other.close();
  }

  // the sender opening their own link: both papers are here (one from their collection, named)
  await page.goto(link);
  const offer = page.getByTestId('shared-list');
  await expect(page.getByTestId('shared-summary')).toHaveText('This link names 2 papers.');
  await expect(offer.locator(`li[data-paper-id="${kelpId}"] [data-testid=paper-collection]`)).toHaveText('in your collection “Ecology”');
  await expect(offer).toContainText('All of them are on your reading list.');
  await offer.getByTestId('shared-dismiss').click();
  await expect(offer).toHaveCount(0);
  await expect(page).not.toHaveURL(/list=/);
});
