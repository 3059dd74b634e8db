import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs, runEval, VectorCache, type BuildCorpus, type EvalDeps } from '../../src/cli/eval';
import type { Chunk, CorpusData, Paper } from '../../src/corpus/types';
import type { Embedder } from '../../src/embed/embedder';
import { getModel } from '../../src/embed/registry';

const DIMS = 16;

/** Hashing bag-of-words "model": deterministic, and texts sharing words get similar vectors. */
function fakeEmbedder(calls: { texts: number }): Embedder {
  return {
    spec: { ...getModel(), dims: DIMS },
    device: 'cpu',
    lastTimings: null,
    async embed(texts) {
      calls.texts += texts.length;
      const out = new Float32Array(texts.length * DIMS);
      texts.forEach((t, i) => {
        for (const w of t.toLowerCase().match(/[a-z]+/g) ?? []) {
          let h = 0;
          for (const c of w) h = (h * 31 + c.charCodeAt(0)) >>> 0;
          out[i * DIMS + (h % DIMS)] += 1;
        }
        let n = 0;
        for (let j = 0; j < DIMS; j++) n += out[i * DIMS + j] ** 2;
        for (let j = 0; j < DIMS; j++) out[i * DIMS + j] /= Math.sqrt(n) || 1;
      });
      return out;
    },
    async dispose() {},
  };
}

/**
 * Stand-in for src/corpus buildCorpus (tested by its owner): one paper per record, one chunk per
 * sentence, and records with the same text merged into the first (listed in alsoIn), as the real
 * build's de-duplication does.
 */
const stubBuild: BuildCorpus = (files) => {
  const papers: Paper[] = [];
  const chunks: Chunk[] = [];
  const byText = new Map<string, Paper>();
  new TextDecoder()
    .decode(files[0].bytes)
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      const r = JSON.parse(line);
      const seen = byText.get(r.text);
      if (seen) {
        (seen.alsoIn ??= []).push({ file: files[0].path, line: i + 1 });
        return;
      }
      const p: Paper = { id: r._id, title: r.title, titleDerived: false, abstract: r.text, source: { file: files[0].path, line: i + 1 } };
      byText.set(r.text, p);
      papers.push(p);
      let start = 0;
      r.text.split(/(?<=\.) /).forEach((text: string, index: number) => {
        const s = r.text.indexOf(text, start);
        start = s + text.length;
        chunks.push({ id: `${p.id}#${index}`, paperId: p.id, index, text, start: s, end: s + text.length, hash: `${p.id}${index}` });
      });
    });
  const data: CorpusData = { chunker: { version: 'stub', maxTokens: 254, overlapSentences: 0 }, papers, chunks };
  return { data, report: { papers: papers.length } };
};

