/**
 * Builds a second deployment of the app, as a new release would be: the same code with another
 * corpus, through the real corpus CLI and the real vite build (service worker included).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CorpusData } from '../../src/corpus/types';
import { readCorpusDir } from '../../src/format/node';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'node_modules', '.bin');

export interface VariantBuild {
  outDir: string;
  corpus: CorpusData;
}

/** Builds into `<work>/dist` from the given corpus inputs; returns the output and its corpus. */
export async function buildVariant(work: string, corpusInputs: string[]): Promise<VariantBuild> {
  const publicDir = join(work, 'public');
  const outDir = join(work, 'dist');
  mkdirSync(publicDir, { recursive: true });
  for (const dir of ['models', 'ort', 'icons']) cpSync(join(ROOT, 'public', dir), join(publicDir, dir), { recursive: true });
  const run = (cmd: string, args: string[], env: Record<string, string> = {}) => {
    try {
      execFileSync(join(BIN, cmd), args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'pipe' });
    } catch (err) {
      const e = err as { status: number; stdout?: Buffer; stderr?: Buffer };
      // build:corpus exits 3 when it built with warnings: still a corpus.
      if (cmd === 'tsx' && e.status === 3) return;
      throw new Error(`${cmd} ${args.join(' ')} failed (exit ${e.status}):\n${e.stdout}\n${e.stderr}`);
    }
  };
  run('tsx', ['src/cli/build-corpus.ts', ...corpusInputs, '--out', join(publicDir, 'corpus')]);
  run('vite', ['build', '--config', 'tests/e2e/variant.vite.config.ts', '--logLevel', 'warn'], {
    PAPERSCOPE_VARIANT_PUBLIC: publicDir,
    PAPERSCOPE_VARIANT_OUT: outDir,
  });
  const { data: corpus } = await readCorpusDir(join(outDir, 'corpus'));
  return { outDir, corpus };
}
