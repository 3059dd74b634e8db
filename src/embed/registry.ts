/**
 * Model registry: the one place that describes the embedding models.
 * Nothing else hard-codes a model id, pooling, prefix or dimension.
 */

export type Pooling = 'cls' | 'mean';
export type Dtype = 'q8' | 'fp32';

export interface ModelSpec {
  /** transformers.js model id, also the folder under public/models/ */
  id: string;
  dtype: Dtype;
  pooling: Pooling;
  /** Prepended to queries (not to passages). */
  queryPrefix: string;
  passagePrefix: string;
  dims: number;
  /** Longest input in tokens, special tokens included; longer input is truncated. */
  maxTokens: number;
  /** Published SciFact nDCG@10 (MTEB), for the evaluation targets. */
  scifactNdcg10: number;
}

export const MODELS: Record<string, ModelSpec> = {
  'Xenova/bge-small-en-v1.5': {
    id: 'Xenova/bge-small-en-v1.5',
    dtype: 'q8',
    pooling: 'cls',
    queryPrefix: 'Represent this sentence for searching relevant passages: ',
    passagePrefix: '',
    dims: 384,
    maxTokens: 512,
    scifactNdcg10: 0.713,
  },
  'Xenova/all-MiniLM-L6-v2': {
    id: 'Xenova/all-MiniLM-L6-v2',
    dtype: 'q8',
    pooling: 'mean',
    queryPrefix: '',
    passagePrefix: '',
    dims: 384,
    // sentence-transformers' max_seq_length for this model (what MTEB scores were measured with)
    maxTokens: 256,
    scifactNdcg10: 0.645,
  },
};

/**
 * The model the app, eval and bench use unless PAPERSCOPE_MODEL names another.
 * all-MiniLM-L6-v2 is the default because it is the one whose weights can be installed
 * without a model hub (see README "Model"); bge-small-en-v1.5 is one setting away.
 */
export const DEFAULT_MODEL_ID = 'Xenova/all-MiniLM-L6-v2';

export function getModel(id: string = DEFAULT_MODEL_ID): ModelSpec {
  const spec = MODELS[id];
  if (!spec) {
    throw new Error(`Unknown model "${id}". Known models: ${Object.keys(MODELS).join(', ')}.`);
  }
  return spec;
}

/** Special tokens ([CLS], [SEP]) the models add around every passage. */
export const SPECIAL_TOKENS = 2;

/**
 * The corpus build's chunk limit: the smallest limit among the registered models minus the
 * special tokens, so a chunk fits whichever model the page uses (all-MiniLM-L6-v2: 256 − 2 = 254).
 */
export function chunkTokenLimit(): number {
  return Math.min(...Object.values(MODELS).map((m) => m.maxTokens)) - SPECIAL_TOKENS;
}

/** Set by vite.config.ts (`define`) in the browser build; absent in plain Node. */
declare const __PAPERSCOPE_MODEL__: string | undefined;

/**
 * The model to use: PAPERSCOPE_MODEL from the environment in Node (CLIs, tests), the value baked in
 * at build time in the browser, DEFAULT_MODEL_ID when neither is set. Throws on an unknown id so a
 * typo never silently falls back to another model.
 */
export function activeModelId(): string {
  const fromEnv = typeof process !== 'undefined' ? process.env?.PAPERSCOPE_MODEL : undefined;
  const fromBuild = typeof __PAPERSCOPE_MODEL__ !== 'undefined' ? __PAPERSCOPE_MODEL__ : undefined;
  const id = fromEnv || fromBuild || DEFAULT_MODEL_ID;
  if (!MODELS[id]) {
    const where = fromEnv ? 'PAPERSCOPE_MODEL in the environment' : 'the build-time PAPERSCOPE_MODEL';
    throw new Error(`Unknown model "${id}" (from ${where}). Known models: ${Object.keys(MODELS).join(', ')}.`);
  }
  return id;
}