function writeDataset(): string {
  const dir = mkdtempSync(join(tmpdir(), 'eval-'));
  const docs = [
    { _id: 'd1', title: 'Aspirin and heart attacks', text: 'Aspirin lowers the risk of heart attacks. It thins the blood.' },
    { _id: 'd2', title: 'Vitamin D', text: 'Vitamin D deficiency is linked to bone fractures.' },
    { _id: 'd3', title: 'Coffee', text: 'Coffee consumption and sleep quality in adults.' },
    { _id: 'd4', title: 'Copy', text: 'Vitamin D deficiency is linked to bone fractures.' },
    { _id: 'd5', title: 'Malaria', text: 'Bed nets reduce malaria transmission in children. Mosquito density fell.' },
  ];
  writeFileSync(join(dir, 'corpus.jsonl'), docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
  const queries = [
    { _id: 'q1', text: 'aspirin reduces heart attack risk' },
    { _id: 'q2', text: 'vitamin D deficiency causes fractures' },
    { _id: 'q3', text: 'bed nets prevent malaria in children' },
  ];
  writeFileSync(join(dir, 'queries.jsonl'), queries.map((q) => JSON.stringify(q)).join('\n') + '\n');
  mkdirSync(join(dir, 'qrels'));
  writeFileSync(join(dir, 'qrels', 'test.tsv'), 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td4\t1\nq3\td5\t1\n');
  return dir;
}

function deps(calls: { texts: number; loads: number }, log: string[]): EvalDeps {
  return {
    buildCorpus: stubBuild,
    embedder: async () => {
      calls.loads++;
      return fakeEmbedder(calls);
    },
    model: { id: 'fake', dtype: 'q8', dims: DIMS, fingerprint: 'fake|1' },
    log: (l) => log.push(l),
    progress: () => {},
  };
}

describe('eval CLI', () => {
  it('parseArgs: defaults, values and errors that say what to pass', () => {
    expect(parseArgs(['--dataset', 'x'])).toMatchObject({ dataset: 'x', split: 'test', compare: false });
    expect(parseArgs(['--dataset', 'x', '--split', 'train', '--limit-queries', '5', '--json', 'o.json'])).toMatchObject({ split: 'train', limitQueries: 5, json: 'o.json' });
    expect(() => parseArgs([])).toThrow(/--dataset is required/);
    expect(() => parseArgs(['--dataset', 'x', '--limit-queries', '0'])).toThrow(/positive integer/);
    expect(() => parseArgs(['--dataset', 'x', '--bogus'])).toThrow(/Unknown argument "--bogus"/);
  });

  it('ranks with the project engine, writes TREC runs, and a second run embeds nothing', async () => {
    const dir = writeDataset();
    const args = { ...parseArgs(['--dataset', dir]), runDir: join(dir, 'runs'), cacheDir: join(dir, 'cache') };
    const calls = { texts: 0, loads: 0 };
    const first = await runEval(args, deps(calls, []));
    expect(first.queries).toBe(3);
    expect(first.embedded).toBeGreaterThan(0);
    for (const m of ['dense', 'bm25', 'hybrid'] as const) {
      // each query's relevant document is the obvious match (d4 is reached through the merged duplicate)
      expect(first.methods[m]['recall@10']).toBe(1);
      expect(first.methods[m]['ndcg@10']).toBeGreaterThan(0.6);
    }
    const run = readFileSync(join(dir, 'runs', `${first.dataset}-test-bm25.trec`), 'utf8').trim().split('\n');
    expect(run[0]).toMatch(/^q1 Q0 d1 1 [\d.]+ paperscope-bm25$/);
    // the merged duplicate is listed right after the paper it was merged into, with the same score
    const q2 = run.filter((l) => l.startsWith('q2 ')).map((l) => l.split(' '));
    expect(q2.slice(0, 2).map((f) => f[2])).toEqual(['d2', 'd4']);
    expect(q2[0][4]).toBe(q2[1][4]);

    const again = { texts: 0, loads: 0 };
    const second = await runEval(args, deps(again, []));
    expect(second.embedded).toBe(0);
    expect(again.loads).toBe(0); // the model is not even loaded
    expect(second.methods).toEqual(first.methods);
  });

  it('VectorCache keeps the complete prefix of files cut short by a killed run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cache-'));
    const calls = { texts: 0 };
    const a = new VectorCache(dir, 'x', 'fp', DIMS);
    const r1 = await a.vectors(['one', 'two', 'three'], 'passage', async () => fakeEmbedder(calls));
    const file = join(dir, readdir(dir).find((f) => f.endsWith('.f32'))!);
    writeFileSync(file, readFileSync(file).subarray(0, DIMS * 4 * 2 + 7)); // row 3 half written
    const b = new VectorCache(dir, 'x', 'fp', DIMS);
    expect(b.size).toBe(2);
    const r2 = await b.vectors(['one', 'two', 'three'], 'passage', async () => fakeEmbedder(calls));
    expect(r2.embedded).toBe(1);
    expect([...r2.vectors]).toEqual([...r1.vectors]);
    // another model fingerprint never sees these vectors
    expect(new VectorCache(dir, 'x', 'other', DIMS).size).toBe(0);
    expect(existsSync(file)).toBe(true);
  });
});

function readdir(dir: string): string[] {
  return readdirSync(dir);
}
