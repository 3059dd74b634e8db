/**
 * onnxruntime-web's builds, as setup:model installs them in public/ort/. WebGPU needs the
 * 'asyncify' build (the one the ORT bundle of transformers.js names); WASM runs the 'plain' build:
 * half its size and without asyncify's instrumentation (README "Performance" has the comparison).
 */
export type RuntimeBuild = 'plain' | 'asyncify';

export const RUNTIME_FILES: Record<RuntimeBuild, { mjs: string; wasm: string }> = {
  plain: { mjs: 'ort-wasm-simd-threaded.mjs', wasm: 'ort-wasm-simd-threaded.wasm' },
  asyncify: { mjs: 'ort-wasm-simd-threaded.asyncify.mjs', wasm: 'ort-wasm-simd-threaded.asyncify.wasm' },
};
