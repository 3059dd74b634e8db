/** Node-only file handling for the corpus build: reading source folders (.gz included). Output: src/format/node.ts. */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface InputFile {
  path: string;
  bytes: Uint8Array;
}

/** Largest file the build reads; a JS string cannot hold much more than this. */
export const MAX_FILE_BYTES = 400 * 1024 * 1024;

/** An input that cannot be read at all: the build stops with this message. */
export class UnreadableInputError extends Error {}

/**
 * All files under a folder (recursively, sorted, paths relative to the folder with '/'), or the
 * single file given (path = its name). `.gz` files are decompressed and keep their name.
 */
export async function readCorpusFolder(pathOrFile: string): Promise<InputFile[]> {
  let info;
  try {
    info = await stat(pathOrFile);
  } catch (err) {
    throw new UnreadableInputError(`${pathOrFile}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); check the path`);
  }
  if (!info.isDirectory()) return [await readOne(pathOrFile, basename(pathOrFile))];
  const paths: string[] = [];
  await walk(pathOrFile, paths);
  const rel = paths.map((p) => relative(pathOrFile, p).split(sep).join('/'));
  const order = rel.map((r, i) => [r, i] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const files: InputFile[] = [];
  for (const [r, i] of order) files.push(await readOne(paths[i], r));
  return files;
}

/**
 * Several inputs as one corpus. One input keeps its relative paths; with several, each path gets
 * its input's name in front so files of the same name stay apart.
 */
export async function readCorpusInputs(inputs: string[]): Promise<InputFile[]> {
  if (inputs.length === 1) return readCorpusFolder(inputs[0]);
  const all: InputFile[] = [];
  for (const input of inputs) {
    const name = basename(input.replace(/[\\/]+$/, ''));
    const isDir = (await stat(input).catch(() => null))?.isDirectory() ?? false;
    for (const f of await readCorpusFolder(input)) all.push({ path: isDir ? `${name}/${f.path}` : f.path, bytes: f.bytes });
  }
  return all;
}

/**
 * Size and modification time of every file the inputs hold (full path → "size:mtime"): taken
 * before the inputs are read and again before the corpus is written, so a file edited, added or
 * removed during a long build (vectors take hours) is noticed instead of shipped half-old.
 */
export async function snapshotInputs(inputs: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const input of inputs) {
    const info = await stat(input).catch(() => null);
    if (!info) continue;
    const paths: string[] = [];
    if (info.isDirectory()) await walk(input, paths);
    else paths.push(input);
    for (const p of paths) {
      const s = await stat(p).catch(() => null);
      out.set(p, s ? `${s.size}:${s.mtimeMs}` : 'gone');
    }
  }
  return out;
}

/** What differs between two snapshots, one line per file ("x.jsonl changed", "new.bib added", …). */
export function inputChanges(before: Map<string, string>, after: Map<string, string>): string[] {
  const lines: string[] = [];
  for (const [p, v] of before) {
    const now = after.get(p);
    if (now === undefined || now === 'gone') lines.push(`${p} removed`);
    else if (now !== v) lines.push(`${p} changed`);
  }
  for (const p of after.keys()) if (!before.has(p)) lines.push(`${p} added`);
  return lines;
}

async function walk(dir: string, out: string[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) await walk(full, out);
    else if (entry.isFile() || entry.isSymbolicLink()) out.push(full);
  }
}

async function readOne(fullPath: string, path: string): Promise<InputFile> {
  let bytes: Uint8Array;
  try {
    const info = await stat(fullPath);
    if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (info.size > MAX_FILE_BYTES) {
      throw new UnreadableInputError(`${path}: ${info.size} bytes is more than the build reads (${MAX_FILE_BYTES}); split it into smaller files`);
    }
    bytes = new Uint8Array(await readFile(fullPath));
  } catch (err) {
    if (err instanceof UnreadableInputError) throw err;
    throw new UnreadableInputError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = new Uint8Array(gunzipSync(bytes, { maxOutputLength: MAX_FILE_BYTES }));
    } catch (err) {
      throw new UnreadableInputError(`${path}: not a readable gzip file (${(err as Error).message}); re-download or re-compress it`);
    }
  }
  return { path, bytes };
}

/** Whether a process with this pid exists (EPERM: it does, owned by another user). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

