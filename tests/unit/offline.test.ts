import { describe, expect, it } from 'vitest';
import { ISOLATION_HEADERS, withIsolationHeaders } from '../../src/offline/isolation';
import { describePrecache, missingFromPrecache, type PrecacheEntry } from '../../src/offline/precache-check';
import { filesFor, splitManifest, sriOf } from '../../src/offline/offline-files';

describe('withIsolationHeaders', () => {
  it('adds COOP/COEP to a cached response that lacks them, keeping status, type and body', async () => {
    const cached = new Response('<!doctype html>', { status: 200, headers: { 'Content-Type': 'text/html' } });
    const out = withIsolationHeaders(cached);
    for (const [name, value] of Object.entries(ISOLATION_HEADERS)) expect(out.headers.get(name)).toBe(value);
    expect(out.headers.get('content-type')).toBe('text/html');
    expect(out.status).toBe(200);
    expect(await out.text()).toBe('<!doctype html>');
  });

  it('passes a response that already has them through unchanged', () => {
    const res = new Response('x', { headers: ISOLATION_HEADERS });
    expect(withIsolationHeaders(res)).toBe(res);
  });

  it('overrides a weaker policy (the page would not be isolated)', () => {
    const res = new Response('x', { headers: { 'Cross-Origin-Embedder-Policy': 'unsafe-none' } });
    expect(withIsolationHeaders(res).headers.get('Cross-Origin-Embedder-Policy')).toBe('require-corp');
  });
});

describe('precache manifest check', () => {
  const complete: PrecacheEntry[] = [
    { url: 'index.html', size: 800 },
    { url: 'corpus/manifest.json', size: 300 },
    { url: 'corpus/corpus.0f8ac93a29565f61.json', size: 42_000 },
    { url: 'models/Xenova/all-MiniLM-L6-v2/paperscope-model.json', size: 1300 },
    { url: 'models/Xenova/all-MiniLM-L6-v2/onnx/model_quantized.onnx', size: 22_928_619 },
    { url: 'ort/ort-wasm-simd-threaded.asyncify.wasm', size: 26_861_777 },
    { url: 'ort/ort-wasm-simd-threaded.asyncify.mjs', size: 53_057 },
    { url: 'ort/ort-wasm-simd-threaded.wasm', size: 14_264_838 },
    { url: 'ort/ort-wasm-simd-threaded.mjs', size: 24_381 },
  ];

  it('accepts a manifest with shell, model and runtime (the page keeps the corpus itself)', () => {
    expect(missingFromPrecache(complete)).toEqual([]);
  });

  it('names what is missing when workbox skipped the model (e.g. over the size limit)', () => {
    const withoutModel = complete.filter((e) => !e.url.endsWith('.onnx'));
    expect(missingFromPrecache(withoutModel)).toEqual(['the model weights (models/<Org>/<name>/onnx/*.onnx)']);
  });

  it('names every missing part of an empty manifest', () => {
    expect(missingFromPrecache([])).toHaveLength(7);
  });

  it('needs both runtime builds: a device that loses its GPU goes on with WASM, offline too', () => {
    const withoutPlain = complete.filter((e) => e.url !== 'ort/ort-wasm-simd-threaded.wasm');
    expect(missingFromPrecache(withoutPlain)).toEqual(['the ONNX runtime, plain build (ort/ort-wasm-simd-threaded.wasm)']);
  });

  it('lists files largest first with the total', () => {
    const text = describePrecache(complete);
    expect(text.split('\n')[0]).toBe('precache: 9 files, 61.20 MiB');
    expect(text.split('\n')[1]).toContain('ort/ort-wasm-simd-threaded.asyncify.wasm');
  });
});

describe('offline copy: shell precached, model and runtime stored as the page fetches them', () => {
  const manifest = [
    { url: 'index.html', revision: 'a1' },
    { url: 'assets/index-abc.js', revision: null },
    { url: 'models/Xenova/all-MiniLM-L6-v2/onnx/model_quantized.onnx', revision: 'm1', integrity: 'sha256-AAA=' },
    { url: 'ort/ort-wasm-simd-threaded.wasm', revision: 'w1', integrity: 'sha256-BBB=' },
    { url: 'ort/ort-wasm-simd-threaded.asyncify.wasm', revision: 'g1', integrity: 'sha256-CCC=' },
    { url: 'ort/ort-wasm-simd-threaded.asyncify.mjs', revision: 'g2', integrity: 'sha256-DDD=' },
  ];

  it('precaches only the shell at install; the model and both runtime builds are fetched by the page', () => {
    const { shell, files } = splitManifest(manifest);
    expect(shell.map((e) => (typeof e === 'string' ? e : e.url))).toEqual(['index.html', 'assets/index-abc.js']);
    expect(files.map((f) => [f.url, f.need])).toEqual([
      ['models/Xenova/all-MiniLM-L6-v2/onnx/model_quantized.onnx', 'always'],
      ['ort/ort-wasm-simd-threaded.wasm', 'always'],
      ['ort/ort-wasm-simd-threaded.asyncify.wasm', 'webgpu'],
      ['ort/ort-wasm-simd-threaded.asyncify.mjs', 'webgpu'],
    ]);
  });

  it('keeps the WebGPU runtime build only on a device with a WebGPU adapter', () => {
    const { files } = splitManifest(manifest);
    expect(filesFor(files, false).map((f) => f.url)).toEqual(['models/Xenova/all-MiniLM-L6-v2/onnx/model_quantized.onnx', 'ort/ort-wasm-simd-threaded.wasm']);
    expect(filesFor(files, true)).toHaveLength(4);
  });

  it("with set-up's expanded graph, the installed ONNX file is kept only where WebGPU runs it", () => {
    const dir = 'models/Xenova/all-MiniLM-L6-v2/onnx/';
    const expanded = ['expanded.onnx', 'expanded.pack', 'expanded.json'].map((f) => ({ url: `${dir}${f}`, revision: f, integrity: `sha256-${f}` }));
    const { files } = splitManifest([...manifest, ...expanded]);
    const need = Object.fromEntries(files.map((f) => [f.url, f.need]));
    expect(need[`${dir}model_quantized.onnx`]).toBe('webgpu');
    for (const e of expanded) expect(need[e.url]).toBe('always');
    expect(filesFor(files, false).map((f) => f.url)).not.toContain(`${dir}model_quantized.onnx`);
    // a build whose expanded graph is incomplete keeps the installed file for every device
    const partial = splitManifest([...manifest, expanded[0], expanded[1]]).files;
    expect(partial.find((f) => f.url === `${dir}model_quantized.onnx`)?.need).toBe('always');
  });

  it('refuses a model or runtime entry without its hash (nothing unchecked is stored)', () => {
    expect(() => splitManifest([{ url: 'ort/ort-wasm-simd-threaded.wasm', revision: 'w1' }])).toThrow(/ort\/ort-wasm-simd-threaded\.wasm lacks a revision or an integrity hash/);
  });

  it('writes sha256 digests in the SRI form fetch() checks', async () => {
    const { createHash } = await import('node:crypto');
    const digest = createHash('sha256').update('abc').digest();
    expect(sriOf(digest)).toBe(`sha256-${digest.toString('base64')}`);
    expect(sriOf(await crypto.subtle.digest('SHA-256', new TextEncoder().encode('abc')))).toBe(sriOf(digest));
  });
});
