import { describe, expect, it } from 'vitest';
import { firstVisitRow, formatScaleTable, formatTable, type BenchResults, type ScaleResults } from '../../src/bench/results';
import { scaleQueries } from '../../src/bench/scale';
import type { CorpusData } from '../../src/corpus/types';

function sample(): BenchResults {
  return {
    coldStartMs: 9000,
    cold: { corpusMs: 20, modelMs: 2000, embedMs: 6000, queryMs: 40, otherMs: 940, firstPartialResultsMs: 3000, chunks: 25 },
    warmStartMs: 1200,
    warm: { modelMs: 900, firstKeywordResultsMs: 300 },
    warmChunksEmbedded: 0,
    queryP50Ms: 30,
    queryP95Ms: 60,
    queries: 120,
    querySearchP50Ms: 20,
    arxiv10k: { queryP50Ms: 45, queryP95Ms: 80, queries: 120, querySearchP50Ms: 30, papers: 10000, chunks: 20863, warmStartMs: 2500, vectors: 'random', embeddedInNode: 4096 },
    embed: {
      browserChunksPerSec: 10,
      nativeChunksPerSec: 25,
      naiveChunksPerSec: 5,
      backend: 'wasm',
      threads: 2,
      altThreads: 2,
      browserAltThreadsChunksPerSec: 6,
      webgpuChunksPerSec: null,
      webgpuNote: 'no WebGPU: no adapter',
      chunks: 25,
      browserLoadMs: 1500,
      browserFirstCallMs: 300,
      nativeLoadMs: 900,
      nativeFirstCallMs: 100,
    },
    rank: {
      '10000': { topkMs: 1, naiveMs: 10, floorMs: 0.5 },
      '100000': { topkMs: 12, naiveMs: 120, floorMs: 6 },
      '300000': { topkMs: 40, naiveMs: 400, floorMs: 20 },
    },
    memory: { seedsHeapBytes: 20 * 2 ** 20, seedsIdbBytes: 2 ** 20, arxiv10kHeapBytes: 80 * 2 ** 20, arxiv10kIdbBytes: 40 * 2 ** 20 },
    machine: { cpu: 'x', cores: 2, memoryGiB: 23, os: 'linux', node: '20', browser: 'Chromium', date: '2026-11-23', load: '1 1 1' },
  };
}

