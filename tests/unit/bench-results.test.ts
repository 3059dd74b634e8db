import { describe, expect, it } from 'vitest';
import { formatTable, type BenchResults } from '../../src/bench/results';

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
