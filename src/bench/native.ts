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
