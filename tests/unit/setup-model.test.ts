/**
 * Model set-up against temporary folders: MODEL_DIR install, verification of every file, the
 * behavioural check, the failure message, the hub download's checks, and the ORT runtime copy.
 * Uses the installed model (npm run setup:model) as the source of real files.
 */
import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkAgainstReference,
  checkInstalled,
  installRuntime,
  loadReference,
  runtimeFiles,
  setupModel,
  type SetupOptions,
} from '../../src/cli/setup-model';
import { MODEL_INFO_FILE, onnxFile } from '../../src/embed/model-info';
import { modelSources } from '../../src/embed/model-sources';
import { RUNTIME_FILES } from '../../src/embed/runtime';
import { nodeModelsDir, sha256File } from '../../src/embed/node';
import { getModel } from '../../src/embed/registry';

// The model that set-up can obtain here (the default); its PyPI export is checked by behaviour.
const spec = getModel('Xenova/all-MiniLM-L6-v2');
const installed = join(nodeModelsDir(), spec.id);
let tmp: string;
const logs: string[] = [];

function options(over: Partial<SetupOptions>): SetupOptions {
  return {
    spec,
    modelsDir: join(tmp, 'models'),
    ortDir: null,
    sharedModelsDir: join(tmp, 'no-shared-copies'),
    hub: null,
    pypi: null,
    venvDir: join(tmp, 'venv'),
    // the expanded graph is made by the real set-up (and checked by embed-expanded.test.ts)
    expand: false,
    log: (line) => logs.push(line),
    ...over,
  };
}

/** A MODEL_DIR made of the installed files, as a user would lay it out. */
async function makeModelDir(name: string): Promise<string> {
  const dir = join(tmp, name);
  await mkdir(join(dir, 'onnx'), { recursive: true });
  for (const f of ['config.json', 'tokenizer.json', 'special_tokens_map.json', 'vocab.txt', onnxFile('q8')]) {
    await copyFile(join(installed, f), join(dir, f));
  }
  return dir;
}

async function flipByte(path: string, at: number): Promise<void> {
  const bytes = await readFile(path);
  bytes[at] ^= 0xff;
  await writeFile(path, bytes);
}

beforeAll(async () => {
  const { problems } = await checkInstalled(nodeModelsDir(), spec);
  if (problems.length) {
    throw new Error(`Model ${spec.id} is not installed and verified; run "npm run setup:model" first.\n${problems.join('\n')}`);
  }
  tmp = await mkdtemp(join(tmpdir(), 'paperscope-setup-'));
});

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('setupModel from MODEL_DIR', () => {
  it('installs from a folder, checks behaviour, and is then found installed', async () => {
    const modelDir = await makeModelDir('model-dir');
    const first = await setupModel(options({ modelDir }));
    expect(first.alreadyInstalled).toBe(false);
    expect(first.info.source).toBe(`MODEL_DIR:${join(modelDir, onnxFile('q8'))}`);
    const check = first.info.checks?.[0];
    expect(check?.minCosine).toBeGreaterThanOrEqual(0.98);
    console.log(`MODEL_DIR install: behaviour min cosine ${check?.minCosine.toFixed(4)}, mean ${check?.meanCosine.toFixed(4)}`);
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt', onnxFile('q8'), MODEL_INFO_FILE]) {
      expect(existsSync(join(first.dir, f)), f).toBe(true);
    }
    // Only the model folder remains: no staging left behind.
    expect((await readdir(join(tmp, 'models'))).filter((n) => n.startsWith('.'))).toEqual([]);

    const again = await setupModel(options({ modelDir: join(tmp, 'does-not-exist') }));
    expect(again.alreadyInstalled).toBe(true);
  }, 120_000);

  it('rejects a corrupted installed file, naming it', async () => {
    const modelsDir = join(tmp, 'models');
    await flipByte(join(modelsDir, spec.id, 'tokenizer.json'), 100);
    await flipByte(join(modelsDir, spec.id, onnxFile('q8')), 5_000_000);
    const { problems } = await checkInstalled(modelsDir, spec);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/tokenizer\.json: sha256 [0-9a-f]{64}, expected da0e7993/);
    expect(problems[1]).toMatch(/onnx\/model_quantized\.onnx: sha256 [0-9a-f]{64}, expected 8199be6f/);
    // With no source to reinstall from, set-up fails and says why; the broken copy is reported.
    logs.length = 0;
    await expect(setupModel(options({}))).rejects.toThrow(/Could not install/);
    expect(logs.join('\n')).toMatch(/does not verify:[\s\S]*tokenizer\.json/);
  }, 60_000);

  it('does not take a MODEL_DIR text file whose bytes differ, and says which', async () => {
    const modelDir = await makeModelDir('bad-text');
    await flipByte(join(modelDir, 'vocab.txt'), 10);
    logs.length = 0;
    const err = await setupModel(options({ modelsDir: join(tmp, 'models-bad-text'), modelDir })).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/vocab\.txt \(sha256 07eced37[0-9a-f]+, 231508 bytes\) not found/);
    expect(logs.join('\n')).toMatch(/bad-text\/vocab\.txt: sha256 [0-9a-f]{64} is not the known vocab\.txt/);
    expect(existsSync(join(tmp, 'models-bad-text', spec.id))).toBe(false);
  }, 60_000);
});

