import { describe, expect, it } from 'vitest';
import { runImport } from '../../src/import/client';
import type { ImportResponse } from '../../src/import/protocol';

/** A worker that answers what the test tells it to, and records terminate(). */
class FakeWorker {
  onmessage: ((e: MessageEvent<ImportResponse>) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  terminated = false;
  posted: unknown[] = [];
  postMessage(m: unknown) {
    this.posted.push(m);
  }
  terminate() {
    this.terminated = true;
  }
  answer(m: ImportResponse) {
    this.onmessage?.({ data: m } as MessageEvent<ImportResponse>);
  }
}

const request = { files: [{ path: 'a.bib', blob: new Blob(['@']) }], known: [], idPrefix: 'c1' };

describe('import client', () => {
  it('forwards stages, resolves with the result and ends the worker', async () => {
    const w = new FakeWorker();
    const stages: string[] = [];
    const done = runImport(request, { spawn: () => w as unknown as Worker, onStage: (s) => stages.push(s.stage) });
    w.answer({ type: 'stage', id: 1, payload: { stage: 'parse', files: 1, bytes: 1 } });
    w.answer({ type: 'result', id: 1, payload: { papers: [], chunks: [], vectors: [], chunker: { version: 'v', maxTokens: 254, overlapSentences: 1 }, report: { files: [], found: 0, imported: [], duplicates: [], skipped: [], notes: [] } } });
    await expect(done).resolves.toMatchObject({ papers: [] });
    expect(stages).toEqual(['parse']);
    expect(w.terminated).toBe(true);
  });

  it('Stop ends the worker at once and rejects with AbortError; a later answer changes nothing', async () => {
    const w = new FakeWorker();
    const stop = new AbortController();
    const done = runImport(request, { spawn: () => w as unknown as Worker, signal: stop.signal });
    stop.abort();
    await expect(done).rejects.toMatchObject({ name: 'AbortError' });
    expect(w.terminated).toBe(true);
  });

  it('an error in the worker is a clear rejection', async () => {
    const w = new FakeWorker();
    const done = runImport(request, { spawn: () => w as unknown as Worker });
    w.answer({ type: 'error', id: 1, payload: { message: 'boom' } });
    await expect(done).rejects.toThrow('The import failed: boom');
  });
});
