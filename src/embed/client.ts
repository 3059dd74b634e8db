/** Main-thread API over the inference worker: promises, download progress, cancel. */
import type { Backend, BackendPreference, InitPayload, ProbeResult, WorkerRequest, WorkerResponse } from './protocol';

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
  resolve: (v: Float32Array) => void;
  reject: (e: Error) => void;
}

export class EmbedClient {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private readyWaiter: { resolve: (r: ReadyInfo) => void; reject: (e: Error) => void } | null = null;
  onDownload: (p: DownloadProgress) => void = () => {};
  onBackendChange: (backend: Backend, reason: string) => void = () => {};

  constructor(private readonly worker: Worker) {
    worker.onmessage = (event: MessageEvent<WorkerResponse>) => this.receive(event.data);
    worker.onerror = (event) => {
      const err = new Error(`Inference worker failed: ${event.message || 'unknown error'}`);
      this.readyWaiter?.reject(err);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
  }

  init(payload: InitPayload): Promise<ReadyInfo> {
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
      this.pending.set(id, { resolve, reject });
      options.signal?.addEventListener('abort', () => this.send({ type: 'cancel', id }), { once: true });
      this.send({ type: 'embed', id, payload: { texts, kind, priority: options.priority ?? 0 } });
    });
  }

  terminate(): void {
    this.worker.terminate();
    const err = new DOMException('worker terminated', 'AbortError');
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
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
      case 'backend':
        this.onBackendChange(msg.payload.backend, msg.payload.reason);
        break;
      case 'result': {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
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
