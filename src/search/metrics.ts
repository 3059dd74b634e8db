/**
 * Retrieval metrics with the standard (trec_eval / pytrec_eval, as used by BEIR and MTEB)
 * definitions: graded relevance, gain = grade, discount log2(rank + 1), ideal DCG from the
 * judged documents of the query. Documents judged 0 (or negative) count as not relevant.
 * A ranking is a list of document ids, best first; it is evaluated in the order given.
 */

/** query id -> (document id -> relevance grade) */
export type Qrels = Map<string, Map<string, number>>;

export function dcgAt(ranking: readonly string[], rels: ReadonlyMap<string, number>, k: number): number {
  let dcg = 0;
  const n = Math.min(k, ranking.length);
  for (let i = 0; i < n; i++) {
    const g = rels.get(ranking[i]) ?? 0;
    if (g > 0) dcg += g / Math.log2(i + 2);
  }
  return dcg;
}

export function ndcgAt(ranking: readonly string[], rels: ReadonlyMap<string, number>, k: number): number {
  const ideal = [...rels.values()].filter((g) => g > 0).sort((a, b) => b - a);
  let idcg = 0;
  for (let i = 0; i < Math.min(k, ideal.length); i++) idcg += ideal[i] / Math.log2(i + 2);
  return idcg > 0 ? dcgAt(ranking, rels, k) / idcg : 0;
}

export function recallAt(ranking: readonly string[], rels: ReadonlyMap<string, number>, k: number): number {
  let relevant = 0;
  for (const g of rels.values()) if (g > 0) relevant++;
  if (relevant === 0) return 0;
  let found = 0;
  const n = Math.min(k, ranking.length);
  for (let i = 0; i < n; i++) if ((rels.get(ranking[i]) ?? 0) > 0) found++;
  return found / relevant;
}

/** Reciprocal rank of the first relevant document within the top k (0 if none). */
export function mrrAt(ranking: readonly string[], rels: ReadonlyMap<string, number>, k: number): number {
  const n = Math.min(k, ranking.length);
  for (let i = 0; i < n; i++) if ((rels.get(ranking[i]) ?? 0) > 0) return 1 / (i + 1);
  return 0;
}

export interface MetricSet {
  'ndcg@10': number;
  'recall@10': number;
  'recall@100': number;
  'mrr@10': number;
}

/**
 * Means over every query in the qrels (as trec_eval does with -c): a query with no ranking
 * scores 0. Queries with no relevant document are skipped, as pytrec_eval does.
 */
export function evaluateRun(run: ReadonlyMap<string, readonly string[]>, qrels: Qrels): MetricSet & { queries: number } {
  const sum: MetricSet = { 'ndcg@10': 0, 'recall@10': 0, 'recall@100': 0, 'mrr@10': 0 };
  let queries = 0;
  for (const [qid, rels] of qrels) {
    if (![...rels.values()].some((g) => g > 0)) continue;
    queries++;
    const ranking = run.get(qid) ?? [];
    sum['ndcg@10'] += ndcgAt(ranking, rels, 10);
    sum['recall@10'] += recallAt(ranking, rels, 10);
    sum['recall@100'] += recallAt(ranking, rels, 100);
    sum['mrr@10'] += mrrAt(ranking, rels, 10);
  }
  const mean = (v: number) => (queries ? v / queries : 0);
  return {
    'ndcg@10': mean(sum['ndcg@10']),
    'recall@10': mean(sum['recall@10']),
    'recall@100': mean(sum['recall@100']),
    'mrr@10': mean(sum['mrr@10']),
    queries,
  };
}

/**
 * Parses a BEIR qrels TSV ("query-id<TAB>corpus-id<TAB>score", optional header line).
 * `source` names the file in error messages.
 */
export function parseQrels(text: string, source = 'qrels'): Qrels {
  const qrels: Qrels = new Map();
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const parts = line.split('\t');
    if (i === 0 && parts[0] === 'query-id') return;
    if (parts.length < 3) throw new Error(`${source}:${i + 1}: expected "query-id<TAB>corpus-id<TAB>score", got "${line.slice(0, 80)}".`);
    const grade = Number(parts[2]);
    if (!Number.isFinite(grade)) throw new Error(`${source}:${i + 1}: score "${parts[2]}" is not a number.`);
    let rels = qrels.get(parts[0]);
    if (!rels) qrels.set(parts[0], (rels = new Map()));
    rels.set(parts[1], grade);
  });
  return qrels;
}
