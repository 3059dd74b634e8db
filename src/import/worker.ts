/**
 * The import worker: parsing and dedupe of the user's files off the main thread. It imports
 * every parser (through buildCorpus), which is why it is a chunk of its own and not part of the
 * page's bundle.
 */
import { importFiles } from './pipeline';
import type { ImportRequest, ImportResponse } from './protocol';

const post = (m: ImportResponse) => (self as unknown as Worker).postMessage(m);

self.onmessage = (e: MessageEvent<ImportRequest>) => {
  const { id, payload } = e.data;
  try {
    const result = importFiles(payload.files, payload.known, {
      idPrefix: payload.idPrefix,
      ...(payload.maxTokens !== undefined && { maxTokens: payload.maxTokens }),
      onStage: (s) => post({ type: 'stage', id, payload: s }),
    });
    post({ type: 'result', id, payload: result });
  } catch (err) {
    post({ type: 'error', id, payload: { message: (err as Error).message } });
  }
};
