/**
 * What marking the answer sentence costs per query: SearchEngine.search (ranking + the mark)
 * split into its ranking and the mark, timed apart on the same hits, in Node.
 *
 *   npx tsx src/bench/highlight-cost.ts [BEIR folder, default ../shared/datasets/scifact] [queries, default 300]
 *
 * Vectors are random unit vectors (the mark's cost depends on the hits' text, not on how they
 * were ranked); the corpus is the BEIR corpus through the project's build. The first pass over
 * the queries meets every hit's chunk for the first time (its sentences are split and analysed
 * then, and cached); the second pass is warm.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCorpus } from '../corpus/build.ts';
import { SearchEngine, type PaperHit, type SearchOptions } from '../search/engine.ts';
import { VectorMatrix } from '../search/vectors.ts';
import { prng } from '../cli/eval-sizes.ts';

const dir = process.argv[2] ?? join('..', 'shared', 'datasets', 'scifact');
const limit = Number(process.argv[3] ?? 300);
const { data } = buildCorpus([{ path: 'corpus.jsonl', bytes: new Uint8Array(readFileSync(join(dir, 'corpus.jsonl'))) }], { source: 'bench' });
const queries = readFileSync(join(dir, 'queries.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .slice(0, limit)
  .map((l) => String(JSON.parse(l).text));
const dims = 384;
const rand = prng(1);
const unit = () => {
  const v = new Float32Array(dims);
  let n = 0;
  for (let i = 0; i < dims; i++) n += (v[i] = rand() - 0.5) ** 2;
  return v.map((x) => x / Math.sqrt(n));
};
const flat = new Float32Array(data.chunks.length * dims);
for (let r = 0; r < data.chunks.length; r++) flat.set(unit(), r * dims);
const engine = new SearchEngine(data, VectorMatrix.fromFlat(flat, dims));
void engine.lexical;
const qv = queries.map(() => unit());
// the two halves of SearchEngine.search, timed apart
const inner = engine as unknown as {
  rank: (q: { text: string; vector: Float32Array }, o: SearchOptions) => PaperHit[];
  markAnswers: (text: string, hits: PaperHit[]) => PaperHit[];
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

for (const mode of ['hybrid', 'semantic'] as const) {
  for (const pass of ['cold', 'warm']) {
    const withMark: number[] = [];
    const without: number[] = [];
    const extra: number[] = [];
    queries.forEach((text, i) => {
      const q = { text, vector: qv[i] };
      const t0 = performance.now();
      const hits = inner.rank(q, { mode, k: 10 });
      const t1 = performance.now();
      inner.markAnswers(text, hits);
      const t2 = performance.now();
      without.push(t1 - t0);
      extra.push(t2 - t1);
      withMark.push(t2 - t0);
    });
    console.log(
      `${mode.padEnd(8)} ${pass}: search p50 ${median(withMark).toFixed(2)} ms, of which ranking p50 ${median(without).toFixed(2)} ms, ` +
        `mark p50 ${median(extra).toFixed(3)} ms, mean ${(extra.reduce((a, x) => a + x, 0) / extra.length).toFixed(3)} ms, max ${Math.max(...extra).toFixed(2)} ms ` +
        `(${queries.length} queries, ${data.papers.length} papers, top 10)`,
    );
  }
}
