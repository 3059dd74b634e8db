/**
 * Node-only: embedding throughput with onnxruntime-node (native, this CPU's practical limit) —
 * the same embedder module, model, dtype, batch size and calls of the same size as the page.
 */
import { createEmbedder } from '../embed/embedder';
import { nodeModelsDir } from '../embed/node';
import type { ModelSpec } from '../embed/registry';

export interface NativeFigures {
  loadMs: number;
  firstCallMs: number;
  runMs: number[];
  chunks: number;
}

/** One query per call with onnxruntime-node, as the page's queryEmbed does: ms per query. */
export async function nativeQueries(spec: ModelSpec, queries: string[]): Promise<{ ms: number[]; sessionRunMs: number[] }> {
  const embedder = await createEmbedder({ spec, device: 'cpu', modelBase: nodeModelsDir() });
  try {
    for (const q of queries.slice(0, 3)) await embedder.embed([q], 'query');
    const out = { ms: [] as number[], sessionRunMs: [] as number[] };
    for (const q of queries) {
      const t = performance.now();
      await embedder.embed([q], 'query');
      out.ms.push(performance.now() - t);
      out.sessionRunMs.push(embedder.lastTimings?.sessionRunMs ?? Number.NaN);
    }
    return out;
  } finally {
    await embedder.dispose();
  }
}

export async function nativeEmbedding(spec: ModelSpec, texts: string[], perCall: number, reps: number): Promise<NativeFigures> {
  const t0 = performance.now();
  const embedder = await createEmbedder({ spec, device: 'cpu', modelBase: nodeModelsDir() });
  const loadMs = performance.now() - t0;
  try {
    let t = performance.now();
    await embedder.embed(texts.slice(0, 2), 'passage');
    const firstCallMs = performance.now() - t;
    const runMs: number[] = [];
    for (let r = 0; r < reps; r++) {
      t = performance.now();
      for (let i = 0; i < texts.length; i += perCall) await embedder.embed(texts.slice(i, i + perCall), 'passage');
      runMs.push(performance.now() - t);
    }
    return { loadMs, firstCallMs, runMs, chunks: texts.length };
  } finally {
    await embedder.dispose();
  }
}
