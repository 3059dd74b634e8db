/**
 * Node-only helpers around the installed model: where it lives, what set-up recorded, and whether
 * the files on disk still match that record. Kept out of embedder.ts, which also runs in a worker.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODEL_INFO_FILE, parseModelInfo, type ModelInfo } from './model-info';
import type { ModelSpec } from './registry';

/** <repo> (this file is <repo>/src/embed/node.ts). */
export function repoRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** Absolute path of <repo>/public/models (with a trailing slash, as transformers.js wants it). */
export function nodeModelsDir(): string {
  return join(repoRoot(), 'public', 'models') + '/';
}

/** Reads and checks <modelsDir>/<id>/paperscope-model.json; the error says how to install. */
export async function readModelInfo(modelsDir: string, spec: ModelSpec): Promise<ModelInfo> {
  const file = join(modelsDir, spec.id, MODEL_INFO_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new Error(`${file} not found: model ${spec.id} is not installed. Run "npm run setup:model".`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message}); run "npm run setup:model".`);
  }
  return parseModelInfo(value, file);
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Compares the files in `dir` with their records; returns one line per problem (empty = all good).
 * Sizes are checked first so a truncated download is reported without hashing it.
 */
export async function verifyFiles(dir: string, files: ModelInfo['files']): Promise<string[]> {
  const problems: string[] = [];
  for (const [name, want] of Object.entries(files)) {
    const path = join(dir, name);
    let bytes: number;
    try {
      bytes = (await stat(path)).size;
    } catch {
      problems.push(`${path}: missing (expected ${want.bytes} bytes, sha256 ${want.sha256})`);
      continue;
    }
    if (bytes !== want.bytes) {
      problems.push(`${path}: ${bytes} bytes, expected ${want.bytes}`);
      continue;
    }
    const sha = await sha256File(path);
    if (sha !== want.sha256) problems.push(`${path}: sha256 ${sha}, expected ${want.sha256}`);
  }
  return problems;
}
