/**
 * The import worker: parsing and dedupe of the user's files off the main thread. It imports
 * every parser (through buildCorpus), which is why it is a chunk of its own and not part of the
 * page's bundle.
 */
import type { SourceFile } from '../corpus/build';
import { importFiles } from './pipeline';
import type { ImportRequest, ImportResponse } from './protocol';
import { readSource } from './read-source';

const post = (m: ImportResponse) => (self as unknown as Worker).postMessage(m);

self.onmessage = async (e: MessageEvent<ImportRequest>) => {
  const { id, payload } = e.data;
  try {
    const files: SourceFile[] = [];
    for (const f of payload.files) {
      files.push(await readSource(f.path, f.blob, (loaded, total) => post({ type: 'stage', id, payload: { stage: 'read', file: f.path, loaded, total } })));
    }
    const result = importFiles(files, payload.known, {
      idPrefix: payload.idPrefix,
      ...(payload.maxTokens !== undefined && { maxTokens: payload.maxTokens }),
      onStage: (s) => post({ type: 'stage', id, payload: s }),
    });
    post({ type: 'result', id, payload: result });
  } catch (err) {
    post({ type: 'error', id, payload: { message: (err as Error).message } });
  }
};
