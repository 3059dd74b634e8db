/**
 * The app's own build config with another public folder and output folder: the offline tests use
 * it to build a second deployment (new code and another corpus) beside dist/. Not for anything else.
 */
import { mergeConfig, type Plugin } from 'vite';
import base from '../../vite.config.ts';

const publicDir = process.env.PAPERSCOPE_VARIANT_PUBLIC;
const outDir = process.env.PAPERSCOPE_VARIANT_OUT;
if (!publicDir || !outDir) throw new Error('variant.vite.config.ts needs PAPERSCOPE_VARIANT_PUBLIC and PAPERSCOPE_VARIANT_OUT');

// A release ships the app as well as data: a changed page makes the service worker's precache (and
// so sw.js) differ, and the update prompt appears. (The corpus is not precached: the page keeps it
// itself, so a deployment that changes only the corpus is picked up on the next load, downloading
// only the changed shards, without a prompt.)
const nextRelease: Plugin = { name: 'next-release', transformIndexHtml: (html) => html.replace('</head>', '<!-- next release --></head>') };

export default mergeConfig(base, { publicDir, plugins: [nextRelease], build: { outDir, emptyOutDir: true } });
