import { describe, expect, it } from 'vitest';
import { ISOLATION_HEADERS, withIsolationHeaders } from '../../src/offline/isolation';
import { describePrecache, missingFromPrecache, type PrecacheEntry } from '../../src/offline/precache-check';

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
