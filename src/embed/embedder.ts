/**
 * The one embedder, shared by Node (eval, bench, tests, set-up's check) and the browser worker.
 * No Node imports here: file-system helpers live in ./node.ts.
 *
 * transformers.js loads the model and the tokenizer; tokenising, truncation, padding, pooling and
 * normalisation are done here per batch, for two reasons:
 *  - transformers.js truncates after adding special tokens and so drops the final [SEP]; the
 *    model was trained (and sentence-transformers embeds) with [CLS] … [SEP] kept at the limit;
 *  - the token limit must be the registry's maxTokens, not whatever tokenizer_config.json says.
 */
import { env, mean_pooling, pipeline, Tensor } from '@huggingface/transformers';
import { EXPANDED_INDEX, expandWeights, parseExpandedIndex } from './expanded';
import { MODEL_INFO_FILE, onnxFile, parseModelInfo } from './model-info';
import { getModel, type ModelSpec } from './registry';
import { RUNTIME_FILES, type RuntimeBuild } from './runtime';

export type Device = 'cpu' | 'wasm' | 'webgpu';

export interface EmbedOptions {
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** The parts of a WebGPU GPUDevice watched here (the DOM typings have no WebGPU). */
export interface GpuDevice {
  readonly lost: Promise<{ reason: string; message: string }>;
  destroy(): void;
}

/** Where the last embed() call spent its time, summed over its batches (performance.now() ms). */
export interface EmbedTimings {
  /** tokenising, truncating and packing the input tensors */
  tokenizeMs: number;
  /** onnxruntime's session.run alone */
  sessionRunMs: number;
  /** transformers.js' model call around session.run (input checks, tensor wrapping, its run queue) */
  pipelineMs: number;
  /** mean pooling and L2 normalisation */
  poolMs: number;
  /** the whole embed() call */
  totalMs: number;
  batches: number;
}

export interface Embedder {
  readonly spec: ModelSpec;
  /** timings of the most recent embed() call that finished */
  readonly lastTimings: EmbedTimings | null;
  readonly device: Device;
  /** WebGPU only: the device onnxruntime-web runs on, whose `lost` settles when the GPU goes away. */
  readonly gpu?: GpuDevice;
  /** rows L2-normalised, returned as ONE Float32Array of length texts.length * spec.dims */
  embed(texts: string[], kind: 'query' | 'passage', options?: EmbedOptions): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export interface EmbedderConfig {
  spec?: ModelSpec; // default getModel()
  device?: Device; // Node: 'cpu' (onnxruntime-node); browser: 'wasm' | 'webgpu'
  modelBase: string; // Node: absolute path of public/models/ ; browser: '/models/' URL path
  wasmPaths?: string; // browser: URL prefix of the self-hosted onnxruntime-web files ('/ort/')
  /**
   * browser: WASM threads; unset, onnxruntime-web picks ceil(cores / 2), at most 4.
   * Node: onnxruntime-node's intraOpNumThreads; unset, onnxruntime picks (one per physical core).
   */
  threads?: number;
  /**
   * browser: which onnxruntime-web build runs the model. WebGPU needs 'asyncify' (the build the
   * transformers.js bundle names); on WASM the default is 'plain', the build without WebGPU.
   * The runtime is chosen once per worker, by its first embedder.
   */
  runtime?: RuntimeBuild;
  onDownloadProgress?: (p: { file: string; loaded: number; total: number }) => void;
  /**
   * browser, WASM: run the graph set-up saved with its weights folded (src/embed/expanded.ts)
   * instead of folding them at load. Default true; where those files are missing or fail, the
   * installed ONNX file is loaded as before.
   */
  expanded?: boolean;
}

const IS_NODE = typeof process !== 'undefined' && !!process.versions?.node;

/**
 * Measured in Node (2 cores, all-MiniLM-L6-v2 q8) on 64 seed chunks of 150-800 characters:
 * batch 1: 2.1-3.1 s, 4: 1.6 s, 8: 1.7-1.8 s, 16: 2.0-2.2 s, 32: 2.8 s. Bigger batches lose to
 * the memory traffic of their attention tensors; short uniform texts gain only ~10% from 8 to 64.
 * 8 is close to best for both, and keeps progress and cancel responsive in the browser.
 */
export const DEFAULT_BATCH_SIZE = 8;

interface Encoded {
  input_ids: Tensor;
  attention_mask: Tensor;
  token_type_ids: Tensor;
}

interface RunnableSession {
  run(...args: unknown[]): Promise<unknown>;
}

/** The parts of transformers.js' feature-extraction pipeline this module uses. */
interface LoadedPipeline {
  tokenizer: {
    (texts: string[], options: { add_special_tokens: boolean; return_tensor: false }): {
      input_ids: number[][];
      attention_mask: number[][];
      token_type_ids?: number[][];
    };
    pad_token_id: number;
  };
  model: ((inputs: Encoded) => Promise<{ last_hidden_state: Tensor }>) & { sessions?: Record<string, RunnableSession> };
  dispose(): Promise<void>;
}

function abortError(signal: AbortSignal): DOMException {
  const reason: unknown = signal.reason;
  if (reason instanceof DOMException && reason.name === 'AbortError') return reason;
  return new DOMException('Embedding was cancelled', 'AbortError');
}

type Fetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

interface BufferedResponse {
  status: number;
  statusText: string;
  headers: Headers;
  body: ArrayBuffer;
}

/**
 * Browser only, while a model loads: one network read per model file. transformers.js fetches
 * every local file twice (a whole-file GET to learn its size, then the real one) and leaves the
 * first body unread; Chromium then fails the second with ERR_CACHE_WRITE_FAILURE, and the model
 * would download twice. Here both calls get a Response over the same bytes, and download progress
 * is reported while those bytes arrive. Returns the function that restores env.fetch.
 */
function shareModelFetches(modelUrl: string, onProgress: EmbedderConfig['onDownloadProgress']): () => void {
  const original = env.fetch as Fetch;
  const reads = new Map<string, Promise<BufferedResponse>>();

  async function read(url: string, init?: RequestInit): Promise<BufferedResponse> {
    const res = await original(url, init);
    const body = await readBody(res, url.slice(modelUrl.length), Number(res.headers.get('content-length')) || 0, onProgress);
    const headers = new Headers(res.headers);
    // The bytes are already decoded; say how many there are.
    headers.delete('content-encoding');
    headers.set('content-length', String(body.byteLength));
    return { status: res.status, statusText: res.statusText, headers, body: body.buffer as ArrayBuffer };
  }

  env.fetch = ((input: string | URL, init?: RequestInit) => {
    const url = new URL(String(input), self.location.href).href;
    const method = init?.method ?? 'GET';
    if (!url.startsWith(modelUrl) || method !== 'GET' || new Headers(init?.headers).has('Range')) return original(input, init);
    let pending = reads.get(url);
    if (!pending) {
      pending = read(url, init);
      reads.set(url, pending);
    }
    return pending.then((r) => new Response(r.status === 204 ? null : r.body.slice(0), { status: r.status, statusText: r.statusText, headers: r.headers }));
  }) as typeof env.fetch;
  return () => {
    env.fetch = original;
    reads.clear();
  };
}

function configureEnvironment(config: EmbedderConfig, device: Device): void {
  // The model and the runtime come from our own origin or disk, never from the hub or a CDN.
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = config.modelBase;
  if (!IS_NODE) {
    if (!config.wasmPaths) {
      throw new Error('createEmbedder: wasmPaths is required in the browser (else onnxruntime-web loads from a CDN).');
    }
    const onnx = env.backends.onnx as { wasm?: { wasmPaths?: unknown; numThreads?: number } };
    if (onnx.wasm) {
      const build = device === 'webgpu' ? 'asyncify' : (config.runtime ?? 'plain');
      const files = RUNTIME_FILES[build];
      onnx.wasm.wasmPaths = { mjs: `${config.wasmPaths}${files.mjs}`, wasm: `${config.wasmPaths}${files.wasm}` };
      // Read once, when the runtime first starts in this worker.
      if (config.threads !== undefined) onnx.wasm.numThreads = Math.max(1, Math.floor(config.threads));
    }
    // The service worker caches model files under content hashes; transformers.js' own URL-keyed
    // cache would keep serving old weights after a model change, so it stays off.
    env.useBrowserCache = false;
    // With wasmPaths given as files, transformers.js would otherwise fetch the runtime itself: the
    // .wasm as bytes (compiled without streaming) and the .mjs re-served as a blob: URL, which a
    // CSP without blob: forbids. Off, onnxruntime-web loads both from our origin, streaming.
    env.useWasmCache = false;
  }
}

/**
 * Tokenises one batch; texts longer than maxTokens keep their first maxTokens - 1 tokens plus the
 * final special token ([SEP] for the BERT models in the registry), as the HF tokenizers do.
 */
function encode(pipe: LoadedPipeline, texts: string[], maxTokens: number): Encoded {
  const enc = pipe.tokenizer(texts, { add_special_tokens: true, return_tensor: false });
  const rows = texts.map((_, i) => {
    let ids = enc.input_ids[i];
    let types = enc.token_type_ids?.[i] ?? ids.map(() => 0);
    if (ids.length > maxTokens) {
      ids = [...ids.slice(0, maxTokens - 1), ids[ids.length - 1]];
      types = [...types.slice(0, maxTokens - 1), types[types.length - 1]];
    }
    return { ids, types };
  });
  const width = Math.max(...rows.map((r) => r.ids.length));
  const size = texts.length * width;
  const ids = new BigInt64Array(size).fill(BigInt(pipe.tokenizer.pad_token_id ?? 0));
  const mask = new BigInt64Array(size);
  const types = new BigInt64Array(size);
  rows.forEach((r, i) => {
    for (let j = 0; j < r.ids.length; j++) {
      ids[i * width + j] = BigInt(r.ids[j]);
      mask[i * width + j] = 1n;
      types[i * width + j] = BigInt(r.types[j]);
    }
  });
  const dims = [texts.length, width];
  return {
    input_ids: new Tensor('int64', ids, dims),
    attention_mask: new Tensor('int64', mask, dims),
    token_type_ids: new Tensor('int64', types, dims),
  };
}

/**
 * A response's body with progress as it arrives, into one buffer of the expected size (grown if
 * more comes); `total` is the larger of that size and what has arrived.
 */
async function readBody(res: Response, file: string, bytes: number, onProgress: EmbedderConfig['onDownloadProgress']): Promise<Uint8Array> {
  let body = new Uint8Array(bytes);
  let loaded = 0;
  const reader = res.body?.getReader();
  for (;;) {
    if (!reader) break;
    const { done, value } = await reader.read();
    if (done) break;
    if (loaded + value.byteLength > body.byteLength) {
      const grown = new Uint8Array(Math.max(2 * body.byteLength, loaded + value.byteLength));
      grown.set(body.subarray(0, loaded));
      body = grown;
    }
    body.set(value, loaded);
    loaded += value.byteLength;
    onProgress?.({ file, loaded, total: Math.max(bytes, loaded) });
  }
  return loaded === body.byteLength ? body : body.slice(0, loaded);
}

/**
 * Reads one file of a known size with progress, as shareModelFetches does for transformers.js' own
 * reads. The size comes from the caller: the Content-Length of a compressed response is not the
 * size of what the body yields.
 */
export async function readWithProgress(url: string, file: string, bytes: number, onProgress: EmbedderConfig['onDownloadProgress']): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return readBody(res, file, bytes, onProgress);
}

/**
 * Browser: the expanded graph's external weights, rebuilt from the pack (src/embed/expanded.ts).
 * Refused unless the index was made from the very ONNX file installed (its sha256 in
 * paperscope-model.json): the vectors' fingerprint names that file.
 */
async function loadExpanded(modelUrl: string, spec: ModelSpec, onProgress: EmbedderConfig['onDownloadProgress']): Promise<{ path: string; data: Uint8Array }> {
  const [indexRes, infoRes] = await Promise.all([fetch(`${modelUrl}${EXPANDED_INDEX}`), fetch(`${modelUrl}${MODEL_INFO_FILE}`)]);
  if (!indexRes.ok) throw new Error(`${EXPANDED_INDEX}: HTTP ${indexRes.status}`);
  if (!infoRes.ok) throw new Error(`${MODEL_INFO_FILE}: HTTP ${infoRes.status}`);
  const index = parseExpandedIndex(await indexRes.json(), EXPANDED_INDEX);
  const info = parseModelInfo(await infoRes.json(), MODEL_INFO_FILE);
  const installed = info.files[onnxFile(spec.dtype)]?.sha256;
  if (index.source.sha256 !== installed) {
    throw new Error(`${EXPANDED_INDEX} was made from weights ${index.source.sha256.slice(0, 12)}…, not the installed ${String(installed).slice(0, 12)}…`);
  }
  const packFile = `onnx/${index.pack.path}`;
  const pack = await readWithProgress(`${modelUrl}${packFile}`, packFile, index.pack.bytes, onProgress);
  return { path: index.weights.path, data: expandWeights(index, pack) };
}

export async function createEmbedder(config: EmbedderConfig): Promise<Embedder> {
  const spec = config.spec ?? getModel();
  const device: Device = config.device ?? (IS_NODE ? 'cpu' : 'wasm');
  configureEnvironment(config, device);
  const useExpanded = !IS_NODE && device === 'wasm' && config.expanded !== false;
  try {
    return await makeEmbedder(config, spec, device, useExpanded);
  } catch (err) {
    if (!useExpanded) throw err;
    console.warn(`Paperscope: the expanded model did not load (${(err as Error).message}); folding the installed file's weights at load instead.`);
    return makeEmbedder(config, spec, device, false);
  }
}

async function makeEmbedder(config: EmbedderConfig, spec: ModelSpec, device: Device, useExpanded: boolean): Promise<Embedder> {
  let pipe: LoadedPipeline;
  const modelUrl = IS_NODE ? '' : new URL(`${config.modelBase}${spec.id}/`, self.location.href).href;
  const restoreFetch = IS_NODE ? () => undefined : shareModelFetches(modelUrl, config.onDownloadProgress);
  // The pack is read and expanded while transformers.js fetches the graph and builds the
  // tokenizer: its getModelDataFiles resolves each externalData entry with an async map, so a
  // promise given as the entry is awaited there (a missing or refused pack fails the load there,
  // before any session is created).
  const external = useExpanded ? loadExpanded(modelUrl, spec, config.onDownloadProgress) : null;
  external?.catch(() => undefined);
  const sessionOptions = external
    ? // the graph is optimised already (set-up, level "extended"): nothing left for onnxruntime-web to do
      { session_options: { externalData: [external], graphOptimizationLevel: 'disabled' } }
    : IS_NODE && config.threads !== undefined
      ? { session_options: { intraOpNumThreads: Math.max(1, Math.floor(config.threads)) } }
      : {};
  try {
    pipe = (await pipeline('feature-extraction', spec.id, {
      ...(external ? { dtype: 'fp32', model_file_name: 'expanded' } : { dtype: spec.dtype }),
      device,
      ...(sessionOptions as object),
      // In the browser, shareModelFetches reports progress as the bytes arrive; given a callback,
      // transformers.js would first read every file it expects (for sizes) before loading any.
      ...(IS_NODE
        ? {
            progress_callback: (p: { status: string; file?: string; loaded?: number; total?: number }) => {
              if (p.status === 'progress' && p.file && config.onDownloadProgress) {
                config.onDownloadProgress({ file: p.file, loaded: p.loaded ?? 0, total: p.total ?? 0 });
              }
            },
          }
        : {}),
    })) as unknown as LoadedPipeline;
  } catch (err) {
    const where = `${config.modelBase}${config.modelBase.endsWith('/') ? '' : '/'}${spec.id}/`;
    throw new Error(
      `Could not load model ${spec.id} (${spec.dtype}, ${device}) from ${where}: ${(err as Error).message}. ` +
        'Install it with "npm run setup:model".',
      { cause: err },
    );
  } finally {
    restoreFetch();
  }

  let gpu: GpuDevice | undefined;
  if (device === 'webgpu') {
    const webgpu = (env.backends.onnx as { webgpu?: { device?: Promise<GpuDevice> } }).webgpu;
    gpu = await webgpu?.device;
  }

  // session.run is timed where transformers.js calls it, so the pipeline's share can be told apart.
  let sessionRunMs = 0;
  const session = pipe.model.sessions?.model;
  if (session) {
    const run = session.run.bind(session);
    session.run = async (...args: unknown[]) => {
      const t = performance.now();
      try {
        return await run(...args);
      } finally {
        sessionRunMs += performance.now() - t;
      }
    };
  }
  let lastTimings: EmbedTimings | null = null;

  async function embedBatch(texts: string[], timings: EmbedTimings): Promise<Float32Array> {
    let t = performance.now();
    const inputs = encode(pipe, texts, spec.maxTokens);
    timings.tokenizeMs += performance.now() - t;
    t = performance.now();
    const runBefore = sessionRunMs;
    const { last_hidden_state: hidden } = await pipe.model(inputs);
    const modelMs = performance.now() - t;
    timings.sessionRunMs += sessionRunMs - runBefore;
    timings.pipelineMs += modelMs - (sessionRunMs - runBefore);
    if (hidden.dims[2] !== spec.dims) {
      throw new Error(`Model ${spec.id} returned ${hidden.dims[2]}-d vectors; the registry says ${spec.dims}.`);
    }
    t = performance.now();
    const pooled = spec.pooling === 'mean' ? mean_pooling(hidden, inputs.attention_mask) : hidden.slice(null, 0);
    const rows = pooled.normalize(2, -1).data as Float32Array;
    hidden.dispose();
    timings.poolMs += performance.now() - t;
    timings.batches++;
    return rows;
  }


  return {
    spec,
    device,
    gpu,
    get lastTimings() {
      return lastTimings;
    },
    async embed(texts, kind, options = {}) {
      const t0 = performance.now();
      const timings: EmbedTimings = { tokenizeMs: 0, sessionRunMs: 0, pipelineMs: 0, poolMs: 0, totalMs: 0, batches: 0 };
      const { onProgress, signal } = options;
      const batchSize = Math.max(1, Math.floor(options.batchSize ?? DEFAULT_BATCH_SIZE));
      const prefix = kind === 'query' ? spec.queryPrefix : spec.passagePrefix;
      texts.forEach((t, i) => {
        if (typeof t !== 'string') throw new TypeError(`embed: texts[${i}] is ${typeof t}, not a string`);
      });
      const out = new Float32Array(texts.length * spec.dims);
      // Similar lengths in one batch means little padding; the original order is restored below.
      const order = texts.map((_, i) => i).sort((a, b) => texts[b].length - texts[a].length);
      for (let start = 0; start < order.length; start += batchSize) {
        if (signal?.aborted) throw abortError(signal);
        const rowsOf = order.slice(start, start + batchSize);
        const rows = await embedBatch(rowsOf.map((i) => prefix + texts[i]), timings);
        rowsOf.forEach((original, r) => {
          out.set(rows.subarray(r * spec.dims, (r + 1) * spec.dims), original * spec.dims);
        });
        onProgress?.(Math.min(start + batchSize, order.length), order.length);
      }
      timings.totalMs = performance.now() - t0;
      lastTimings = timings;
      return out;
    },
    async dispose() {
      await pipe.dispose();
    },
  };
}
