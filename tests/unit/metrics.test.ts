import { describe, expect, it } from 'vitest';
import { evaluateRun, mrrAt, ndcgAt, parseQrels, recallAt } from '../../src/search/metrics';

const rels = new Map([
  ['a', 2],
  ['b', 1],
  ['c', 0],
]);

describe('metrics (hand-computed)', () => {
  it('nDCG uses gain = grade, log2(rank + 1) discount and the ideal order of the judged documents', () => {
    // DCG@3 = 0 + 1/log2(3) + 2/log2(4) = 0.630930 + 1 = 1.630930
    // IDCG@3 = 2/log2(2) + 1/log2(3) = 2.630930  ->  0.619907
    expect(ndcgAt(['x', 'b', 'a', 'c'], rels, 3)).toBeCloseTo(0.619907, 5);
    expect(ndcgAt(['a', 'b'], rels, 10)).toBeCloseTo(1, 10);
    // cut-off: the relevant document at rank 3 is outside the top 2
    expect(ndcgAt(['x', 'y', 'a'], rels, 2)).toBe(0);
    // ideal DCG is truncated at k too: 1 / (1 + 1/log2(3)) = 0.613147
    const three = new Map([['a', 1], ['b', 1], ['c', 1]]);
    expect(ndcgAt(['a'], three, 2)).toBeCloseTo(0.613147, 5);
  });

  it('recall counts relevant (grade > 0) documents found in the top k', () => {
    expect(recallAt(['x', 'b', 'a', 'c'], rels, 2)).toBe(0.5);
    expect(recallAt(['x', 'b', 'a', 'c'], rels, 3)).toBe(1);
    expect(recallAt(['c'], rels, 10)).toBe(0);
  });

  it('MRR is the reciprocal rank of the first relevant document within k', () => {
    expect(mrrAt(['x', 'c', 'b', 'a'], rels, 10)).toBeCloseTo(1 / 3, 10);
    expect(mrrAt(['x', 'c', 'b'], rels, 2)).toBe(0);
  });

  it('evaluateRun averages over the queries in the qrels; a query without a ranking scores 0', () => {
    const qrels = parseQrels('query-id\tcorpus-id\tscore\nq1\ta\t1\nq2\tb\t1\nq3\tz\t0\n');
    expect(qrels.size).toBe(3);
    const run = new Map([['q1', ['a', 'x']]]);
    const m = evaluateRun(run, qrels);
    // q3 has no relevant document and is skipped; q1 perfect, q2 missing
    expect(m.queries).toBe(2);
    expect(m['ndcg@10']).toBe(0.5);
    expect(m['recall@100']).toBe(0.5);
    expect(m['mrr@10']).toBe(0.5);
  });

  it('parseQrels names the file and line of a malformed row', () => {
    expect(() => parseQrels('q1\ta\t1\nq2 b 1\n', 'qrels/test.tsv')).toThrow(/qrels\/test.tsv:2/);
    expect(() => parseQrels('q1\ta\tyes\n', 'x.tsv')).toThrow(/x.tsv:1: score "yes"/);
  });
});
