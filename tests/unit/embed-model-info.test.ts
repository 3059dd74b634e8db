/** Model selection, the manifest's generated file, and the fingerprint that keys cached vectors. */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { modelFingerprint, onnxFile, parseModelInfo, type ModelInfo } from '../../src/embed/model-info';
import { bertTokenizerConfig, MODEL_SOURCES } from '../../src/embed/model-sources';
import { activeModelId, DEFAULT_MODEL_ID, getModel, MODELS } from '../../src/embed/registry';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('activeModelId', () => {
  it('is switched by PAPERSCOPE_MODEL and falls back to the default', () => {
    vi.stubEnv('PAPERSCOPE_MODEL', 'Xenova/bge-small-en-v1.5');
    expect(activeModelId()).toBe('Xenova/bge-small-en-v1.5');
    vi.stubEnv('PAPERSCOPE_MODEL', '');
    expect(activeModelId()).toBe(DEFAULT_MODEL_ID);
  });

  it('rejects an unknown id instead of silently using another model', () => {
    vi.stubEnv('PAPERSCOPE_MODEL', 'Xenova/bge-smal');
    expect(() => activeModelId()).toThrow(/Unknown model "Xenova\/bge-smal".*PAPERSCOPE_MODEL/);
  });
});

describe('model manifest', () => {
  it('covers every registry model', () => {
    for (const id of Object.keys(MODELS)) expect(MODEL_SOURCES[id], id).toBeDefined();
  });

  it('records the sha256 of the tokenizer_config.json set-up generates', () => {
    for (const [id, sources] of Object.entries(MODEL_SOURCES)) {
      for (const [name, f] of Object.entries(sources.textFiles)) {
        if (!f.generated) continue;
        const text = bertTokenizerConfig(getModel(id));
        expect(createHash('sha256').update(text).digest('hex'), `${id} ${name}`).toBe(f.sha256);
        expect(Buffer.byteLength(text)).toBe(f.bytes);
        expect(JSON.parse(text)).toMatchObject({ do_lower_case: true, model_max_length: getModel(id).maxTokens });
      }
    }
  });
});

describe('modelFingerprint', () => {
  const spec = getModel('Xenova/all-MiniLM-L6-v2');
  const info = (sha: string): ModelInfo => ({
    id: spec.id,
    dtype: spec.dtype,
    source: 'test',
    files: { [onnxFile(spec.dtype)]: { sha256: sha, bytes: 1 } },
  });

  it('changes with the weights, the pooling and the prefixes', () => {
    const a = modelFingerprint(spec, info('a'.repeat(64)));
    expect(a).toContain('a'.repeat(64));
    expect(modelFingerprint(spec, info('b'.repeat(64)))).not.toBe(a);
    expect(modelFingerprint({ ...spec, pooling: 'cls' }, info('a'.repeat(64)))).not.toBe(a);
    expect(modelFingerprint({ ...spec, queryPrefix: 'query: ' }, info('a'.repeat(64)))).not.toBe(a);
    expect(modelFingerprint({ ...spec, maxTokens: 512 }, info('a'.repeat(64)))).not.toBe(a);
  });

  it('refuses a description of another model', () => {
    expect(() => modelFingerprint(getModel('Xenova/bge-small-en-v1.5'), info('a'.repeat(64)))).toThrow(/npm run setup:model/);
  });

  it('parseModelInfo names the file when a record is malformed', () => {
    expect(() => parseModelInfo({ id: 'x', dtype: 'q8', source: 's', files: { 'a.onnx': { sha256: 'zz', bytes: 1 } } }, '/m/paperscope-model.json')).toThrow(
      /\/m\/paperscope-model.json: bad record for file "a.onnx"/,
    );
  });
});
