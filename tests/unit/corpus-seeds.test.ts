/** The default corpus: every seed format parsed into the right papers, boilerplate removed. */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCorpus } from '../../src/corpus/build.ts';
import { sha256Hex } from '../../src/corpus/hash.ts';
import { readCorpusFolder } from '../../src/corpus/node-io.ts';
import { writeShardedCorpus } from '../../src/format/write.ts';
import { exitCodeFor, type BuildReport } from '../../src/corpus/report.ts';
import { estimateTokens } from '../../src/corpus/tokens.ts';
import type { CorpusData, Paper } from '../../src/corpus/types.ts';
import { SEEDS } from '../fixtures/corpus/helpers.ts';

const F0 = '000_cd462f3b03568e97.txt';
const F1 = '001_74ac4c592dce320a.txt';
const F2 = '002_5d21021c690f5adf.txt';
const F3 = '003_1bb894ba40f1c930.txt';

let files: { path: string; bytes: Uint8Array }[];
let data: CorpusData;
let report: BuildReport;

beforeAll(async () => {
  files = await readCorpusFolder(SEEDS);
  ({ data, report } = buildCorpus(files, { source: 'seeds' }));
});

const byStart = (start: string): Paper[] => data.papers.filter((p) => p.abstract.startsWith(start));
const allText = (p: Paper) => [p.title, p.abstract, p.comment ?? '', ...(p.authors ?? [])].join('\n');

describe('seeds: papers', () => {
  it('reads the four files as scraped text and builds 14 papers from 16 found (2 duplicates merged)', () => {
    expect(report.files.map((f) => [f.file, f.format])).toEqual([[F0, 'text'], [F1, 'text'], [F2, 'text'], [F3, 'text']]);
    expect(report.files.map((f) => f.papers)).toEqual([2, 2, 2, 10]);
    expect(report.papersFound).toBe(16);
    expect(report.duplicatesMerged).toBe(2);
    expect(data.papers).toHaveLength(14);
    expect(new Set(data.papers.map((p) => p.id)).size).toBe(14);
    // Nothing in the seeds needs the user's attention: the build exits 0.
    expect(report.items.filter((i) => i.severity !== 'info')).toEqual([]);
    expect(exitCodeFor(report)).toBe(0);
  });

  it('000: two abstracts on consecutive lines stay two papers', () => {
    const [a] = byStart('In contrast to recent advances focusing on high-level representation learning');
    const [b] = byStart('Transfer learning has proven to be crucial');
    expect(a.source).toEqual({ file: F0, line: 1 });
    expect(b.source).toEqual({ file: F0, line: 2 });
    expect(a.abstract.endsWith('the same semantic concept across modalities.')).toBe(true);
    expect(b.abstract).not.toContain('In contrast to recent advances');
    expect(b.title).toMatch(/^SUPERB-SG: /);
    expect(b.titleDerived).toBe(true);
  });

  it('the cross-modal code matching abstract scraped twice (000:1, 001:4, reworded) is one paper, the clean copy kept', () => {
    const matches = data.papers.filter((p) => p.abstract.includes('Cross-Modal Code Matching'));
    expect(matches).toHaveLength(1);
    const [p] = matches;
    expect(p.source).toEqual({ file: F0, line: 1 });
    expect(p.alsoIn).toEqual([{ file: F1, line: 4 }]);
    // 001's copy splits "fram ework": the copy without that defect is the one kept.
    expect(p.abstract).not.toContain('fram ework');
    expect(report.items).toContainEqual(expect.objectContaining({ code: 'duplicate-merged', file: F1, line: 4 }));
  });

  it('001: the PARP abstract is a paper with an honest derived label; the Arabic UI strings are not', () => {
    const [parp] = byStart('Recent work on speech self-supervised learning (speech SSL)');
    expect(parp.source).toEqual({ file: F1, line: 3 });
    expect(parp.title).toBe('PARP: Prune-Adjust-Re-Prune');
    expect(parp.titleDerived).toBe(true);
    for (const line of [1, 6]) {
      expect(report.items).toContainEqual(expect.objectContaining({ code: 'foreign-language', file: F1, line, severity: 'info' }));
    }
  });

  it('002: the paper page (title, authors, TL;DR, abstract, repeated) is one paper with title and authors', () => {
    const matches = byStart('Speech representation learning with self-supervised algorithms');
    expect(matches).toHaveLength(1);
    const [p] = matches;
    expect(p.title).toBe('Simultaneous or Sequential Training? How Speech Representations Cooperate in a Multi-Task Self-Supervised Learning System');
    expect(p.titleDerived).toBe(false);
    expect(p.authors).toEqual(['Khazar Khorrami', 'María Andrea Cruz Blandón', 'Tuomas Virtanen', 'Okko Räsänen']);
    expect(p.source).toEqual({ file: F2, line: 4 });
    expect(p.alsoIn).toEqual([{ file: F2, line: 16 }]);
    expect(p.abstract.endsWith('compared to those learned with SSL.')).toBe(true);
    // The TL;DR is not part of the abstract and not a paper of its own.
    expect(data.papers.some((q) => q.abstract.startsWith('It is found that sequential training'))).toBe(false);
    expect(report.items.filter((i) => i.code === 'tldr').map((i) => i.line)).toEqual([10, 20]);
  });

  it('003: each arXiv id belongs to the abstract before it, with its comment line and code link', () => {
    const expected: [string, string, string | undefined, string | undefined][] = [
      ['2309.16671', 'Contrastive Language-Image Pre-training (CLIP)', '17 pages. arXiv admin note: text overlap with arXiv:2103.00020 by other authors', 'https://github.com/facebookresearch/MetaCLIP'],
      ['2309.10787', 'Audio-visual representation learning aims', 'Submitted to ICASSP 2024; Evaluation Code: https://github.com/roger-tseng/av-superb Submission Platform: https://av.superbbenchmark.org', 'https://github.com/roger-tseng/av-superb'],
      ['2309.02591', 'We present CM3Leon', undefined, undefined],
      ['2305.18096', 'Spoken Language Understanding (SLU)', 'Accepted by interspeech 2023', undefined],
      ['2305.17080', 'We propose EAR, a query Expansion And Reranking', 'ACL 2023 long paper (Findings)', undefined],
      ['2305.11435', 'In this paper, we show that representations capturing syllabic units', 'Interspeech 2023. Code & Model: https://github.com/jasonppy/syllable-discovery', 'https://github.com/jasonppy/syllable-discovery'],
      ['2305.10615', 'Speech processing Universal PERformance Benchmark (SUPERB)', 'Accepted by Interspeech', undefined],
      ['2304.07193', 'The recent breakthroughs in natural language processing', undefined, undefined],
      ['2303.00733', 'Prompt tuning is a technology', 'Project website: https://ga642381.github.io/SpeechPrompt', undefined],
      ['2212.08071', 'We present Masked Audio-Video Learners (MAViL)', 'Technical report', undefined],
    ];
    const fromListing = data.papers.filter((p) => p.source.file === F3);
    expect(fromListing.map((p) => p.arxivId)).toEqual(expected.map((e) => e[0]));
    for (const [id, start, comment, codeUrl] of expected) {
      const p = data.papers.find((q) => q.arxivId === id)!;
      expect(p.abstract.startsWith(start), `${id} → "${start}…"`).toBe(true);
      expect(p.id).toBe(id);
      expect(p.url).toBe(`https://arxiv.org/abs/${id}`);
      expect(p.comment, `comment of ${id}`).toBe(comment);
      expect(p.codeUrl, `code URL of ${id}`).toBe(codeUrl);
      // No id, comment or neighbour abstract leaks into an abstract.
      expect(p.abstract).not.toMatch(/arXiv:\d{4}\./);
      if (comment) expect(p.abstract).not.toContain(comment);
    }
    expect(data.papers.find((p) => p.arxivId === '2309.16671')!.title).toBe('MetaCLIP: Metadata-Curated Language-Image Pre-training');
    expect(data.papers.find((p) => p.arxivId === '2212.08071')!.title).toBe('MAViL: Masked Audio-Video Learners');
  });

  it('no boilerplate in any paper: no Arabic UI strings, loading text, navigation, statistics or figure captions', () => {
    for (const p of data.papers) {
      const t = allText(p);
      expect(t).not.toMatch(/\p{Script=Arabic}/u);
      expect(t).not.toMatch(/Fetching|Table of Contents|Paper Structure|This paper contains|Figures \(3\)|Figure \d:|TL;DR/);
    }
    const skipped = report.items.filter((i) => i.file === F2 && i.code === 'boilerplate').map((i) => i.line);
    expect(skipped).toEqual([1, 2, 25, 27, 29, 31, 32, 33]);
  });
});

