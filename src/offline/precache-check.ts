/**
 * Build-time check of the precache manifest (a Workbox manifestTransform): the app is only usable
 * offline if the shell, the model and the runtime are all in it (the page keeps the corpus itself:
 * src/store/shard-cache.ts). workbox-build merely
 * warns when it skips a file (too big, pattern missed); here that fails the build instead.
 */
import { RUNTIME_FILES } from '../embed/runtime.ts';
import { fileNeed } from './offline-files.ts';

export interface PrecacheEntry {
  url: string;
  size: number;
  revision?: string | null;
}

export const REQUIRED_PRECACHE: ReadonlyArray<{ what: string; pattern: RegExp }> = [
  { what: 'the page (index.html)', pattern: /^index\.html$/ },
  { what: 'the model description (models/<Org>/<name>/paperscope-model.json)', pattern: /^models\/.+\/paperscope-model\.json$/ },
  { what: 'the model weights (models/<Org>/<name>/onnx/*.onnx)', pattern: /^models\/.+\.onnx$/ },
  // both builds: WASM runs the plain one, WebGPU the asyncify one, and a device whose GPU is
  // lost switches to WASM (offline too)
  ...(Object.entries(RUNTIME_FILES) as [string, { mjs: string; wasm: string }][]).flatMap(([build, files]) =>
    Object.values(files).map((file) => ({ what: `the ONNX runtime, ${build} build (ort/${file})`, pattern: new RegExp(`^ort/${file.replace(/\./g, '\\.')}$`) })),
  ),
];

/** Names of required parts the manifest lacks; empty when complete. */
export function missingFromPrecache(entries: readonly PrecacheEntry[]): string[] {
  return REQUIRED_PRECACHE.filter(({ pattern }) => !entries.some((e) => pattern.test(e.url))).map(({ what }) => what);
}

const PART = { always: 'stored as the page fetches it', webgpu: 'stored as the page fetches it, WebGPU devices only' } as const;

/** One line per file, largest first, for the build log (which part of the offline copy it is in). */
export function describePrecache(entries: readonly PrecacheEntry[]): string {
  const total = entries.reduce((n, e) => n + e.size, 0);
  const urls = new Set(entries.map((e) => e.url));
  const lines = [...entries]
    .sort((a, b) => b.size - a.size || a.url.localeCompare(b.url))
    .map((e) => {
      const need = fileNeed(e.url, urls);
      return `  ${(e.size / 1024).toFixed(1).padStart(10)} KiB  ${e.url}${need ? `  (${PART[need]})` : ''}`;
    });
  return `precache: ${entries.length} files, ${(total / 1024 / 1024).toFixed(2)} MiB\n${lines.join('\n')}`;
}
