/**
 * EmbedClient's recovery when the GPU goes away: the worker that lost its WebGPU device is ended
 * (a run on a lost device may never settle), a WASM worker takes over, and every job not yet
 * answered is answered by it. The workers here are scripted; the real ones are in tests/e2e.
 */
import { describe, expect, it } from 'vitest';
import { EmbedClient } from '../../src/embed/client';
import type { InitPayload, WorkerRequest, WorkerResponse, WorkerTimings } from '../../src/embed/protocol';

const TIMINGS: WorkerTimings = { tokenizeMs: 0, sessionRunMs: 0, pipelineMs: 0, poolMs: 0, totalMs: 0, batches: 1, queuedMs: 0, workerMs: 0 };

class ScriptedWorker {
  received: WorkerRequest[] = [];
  terminated = false;
  onmessage: ((e: { data: WorkerResponse }) => void) | null = null;
  onerror: ((e: { message: string }) => void) | null = null;
  postMessage(m: WorkerRequest): void {
    this.received.push(m);
  }
  terminate(): void {
    this.terminated = true;
  }
  say(m: WorkerResponse): void {
    this.onmessage?.({ data: m });
  }
  embeds(): number[] {
    return this.received.flatMap((m) => (m.type === 'embed' ? [m.id] : []));
  }
}

const INIT: InitPayload = { modelId: 'm', modelBase: '/models/', wasmPaths: '/ort/', preference: 'auto', rememberedBackend: 'webgpu' };

function setUp() {
  const workers: ScriptedWorker[] = [];
  const client = new EmbedClient(() => {
    const w = new ScriptedWorker();
    workers.push(w);
    return w as unknown as Worker;
  });
  const changes: [string, string][] = [];
  client.onBackendChange = (backend, reason) => changes.push([backend, reason]);
  return { client, workers, changes };
}

const vec = (x: number) => new Float32Array([x, x]);

describe('EmbedClient when the WebGPU device is lost', () => {
  it('moves to a WASM worker and answers every unanswered job there, once', async () => {
    const { client, workers, changes } = setUp();
    const ready = client.init(INIT);
    workers[0].say({ type: 'ready', payload: { backend: 'webgpu', reason: 'remembered', threads: 1 } });
    expect((await ready).backend).toBe('webgpu');

    const a = client.embed(['a'], 'passage');
    const b = client.embed(['b'], 'passage');
    const q = client.embed(['q'], 'query', { priority: 10 });
    const [idA, idB, idQ] = workers[0].embeds();
    workers[0].say({ type: 'result', id: idA, payload: { vectors: vec(1), timings: TIMINGS } });
    expect(Array.from(await a)).toEqual([1, 1]);

    workers[0].say({ type: 'gpu-lost', payload: { message: 'WebGPU device lost: destroyed' } });
    expect(workers[0].terminated).toBe(true);
    expect(workers).toHaveLength(2);
    const init = workers[1].received[0];
    expect(init).toMatchObject({ type: 'init', payload: { preference: 'wasm', modelId: 'm' } });
    expect(init.type === 'init' && init.payload.rememberedBackend).toBeUndefined();
    // the answered job is not sent again; the others keep their ids, kinds and priorities
    expect(workers[1].embeds()).toEqual([idB, idQ]);
    expect(workers[1].received.find((m) => m.type === 'embed' && m.id === idQ)).toMatchObject({ payload: { kind: 'query', priority: 10 } });

    workers[1].say({ type: 'ready', payload: { backend: 'wasm', reason: 'requested', threads: 1 } });
    expect(changes).toEqual([['wasm', 'WebGPU device lost: destroyed. Switched to WASM (CPU); searching and embedding go on.']]);
    // a late word from the ended worker is ignored
    workers[0].say({ type: 'result', id: idB, payload: { vectors: vec(9), timings: TIMINGS } });
    workers[1].say({ type: 'result', id: idB, payload: { vectors: vec(2), timings: TIMINGS } });
    workers[1].say({ type: 'result', id: idQ, payload: { vectors: vec(3), timings: TIMINGS } });
    expect(Array.from(await b)).toEqual([2, 2]);
    expect(Array.from(await q)).toEqual([3, 3]);

    // and later jobs go to the WASM worker
    const c = client.embed(['c'], 'passage');
    expect(workers[0].embeds()).toHaveLength(3);
    const [idC] = workers[1].embeds().slice(-1);
    workers[1].say({ type: 'result', id: idC, payload: { vectors: vec(4), timings: TIMINGS } });
    expect(Array.from(await c)).toEqual([4, 4]);
  });

  it('a cancel after the switch reaches the WASM worker', async () => {
    const { client, workers } = setUp();
    const ready = client.init(INIT);
    workers[0].say({ type: 'ready', payload: { backend: 'webgpu', reason: 'remembered', threads: 1 } });
    await ready;
    const stop = new AbortController();
    const job = client.embed(['a'], 'passage', { signal: stop.signal });
    workers[0].say({ type: 'gpu-lost', payload: { message: 'WebGPU inference failed: x' } });
    stop.abort();
    const [id] = workers[1].embeds();
    expect(workers[1].received.at(-1)).toEqual({ type: 'cancel', id });
    workers[1].say({ type: 'error', id, payload: { name: 'AbortError', message: 'cancelled' } });
    await expect(job).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('lost before init answered: init answers with WASM and says why', async () => {
    const { client, workers, changes } = setUp();
    const ready = client.init(INIT);
    workers[0].say({ type: 'gpu-lost', payload: { message: 'WebGPU device lost: unknown' } });
    workers[1].say({ type: 'ready', payload: { backend: 'wasm', reason: 'requested', threads: 2 } });
    expect(await ready).toEqual({ backend: 'wasm', reason: 'WebGPU device lost: unknown. Switched to WASM (CPU); searching and embedding go on.', threads: 2 });
    expect(changes).toEqual([]);
  });

  it('if WASM fails to load too, waiting jobs fail with both reasons instead of hanging', async () => {
    const { client, workers } = setUp();
    const ready = client.init(INIT);
    workers[0].say({ type: 'ready', payload: { backend: 'webgpu', reason: 'remembered', threads: 1 } });
    await ready;
    const job = client.embed(['a'], 'passage');
    workers[0].say({ type: 'gpu-lost', payload: { message: 'WebGPU device lost: destroyed' } });
    workers[1].say({ type: 'error', payload: { name: 'Error', message: 'Could not load model m' } });
    await expect(job).rejects.toThrow('WebGPU device lost: destroyed, and WASM failed to load: Could not load model m');
  });
});
