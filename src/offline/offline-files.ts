/**
 * The two parts of the offline copy, as the build's precache manifest lists them.
 *
 * - The shell (page, scripts, styles, icons): small, precached by the service worker's install.
 * - The model and the ONNX runtime: large, and fetched by the page itself on a first visit. The
 *   service worker stores each one as it passes (src/offline/file-store.ts) and afterwards fetches
 *   only what the page did not ask for, so a first visit downloads every file once. The runtime
 *   build only WebGPU runs (asyncify) is stored only where WebGPU has an adapter.
 *
 * Each model/runtime file carries the sha256 of its bytes (SRI form) in the manifest: nothing is
 * stored that is not this build's file, whoever fetched it.
 */
import { RUNTIME_FILES } from '../embed/runtime.ts';

/** 'always': every device needs the file offline; 'webgpu': only a device with a WebGPU adapter. */
export type FileNeed = 'always' | 'webgpu';

export interface ManifestEntry {
  url: string;
  revision: string | null;
  integrity?: string;
}

export interface OfflineFile {
  /** relative to the service worker's scope, as in the manifest */
  url: string;
  revision: string;
  /** "sha256-<base64>" of the file's bytes */
  integrity: string;
  need: FileNeed;
}

const WEBGPU_ONLY = new Set(Object.values(RUNTIME_FILES.asyncify).map((file) => `ort/${file}`));

/** Whether the page fetches this file itself (model, runtime), and which devices need it; null: shell. */
export function fetchedByPage(url: string): FileNeed | null {
  if (WEBGPU_ONLY.has(url)) return 'webgpu';
  if (url.startsWith('ort/') || url.startsWith('models/')) return 'always';
  return null;
}

/**
 * A model's installed ONNX file, where set-up also made the expanded graph the page runs on WASM
 * (src/embed/expanded.ts): then only WebGPU loads the installed file.
 */
function foldedByExpanded(url: string, urls: ReadonlySet<string>): boolean {
  const m = /^(models\/.+\/onnx\/)model_quantized\.onnx$/.exec(url);
  return !!m && urls.has(`${m[1]}expanded.pack`) && urls.has(`${m[1]}expanded.json`) && urls.has(`${m[1]}expanded.onnx`);
}

/** fetchedByPage, given every URL of the manifest (the installed ONNX file may be WebGPU's only). */
export function fileNeed(url: string, urls: ReadonlySet<string>): FileNeed | null {
  const need = fetchedByPage(url);
  return need && foldedByExpanded(url, urls) ? 'webgpu' : need;
}

/** Splits the manifest into the install's precache and the files stored as the page fetches them. */
export function splitManifest(entries: ReadonlyArray<string | ManifestEntry>): { shell: Array<string | ManifestEntry>; files: OfflineFile[] } {
  const shell: Array<string | ManifestEntry> = [];
  const files: OfflineFile[] = [];
  const urls = new Set(entries.map((e) => (typeof e === 'string' ? e : e.url)));
  for (const entry of entries) {
    const need = typeof entry === 'string' ? null : fileNeed(entry.url, urls);
    if (need === null || typeof entry === 'string') {
      shell.push(entry);
      continue;
    }
    if (!entry.revision || !entry.integrity) {
      throw new Error(`offline manifest: ${entry.url} lacks a revision or an integrity hash; the build's manifestTransform adds them (vite.config.ts).`);
    }
    files.push({ url: entry.url, revision: entry.revision, integrity: entry.integrity, need });
  }
  return { shell, files };
}

/** The files a device keeps offline: every 'always' file, the WebGPU ones only with an adapter. */
export function filesFor(files: readonly OfflineFile[], webgpu: boolean): OfflineFile[] {
  return files.filter((f) => f.need === 'always' || webgpu);
}

/** SRI string of some bytes' sha256 digest. */
export function sriOf(digest: ArrayBuffer | Uint8Array): string {
  const bytes = digest instanceof Uint8Array ? digest : new Uint8Array(digest);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return `sha256-${btoa(binary)}`;
}
