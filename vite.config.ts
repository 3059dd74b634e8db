import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Cross-origin isolation lets onnxruntime-web use WASM threads (SharedArrayBuffer).
// A host that cannot send these headers still works, single-threaded.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [svelte()],
  define: {
    __PAPERSCOPE_MODEL__: JSON.stringify(process.env.PAPERSCOPE_MODEL ?? ''),
  },
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true },
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
});
