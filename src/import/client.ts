/**
 * Main-thread side of the import worker. One worker per import: Stop terminates it (a parse is
 * one synchronous call that cannot be interrupted otherwise), and nothing of that import is kept.
 */
import type { KnownPaper } from './known';
import type { ImportResult, ImportStage } from './pipeline';
import { joinParts, type ImportPart, type ImportRequest, type ImportResponse } from './protocol';

export function spawnImportWorker(): Worker {
  return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
}

export function runImport(
  request: ImportRequest['payload'],
  options: { signal?: AbortSignal; onStage?: (s: ImportStage) => void; spawn?: () => Worker } = {},
): Promise<ImportResult> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new DOMException('stopped', 'AbortError'));
    const worker = (options.spawn ?? spawnImportWorker)();
    const finish = () => {
      worker.terminate();
      options.signal?.removeEventListener('abort', abort);
    };
    const abort = () => {
      finish();
      reject(new DOMException('stopped', 'AbortError'));
    };
    options.signal?.addEventListener('abort', abort, { once: true });
    const parts: ImportPart[] = [];
    worker.onmessage = (e: MessageEvent<ImportResponse>) => {
      const m = e.data;
      if (m.type === 'stage') options.onStage?.(m.payload);
      else if (m.type === 'part') parts.push(m.payload);
      else if (m.type === 'result') {
        finish();
        resolve(joinParts(parts, m.payload));
      } else {
        finish();
        reject(new Error(`The import failed: ${m.payload.message}`));
      }
    };
    worker.onerror = (e) => {
      finish();
      reject(new Error(`The import worker failed: ${e.message || 'it could not be started'}`));
    };
    const msg: ImportRequest = { type: 'import', id: 1, payload: request };
    worker.postMessage(msg);
  });
}

export type { KnownPaper };
