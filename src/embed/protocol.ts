/** Typed messages between the page (client.ts) and the inference worker (worker.ts). */
import type { EmbedTimings } from './embedder';
import type { RuntimeBuild } from './runtime';

export type Backend = 'wasm' | 'webgpu';
export type BackendPreference = Backend | 'auto';

export interface InitPayload {
  modelId: string;
  modelBase: string;
  wasmPaths: string;
  preference: BackendPreference;
  /** A previous probe's verdict for this device, so the probe runs once. */
  rememberedBackend?: Backend;
  /** WASM threads; default when cross-origin isolated: half the cores, at least 2, at most 4; else 1. */
  threads?: number;
  /** onnxruntime-web build on WASM; default 'plain' (the benchmark compares 'asyncify'). */
  runtime?: RuntimeBuild;
  /** WASM: run set-up's expanded graph (src/embed/expanded.ts); default true. */
  expanded?: boolean;
}

export interface ProbeResult {
  webgpuMs: number;
  wasmMs: number;
}

export type WorkerRequest =
  | { type: 'init'; payload: InitPayload }
  | { type: 'embed'; id: number; payload: { texts: string[]; kind: 'query' | 'passage'; priority: number } }
  | { type: 'cancel'; id: number }
  /** Test hook: destroys the WebGPU device, as a driver reset or a GPU unplugged would. */
  | { type: 'lose-gpu' };

export type WorkerResponse =
  | { type: 'download'; payload: { file: string; loaded: number; total: number } }
  | { type: 'ready'; payload: { backend: Backend; reason: string; probe?: ProbeResult; threads: number } }
  /**
   * The WebGPU device was lost or an inference on it failed. This worker answers nothing more:
   * its runtime may never settle a run on a lost device. The client replaces it with a WASM one.
   */
  | { type: 'gpu-lost'; payload: { message: string } }
  | { type: 'result'; id: number; payload: { vectors: Float32Array; timings: WorkerTimings } }
  | { type: 'error'; id?: number; payload: { name: string; message: string } };

/** Where a job's time went inside the worker (the worker's clock, ms). */
export interface WorkerTimings extends EmbedTimings {
  /** message received → its run started (waiting behind other jobs or the model load) */
  queuedMs: number;
  /** message received → result posted */
  workerMs: number;
}
