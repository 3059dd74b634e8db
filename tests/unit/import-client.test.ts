import { describe, expect, it } from 'vitest';
import { runImport } from '../../src/import/client';
import type { ImportResult } from '../../src/import/pipeline';
import { resultParts, type ImportResponse } from '../../src/import/protocol';

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

  it('reads the papers in parts (one message each, ahead of the result) and resolves with all of them, in order', async () => {
    const result = resultWith(600);
    const parts = [...resultParts(result)];
    expect(parts.map((p) => p.papers.length)).toEqual([100, 100, 100, 100, 100, 100]);
    for (const p of parts) {
      const ids = new Set(p.papers.map((x) => x.id));
      expect(p.chunks.every((c) => ids.has(c.paperId))).toBe(true);
      expect(p.vectors.every((v) => p.chunks.some((c) => c.id === v.chunkId))).toBe(true);
    }
    const w = new FakeWorker();
    const done = runImport(request, { spawn: () => w as unknown as Worker });
    for (const p of parts) w.answer({ type: 'part', id: 1, payload: p });
    w.answer({ type: 'result', id: 1, payload: { ...result, papers: [], chunks: [], vectors: [] } });
    await expect(done).resolves.toEqual(result);
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

/** A result of n papers, two passages each, vectors for every third paper's passages (as an export gives). */
function resultWith(n: number): ImportResult {
  const papers = Array.from({ length: n }, (_, i) => ({ id: `c1.aa/p${i}`, title: `Paper ${i}`, abstract: `Abstract ${i}.`, abstractKey: `abstract ${i}`, source: { file: 'a.bib', line: i + 1 } }));
  const chunks = papers.flatMap((p, i) => [0, 1].map((index) => ({ id: `${p.id}#${index}`, paperId: p.id, index, text: `Abstract ${i}, part ${index}.`, hash: `h${i}.${index}`, tokens: 4 })));
  const vectors = chunks.filter((_, j) => Math.floor(j / 2) % 3 === 0).map((c) => ({ chunkId: c.id, model: 'm', vector: new Float32Array([1, 0]) }));
  return { papers, chunks, vectors, chunker: { version: 'v', maxTokens: 254, overlapSentences: 1 }, report: { files: [], found: n, imported: [], duplicates: [], skipped: [], notes: [] } } as unknown as ImportResult;
}
