/**
 * The import worker: parsing and dedupe of the user's files off the main thread. It imports
 * every parser (through buildCorpus), which is why it is a chunk of its own and not part of the
 * page's bundle.
 */
import type { SourceFile } from '../corpus/build';
import { importFiles } from './pipeline';
import { resultParts, type ImportRequest, type ImportResponse } from './protocol';
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
    // In parts: the page reads each message in one task, and 5,000 papers in one were 0.3 s+ of it.
    for (const part of resultParts(result)) post({ type: 'part', id, payload: part });
    post({ type: 'result', id, payload: { ...result, papers: [], chunks: [], vectors: [] } });
  } catch (err) {
    post({ type: 'error', id, payload: { message: (err as Error).message } });
  }
};

