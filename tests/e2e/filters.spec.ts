/**
 * Filters and result metadata in real Chromium with the real model, on the seed papers given
 * metadata (the seeds' own sources have almost none: no years, no categories): years 2021–2024,
 * categories by topic, authors written "Last, First" and with accents.
 */
import type { Page } from '@playwright/test';
import type { CorpusData } from '../../src/corpus/types';
import { expect, loadCorpus, serveCorpus, shot, test, waitReady } from './fixtures';

// page.route serves the test corpus; a service worker would answer reloads from its copy of the built one
test.use({ serviceWorkers: 'block' });

const AUTHORS = ['Hinrich Schütze', 'Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Émilie du Châtelet', 'Kurt Gödel', 'Emmy Noether', 'John von Neumann'];

function withMetadata(corpus: CorpusData): CorpusData {
  const data = structuredClone(corpus);
  data.papers.forEach((p, i) => {
    const year = 2021 + (i % 4);
    p.year = year;
    p.date = i % 3 === 0 ? `${year}-0${1 + (i % 9)}-1${i % 10}` : i % 3 === 1 ? `${year}-1${i % 3}` : `${year}`;
    p.categories = /speech|spoken|audio/i.test(p.abstract) ? ['eess.AS', 'cs.CL'] : /image|visual|vision/i.test(p.abstract) ? ['cs.CV'] : ['cs.LG'];
    // paper 0 has many authors (the list is shortened); every third paper is by Schütze
    p.authors = i === 0 ? AUTHORS : [AUTHORS[1 + (i % 7)], ...(i % 3 === 0 ? ['Hinrich Schütze'] : [])];
    if (i === 1) p.venue = 'Interspeech';
  });
  return data;
}

async function metaOf(page: Page): Promise<{ id: string; year: number; cats: string[]; authors: string }[]> {
  return page.locator('[data-testid=results] article').evaluateAll((els) =>
    els.map((e) => ({
      id: e.getAttribute('data-paper-id')!,
      year: Number(e.querySelector('[data-testid=paper-date]')?.getAttribute('datetime')?.slice(0, 4)),
      cats: [...e.querySelectorAll('[data-testid=paper-categories] .cat')].map((c) => c.textContent!.trim()),
      authors: e.querySelector('[data-testid=paper-authors]')?.textContent ?? '',
    })),
  );
}

test('filters: year and category from the URL, keyboard changes, back/forward, sort by date, no match, clear', async ({ page }) => {
  const data = withMetadata(await loadCorpus(page));
  await serveCorpus(page, data);
  const speech = data.papers.filter((p) => p.categories!.includes('eess.AS'));
  expect(speech.length).toBeGreaterThan(4);

  // a link naming a category that does not exist: a notice naming it, the rest applied
  await page.goto('/?q=speech+representation+learning&from=2022&to=2023&cat=eess.AS,nope.XX');
  await waitReady(page);
  await expect(page.getByText('No category "nope.XX" in this corpus')).toBeVisible();
  await expect(page.getByTestId('result-meta')).toContainText('hybrid');
  await expect(page.getByTestId('year-from')).toHaveValue('2022');
  await expect(page.getByTestId('year-to')).toHaveValue('2023');
  await expect(page.getByRole('checkbox', { name: /eess\.AS/ })).toBeChecked();
  const want = data.papers.filter((p) => p.categories!.includes('eess.AS') && p.year! >= 2022 && p.year! <= 2023).length;
  await expect.poll(async () => (await metaOf(page)).length).toBe(want);
  for (const m of await metaOf(page)) {
    expect(m.year).toBeGreaterThanOrEqual(2022);
    expect(m.year).toBeLessThanOrEqual(2023);
    expect(m.cats).toContain('eess.AS');
  }
  await expect(page.getByTestId('filter-status')).toHaveText(`Filters allow ${want} of ${data.papers.length} papers.`);
  await expect(page.getByTestId('announce')).toContainText(`filters allow ${want} papers`);
  await shot(page, 'filters-01-from-url');

  // keyboard only: widen the year range, tick a second category with Space
  await page.getByTestId('year-from').focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('2021');
  await page.keyboard.press('Tab'); // change fires on leaving the field
  await expect(page).toHaveURL(/from=2021/);
  const cv = page.getByRole('checkbox', { name: /cs\.CV/ });
  await cv.focus();
  await page.keyboard.press('Space');
  await expect(cv).toBeChecked();
  await expect(page).toHaveURL(/cat=eess\.AS%2Ccs\.CV/);
  const wide = data.papers.filter((p) => (p.categories!.includes('eess.AS') || p.categories!.includes('cs.CV')) && p.year! >= 2021 && p.year! <= 2023).length;
  await expect.poll(async () => (await metaOf(page)).length).toBe(wide);

  // back restores the previous filters (and their results), forward the later ones
  await page.goBack();
  await expect(page).not.toHaveURL(/cs\.CV/);
  await expect(cv).not.toBeChecked();
  await expect(page.getByTestId('year-from')).toHaveValue('2021');
  await page.goBack();
  await expect(page.getByTestId('year-from')).toHaveValue('2022');
  await expect.poll(async () => (await metaOf(page)).length).toBe(want);
  await page.goForward();
  await page.goForward();
  await expect(cv).toBeChecked();
  await expect.poll(async () => (await metaOf(page)).length).toBe(wide);

  // sort by date: newest first, the rule stated
  await page.getByTestId('sort').selectOption('date');
  await expect(page).toHaveURL(/sort=date/);
  await expect(page.getByTestId('sort-rule')).toHaveText(/best matches, newest first/);
  await expect.poll(async () => (await metaOf(page)).map((m) => m.year).every((y, i, all) => i === 0 || all[i - 1] >= y)).toBe(true);
  await shot(page, 'filters-02-sorted-by-date');

  // a year range with no papers says so, and the results offer to clear the filters
  await page.getByTestId('year-from').fill('1990');
  await page.getByTestId('year-from').press('Tab');
  await page.getByTestId('year-to').fill('1991');
  await page.getByTestId('year-to').press('Tab');
  await expect(page.getByTestId('year-none')).toHaveText('No papers from 1990–1991: this corpus spans 2021–2024.');
  await expect(page.getByTestId('no-match')).toContainText('No papers match these filters.');
  await expect(page.getByTestId('filter-status')).toHaveText('No papers match these filters.');
  await shot(page, 'filters-03-no-match');
  await page.getByTestId('no-match').getByRole('button', { name: 'Clear filters' }).click();
  await expect(page).not.toHaveURL(/from=|to=|cat=/);
  await expect(page).toHaveURL(/sort=date/); // the order is not a filter: it stays
  await expect.poll(async () => (await metaOf(page)).length).toBe(Math.min(20, data.papers.length));

  // without a query the panel still says how many papers the filters allow
  await page.getByRole('searchbox').press('Escape');
  await expect(page.getByTestId('results')).toHaveCount(0);
  await page.getByTestId('year-from').fill('2024');
  await page.getByTestId('year-from').press('Tab');
  await expect(page.getByTestId('filter-status')).toHaveText(`Filters allow ${data.papers.filter((p) => p.year! >= 2024).length} of ${data.papers.length} papers.`);
});

