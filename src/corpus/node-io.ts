/** Node-only file handling for the corpus build: reading source folders (.gz included) and atomic output. */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type CorpusFiles, DATA_FILE_PATTERN, MANIFEST_FILE } from './output.ts';

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

export interface WriteResult {
  dataPath: string;
  manifestPath: string;
  /** Old data files removed after the new manifest was in place. */
  removed: string[];
}

/**
 * Replace the corpus in outDir atomically. Files are written to a temporary folder beside outDir,
 * the new data file is moved in under its content-hashed name (old data files stay, so a reader
 * holding the old manifest still finds its data), then manifest.json is replaced by one rename —
 * the moment the new corpus takes effect. Only then are older data files removed. On any failure
 * the previous manifest and data are left as they were.
 */
export async function writeCorpusAtomic(outDir: string, files: CorpusFiles): Promise<WriteResult> {
  await mkdir(outDir, { recursive: true });
  const tmpPrefix = `.${basename(outDir)}.tmp-`;
  await removeStaleTemporaries(dirname(outDir), tmpPrefix);
  const tmp = join(dirname(outDir), `${tmpPrefix}${process.pid}-${randomBytes(4).toString('hex')}`);
  const dataPath = join(outDir, files.dataFile);
  const manifestPath = join(outDir, MANIFEST_FILE);
  const existed = await stat(dataPath).then(() => true, () => false);
  let movedData = false;
  try {
    await mkdir(tmp);
    await writeDurably(join(tmp, files.dataFile), files.dataBytes);
    await writeDurably(join(tmp, MANIFEST_FILE), files.manifestBytes);
    await rename(join(tmp, files.dataFile), dataPath);
    movedData = true;
    await rename(join(tmp, MANIFEST_FILE), manifestPath);
  } catch (err) {
    if (movedData && !existed) await rm(dataPath, { force: true });
    throw new Error(`writing the corpus to ${outDir} failed (${(err as Error).message}); the previous corpus is unchanged`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  const removed: string[] = [];
  for (const name of await readdir(outDir)) {
    if (DATA_FILE_PATTERN.test(name) && name !== files.dataFile) {
      await rm(join(outDir, name), { force: true });
      removed.push(name);
    }
  }
  return { dataPath, manifestPath, removed };
}

/** Temporary folders left by a build that was killed (its process is gone): they would be served from public/. */
async function removeStaleTemporaries(parent: string, prefix: string): Promise<void> {
  for (const name of await readdir(parent)) {
    const m = name.startsWith(prefix) ? /^(\d+)-[0-9a-f]+$/.exec(name.slice(prefix.length)) : null;
    if (!m || isRunning(Number(m[1]))) continue;
    await rm(join(parent, name), { recursive: true, force: true });
  }
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

async function writeDurably(path: string, bytes: Uint8Array): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
}
