/**
 * The reading list's BibTeX export reads back, through the import's own BibTeX parser, as the same
 * papers: titles and abstracts with every character BibTeX treats specially, accents and other
 * scripts, authors, year, DOI, arXiv id, URL.
 */
import { describe, expect, it } from 'vitest';
import { buildCorpus } from '../../src/corpus/build';
import type { Paper } from '../../src/corpus/types';
import { readingListBibtex } from '../../src/import/bibtex-export';
import { textFile } from '../fixtures/corpus/helpers';

const CLIP = 'We study how the data behind contrastive image-text models is curated. Our experiments rebuild the pool from metadata and match the original on forty benchmarks.';
const KELP = 'We tracked giant kelp canopy cover along a coastline for eight years using satellite imagery. Recovery depended on sea urchin density and on cold upwelling.';
const PART2 = 'Sea otters return to the sites after the canopy does. Their diet shifts from urchins to crabs within two seasons, and the forest stays stable after that.';

const papers: Paper[] = [
  {
    id: '2309.16671', title: 'Demystifying CLIP Data: 100% of {braces}, $x_i^2$ & #tags ~ under_scores', titleDerived: false,
    abstract: `${CLIP} It costs 5% more & uses \\ backslashes, {unbalanced braces, carets ^ and tildes ~; C# and snake_case.`,
    authors: ['Hu Xu', 'Saining Xie', 'Christoph Feichtenhofer'], year: 2023, date: '2023-09', arxivId: '2309.16671', url: 'https://arxiv.org/abs/2309.16671', categories: ['cs.CV'], source: { file: 'x', line: 1 },
  },
  // a URL with a percent-encoded space: read back as it is (the reader once gave "\\%20")
  {
    id: 'c1.kelp', title: 'Kelp forest recovery in Ålesund and São Paulo — “quoted”, 中文', titleDerived: false,
    abstract: `${KELP} Café naïve façade; Zürich; Ελληνικά; emoji 🎧.`,
    authors: ['Maja Lindqvist', 'Daniel Okafor'], year: 2024, venue: 'Journal of Coastal Ecology', doi: '10.5555/kelp.2024.001', url: 'https://example.org/papers?id=7&lang=en_GB%20x', source: { file: 'y', line: 1 },
  },
  // the same first author, year and first word: another key
  { id: 'c1.kelp2', title: 'Kelp forest recovery, part two', titleDerived: false, abstract: PART2, authors: ['Maja Lindqvist'], year: 2024, source: { file: 'y', line: 2 } },
];

describe('reading list as BibTeX', () => {
  const bib = readingListBibtex(papers);
  const { data, report } = buildCorpus([textFile('list.bib', bib)]);

  it('reads back through the import parser as the same papers, every field', () => {
    expect(report.items.filter((i) => i.severity !== 'info')).toEqual([]);
    expect(data.papers).toHaveLength(papers.length);
    const back = new Map(data.papers.map((p) => [p.title, p]));
    for (const p of papers) {
      const q = back.get(p.title);
      expect(q, p.title).toBeDefined();
      expect(q!.abstract).toBe(p.abstract);
      expect(q!.authors).toEqual(p.authors);
      expect(q!.year).toBe(p.year);
      expect(q!.doi).toBe(p.doi);
      expect(q!.arxivId).toBe(p.arxivId);
      if (p.url) expect(q!.url).toBe(p.url);
    }
  });

  it('gives each entry its own key and names the count', () => {
    const keys = [...bib.matchAll(/^@\w+\{([^,]+),/gm)].map((m) => m[1]);
    expect(keys).toEqual(['xu2023demystifying', 'lindqvist2024kelp', 'lindqvist2024kelpa']);
    expect(bib).toMatch(/^% Paperscope reading list, 3 papers/);
  });
});
