/**
 * Fills a vector cache with the passages of a corpus: embeds only the keys it lacks, batch by
 * batch, storing each batch as soon as it is done, so a killed run loses at most one batch and a
 * second run embeds nothing. Texts and keys come from corpusPassages(), the function the page uses.
 */
import type { Embedder } from './embedder';

/** The parts of DiskVectorCache this needs (tests may pass any store with these). */
export interface PassageVectorStore {
  readonly dims: number;
  has(key: string): boolean;
  append(keys: readonly string[], vectors: Float32Array): void;
}

export interface EmbedProgress {
  /** distinct keys with a vector now (cached + embedded so far) */
  done: number;
  /** distinct keys */
  total: number;
  /** keys that had a vector before this call */
  cached: number;
  /** keys embedded by this call so far */
  embedded: number;
  /** characters of the texts embedded so far and of all to embed: cost follows length, not count */
  doneChars: number;
  totalChars: number;
}

export interface EmbedPassagesOptions {
  texts: readonly string[];
  keys: readonly string[];
  cache: PassageVectorStore;
  embedder: Pick<Embedder, 'spec' | 'embed'>;
  /** passages per model call and per cache write (default DEFAULT_PASSAGE_BATCH) */
  batchSize?: number;
  /** after the cache check and after every stored batch */
  onProgress?: (p: EmbedProgress) => void;
  /** checked between batches: the batch in flight is finished and stored, then AbortError */
  signal?: AbortSignal;
}

export interface EmbedPassagesResult {
  /** distinct keys */
  total: number;
  cached: number;
  embedded: number;
  ms: number;
}

/** See DEFAULT_BATCH_SIZE in embedder.ts (measured); one write per batch keeps the loss on a kill small. */
export const DEFAULT_PASSAGE_BATCH = 8;

function abortError(signal: AbortSignal): DOMException {
  const reason: unknown = signal.reason;
  if (reason instanceof DOMException && reason.name === 'AbortError') return reason;
  return new DOMException('Embedding was stopped', 'AbortError');
}

/**
 * Resolves once every key has a vector in `cache`. Missing keys are embedded longest first in
 * batches of similar length (little padding, as embedder.embed() orders them), one model call and
 * one cache append per batch. A key given twice is embedded once (the first text is used: the key
 * is a hash of the text, so both are the same).
 */
export async function embedPassages(options: EmbedPassagesOptions): Promise<EmbedPassagesResult> {
  const t0 = performance.now();
  const { texts, keys, cache, embedder, onProgress, signal } = options;
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? DEFAULT_PASSAGE_BATCH));
  if (texts.length !== keys.length) throw new Error(`embedPassages: ${texts.length} texts but ${keys.length} keys; pass both from one corpusPassages() call.`);
  const dims = embedder.spec.dims;
  if (cache.dims !== dims) throw new Error(`embedPassages: the cache holds ${cache.dims}-d vectors but ${embedder.spec.id} makes ${dims}-d ones.`);

  const seen = new Set<string>();
  const missing: number[] = [];
  let cached = 0;
  keys.forEach((key, i) => {
    if (seen.has(key)) return;
    seen.add(key);
    if (typeof texts[i] !== 'string') throw new TypeError(`embedPassages: texts[${i}] is ${typeof texts[i]}, not a string`);
    if (cache.has(key)) cached++;
    else missing.push(i);
  });
  const total = seen.size;
  missing.sort((a, b) => texts[b].length - texts[a].length || a - b);
  const totalChars = missing.reduce((n, i) => n + texts[i].length, 0);
  let embedded = 0;
  let doneChars = 0;
  const report = () => onProgress?.({ done: cached + embedded, total, cached, embedded, doneChars, totalChars });
  report();

  for (let start = 0; start < missing.length; start += batchSize) {
    if (signal?.aborted) throw abortError(signal);
    const batch = missing.slice(start, start + batchSize);
    const batchTexts = batch.map((i) => texts[i]);
    const vectors = await embedder.embed(batchTexts, 'passage', { batchSize: batch.length });
    if (vectors.length !== batch.length * dims) {
      throw new Error(`embedPassages: the embedder returned ${vectors.length} floats for ${batch.length} passages of ${dims} dims.`);
    }
    cache.append(batch.map((i) => keys[i]), vectors);
    embedded += batch.length;
    doneChars += batchTexts.reduce((n, t) => n + t.length, 0);
    report();
  }
  return { total, cached, embedded, ms: performance.now() - t0 };
}