test('filters: author type-ahead ("Last, First" and accents), more like this filtered, metadata line, phone layout', async ({ page }) => {
  const data = withMetadata(await loadCorpus(page));
  await serveCorpus(page, data);
  const byHinrich = data.papers.filter((p) => p.authors!.includes('Hinrich Schütze'));

  await page.goto('/?q=self-supervised+learning');
  await waitReady(page);
  // the many-author paper is shortened: three names and how many more
  const many = page.locator(`article[data-paper-id="${data.papers[0].id}"] [data-testid=paper-authors]`);
  await expect(many).toHaveText('Hinrich Schütze, Ada Lovelace, Grace Hopper + 5 more');
  await expect(page.locator(`article[data-paper-id="${data.papers[1].id}"] [data-testid=paper-meta]`)).toContainText('Interspeech');

  const input = page.getByTestId('author-input');
  await input.fill('zzyzx');
  await expect(page.getByTestId('author-status')).toHaveText('No author matches “zzyzx”.');
  await input.fill('schutz'); // no umlaut typed
  await expect(page.getByTestId('author-status')).toContainText('1 author matches');
  await input.press('Enter');
  await expect(page.getByRole('button', { name: 'Remove author Hinrich Schütze' })).toBeVisible();
  await expect(page).toHaveURL(/author=Hinrich\+Sch%C3%BCtze/);
  await expect.poll(async () => (await metaOf(page)).length).toBe(byHinrich.length);
  for (const m of await metaOf(page)) expect(m.authors).toContain('Hinrich Schütze');
  await shot(page, 'filters-04-author');

  // the same author named "Last, First" in a link; more like this is filtered too
  const like = byHinrich[1];
  await page.goto(`/?like=${encodeURIComponent(like.id)}&author=${encodeURIComponent('Schütze, Hinrich')}`);
  await expect(page.getByTestId('like-heading')).toBeVisible();
  await expect.poll(async () => (await metaOf(page)).map((m) => m.id).sort().join()).toBe(byHinrich.filter((p) => p.id !== like.id).map((p) => p.id).sort().join());

  // removing the author with the keyboard
  await page.getByRole('button', { name: 'Remove author Hinrich Schütze' }).focus();
  await page.keyboard.press('Enter');
  await expect(page).not.toHaveURL(/author=/);
  await expect.poll(async () => (await metaOf(page)).length).toBe(Math.min(20, data.papers.length - 1));

  // on a phone the filters start folded away
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await waitReady(page);
  await expect(page.getByTestId('filters')).not.toHaveAttribute('open', '');
  await page.screenshot({ path: 'test-results/screenshots/filters-05-phone-collapsed.png' }); // the viewport: a full phone page is metres long
  await page.getByText('Filters', { exact: true }).click();
  await expect(page.getByTestId('year-from')).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/filters-06-phone-open.png' }); // the viewport: a full phone page is metres long
});
