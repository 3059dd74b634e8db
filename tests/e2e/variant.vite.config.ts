/**
 * The app's own build config with another public folder and output folder: the offline tests use
 * it to build a second deployment (another corpus) beside dist/. Not for anything else.
 */
import { mergeConfig } from 'vite';
import base from '../../vite.config.ts';

const publicDir = process.env.PAPERSCOPE_VARIANT_PUBLIC;
const outDir = process.env.PAPERSCOPE_VARIANT_OUT;
if (!publicDir || !outDir) throw new Error('variant.vite.config.ts needs PAPERSCOPE_VARIANT_PUBLIC and PAPERSCOPE_VARIANT_OUT');

export default mergeConfig(base, { publicDir, build: { outDir, emptyOutDir: true } });
