/**
 * build:corpus --vectors: the shipped vectors are the Node embedder's (same passage text and
 * model), int4 within the recorded error; a second build embeds nothing and writes the same files.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DiskVectorCache } from '../../src/embed/disk-cache';
import { readCorpusDir } from '../../src/format/node';
import { cosine, dequantiseRow } from '../../src/format/quantise';
import { corpusPassages } from '../../src/search/passage';
import { REPO, SEEDS } from '../fixtures/corpus/helpers';

const tmp = mkdtempSync(join(tmpdir(), 'paperscope-vectors-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'src/cli/build-corpus.ts'), ...args], { cwd: REPO, encoding: 'utf8', timeout: 170_000 });

describe('npm run build:corpus -- --vectors', () => {
  it('ships int4 vectors close to the cached float32 ones, and a rebuild embeds nothing', { timeout: 300_000 }, async () => {
    const out = join(tmp, 'corpus');
    const cacheDir = join(tmp, 'cache');
    const first = cli(SEEDS, '--out', out, '--vectors', '--cache-dir', cacheDir);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/embedded 25 /);
    const read = await readCorpusDir(out, { vectors: true });
    const v = read.manifest.vectors!;
    expect(v.quantisation).toEqual({ kind: 'int4', dims: 384, scale: 'per-vector-f32' });
    expect(v.error.minCosine).toBeGreaterThan(0.98);
    const { keys } = corpusPassages(read.data, v.model.fingerprint);
    const cache = DiskVectorCache.open({ root: cacheDir, fingerprint: v.model.fingerprint, dims: 384, readOnly: true });
    const flat = cache.read(keys);
    cache.close();
    const rows = read.vectors!.flatMap((b) => Array.from({ length: b.count }, (_, r) => dequantiseRow(b, r)));
    rows.forEach((row, r) => expect(cosine(row, flat.subarray(r * 384, (r + 1) * 384))).toBeGreaterThanOrEqual(v.error.minCosine - 1e-6));

    const files = readdirSync(join(out, 'shards')).sort();
    const second = cli(SEEDS, '--out', out, '--vectors', '--cache-dir', cacheDir);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/embedded 0 /);
    expect(second.stdout).toMatch(/0 new, 3 unchanged/);
    expect(readdirSync(join(out, 'shards')).sort()).toEqual(files);
  });
});
