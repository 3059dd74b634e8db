/**
 * Which "Recommended from your list" method to ship, by measurement (src/search/recommend.ts).
 *
 *   npm run eval -- --recommend [--dataset /work/shared/datasets/scifact] [--split train] [--json out.json]
 *
 * SciFact claims with several relevant abstracts stand in for reading lists: save some of a
 * claim's relevant papers, hide the others, recommend from the saved ones over the whole corpus
 * and score the hidden ones (nDCG@10, Recall@10). Three kinds of list:
 *   one topic   — a claim with ≥ 3 relevant papers: each one hidden in turn, the others saved
 *   one paper   — a claim with 2: one saved, the other hidden (every method but linear is "more like this")
 *   mixed N     — N claims with ≥ 2 relevant papers at once (a reading list with N interests):
 *                 one relevant paper of each claim hidden, the rest saved; 5 draws of groups
 * The same passages and vectors as the eval (.cache/eval, embedded once); train split only.
 */
import { basename } from 'node:path';
import { writeFileSync } from 'node:fs';
import type { CorpusData } from '../corpus/types.ts';
import { evaluateRun, type Qrels } from '../search/metrics.ts';
import { passageText, DEFAULT_PASSAGES } from '../search/passage.ts';
import { SearchEngine } from '../search/engine.ts';
import { VectorMatrix } from '../search/vectors.ts';
import { describeRecommend, recommend, DEFAULT_RECOMMEND, type RecommendMethod } from '../search/recommend.ts';
import { beirIdsOfPapers, readBeir, VectorCache, type BeirDataset } from './eval.ts';
import { prng } from './eval-sizes.ts';

export interface RecommendTrial {
  id: string;
  kind: string;
  /** paper ids saved to the list */
  saved: string[];
  /** BEIR ids hidden (the relevant documents to find) */
  hidden: string[];
}

export const RECOMMEND_METHODS: RecommendMethod[] = [
  { kind: 'max' },
  { kind: 'mean' },
  { kind: 'max-plus', weight: 0.1 },
  { kind: 'max-plus', weight: 0.25 },
  { kind: 'max-plus', weight: 0.5 },
  { kind: 'top-sum', m: 2 },
  { kind: 'top-sum', m: 3 },
  { kind: 'rrf', k: 60, depth: 100 },
  { kind: 'rrf', k: 10, depth: 100 },
  { kind: 'centroid' },
  { kind: 'linear', negatives: 256, lambda: 0.01, iterations: 60 },
  { kind: 'linear', negatives: 256, lambda: 0.1, iterations: 60 },
];

/** Lists and hidden papers from the qrels (see the file comment); papers merged by the build count once. */
export function recommendTrials(ds: BeirDataset, data: CorpusData, beirIds: string[][], mixedSizes = [4, 10], draws = 5): RecommendTrial[] {
  const paperOf = new Map<string, string>();
  beirIds.forEach((ids, p) => ids.forEach((id) => paperOf.set(id, data.papers[p].id)));
  // per claim: its relevant documents as distinct papers (one BEIR id each)
  const claims: { qid: string; docs: { beir: string; paper: string }[] }[] = [];
  for (const [qid, rels] of ds.qrels) {
    const seen = new Set<string>();
    const docs: { beir: string; paper: string }[] = [];
    for (const [beir, g] of rels) {
      const paper = paperOf.get(beir);
      if (g > 0 && paper && !seen.has(paper)) {
        seen.add(paper);
        docs.push({ beir, paper });
      }
    }
    if (docs.length >= 2) claims.push({ qid, docs });
  }
  const trials: RecommendTrial[] = [];
  for (const c of claims) {
    if (c.docs.length >= 3) {
      for (const h of c.docs) trials.push({ id: `${c.qid}:${h.beir}`, kind: 'one topic', saved: c.docs.filter((d) => d !== h).map((d) => d.paper), hidden: [h.beir] });
    } else {
      trials.push({ id: `${c.qid}:${c.docs[1].beir}`, kind: 'one paper', saved: [c.docs[0].paper], hidden: [c.docs[1].beir] });
    }
  }
  for (const size of mixedSizes) {
    for (let d = 0; d < draws; d++) {
      const random = prng(1000 * size + d);
      const order = claims.map((c) => ({ c, r: random() })).sort((a, b) => a.r - b.r).map((x) => x.c);
      for (let g = 0; g + size <= order.length; g += size) {
        const group = order.slice(g, g + size);
        // the claim's last relevant paper is hidden, the others saved
        trials.push({
          id: `mixed${size}.${d}.${g / size}`,
          kind: `mixed ${size}`,
          saved: group.flatMap((c) => c.docs.slice(0, -1).map((x) => x.paper)),
          hidden: group.map((c) => c.docs[c.docs.length - 1].beir),
        });
      }
    }
  }
  return trials;
}

export interface RecommendRow {
  kind: string;
  method: string;
  trials: number;
  ndcg10: number;
  recall10: number;
  msPerList: number;
}

