/** Node-only: an exact token counter from a model's tokenizer.json (optional; the build defaults to the estimate). */
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { sha256Hex } from './hash.ts';
import type { TokenCounter } from './tokens.ts';

export interface ExactCounter {
  count: TokenCounter;
  /** Recorded in the chunker version, e.g. "tok:all-MiniLM-L6-v2:da0e7993". */
  id: string;
}

/** Token count (special tokens excluded) from the tokenizer.json at `path`, via transformers.js. */
export async function loadTokenizerCounter(path: string): Promise<ExactCounter> {
  let bytes: Uint8Array;
  let json: unknown;
  try {
    bytes = new Uint8Array(await readFile(path));
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new Error(`${path}: cannot read the tokenizer (${(err as Error).message}); pass a model's tokenizer.json`);
  }
  // Imported lazily: the build itself must not load the inference runtime.
  const { PreTrainedTokenizer } = await import('@huggingface/transformers');
  const tokenizer = new PreTrainedTokenizer(json as object, {});
  const count: TokenCounter = (text) => tokenizer.encode(text, { add_special_tokens: false }).length;
  return { count, id: `tok:${basename(dirname(path))}:${sha256Hex(bytes).slice(0, 8)}` };
}
