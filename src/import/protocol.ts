/** Typed messages between the page (client.ts) and the import worker (worker.ts). */
import type { KnownPaper } from './known';
import type { ImportResult, ImportStage } from './pipeline';

export interface ImportRequest {
  type: 'import';
  id: number;
  payload: {
    /** The user's files as Blobs (a File is one): cloned by reference, read in the worker. */
    files: { path: string; blob: Blob }[];
    known: KnownPaper[];
    idPrefix: string;
    maxTokens?: number;
  };
}

export type ImportResponse =
  | { type: 'stage'; id: number; payload: ImportStage }
  | { type: 'result'; id: number; payload: ImportResult }
  | { type: 'error'; id: number; payload: { message: string } };
