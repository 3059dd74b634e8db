/** Duplicate papers: merged when they are the same paper, never across distinct ids, and without all-pairs work. */
import { describe, expect, it } from 'vitest';
import { buildCorpus } from '../../src/corpus/build.ts';
import { rng, textFile } from '../fixtures/corpus/helpers.ts';

const FUNCTION_WORDS = 'the of and we to in a for with on that is by'.split(' ');
const VOCAB = (
  'model models data learning retrieval query queries dense sparse vector index ' +
  'ranking corpus method methods result results benchmark benchmarks score speech image text audio video network ' +
  'training pretrained task tasks representation representations language visual semantic performance accuracy ' +
  'robust efficient large small scale transfer domain domains label labels supervised self evaluation metric'
).split(' ');

function abstract(r: () => number, sentences = 8): string {
  const out: string[] = [];
  for (let s = 0; s < sentences; s++) {
    const n = 12 + Math.floor(r() * 10);
    // About a third function words, as in English prose.
    const words = Array.from({ length: n }, () =>
      r() < 0.35 ? FUNCTION_WORDS[Math.floor(r() * FUNCTION_WORDS.length)] : VOCAB[Math.floor(r() * VOCAB.length)]);
    words[0] = words[0][0].toUpperCase() + words[0].slice(1);
    out.push(`${words.join(' ')}.`);
  }
  return out.join(' ');
}

/** A re-scrape: a few words changed, one dropped, one word split in two ("fram ework"). */
function rescrape(text: string, r: () => number): string {
  const words = text.split(' ');
  for (let k = 0; k < 3; k++) words[Math.floor(r() * words.length)] = 'changed';
  words.splice(Math.floor(r() * words.length), 1);
  const i = words.findIndex((w) => w.length >= 8 && !w.endsWith('.'));
  if (i >= 0) words[i] = `${words[i].slice(0, 4)} ${words[i].slice(4)}`;
  return words.join(' ');
}

describe('near-duplicates at scale', () => {
  it('5,000 scraped abstracts with 50 planted re-scrapes: exactly those 50 merged, in seconds', () => {
    const r = rng(42);
    const originals = Array.from({ length: 5000 }, () => abstract(r));
    const copies = originals.slice(0, 50).map((t) => rescrape(t, r));
    const t0 = performance.now();
    const { data, report } = buildCorpus([textFile('a.txt', originals.join('\n')), textFile('b.txt', copies.join('\n'))], { maxTokens: 512 });
    const ms = performance.now() - t0;
    expect(report.papersFound).toBe(5050);
    expect(report.duplicatesMerged).toBe(50);
    expect(data.papers).toHaveLength(5000);
    // Every original is still there (the clean copy kept), each with its re-scrape in alsoIn.
    const kept = new Set(data.papers.map((p) => p.abstract));
    for (const o of originals) expect(kept.has(o)).toBe(true);
    expect(data.papers.filter((p) => p.alsoIn?.[0]?.file === 'b.txt')).toHaveLength(50);
    expect(ms).toBeLessThan(30_000);
  }, 60_000);
});

describe('duplicates across formats and ids', () => {
  const TEXT =
    'We present a method that learns sparse subnetworks of pre-trained speech models. The subnetworks transfer across languages and need a single fine-tuning run. Experiments on ten languages show large gains in low-resource settings.';

  it('a scraped abstract and the same paper in arXiv JSONL become one paper with the arXiv id and title', () => {
    const row = { id: '2106.05933', title: 'PARP: Prune, Adjust and Re-Prune', abstract: TEXT.replace('We present', 'We propose'), categories: 'cs.CL' };
    const { data, report } = buildCorpus([textFile('scraped.txt', `${TEXT}\n`), textFile('meta.jsonl', `${JSON.stringify(row)}\n`)]);
    expect(data.papers).toHaveLength(1);
    expect(data.papers[0]).toMatchObject({ id: '2106.05933', arxivId: '2106.05933', title: 'PARP: Prune, Adjust and Re-Prune', titleDerived: false, categories: ['cs.CL'] });
    expect(report.duplicatesMerged).toBe(1);
  });

  it('the same abstract under two different ids stays two papers (ids are records), and the report says so', () => {
    const rows = [{ _id: '1', title: 'A', text: TEXT }, { _id: '2', title: 'B', text: TEXT }].map((r) => JSON.stringify(r)).join('\n');
    const { data, report } = buildCorpus([textFile('beir.jsonl', rows)]);
    expect(data.papers.map((p) => p.id)).toEqual(['1', '2']);
    expect(report.items).toContainEqual(expect.objectContaining({ code: 'same-abstract-different-ids', line: 2, severity: 'info' }));
  });

  it('the same id twice with the same abstract is merged, with alsoIn', () => {
    const row = JSON.stringify({ id: '2401.00001', title: 'T', abstract: TEXT });
    const { data, report } = buildCorpus([textFile('x/a.jsonl', row), textFile('y/b.jsonl', row)]);
    expect(data.papers).toHaveLength(1);
    expect(data.papers[0].alsoIn).toEqual([{ file: 'y/b.jsonl', line: 1 }]);
    expect(report.items.filter((i) => i.severity !== 'info')).toEqual([]);
  });

  it('unrelated abstracts sharing a topic are not merged', () => {
    const a = 'We introduce a benchmark for speech self-supervised learning that covers ten tasks. Models are frozen and only light heads are trained. Results show that no single model wins on every task.';
    const b = 'We introduce a benchmark for audio-visual learning that covers seven datasets. Models are evaluated on retrieval and classification. Results show that fusion helps on most tasks but not all of them.';
    const { data } = buildCorpus([textFile('t.txt', `${a}\n${b}\n`)]);
    expect(data.papers).toHaveLength(2);
  });
});
