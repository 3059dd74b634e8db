/// <reference lib="webworker" />
/**
 * The inference worker: owns the model, runs one inference at a time, queries before passages.
 * WebGPU is used only where a short probe shows it faster than WASM. When the WebGPU device is
 * lost, or an inference on it fails, the worker says so ('gpu-lost') and stops answering: a run on
 * a lost device may never settle (seen under SwiftShader: a destroyed device left the query hanging),
 * so the client replaces this worker with a fresh one on WASM and sends it the unanswered jobs.
 */
import { createEmbedder, type Embedder } from './embedder';
import { webgpuAdapter } from './gpu-adapter';
import { getModel } from './registry';
import type { Backend, InitPayload, ProbeResult, WorkerRequest, WorkerResponse, WorkerTimings } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

interface Job {
  id: number;
  texts: string[];
  kind: 'query' | 'passage';
  priority: number;
  controller: AbortController;
  /** performance.now() when the message arrived */
  received: number;
}

let init: InitPayload | null = null;
let embedder: Embedder | null = null;
let ready: Promise<void> | null = null;
const queue: Job[] = [];
let running: Job | null = null;
let gpuLost = false;

const PROBE_TEXTS = Array.from({ length: 8 }, (_, i) =>
  `Self-supervised speech representations transfer to low-resource recognition tasks, sample ${i}.`,
);