export function evaluateRecommend(engine: SearchEngine, trials: RecommendTrial[], beirIds: string[][], methods: RecommendMethod[]): RecommendRow[] {
  const paperIndex = new Map(engine.data.papers.map((p, i) => [p.id, i]));
  const kinds = [...new Set(trials.map((t) => t.kind))];
  const rows: RecommendRow[] = [];
  for (const method of methods) {
    for (const kind of kinds) {
      const run = new Map<string, string[]>();
      const qrels: Qrels = new Map();
      let ms = 0;
      const these = trials.filter((t) => t.kind === kind);
      for (const t of these) {
        const t0 = performance.now();
        const hits = recommend(engine, t.saved, { k: 10, method });
        ms += performance.now() - t0;
        run.set(t.id, hits.flatMap((h) => beirIds[paperIndex.get(h.paper.id)!]));
        qrels.set(t.id, new Map(t.hidden.map((id) => [id, 1])));
      }
      const m = evaluateRun(run, qrels);
      rows.push({ kind, method: describeRecommend(method), trials: these.length, ndcg10: m['ndcg@10'], recall10: m['recall@10'], msPerList: ms / these.length });
    }
  }
  return rows;
}

export function formatRecommendTable(rows: RecommendRow[]): string {
  const kinds = [...new Set(rows.map((r) => r.kind))];
  const methods = [...new Set(rows.map((r) => r.method))];
  const head = `${'method'.padEnd(34)}${kinds.map((k) => `${`${k} (${rows.find((r) => r.kind === k)!.trials})`.padEnd(24)}`).join('')}mean nDCG@10`;
  const lines = [head, `${''.padEnd(34)}${kinds.map(() => 'nDCG@10  R@10    ms   '.padEnd(24)).join('')}`];
  for (const m of methods) {
    const mine = kinds.map((k) => rows.find((r) => r.kind === k && r.method === m)!);
    const mean = mine.reduce((s, r) => s + r.ndcg10, 0) / mine.length;
    lines.push(`${m.padEnd(34)}${mine.map((r) => `${r.ndcg10.toFixed(4)}   ${r.recall10.toFixed(4)}  ${r.msPerList.toFixed(1).padStart(5)}`.padEnd(24)).join('')}${mean.toFixed(4)}`);
  }
  return lines.join('\n');
}

/** --methods max,max-plus: only these kinds (a quicker run) */
export async function mainRecommend(argv: string[]): Promise<void> {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const dataset = value('--dataset') ?? '/work/shared/datasets/scifact';
  const split = value('--split') ?? 'train';
  if (split === 'test') console.warn('eval --recommend: choosing a method on the test split tunes on test queries; use train.');
  const [{ buildCorpus }, { createEmbedder }, { nodeModelsDir, readModelInfo }, { modelFingerprint }, { activeModelId, chunkTokenLimit, getModel }] = await Promise.all([
    import('../corpus/build.ts'),
    import('../embed/embedder.ts'),
    import('../embed/node.ts'),
    import('../embed/model-info.ts'),
    import('../embed/registry.ts'),
  ]);
  const spec = getModel(activeModelId());
  const fingerprint = modelFingerprint(spec, await readModelInfo(nodeModelsDir(), spec));
  const ds = readBeir(dataset, split);
  const { data } = buildCorpus([{ path: basename(ds.corpusFile), bytes: new Uint8Array(ds.corpusBytes) }], { source: ds.name, maxTokens: chunkTokenLimit() });
  const cache = new VectorCache(value('--cache-dir') ?? '.cache/eval', ds.name, fingerprint, spec.dims);
  const papers = new Map(data.papers.map((p) => [p.id, p]));
  let embedder = null as ReturnType<typeof createEmbedder> | null;
  const { vectors, embedded } = await cache.vectors(
    data.chunks.map((c) => passageText(papers.get(c.paperId)!, c, DEFAULT_PASSAGES)),
    'passage',
    () => (embedder ??= createEmbedder({ spec, device: 'cpu', modelBase: nodeModelsDir() })),
  );
  if (embedder) await (await embedder).dispose();
  const engine = new SearchEngine(data, VectorMatrix.fromFlat(vectors, spec.dims));
  const beirIds = beirIdsOfPapers(data, ds);
  const trials = recommendTrials(ds, data, beirIds);
  console.error(`${ds.name}/${split}: ${data.papers.length} papers, ${data.chunks.length} passages (${embedded} embedded now); ${trials.length} lists`);
  const only = value('--methods')?.split(',');
  const rows = evaluateRecommend(engine, trials, beirIds, only ? RECOMMEND_METHODS.filter((m) => only.includes(m.kind)) : RECOMMEND_METHODS);
  console.log(formatRecommendTable(rows));
  console.log(`shipped: ${describeRecommend(DEFAULT_RECOMMEND)}`);
  const json = value('--json');
  if (json) writeFileSync(json, JSON.stringify({ dataset: ds.name, split, model: spec.id, rows, shipped: describeRecommend(DEFAULT_RECOMMEND) }, null, 2) + '\n');
}
