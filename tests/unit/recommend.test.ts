/**
 * "Recommended from your list" on real SciFact abstracts and real vectors of the app's model:
 * four claims' relevant papers saved together (a list with four interests) among 600 other SciFact
 * papers; the hidden relevant paper of each claim must be recommended, because of a saved paper
 * of its own claim. Vectors come from the eval's cache (.cache/eval) or are embedded here (and
 * added to it) with the real model in Node.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCorpus } from '../../src/corpus/build';
import type { CorpusData } from '../../src/corpus/types';
import { createEmbedder, type Embedder } from '../../src/embed/embedder';
import { modelFingerprint } from '../../src/embed/model-info';
import { nodeModelsDir, readModelInfo, repoRoot } from '../../src/embed/node';
import { activeModelId, chunkTokenLimit, getModel } from '../../src/embed/registry';
import { parseQrels } from '../../src/search/metrics';
import { SearchEngine } from '../../src/search/engine';
import { passageText, DEFAULT_PASSAGES } from '../../src/search/passage';
import { recommend, DEFAULT_RECOMMEND } from '../../src/search/recommend';
import { VectorMatrix } from '../../src/search/vectors';
import { VectorCache } from '../../src/cli/eval';

const DIR = new URL('../../../shared/datasets/scifact/', import.meta.url);
const spec = getModel(activeModelId());
const lines = readFileSync(new URL('corpus.jsonl', DIR), 'utf8').split('\n').filter((l) => l.trim());
const qrels = parseQrels(readFileSync(new URL('qrels/train.tsv', DIR), 'utf8'));

/** The first four train claims with ≥ 3 relevant papers and no paper in common. */
function fourClaims(): string[][] {
  const picked: string[][] = [];
  for (const rels of qrels.values()) {
    const ids = [...rels].filter(([, g]) => g > 0).map(([id]) => id);
    if (ids.length >= 3 && !picked.some((p) => p.some((id) => ids.includes(id)))) picked.push(ids);
    if (picked.length === 4) break;
  }
  return picked;
}

const claims = fourClaims();
let engine: SearchEngine;
let data: CorpusData;

beforeAll(async () => {
  const wanted = new Set(claims.flat());
  // the claims' papers and 600 others spread over the corpus
  const chosen = lines.filter((l, i) => wanted.has(String(JSON.parse(l)._id)) || i % Math.floor(lines.length / 600) === 0);
  // SciFact's _id becomes the paper id (the jsonl parser keeps it): the same passages as the eval's
  ({ data } = buildCorpus([{ path: 'corpus.jsonl', bytes: new TextEncoder().encode(chosen.join('\n') + '\n') }], { source: 'scifact', maxTokens: chunkTokenLimit() }));
  const fingerprint = modelFingerprint(spec, await readModelInfo(nodeModelsDir(), spec));
  const cache = new VectorCache(join(repoRoot(), '.cache', 'eval'), 'scifact', fingerprint, spec.dims);
  const papers = new Map(data.papers.map((p) => [p.id, p]));
  let embedder = null as Promise<Embedder> | null;
  const { vectors } = await cache.vectors(
    data.chunks.map((c) => passageText(papers.get(c.paperId)!, c, DEFAULT_PASSAGES)),
    'passage',
    () => (embedder ??= createEmbedder({ spec, modelBase: nodeModelsDir() })),
  );
  if (embedder) await (await embedder).dispose();
  engine = new SearchEngine(data, VectorMatrix.fromFlat(vectors, spec.dims));
}, 300_000);

describe(`recommend (${DEFAULT_RECOMMEND.kind}) on SciFact train with ${spec.id}`, () => {
  it('finds the hidden paper of each interest on a four-interest list in its top 10, because of a saved paper of the same claim', () => {
    const ids = new Set(data.papers.map((p) => p.id));
    expect(claims.flat().every((id) => ids.has(id))).toBe(true);
    const saved = claims.flatMap((c) => c.slice(0, -1));
    const hidden = claims.map((c) => c[c.length - 1]);
    const hits = recommend(engine, saved, { k: 10 });
    expect(hits).toHaveLength(10);
    expect(hits.filter((h) => saved.includes(h.paper.id))).toEqual([]);
    for (const [i, h] of hidden.entries()) {
      const hit = hits.find((x) => x.paper.id === h);
      expect(hit, `hidden paper ${h} of claim ${i + 1} in the top 10: ${hits.map((x) => x.paper.id).join(' ')}`).toBeDefined();
      expect(claims[i]).toContain(hit!.because[0].id);
      // the first named paper is the saved one it is closest to
      expect(hit!.because[0].similarity).toBeCloseTo(hit!.dense!, 5);
    }
    // scores are what the list is ranked by, best first
    expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
  });

  it('pooling the list into one vector (centroid, the shipped method\'s rival) loses interests that best match keeps', () => {
    const saved = claims.flatMap((c) => c.slice(0, -1));
    const hidden = claims.map((c) => c[c.length - 1]);
    const inTop10 = (kind: 'max' | 'centroid') => {
      const top = recommend(engine, saved, { k: 10, method: { kind } }).map((h) => h.paper.id);
      return hidden.filter((h) => top.includes(h)).length;
    };
    expect(inTop10('max')).toBe(4);
    expect(inTop10('centroid')).toBeLessThan(4);
  });

  it('without vectors, recommends by keyword and still names the saved paper', () => {
    const saved = claims[0].slice(0, -1);
    const hits = recommend(engine, saved, { k: 5, rows: new Uint8Array(0) });
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((h) => h.dense === undefined && saved.includes(h.because[0].id))).toBe(true);
    expect(hits.filter((h) => saved.includes(h.paper.id))).toEqual([]);
  });

  it('ignores ids it does not know and returns nothing for an empty list', () => {
    expect(recommend(engine, [])).toEqual([]);
    expect(recommend(engine, ['no-such-paper'])).toEqual([]);
    expect(recommend(engine, [claims[0][0], 'no-such-paper'], { k: 3 })).toHaveLength(3);
  });
});
