/**
 * Output: format 2 (manifest + content-hashed shards, tests/unit/format.test.ts); a failed build
 * leaves the previous corpus exactly as it was. The CLI's exit codes tell clean, with warnings, failed and bad usage apart.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCorpus } from '../../src/corpus/build.ts';
import { readCorpusFolder } from '../../src/corpus/node-io.ts';
import { writeCorpusDir } from '../../src/format/node.ts';
import { shippedLexical } from '../../src/search/bm25';
import { writeShardedCorpus } from '../../src/format/write.ts';
import type { ShardedManifest } from '../../src/format/manifest.ts';
import { FIXTURES, REPO, SEEDS } from '../fixtures/corpus/helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'paperscope-out-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const readManifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as ShardedManifest;

describe('npm run build:corpus', () => {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'src/cli/build-corpus.ts'), ...args], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });

  it('seeds: prints the report, writes the same bytes as the in-process build, exits 0', async () => {
    const out = join(tmp, 'cli-seeds');
    const run = cli(SEEDS, '--out', out);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Files read: 4/);
    expect(run.stdout).toMatch(/Papers found: 16\nDuplicates merged: 2\nPapers written: 14\nChunks written: \d+/);
    expect(run.stdout).toMatch(/002_5d21021c690f5adf\.txt:2 {2}\[boilerplate\] skipped site boilerplate \(loading indicator\): "Fetching \.\.\."/);
    const expected = writeShardedCorpus(buildCorpus(await readCorpusFolder(SEEDS)).data, 'seeds', undefined, undefined, shippedLexical());
    expect(expected.files.some((f) => f.path.startsWith('shards/l.'))).toBe(true);
    expect(readFileSync(join(out, 'manifest.json')).equals(Buffer.from(expected.manifestBytes))).toBe(true);
    for (const f of expected.files) expect(readFileSync(join(out, f.path)).equals(Buffer.from(f.bytes))).toBe(true);
  });

  it('warnings: builds and exits 3; with --strict exits 1 and writes nothing', () => {
    const input = join(tmp, 'warn-input');
    mkdirSync(input);
    cpSync(join(FIXTURES, 'broken.jsonl'), join(input, 'broken.jsonl'));
    const strictOut = join(tmp, 'cli-strict');
    const strict = cli(input, '--out', strictOut, '--strict');
    expect(strict.status).toBe(1);
    expect(strict.stderr).toMatch(/FAILED.*--strict.*nothing written/s);
    expect(existsSync(strictOut)).toBe(false);

    const out = join(tmp, 'cli-warn');
    const run = cli(input, '--out', out);
    expect(run.status).toBe(3);
    expect(run.stdout).toMatch(/broken\.jsonl:2 {2}\[broken-json\]/);
    expect(run.stdout).toMatch(/WITH WARNINGS \(exit code 3\)/);
    expect(readManifest(out).papers).toBe(2);
  });

  it('failure: exits 1 naming the problem and leaves the previous corpus intact', async () => {
    const out = join(tmp, 'cli-fail');
    await writeCorpusDir(out, writeShardedCorpus(buildCorpus(await readCorpusFolder(SEEDS)).data, 'seeds'));
    const before = readFileSync(join(out, 'manifest.json'));
    const shardsBefore = readdirSync(join(out, 'shards'));

    const input = join(tmp, 'fail-input');
    mkdirSync(input);
    writeFileSync(join(input, 'only-boilerplate.txt'), readFileSync(join(FIXTURES, 'boilerplate-only.txt')));
    const empty = cli(input, '--out', out);
    expect(empty.status).toBe(1);
    expect(empty.stdout).toMatch(/\[no-papers\] no papers found/);
    expect(empty.stderr).toMatch(/nothing written; the corpus in .* is unchanged/);

    const missing = cli(join(tmp, 'does-not-exist'), '--out', out);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/does-not-exist: cannot read \(ENOENT\)/);

    expect(readFileSync(join(out, 'manifest.json')).equals(before)).toBe(true);
    expect(readdirSync(join(out, 'shards'))).toEqual(shardsBefore);
  });

  it('bad command line: exits 2 with the usage', () => {
    const run = cli('--max-tokens', 'many');
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--max-tokens must be a whole number.*usage:/s);
  });
});