function post(message: WorkerResponse, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

async function load(backend: Backend): Promise<Embedder> {
  if (!init) throw new Error('worker used before init');
  return createEmbedder({
    spec: getModel(init.modelId),
    device: backend,
    modelBase: init.modelBase,
    wasmPaths: init.wasmPaths,
    threads: threadCount(init),
    runtime: init.runtime,
    expanded: init.expanded,
    onDownloadProgress: (p) => post({ type: 'download', payload: p }),
  });
}

/**
 * Threads need SharedArrayBuffer, i.e. cross-origin isolation; without it ORT runs one. Otherwise
 * half the cores (onnxruntime-web's own default), at most 4, but at least 2 where there are 2:
 * on the 2-core bench machine, quiet, 2 threads embedded the seed passages 1.83x as fast as ORT's
 * 1 (3 alternating rounds, p50 3509 vs 6428 ms). Under heavy load from other processes (load
 * average 6-12) 1 thread had won by 1.24x; a user's machine is rarely that busy.
 */
function threadCount(payload: InitPayload): number {
  if (!self.crossOriginIsolated) return 1;
  const cores = navigator.hardwareConcurrency || 1;
  return payload.threads ?? (cores < 2 ? 1 : Math.min(4, Math.max(2, Math.ceil(cores / 2))));
}

async function timeEmbedding(e: Embedder): Promise<number> {
  await e.embed(PROBE_TEXTS.slice(0, 2), 'passage'); // warm-up: shader compilation, allocation
  const t0 = performance.now();
  await e.embed(PROBE_TEXTS, 'passage');
  return performance.now() - t0;
}

async function start(payload: InitPayload): Promise<void> {
  init = payload;
  const threads = threadCount(payload);
  const pref = payload.preference;
  const wantGpu = pref === 'webgpu' || (pref === 'auto' && payload.rememberedBackend !== 'wasm');
  if (wantGpu && (await webgpuAdapter())) {
    try {
      const gpu = await load('webgpu');
      if (pref === 'webgpu' || payload.rememberedBackend === 'webgpu') {
        embedder = gpu;
        watchGpu(gpu);
        post({ type: 'ready', payload: { backend: 'webgpu', reason: pref === 'webgpu' ? 'requested' : 'faster on this device (remembered)', threads } });
        return;
      }
      const probe: ProbeResult = { webgpuMs: await timeEmbedding(gpu), wasmMs: 0 };
      const cpu = await load('wasm');
      probe.wasmMs = await timeEmbedding(cpu);
      if (probe.webgpuMs < probe.wasmMs) {
        await cpu.dispose();
        embedder = gpu;
        watchGpu(gpu);
      } else {
        await gpu.dispose();
        embedder = cpu;
      }
      const backend = embedder.device as Backend;
      post({ type: 'ready', payload: { backend, reason: `probe: WebGPU ${probe.webgpuMs.toFixed(0)} ms, WASM ${probe.wasmMs.toFixed(0)} ms`, probe, threads } });
      return;
    } catch (err) {
      embedder = null;
      const reason = `WebGPU failed (${(err as Error).message}); using WASM`;
      embedder = await load('wasm');
      post({ type: 'ready', payload: { backend: 'wasm', reason, threads } });
      return;
    }
  }
  embedder = await load('wasm');
  const reason = pref === 'wasm' ? 'requested' : wantGpu ? 'no WebGPU adapter' : 'WASM measured faster on this device (remembered)';
  post({ type: 'ready', payload: { backend: 'wasm', reason, threads } });
}

function reportGpuLost(message: string): void {
  if (gpuLost) return;
  gpuLost = true;
  post({ type: 'gpu-lost', payload: { message } });
}

/** Reports the loss of the device the chosen WebGPU embedder runs on, whenever it happens. */
function watchGpu(e: Embedder): void {
  void e.gpu?.lost.then((info) => {
    if (embedder === e) reportGpuLost(`WebGPU device lost: ${(info.message || info.reason || 'no reason given').replace(/\.$/, '')}`);
  });
}

async function runJob(job: Job): Promise<void> {
  try {
    await ready;
    if (!embedder) throw new Error('model not loaded');
    const started = performance.now();
    let vectors: Float32Array;
    try {
      vectors = await embedder.embed(job.texts, job.kind, { signal: job.controller.signal });
    } catch (err) {
      if ((err as Error).name === 'AbortError' || embedder.device !== 'webgpu') throw err;
      reportGpuLost(`WebGPU inference failed: ${(err as Error).message.replace(/\.$/, '')}`);
      return; // unanswered: the client sends this job to the WASM worker that replaces this one
    }
    if (gpuLost) return;
    const spent = embedder.lastTimings ?? { tokenizeMs: 0, sessionRunMs: 0, pipelineMs: 0, poolMs: 0, totalMs: 0, batches: 0 };
    const timings: WorkerTimings = { ...spent, queuedMs: started - job.received, workerMs: performance.now() - job.received };
    post({ type: 'result', id: job.id, payload: { vectors, timings } }, [vectors.buffer]);
  } catch (err) {
    const e = err as Error;
    post({ type: 'error', id: job.id, payload: { name: e.name ?? 'Error', message: e.message ?? String(err) } });
  }
}

async function pump(): Promise<void> {
  if (running) return;
  while (queue.length > 0 && !gpuLost) {
    queue.sort((a, b) => b.priority - a.priority || a.id - b.id);
    running = queue.shift()!;
    await runJob(running);
    running = null;
  }
}

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const msg = event.data;
  switch (msg.type) {
    case 'init':
      ready = start(msg.payload).catch((err: Error) => {
        post({ type: 'error', payload: { name: err.name ?? 'Error', message: err.message ?? String(err) } });
        throw err;
      });
      ready.catch(() => undefined);
      break;
    case 'embed':
      queue.push({ id: msg.id, ...msg.payload, controller: new AbortController(), received: performance.now() });
      void pump();
      break;
    case 'lose-gpu':
      embedder?.gpu?.destroy();
      break;
    case 'cancel': {
      const i = queue.findIndex((j) => j.id === msg.id);
      if (i >= 0) {
        const [job] = queue.splice(i, 1);
        post({ type: 'error', id: job.id, payload: { name: 'AbortError', message: 'cancelled' } });
      } else if (running?.id === msg.id) {
        running.controller.abort();
      }
      break;
    }
  }
};