describe('bench table', () => {
  it('puts each figure next to its baseline and says whether the target is met', () => {
    const table = formatTable(sample());
    const row = (start: string) => table.split('\n').find((l) => l.startsWith(`| ${start}`)) ?? '';
    expect(row('Warm start')).toContain('met');
    expect(row('Query p50 / p95, seeds')).toMatch(/30\.0 ms \/ 60\.0 ms.*embed query \+ rank \(p50\) 20\.0 ms.*met/);
    expect(row('Embedding, browser')).toMatch(/native Node 25\.0\/s \(0\.40×\).*MISSED/);
    expect(row('Rank top-20 of 100,000')).toMatch(/12\.0 ms.*naive 120 ms \(10×.*floor 6\.0 ms \(top-k = 2\.00× floor\).*met/);
    expect(row('Query p50 / p95, arXiv')).toContain('random stand-ins (Node embedded 4096/20863 so far)');
  });

  it('a warm start that embedded anything misses its target', () => {
    const r = sample();
    r.warmChunksEmbedded = 3;
    expect(formatTable(r).split('\n').find((l) => l.startsWith('| Warm start'))).toContain('MISSED');
  });
});

function scale(): ScaleResults {
  const bytes = (brotli: number) => ({ files: 2, raw: brotli * 3, gzip: brotli * 1.2, brotli });
  return {
    papers: 74728,
    passages: 163000,
    corpusWireBytesBeforeSemantic: 90e6,
    corpusWireBytesTotal: 90e6,
    modelWireBytes: 20e6,
    coldKeywordMs: 5000,
    coldSemanticMs: 20000,
    warmStartMs: 9000,
    queryP50Ms: 300,
    queryP95Ms: 500,
    vectorStageMs: 25,
    peakHeapMiB: 900,
    storedBytes: 300e6,
    realVectors: false,
    quality: { fp32Ndcg10: null, quantisedNdcg10: null, note: 'not computed' },
    detail: {
      wireCompression: 'brotli 9',
      corpus: { manifest: bytes(1e4), text: bytes(30e6), vectors: bytes(60e6) },
      model: { ...bytes(20e6), paths: ['models/x.onnx'] },
      vectors: 'random unit stand-ins',
      queries: 120,
      queryKind: 'shuffled titles',
      querySearchP50Ms: 200,
      vectorStageP95Ms: 40,
      cold: { corpusMs: 4000, lexicalMs: 2000, vectorsMs: 9000, modelMs: 3000, embedMs: 0, firstKeywordSearchMs: 4900, firstSemanticPartialMs: 12000, embeddedNow: 0, verification: null, corpusFiles: 72, peakHeapMiB: 900, peakBackingStoreMiB: 400, retainedHeapMiB: 600, requests: 90 },
      warm: { corpusMs: 3000, lexicalMs: 1500, vectorsMs: 4000, modelMs: 1500, firstKeywordMs: 4000, filesFromCache: 72, totalFiles: 72, corpusRequests: 0, peakHeapMiB: 800, peakBackingStoreMiB: 400 },
      storage: { usage: 300e6, indexedDB: 0, caches: 290e6 },
      vectorMatrixMiB: 239,
      profile: null,
      buildMs: 0,
    },
  };
}

describe('scale table', () => {
  it('puts each scale figure beside the arXiv slice and seeds figures of the same run', () => {
    const r = sample();
    r.arxiv10k = { ...r.arxiv10k, coldStartMs: 6000, coldFirstKeywordMs: 900, queryVectorP50Ms: 3, corpusWireBytes: 12e6 };
    r.cold.firstKeywordResultsMs = 400;
    r.scale = scale();
    const table = formatScaleTable(r);
    const row = (start: string) => table.split('\n').find((l) => l.startsWith(`| ${start}`)) ?? '';
    expect(row('Cold visit → keyword')).toMatch(/5000 ms.*arXiv 10000 900 ms · seeds 400 ms/);
    expect(row('Cold visit → semantic')).toMatch(/20000 ms.*arXiv 10000 6000 ms · seeds 9000 ms/);
    expect(row('Query p50 / p95')).toMatch(/300 ms \/ 500 ms.*arXiv 10000 45\.0 ms \/ 80\.0 ms · seeds 30\.0 ms \/ 60\.0 ms/);
    expect(row('Dense ranking alone')).toMatch(/25\.0 ms.*arXiv 10000 3\.0 ms.*12\.0 ms \/ 40\.0 ms/);
    expect(row('Corpus on the wire before')).toMatch(/90\.0 MB.*arXiv 10000 12\.0 MB/);
    expect(row('Vectors')).toContain('random unit stand-ins');
    expect(formatTable(r)).toMatch(/Start, arXiv 10000 papers, shipped vectors.*cold 6000 ms · warm 2500 ms/);
  });

  it('prints nothing without a scale run', () => {
    expect(formatScaleTable(sample())).toBe('');
  });
});

describe('scale queries', () => {
  const data = {
    chunker: { version: 'v', maxTokens: 254, overlapSentences: 1 },
    papers: Array.from({ length: 500 }, (_, i) => ({ id: `p${i}`, title: `title number ${i} about graphs and ${i % 7} things`, abstract: 'a', titleDerived: i % 5 === 0 })),
    chunks: [],
  } as unknown as CorpusData;

  it('are distinct shuffled titles, never a title verbatim, the same every run', () => {
    const q = scaleQueries(data, 60);
    expect(q).toHaveLength(60);
    expect(new Set(q).size).toBe(60);
    const titles = new Set(data.papers.map((p) => p.title));
    for (const s of q) expect(titles.has(s)).toBe(false);
    for (const s of q) expect([...titles].some((t) => t.split(' ').sort().join(' ') === s.split(' ').sort().join(' '))).toBe(true);
    expect(scaleQueries(data, 60)).toEqual(q);
  });
});

describe('first visit row', () => {
  const firstVisit = { wireBytes: 36_000_000, fileBytes: 39_600_000, requests: 25, repeated: { '/icons/icon-192.png': 2 }, ms: 30_000, offline: 'ready' };
  const baseline = { wireBytes: 98_100_000, fileBytes: 65_900_000, requests: 30, repeated: { '/ort/ort-wasm-simd-threaded.wasm': 2 }, ms: 40_000, offline: 'ready', build: 'main' };

  it('prints bytes received beside the distinct files and the baseline build, and meets the target', () => {
    const row = formatTable({ ...sample(), firstVisit: { ...firstVisit, baseline } }).split('\n').find((l) => l.startsWith('| First visit')) ?? '';
    expect(row).toMatch(/\| 36\.0 MB \| distinct files 39\.6 MB \(received 0\.91× of them\)/);
    expect(row).toContain('baseline main: 98.1 MB for 65.9 MB of files (1.49×)');
    expect(row).toContain('/ort/ort-wasm-simd-threaded.wasm ×2');
    expect(row).toMatch(/≤ 1\.05× files and ≤ 40 MB: met \|$/);
  });

  it('misses the target when a file comes twice, over 40 MB, or the offline copy failed', () => {
    expect(firstVisitRow({ ...firstVisit, wireBytes: 1.2 * firstVisit.fileBytes })[3]).toContain('MISSED');
    expect(firstVisitRow({ ...firstVisit, wireBytes: 41e6, fileBytes: 41e6 })[3]).toContain('MISSED');
    expect(firstVisitRow({ ...firstVisit, offline: 'failed' })[3]).toContain('MISSED');
  });

  it('leaves the row out of results without the figure (older JSON)', () => {
    expect(formatTable(sample())).not.toContain('First visit');
  });
});