describe('set-up failure', () => {
  it('names every source tried and the files and hashes to supply', async () => {
    const modelsDir = join(tmp, 'models-none');
    // A port nobody listens on: a hub that cannot be reached must fail fast.
    const probe = createServer();
    await new Promise<void>((ok) => probe.listen(0, '127.0.0.1', ok));
    const endpoint = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise<void>((ok) => probe.close(() => ok()));
    const started = Date.now();
    const err = await setupModel(options({ modelsDir, hub: { endpoint, timeoutMs: 2000 } })).catch((e: Error) => e);
    expect(Date.now() - started).toBeLessThan(5000);
    const message = (err as Error).message;
    console.log(message);
    expect(message).toMatch(/MODEL_DIR: not set/);
    expect(message).toContain(`hub (${endpoint}): ${endpoint}/${spec.id}/resolve/main/config.json: ECONNREFUSED`);
    expect(message).toMatch(/MODEL_DIR=\/that\/folder npm run setup:model/);
    expect(message).toContain('onnx/model_quantized.onnx  22972370 bytes  sha256 afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1');
    expect(message).toContain('tokenizer.json  711661 bytes  sha256 da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0');
    expect(existsSync(join(modelsDir, spec.id))).toBe(false);
  }, 30_000);
});

describe('hub download', () => {
  let server: Server;
  let endpoint: string;
  const requested: string[] = [];

  beforeAll(async () => {
    // Serves the installed files under the hub's URL scheme; its ONNX is not the hub's bytes.
    server = createServer(async (req, res) => {
      requested.push(req.url ?? '');
      const m = /^\/(.+?\/.+?)\/resolve\/main\/(.+)$/.exec(req.url ?? '');
      const file = m && m[1] === spec.id ? join(installed, m[2]) : '';
      if (!file || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      const body = await readFile(file);
      res.writeHead(200, { 'content-length': body.length }).end(body);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  it('fetches <id>/resolve/main/<file> and refuses bytes that are not the hub file', async () => {
    const err = await setupModel(options({ modelsDir: join(tmp, 'models-hub'), hub: { endpoint, timeoutMs: 5000 } })).catch((e: Error) => e);
    expect(requested).toContain(`/${spec.id}/resolve/main/config.json`);
    expect(requested).toContain(`/${spec.id}/resolve/main/onnx/model_quantized.onnx`);
    const hubQ8 = modelSources(spec.id).hubOnnx.q8!;
    expect((err as Error).message).toContain(
      `${endpoint}/${spec.id}/resolve/main/onnx/model_quantized.onnx: got 22928619 bytes with sha256 8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6; expected ${hubQ8.bytes} bytes with sha256 ${hubQ8.sha256}`,
    );
    expect(existsSync(join(tmp, 'models-hub', spec.id))).toBe(false);
  }, 60_000);
});

describe('behavioural check', () => {
  it('fails for vectors that belong to other sentences', async () => {
    const reference = (await loadReference(modelSources(spec.id)))!;
    // Each sentence paired with its neighbour's vector: what a wrong or broken model looks like.
    const shifted = {
      ...reference,
      sentences: reference.sentences.map((s, i, all) => ({ text: s.text, vector: all[(i + 1) % all.length].vector })),
    };
    await expect(checkAgainstReference(nodeModelsDir(), spec, 'q8', shifted, 'test')).rejects.toThrow(
      /test: embeddings disagree with fp32 reference vectors.*cosine -?\d*\.\d+ < 0\.98/,
    );
  }, 60_000);
});

describe('onnxruntime-web runtime', () => {
  it('copies the build the ORT bundle of transformers.js names (WebGPU) and the plain one (WASM), and removes others', async () => {
    const { dist, names } = await runtimeFiles();
    expect(names).toEqual([...Object.values(RUNTIME_FILES.asyncify), ...Object.values(RUNTIME_FILES.plain)].sort());
    const ortDir = join(tmp, 'ort');
    await mkdir(ortDir, { recursive: true });
    await writeFile(join(ortDir, 'ort-wasm-simd-threaded.jsep.wasm'), 'stale');
    const copied = await installRuntime(ortDir, () => undefined);
    expect((await readdir(ortDir)).sort()).toEqual(names);
    for (const f of copied) expect(await sha256File(join(ortDir, f.file))).toBe(await sha256File(join(dist, f.file)));
  }, 30_000);
});
