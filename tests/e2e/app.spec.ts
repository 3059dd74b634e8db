import { expect, loadCorpus, paperWith, serveCorpus, probe, resultTitles, shot, test, waitReady } from './fixtures';

test.describe('search app', () => {
  test('first visit embeds the corpus, answers in plain words, and a reload uses only the cache', async ({ page }) => {
    const corpus = await loadCorpus(page);
    const parp = paperWith(corpus, 'Prune-Adjust- Re-Prune');
    const t0 = Date.now();
    await page.goto('/');
    await shot(page, '01-first-visit-loading');
    const first = await waitReady(page);
    expect(first.embedding.embeddedNow).toBe(corpus.chunks.length);
    expect(first.embedding.fromCache).toBe(0);

    await page.getByRole('searchbox').fill('pruning self-supervised speech models');
    await expect(page.getByTestId('results')).toBeVisible();
    await expect.poll(async () => (await resultTitles(page))[0]).toBe(parp.title);
    await expect(page).toHaveURL(/\?q=pruning\+self-supervised\+speech\+models/);
    await expect(page.getByTestId('announce')).toHaveText(/^\d+ results for pruning self-supervised speech models$/);
    const timings = (await probe(page)).timings;
    console.log(
      `[e2e timings] corpus ${timings.corpusMs.toFixed(0)} ms · model load ${timings.modelMs.toFixed(0)} ms · ` +
        `corpus embedding ${timings.embedMs.toFixed(0)} ms (${corpus.chunks.length} passages) · ` +
        `first query ${timings.firstQueryMs?.toFixed(0)} ms after page open · wall ${Date.now() - t0} ms`,
    );
    // the mark is the sentence of the best passage that holds the question's words, not the whole passage
    const marked = (await page.locator('[data-testid=results] li').first().locator('mark').innerText()).replace(/\s+/g, ' ').trim();
    const parpChunks = corpus.chunks.filter((c) => c.paperId === parp.id).map((c) => c.text.replace(/\s+/g, ' ').trim());
    const holder = parpChunks.find((c) => c.includes(marked));
    expect(holder).toBeDefined();
    expect(marked.length).toBeLessThan(holder!.length / 2);
    expect(marked).toMatch(/prun/i);
    await shot(page, '02-results');

    await page.reload();
    const second = await waitReady(page);
    expect(second.embedding.embeddedNow).toBe(0);
    expect(second.embedding.fromCache).toBe(corpus.chunks.length);
    await expect(page.getByTestId('from-cache')).toHaveText(`${corpus.chunks.length} passages from cache`);
    // a warm visit still loads the model: its results are semantic (hybrid), not keyword-only
    await expect(page.getByTestId('result-meta')).toContainText('hybrid');
    await expect.poll(async () => (await resultTitles(page))[0]).toBe(parp.title);
    await shot(page, '03-reload-from-cache');
  });

  test('more like this: ?like= ranks other papers, never the paper itself, and says so', async ({ page }) => {
    const corpus = await loadCorpus(page);
    const metaclip = paperWith(corpus, 'MetaCLIP');
    await page.goto(`/?like=${encodeURIComponent(metaclip.id)}`);
    await waitReady(page);
    await expect(page.getByTestId('like-heading')).toContainText(metaclip.title);
    const ids = await page.locator('[data-testid=results] article').evaluateAll((els) => els.map((e) => e.getAttribute('data-paper-id')));
    expect(ids.length).toBe(Math.min(20, corpus.papers.length - 1));
    expect(ids).not.toContain(metaclip.id);
    await shot(page, '04-more-like-this');

    // clicking "More like this" on a result moves to that paper, and Back returns
    const target = ids[0]!;
    await page.locator(`article[data-paper-id="${target}"]`).getByRole('button', { name: 'More like this' }).click();
    await expect(page).toHaveURL(new RegExp(`like=${encodeURIComponent(target).replace(/\./g, '\\.')}`));
    await page.goBack();
    await expect(page.getByTestId('like-heading')).toContainText(metaclip.title);
  });

  test('document and query text is rendered as text, never as HTML', async ({ page }) => {
    const corpus = await loadCorpus(page);
    const payload = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    // Serve a corpus that contains a hostile document, as a scraped file could.
    const data = structuredClone(corpus);
    const victim = data.papers[0];
    victim.title = `Evil ${payload}`;
    victim.abstract = `${payload} ${victim.abstract}`;
    for (const c of data.chunks.filter((c) => c.paperId === victim.id)) {
      c.start += payload.length + 1;
      c.end += payload.length + 1;
    }
    await serveCorpus(page, data);
    await page.goto(`/?q=${encodeURIComponent(payload)}&mode=keyword`);
    await page.getByRole('searchbox').fill(`Evil ${payload}`);
    await page.getByRole('searchbox').press('Enter');
    await expect(page.getByTestId('results')).toBeVisible();
    await expect(page.locator('[data-testid=results] h2', { hasText: 'Evil <img src=x' })).toBeVisible();
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await shot(page, '05-html-inert');
  });

  test('keyboard: / focuses search, arrows move, Enter opens, Escape clears', async ({ page }) => {
    await page.goto('/');
    await waitReady(page);
    await page.locator('body').click();
    await page.keyboard.press('/');
    await expect(page.getByRole('searchbox')).toBeFocused();
    await page.keyboard.type('audio-visual benchmark');
    await page.keyboard.press('Enter');
    // the answer to the whole question (results of a partial one may show while typing)
    await expect(page.getByTestId('announce')).toHaveText(/results for audio-visual benchmark$/);
    await page.keyboard.press('ArrowDown');
    const firstArticle = page.locator('[data-testid=results] article').first();
    await expect(firstArticle).toBeFocused();
    await page.keyboard.press('ArrowDown');
    await expect(page.locator('[data-testid=results] article').nth(1)).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.locator('[data-testid=results] article').nth(1).locator('button[aria-expanded=true]')).toHaveCount(1);
    await page.keyboard.press('Escape');
    await expect(page.getByRole('searchbox')).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(page.getByRole('searchbox')).toHaveValue('');
    await expect(page.getByTestId('results')).toHaveCount(0);
    await expect(page).not.toHaveURL(/q=/);
  });

  test('a re-ranking of the same question keeps the keyboard on the same paper, and a new question shows its own papers', async ({ page }) => {
    await page.goto('/?q=speech%20recognition%20from%20lip%20movements');
    await waitReady(page);
    await expect(page.getByTestId('result-meta')).toContainText('hybrid');
    const ids = () => page.locator('[data-testid=results] article').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.paperId!));
    const setMode = (mode: string) => page.evaluate((m) => document.querySelector<HTMLInputElement>(`input[name=mode][value=${m}]`)!.click(), mode);
    const hybrid = await ids();
    await setMode('keyword');
    await expect(page.getByTestId('result-meta')).toContainText('keyword');
    const keyword = await ids();
    // a paper that the two rankings put at different places (the test needs one)
    const moved = hybrid.findIndex((id, i) => keyword.indexOf(id) !== i && keyword.includes(id));
    expect(moved).toBeGreaterThanOrEqual(0);
    const paper = hybrid[moved];
    await setMode('hybrid');
    await expect.poll(ids).toEqual(hybrid);
    // the keyboard on that paper's card (a click on a mode radio by script moves no focus)
    await page.getByRole('searchbox').focus();
    for (let i = 0; i <= moved; i++) await page.keyboard.press('ArrowDown');
    const focusedPaper = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.closest<HTMLElement>('article')?.dataset.paperId ?? null);
    expect(await focusedPaper()).toBe(paper);
    await setMode('keyword');
    await expect.poll(ids).toEqual(keyword);
    expect(await focusedPaper()).toBe(paper);
    await expect(page.locator('[data-testid=results] article').nth(keyword.indexOf(paper))).toBeFocused();
    // the next arrow goes on from that paper's new place
    await page.keyboard.press('ArrowDown');
    expect(await focusedPaper()).toBe(keyword[keyword.indexOf(paper) + 1]);
    // the cards are reused for a new question: every card shows its own paper's title and abstract
    await page.getByRole('searchbox').fill('contrastive image text pretraining');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('announce')).toHaveText(/results for contrastive image text pretraining$/);
    const corpus = await loadCorpus(page);
    const cards = await page.locator('[data-testid=results] article').evaluateAll((els) =>
      els.map((e) => ({ id: (e as HTMLElement).dataset.paperId!, title: e.querySelector('[data-testid=paper-title]')!.textContent!, abstract: e.querySelector('.abstract')!.textContent! })),
    );
    expect(cards.length).toBeGreaterThan(1);
    for (const card of cards) {
      const p = corpus.papers.find((x) => x.id === card.id)!;
      expect(card.title).toBe(p.title);
      const words = card.abstract.replace(/…/g, ' ').split(/\s+/).filter((w) => w.length > 3).slice(0, 8);
      for (const w of words) expect(p.abstract).toContain(w);
    }
  });

  test('usable at phone width', async ({ page }) => {
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto('/?q=visually%20grounded%20speech');
    await waitReady(page);
    await expect(page.getByTestId('results')).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, '06-phone');
  });
});
