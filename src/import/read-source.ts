/**
 * A file the user gave the page, read in the import worker: its Blob streamed through a
 * LineDecoder, so the worker keeps the file's lines, never its bytes and their text at once, and
 * the page's thread never reads the file at all. A collection export (one JSON document with
 * vectors) is read whole: it is parsed as one JSON value anyway.
 */
import { LineDecoder } from '../corpus/decode';
import type { SourceFile } from '../corpus/build';
import { looksLikeExport } from './export-format';

/** Bytes read between two progress calls, at most. */
const PROGRESS_BYTES = 4 << 20;

export async function readSource(path: string, blob: Blob, onRead?: (loaded: number, total: number) => void): Promise<SourceFile> {
  const reader = blob.stream().getReader();
  const decoder = new LineDecoder();
  let loaded = 0;
  let told = 0;
  let head: Uint8Array[] | null = [];
  let headBytes = 0;
  onRead?.(0, blob.size);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    loaded += value.length;
    if (head) {
      // Held until the first 200 bytes tell whether this is an export.
      head.push(value);
      headBytes += value.length;
      if (headBytes >= 200 || loaded === blob.size) {
        const first = concat(head);
        head = null;
        if (looksLikeExport(first)) {
          reader.releaseLock();
          return { path, bytes: new Uint8Array(await blob.arrayBuffer()) };
        }
        decoder.push(first);
      }
    } else {
      decoder.push(value);
    }
    if (loaded - told >= PROGRESS_BYTES) {
      told = loaded;
      onRead?.(loaded, blob.size);
    }
  }
  if (head) {
    const first = concat(head);
    if (looksLikeExport(first)) return { path, bytes: first };
    decoder.push(first);
  }
  onRead?.(loaded, blob.size);
  return { path, size: loaded, lines: decoder };
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
