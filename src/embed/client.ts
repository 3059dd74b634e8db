/**
 * Main-thread API over the inference worker: promises, download progress, cancel, and recovery
 * when the GPU goes away (the worker is replaced by one on WASM and the unanswered jobs resent).
 */
import type { Backend, InitPayload, ProbeResult, WorkerRequest, WorkerResponse, WorkerTimings } from './protocol';

export interface ReadyInfo {
  backend: Backend;
  reason: string;
  probe?: ProbeResult;
  threads: number;
}

export interface DownloadProgress {
  file: string;
  loaded: number;
  total: number;
}

interface Pending {
  request: Extract<WorkerRequest, { type: 'embed' }>;
  resolve: (v: Float32Array) => void;
  reject: (e: Error) => void;
}

/** The app's inference worker (worker.ts); Vite bundles it from this one place. */
export function spawnInferenceWorker(): Worker {
  return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
}

export class EmbedClient {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private readyWaiter: { resolve: (r: ReadyInfo) => void; reject: (e: Error) => void } | null = null;
  private worker: Worker;
  private initPayload: InitPayload | null = null;
  onDownload: (p: DownloadProgress) => void = () => {};
  /** where the most recently answered job spent its time in the worker */
  lastTimings: WorkerTimings | null = null;
  /** The backend changed after init: the WebGPU device was lost and WASM took over. */
  onBackendChange: (backend: Backend, reason: string) => void = () => {};

  /** `spawn` starts an inference worker; it is called again if the GPU is lost. */
  constructor(private readonly spawn: () => Worker = spawnInferenceWorker) {
    this.worker = this.attach(spawn());
  }

  init(payload: InitPayload): Promise<ReadyInfo> {
    this.initPayload = payload;
    return new Promise((resolve, reject) => {
      this.readyWaiter = { resolve, reject };
      this.send({ type: 'init', payload });
    });
  }

  /** Embeds texts; queries should pass a higher priority so they jump ahead of corpus batches. */
  embed(texts: string[], kind: 'query' | 'passage', options: { priority?: number; signal?: AbortSignal } = {}): Promise<Float32Array> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(new DOMException('cancelled', 'AbortError'));
        return;
      }
      const request: Pending['request'] = { type: 'embed', id, payload: { texts, kind, priority: options.priority ?? 0 } };
      this.pending.set(id, { request, resolve, reject });
      options.signal?.addEventListener('abort', () => this.send({ type: 'cancel', id }), { once: true });
      this.send(request);
    });
  }

  /** Test hook: makes the worker destroy its WebGPU device (no effect on WASM). */
  loseGpu(): void {
    this.send({ type: 'lose-gpu' });
  }

  terminate(): void {
    this.worker.terminate();
    this.failAll(new DOMException('worker terminated', 'AbortError'));
  }

  private attach(worker: Worker): Worker {
    worker.onmessage = (event: MessageEvent<WorkerResponse>) => {
      if (worker === this.worker) this.receive(event.data);
    };
    worker.onerror = (event) => {
      if (worker !== this.worker) return;
      this.failAll(new Error(`Inference worker failed: ${event.message || 'unknown error'}`));
    };
    return worker;
  }

  private failAll(err: Error): void {
    const waiter = this.readyWaiter;
    this.readyWaiter = null;
    waiter?.reject(err);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  /**
   * The old worker may hold a run that never settles, so it is ended, not reused. The new one
   * loads the model on WASM (from the HTTP or service-worker cache) and gets every job not yet
   * answered, under the same ids, so results and cancels still find their callers.
   */
  private replaceWithWasm(message: string): void {
    const payload = this.initPayload;
    if (!payload) return;
    this.worker.terminate();
    this.worker = this.attach(this.spawn());
    const reason = `${message}. Switched to WASM (CPU); searching and embedding go on.`;
    const initial = this.readyWaiter; // lost before init even answered: init answers with WASM
    this.readyWaiter = {
      resolve: (ready) => (initial ? initial.resolve({ ...ready, reason }) : this.onBackendChange('wasm', reason)),
      reject: (err) => this.failAll(new Error(`${message}, and WASM failed to load: ${err.message}`)),
    };
    this.send({ type: 'init', payload: { ...payload, preference: 'wasm', rememberedBackend: undefined } });
    for (const p of this.pending.values()) this.send(p.request);
  }

  private send(message: WorkerRequest): void {
    this.worker.postMessage(message);
  }

  private receive(msg: WorkerResponse): void {
    switch (msg.type) {
      case 'download':
        this.onDownload(msg.payload);
        break;
      case 'ready':
        this.readyWaiter?.resolve(msg.payload);
        this.readyWaiter = null;
        break;
      case 'gpu-lost':
        this.replaceWithWasm(msg.payload.message);
        break;
      case 'result': {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        this.lastTimings = msg.payload.timings;
        p?.resolve(msg.payload.vectors);
        break;
      }
      case 'error': {
        const error = msg.payload.name === 'AbortError'
          ? new DOMException(msg.payload.message, 'AbortError')
          : Object.assign(new Error(msg.payload.message), { name: msg.payload.name });
        if (msg.id === undefined) {
          this.readyWaiter?.reject(error);
          this.readyWaiter = null;
        } else {
          const p = this.pending.get(msg.id);
          this.pending.delete(msg.id);
          p?.reject(error);
        }
        break;
      }
    }
  }
}
