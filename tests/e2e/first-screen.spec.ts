/**
 * What a new visitor sees before searching: a line on what Paperscope is and where it runs, the
 * papers to start from (bullets level with the first line of a wrapped title, labels the build
 * derived from an abstract marked as such), and the results page the README shows.
 */
import { mkdirSync } from 'node:fs';
import { expect, loadCorpus, resultTitles, test, waitReady } from './fixtures';

/** The README's picture of the results page (committed; rewritten by this test when it changes). */
const README_SCREENSHOT = 'docs/screenshot-results.png';
const README_QUERY = 'pruning self-supervised speech models';

test.describe('first screen', () => {
  test('says what Paperscope is, aligns the paper list, and marks derived titles', async ({ page }) => {
    const corpus = await loadCorpus(page);
    // Phone width: most titles wrap onto two or three lines.
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto('/');
    await expect(page.getByTestId('about')).toContainText('stay in your browser');

    const items = page.getByTestId('paper-list').locator('li');
    await expect(items.first()).toBeVisible();
    const count = await items.count();
    expect(count).toBe(Math.min(12, corpus.papers.length));

    // Each bullet sits on its title's first line, however many lines the title takes.
    const rows = await items.evaluateAll((lis) =>
      lis.map((li) => {
        // Where the glyphs are, not the boxes (a grid item stretches to the row's height).
        const textRects = (el: Element) => {
          const range = document.createRange();
          range.selectNodeContents(el);
          return [...range.getClientRects()];
        };
        const [bullet] = textRects(li.querySelector('.bullet')!);
        const lines = textRects(li.querySelector('button')!);
        const first = Math.min(...lines.map((r) => r.top));
        const last = Math.max(...lines.map((r) => r.bottom));
        return { bulletMid: (bullet.top + bullet.bottom) / 2, first, lineHeight: bullet.height, height: last - first };
      }),
    );
    expect(rows.filter((r) => r.height > 1.5 * r.lineHeight).length, 'titles that wrap at phone width').toBeGreaterThan(2);
    for (const r of rows) {
      expect(r.bulletMid).toBeGreaterThan(r.first);
      expect(r.bulletMid).toBeLessThan(r.first + r.lineHeight);
    }

    // A label derived from the abstract carries the arXiv id or "untitled"; a real title does not.
    const shown = corpus.papers.slice(0, count);
    expect(shown.some((p) => p.titleDerived && !p.arxivId)).toBe(true);
    expect(shown.some((p) => p.titleDerived && p.arxivId)).toBe(true);
    expect(shown.some((p) => !p.titleDerived)).toBe(true);
    for (const [i, paper] of shown.entries()) {
      const item = items.nth(i);
      await expect(item.getByTestId('paper-title')).toHaveText(paper.title);
      const tag = item.locator('.tag');
      if (!paper.titleDerived) await expect(tag).toHaveCount(0);
      else await expect(tag).toHaveText(paper.arxivId ? `arXiv:${paper.arxivId}` : 'untitled');
    }
  });

  test('results page for the README', async ({ page }) => {
    await page.setViewportSize({ width: 1000, height: 900 });
    await page.goto(`/?q=${encodeURIComponent(README_QUERY)}`);
    await waitReady(page);
    await expect(page.getByTestId('offline-ready')).toBeVisible();
    // A returning visit (vectors from the cache, offline copy stored): what a user sees most often.
    await page.reload();
    await waitReady(page);
    await expect(page.getByTestId('offline-ready')).toBeVisible();
    // Ranked by meaning once the model is loaded (the cache alone gives keyword results first).
    await expect(page.getByTestId('result-meta')).toContainText('hybrid');
    await expect(page.getByTestId('backend')).toBeVisible();
    await expect.poll(async () => (await resultTitles(page)).length).toBeGreaterThan(2);
    await expect(page.getByTestId('results').locator('.tag').first()).toBeVisible();
    // The seeds carry no dates or categories: the panel says so plainly, not as a failed match.
    await expect(page.getByTestId('filters')).toContainText('No paper in this corpus has a category.');
    await expect(page.getByTestId('filters').locator('.none')).toHaveCount(0);
    mkdirSync('docs', { recursive: true });
    // Timings and byte counts change from run to run; hidden, the picture changes only with the page.
    await page.screenshot({
      path: README_SCREENSHOT,
      animations: 'disabled',
      style: '[data-testid=result-meta], [data-testid=storage], [data-testid=ready] { display: none; }',
    });
  });
});