describe('seeds: chunks', () => {
  it('every chunk is the abstract text at its offsets, hashed, numbered per paper, within the token limit', () => {
    const papers = new Map(data.papers.map((p) => [p.id, p]));
    expect(data.chunks.length).toBeGreaterThanOrEqual(data.papers.length);
    for (const c of data.chunks) {
      const p = papers.get(c.paperId)!;
      expect(p.abstract.slice(c.start, c.end)).toBe(c.text);
      expect(c.hash).toBe(sha256Hex(c.text));
      expect(c.id).toBe(`${c.paperId}#${c.index}`);
      expect(estimateTokens(c.text)).toBeLessThanOrEqual(data.chunker.maxTokens);
    }
    for (const p of data.papers) {
      const own = data.chunks.filter((c) => c.paperId === p.id);
      expect(own.map((c) => c.index)).toEqual(own.map((_, i) => i));
      // Together the chunks cover the whole abstract.
      expect(own[0].start).toBe(0);
      expect(own[own.length - 1].end).toBe(p.abstract.length);
    }
    expect(data.chunker).toEqual({ version: 'sent1+wpest1', maxTokens: 254, overlapSentences: 1 });
  });
});

describe('seeds: determinism', () => {
  it('builds byte-identical output twice, whatever order the files come in', () => {
    const a = writeShardedCorpus(buildCorpus(files, { source: 'seeds' }).data, 'seeds');
    const b = writeShardedCorpus(buildCorpus([...files].reverse(), { source: 'seeds' }).data, 'seeds');
    expect(b.files.map((f) => f.path)).toEqual(a.files.map((f) => f.path));
    a.files.forEach((f, i) => expect(Buffer.from(b.files[i].bytes).equals(Buffer.from(f.bytes))).toBe(true));
    expect(Buffer.from(b.manifestBytes).equals(Buffer.from(a.manifestBytes))).toBe(true);
    const [shard] = a.files;
    expect(shard.path).toBe(`shards/p.${sha256Hex(shard.bytes).slice(0, 16)}.txt`);
    expect(a.manifest).toMatchObject({ format: 2, papers: 14, source: 'seeds', vectors: null });
    // No absolute paths or timestamps in the output.
    const text = new TextDecoder().decode(shard.bytes);
    expect(text).not.toContain(SEEDS);
    expect(text).not.toMatch(/"\/(?:work|home|tmp)\//);
  });
});
