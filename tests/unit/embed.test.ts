/**
 * The real embedding model in Node (onnxruntime-node), through the same embedder the browser uses.
 * Needs the installed model: `npm run setup:model` (npm install runs it).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInstalled, loadReference } from '../../src/cli/setup-model';
import { createEmbedder, type Embedder } from '../../src/embed/embedder';
import { modelSources } from '../../src/embed/model-sources';
import { nodeModelsDir, repoRoot } from '../../src/embed/node';
import { activeModelId, getModel } from '../../src/embed/registry';

const spec = getModel(activeModelId());
let embedder: Embedder;

function row(m: Float32Array, i: number): Float32Array {
  return m.subarray(i * spec.dims, (i + 1) * spec.dims);
}
function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

beforeAll(async () => {
  const { problems } = await checkInstalled(nodeModelsDir(), spec);
  if (problems.length) {
    throw new Error(`Model ${spec.id} is not installed and verified; run "npm run setup:model" first.\n${problems.join('\n')}`);
  }
  embedder = await createEmbedder({ spec, modelBase: nodeModelsDir() });
}, 60_000);

afterAll(async () => {
  await embedder?.dispose();
});

describe(`embedder with ${spec.id} (${spec.dtype})`, () => {
  it('returns one L2-normalised row of spec.dims per text', async () => {
    const v = await embedder.embed(['A man is eating food.', 'Self-supervised speech models.', ''], 'passage');
    expect(spec.dims).toBe(384);
    expect(v).toBeInstanceOf(Float32Array);
    expect(v.length).toBe(3 * 384);
    for (let i = 0; i < 3; i++) expect(Math.sqrt(dot(row(v, i), row(v, i)))).toBeCloseTo(1, 5);
    expect(await embedder.embed([], 'query')).toHaveLength(0);
  }, 30_000);

  it('puts "eating food" nearer "eating bread" than "riding a horse"', async () => {
    const v = await embedder.embed(['A man is eating food.', 'A man is eating a piece of bread.', 'A man is riding a horse.'], 'passage');
    const bread = dot(row(v, 0), row(v, 1));
    const horse = dot(row(v, 0), row(v, 2));
    console.log(`cos(eating food, eating bread) = ${bread.toFixed(4)}; cos(eating food, riding a horse) = ${horse.toFixed(4)}`);
    expect(bread).toBeGreaterThan(horse + 0.1);
  }, 30_000);

  it('agrees with the fp32 reference vectors of the original weights', async (ctx) => {
    const reference = await loadReference(modelSources(spec.id));
    if (!reference) ctx.skip(); // no reference exists for this model (bge-small: no weights obtainable here)
    const texts = reference!.sentences.map((s) => s.text);
    const v = await embedder.embed(texts, 'passage');
    const cos = texts.map((_, i) => dot(row(v, i), reference!.sentences[i].vector));
    const min = Math.min(...cos);
    const mean = cos.reduce((a, b) => a + b, 0) / cos.length;
    console.log(`vs fp32 reference (${texts.length} sentences): min cosine ${min.toFixed(4)}, mean ${mean.toFixed(4)}`);
    // sentence-transformers documents 0.6660 / 0.1046 / 0.1411 for these three pairs with this model.
    const sims = [dot(row(v, 0), row(v, 1)), dot(row(v, 0), row(v, 2)), dot(row(v, 1), row(v, 2))];
    console.log(`weather/sunny ${sims[0].toFixed(4)}, weather/stadium ${sims[1].toFixed(4)}, sunny/stadium ${sims[2].toFixed(4)}`);
    expect(min).toBeGreaterThanOrEqual(0.98);
  }, 60_000);

  it('ranks the PARP abstract first among the seed abstracts for a pruning query', async () => {
    // Until src/corpus/buildCorpus exists, abstracts are taken simply: every seed line of 50+ words.
    const seedDir = join(repoRoot(), 'seeds');
    const abstracts = readdirSync(seedDir)
      .flatMap((f) => readFileSync(join(seedDir, f), 'utf8').split('\n'))
      .map((l) => l.trim())
      .filter((l) => l.split(/\s+/).length >= 50);
    const parp = abstracts.findIndex((a) => a.includes('Prune-Adjust- Re-Prune (PARP)'));
    expect(parp).toBeGreaterThanOrEqual(0);
    expect(abstracts.length).toBeGreaterThan(5);
    const q = await embedder.embed(['pruning self-supervised speech models for low-resource speech recognition'], 'query');
    const docs = await embedder.embed(abstracts, 'passage');
    const ranked = abstracts.map((a, i) => ({ i, score: dot(q, row(docs, i)), a })).sort((x, y) => y.score - x.score);
    console.log(
      `query vs ${abstracts.length} seed abstracts, top 3:\n` +
        ranked.slice(0, 3).map((r) => `  ${r.score.toFixed(4)}  ${r.a.slice(0, 70)}`).join('\n'),
    );
    expect(ranked[0].i).toBe(parp);
  }, 120_000);

  it('gives the same vectors batched as one at a time, in input order', async () => {
    const texts = [
      'Short one.',
      'A considerably longer sentence about self-supervised speech representation learning and pruning of subnetworks.',
      'Medium length text about contrastive image pre-training.',
      'Tiny.',
      'Another long-ish passage: sequential training with wav2vec 2.0 first and visually grounded speech next.',
    ];
    const batched = await embedder.embed(texts, 'passage', { batchSize: 8 });
    const single = await embedder.embed(texts, 'passage', { batchSize: 1 });
    const cos = texts.map((_, i) => dot(row(batched, i), row(single, i)));
    console.log(`batched vs one at a time: min cosine ${Math.min(...cos).toFixed(6)}`);
    for (const c of cos) expect(c).toBeGreaterThan(0.9999);
    // Rows follow the input order, not the internal length order.
    const first = await embedder.embed([texts[0]], 'passage');
    expect(dot(first, row(batched, 0))).toBeGreaterThan(0.9999);
    expect(dot(first, row(batched, 1))).toBeLessThan(0.9);
  }, 60_000);

  it('is not changed by padding next to a long text', async () => {
    const short = 'Speech recognition.';
    const long = 'Recent work on speech self-supervised learning demonstrated the benefits of scale. '.repeat(8);
    const alone = await embedder.embed([short], 'passage');
    const padded = await embedder.embed([long, short], 'passage', { batchSize: 2 });
    const c = dot(alone, row(padded, 1));
    console.log(`short text alone vs padded in a batch with a long one: cosine ${c.toFixed(6)}`);
    expect(c).toBeGreaterThan(0.9999);
  }, 30_000);

  it(`truncates at maxTokens (${spec.maxTokens}): later words change nothing, earlier ones do`, async () => {
    // 13 tokens a phrase, ~1.25 × maxTokens in all (all-MiniLM: ~330 tokens, within the model's 512
    // positions; untruncated, the two endings give cosine ~0.99).
    const phrase = 'self supervised speech models learn rich representations from unlabeled audio ';
    const body = phrase.repeat(Math.ceil((spec.maxTokens * 1.25) / 13));
    const v = await embedder.embed([`${body} ending about horses`, `${body} ending about bread`, `cooking ${body}`], 'passage');
    expect(dot(row(v, 0), row(v, 1))).toBeGreaterThan(0.99999);
    expect(dot(row(v, 0), row(v, 2))).toBeLessThan(0.9999);
  }, 30_000);

  it('reports progress per batch and stops between batches when aborted', async () => {
    const texts = Array.from({ length: 10 }, (_, i) => `Sentence number ${i} about speech.`);
    const seen: [number, number][] = [];
    await embedder.embed(texts, 'passage', { batchSize: 4, onProgress: (d, t) => seen.push([d, t]) });
    expect(seen).toEqual([[4, 10], [8, 10], [10, 10]]);

    const controller = new AbortController();
    const calls: number[] = [];
    const run = embedder.embed(texts, 'passage', {
      batchSize: 4,
      signal: controller.signal,
      onProgress: (d) => {
        calls.push(d);
        controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(calls).toEqual([4]);
    await expect(embedder.embed(texts, 'passage', { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  }, 30_000);
  it('says where an embed() call spent its time, summed over its batches', async () => {
    const texts = ['A man is eating food.', 'A man is riding a horse along the beach at sunset, slowly.', 'Speech.'];
    await embedder.embed(texts, 'passage', { batchSize: 2 });
    const t = embedder.lastTimings!;
    expect(t).not.toBeNull();
    console.log(`3 texts: tokenise ${t.tokenizeMs.toFixed(2)} · transformers.js ${t.pipelineMs.toFixed(2)} · session.run ${t.sessionRunMs.toFixed(2)} · pool ${t.poolMs.toFixed(2)} · total ${t.totalMs.toFixed(2)} ms`);
    expect(t.batches).toBe(2);
    expect(t.sessionRunMs).toBeGreaterThan(0);
    for (const part of [t.tokenizeMs, t.pipelineMs, t.poolMs]) expect(part).toBeGreaterThanOrEqual(0);
    expect(t.tokenizeMs + t.pipelineMs + t.sessionRunMs + t.poolMs).toBeLessThanOrEqual(t.totalMs + 1e-6);
  }, 30_000);
});
