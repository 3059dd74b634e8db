/**
 * npm run embed:corpus (src/cli/embed-corpus.ts) on part of the seeds corpus with the real model: a run
 * killed with SIGKILL, then one stopped with SIGTERM, each resume where the last stopped; a run
 * after the last embeds nothing. A missing model is reported before anything is written.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedCorpus, parseEmbedCorpusArgs, type EmbedCorpusArgs } from '../../src/cli/embed-corpus';
import { buildCorpus } from '../../src/corpus/build';
import { readCorpusInputs } from '../../src/corpus/node-io';
import { writeCorpusDir } from '../../src/format/node';
import { writeShardedCorpus } from '../../src/format/write';
import { vectorCacheDir } from '../../src/embed/disk-cache';
import { modelFingerprint } from '../../src/embed/model-info';
import { nodeModelsDir, readModelInfo, repoRoot } from '../../src/embed/node';
import { activeModelId, getModel } from '../../src/embed/registry';

const CLI = join(repoRoot(), 'src', 'cli', 'embed-corpus.ts');
let tmp: string;
let corpusDir: string;
let chunks: number;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'paperscope-embed-corpus-'));
  corpusDir = join(tmp, 'corpus');
  const { data: seeds } = buildCorpus(await readCorpusInputs([join(repoRoot(), 'seeds')]), { source: 'seeds' });
  // the 8 papers with the shortest abstracts: enough batches of 2 to stop twice, quick to embed
  const papers = [...seeds.papers].sort((a, b) => a.abstract.length - b.abstract.length).slice(0, 8);
  const ids = new Set(papers.map((p) => p.id));
  const data = { ...seeds, papers: seeds.papers.filter((p) => ids.has(p.id)), chunks: seeds.chunks.filter((c) => ids.has(c.paperId)) };
  chunks = data.chunks.length;
  await writeCorpusDir(corpusDir, writeShardedCorpus(data, 'seeds'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function start(cacheDir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--corpus', corpusDir, '--cache-dir', cacheDir, '--batch-size', '2', '--threads', '1'], {
    cwd: repoRoot(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, output })),
  );
  return { child, exited };
}

const fileSize = (path: string) => (existsSync(path) ? statSync(path).size : 0);

async function waitFor(condition: () => boolean, what: string, ms = 90_000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('embed:corpus', () => {
  it('resumes after SIGKILL and after SIGTERM; a run after the last one embeds nothing', async () => {
    const spec = getModel(activeModelId());
    const fingerprint = modelFingerprint(spec, await readModelInfo(nodeModelsDir(), spec));
    const cacheDir = join(tmp, 'vectors');
    const data = join(vectorCacheDir(cacheDir, fingerprint), 'vectors.bin');

    const killed = start(cacheDir);
    await waitFor(() => fileSize(data) > 0, 'the first stored batch');
    killed.child.kill('SIGKILL');
    expect((await killed.exited).signal).toBe('SIGKILL');
    const afterKill = fileSize(data);

    const stopped = start(cacheDir);
    await waitFor(() => fileSize(data) > afterKill, 'a batch of the second run');
    stopped.child.kill('SIGTERM');
    const second = await stopped.exited;
    expect(second.code, second.output).toBe(143);
    expect(second.output).toMatch(/SIGTERM: stopping after the current batch/);
    expect(second.output).toMatch(/stopped by SIGTERM: \d+ of \d+ passages have vectors .*Resume with the same command/);
    const cachedBefore = Number(/cache .*: (\d+) vectors/.exec(second.output)![1]);
    expect(cachedBefore).toBeGreaterThanOrEqual(2);

    const last = await start(cacheDir).exited;
    expect(last.code, last.output).toBe(0);
    const m = /done: (\d+) passages have vectors; embedded (\d+) .*, (\d+) were cached/.exec(last.output);
    expect(m, last.output).not.toBeNull();
    const [total, embedded, cached] = m!.slice(1).map(Number);
    expect(total).toBe(chunks);
    expect(cached).toBeGreaterThan(cachedBefore); // the SIGTERM run stored what it embedded
    expect(embedded).toBe(total - cached);
    expect(embedded).toBeGreaterThan(0);

    const lines: string[] = [];
    const args = parseEmbedCorpusArgs(['--corpus', corpusDir, '--cache-dir', cacheDir]) as EmbedCorpusArgs;
    expect(await embedCorpus(args, { log: (l) => lines.push(l) })).toMatchObject({ complete: true, total: chunks, cached: chunks, embedded: 0 });
    expect(lines.join('\n')).toMatch(/embedded 0 in/);
  }, 180_000);

  it('without the model: says "npm run setup:model" and writes nothing', async () => {
    const cacheDir = join(tmp, 'no-model-vectors');
    const args = parseEmbedCorpusArgs(['--corpus', corpusDir, '--cache-dir', cacheDir]) as EmbedCorpusArgs;
    await expect(embedCorpus({ ...args, modelsDir: join(tmp, 'no-models') + '/' }, { log: () => undefined })).rejects.toThrow(/not installed\. Run "npm run setup:model"/);
    expect(existsSync(cacheDir)).toBe(false);
  });

  it('names a missing corpus and the command that builds it', async () => {
    const args = parseEmbedCorpusArgs(['--corpus', join(tmp, 'nowhere'), '--cache-dir', join(tmp, 'v2')]) as EmbedCorpusArgs;
    await expect(embedCorpus(args, { log: () => undefined })).rejects.toThrow(/nowhere\/manifest\.json not found: build the corpus first \("npm run build:corpus/);
    expect(existsSync(join(tmp, 'v2'))).toBe(false);
  });
});
