/**
 * npm run build:corpus [-- <folder-or-file> ...] [--out public/corpus] [--max-tokens N] [--overlap N]
 *                         [--tokenizer path/to/tokenizer.json] [--strict]
 *
 * Reads the inputs (default: seeds/), prints the build report and writes
 * <out>/manifest.json + <out>/shards/* (format 2, src/format/) atomically.
 *
 * Exit codes: 0 built, clean · 3 built, with warnings (see the report) · 1 failed, nothing written
 * (the previous corpus is untouched) · 2 bad command line.
 */
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildCorpus, chunkerSettings, DEFAULT_OVERLAP_SENTENCES, type BuildOptions } from '../corpus/build.ts';
import { readCorpusInputs, UnreadableInputError } from '../corpus/node-io.ts';
import { loadTokenizerCounter } from '../corpus/node-tokenizer.ts';
import { exitCodeFor, formatReport } from '../corpus/report.ts';
import { chunkTokenLimit } from '../embed/registry.ts';
import { writeCorpusDir } from '../format/node.ts';
import { shippedLexical } from '../search/bm25.ts';
import { servedSizes } from '../format/sizes.ts';
import { DEFAULT_BITS, writeShardedCorpus, type ShippedVectors } from '../format/write.ts';
import type { CorpusData } from '../corpus/types.ts';
import { DiskVectorCache } from '../embed/disk-cache.ts';
import { DEFAULT_PASSAGE_BATCH } from '../embed/embed-passages.ts';
import { fingerprintInfo } from '../embed/model-info.ts';
import { corpusPassages, DEFAULT_PASSAGES } from '../search/passage.ts';
import { checkedModel, DEFAULT_THREADS, embedCorpusData } from './embed-corpus.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const USAGE = `usage: npm run build:corpus [-- <folder-or-file> ...] [--out DIR] [--max-tokens N] [--overlap N] [--tokenizer FILE] [--strict]
  inputs        folders or files of abstracts: .txt (scraped text), .jsonl/.json (BEIR or arXiv rows, CSL JSON),
                .bib, .ris, .nbib, .csv, .xml/.atom (arXiv API); any may be .gz
                (default: seeds/)
  --out DIR     output folder (default: public/corpus)
  --max-tokens  chunk limit in tokens, special tokens excluded (default ${chunkTokenLimit()}: the registered models' limit minus [CLS]/[SEP])
  --overlap     sentences repeated between consecutive chunks (default ${DEFAULT_OVERLAP_SENTENCES})
  --tokenizer   count tokens exactly with this tokenizer.json instead of the conservative estimate
  --strict      treat warnings as errors (exit 1, nothing written)
  --sizes       print the bytes served: raw, gzip and brotli, per kind of file
  --vectors     ship the passages' vectors (int8 shards): embedded in Node with the page's model, only the
                passages not yet in the vector cache (resumable: a stopped build continues where it stopped)
  --cache-dir   the vector cache for --vectors (default .cache/vectors)
  --threads     onnxruntime-node threads for --vectors (default ${DEFAULT_THREADS})
  --bits 4|8    code width of shipped vectors (default ${DEFAULT_BITS}: see src/format/write.ts)
exit codes: 0 built · 3 built with warnings · 1 failed, nothing written · 2 bad command line`;

class UsageError extends Error {}

function intOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number, got "${value}"`);
  return Number(value);
}

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        'max-tokens': { type: 'string' },
        overlap: { type: 'string' },
        tokenizer: { type: 'string' },
        strict: { type: 'boolean', default: false },
        sizes: { type: 'boolean', default: false },
        vectors: { type: 'boolean', default: false },
        'cache-dir': { type: 'string' },
        threads: { type: 'string' },
        bits: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (args.values.help) {
    console.log(USAGE);
    return 0;
  }
  const inputs = args.positionals.length > 0 ? args.positionals.map((p) => resolve(p)) : [resolve(ROOT, 'seeds')];
  const outDir = resolve(args.values.out ?? resolve(ROOT, 'public', 'corpus'));
  const options: BuildOptions = {
    maxTokens: intOption(args.values['max-tokens'], 'max-tokens') ?? chunkTokenLimit(),
    overlapSentences: intOption(args.values.overlap, 'overlap'),
    source: inputs.map((p) => basename(p.replace(/[\\/]+$/, ''))).join('+'),
  };
  try {
    chunkerSettings(options);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }

  const t0 = performance.now();
  if (args.values.tokenizer) {
    const exact = await loadTokenizerCounter(resolve(args.values.tokenizer));
    options.countTokens = exact.count;
    options.tokenCounterId = exact.id;
  }
  const files = await readCorpusInputs(inputs);
  const t1 = performance.now();
  const { data, report } = buildCorpus(files, options);
  const t2 = performance.now();

  console.log(`Corpus build: ${inputs.map((p) => relative(process.cwd(), p) || '.').join(', ')}`);
  console.log(formatReport(report));
  const code = exitCodeFor(report, args.values.strict);
  if (code === 1) {
    console.error(`\nbuild:corpus FAILED${args.values.strict ? ' (--strict: warnings count as errors)' : ''}: nothing written; the corpus in ${relative(process.cwd(), outDir) || '.'} is unchanged.`);
    return 1;
  }
  let vectors: ShippedVectors | undefined;
  if (args.values.vectors) {
    const shipped = await embedForShipping(data, resolve(args.values['cache-dir'] ?? join(ROOT, '.cache', 'vectors')), intOption(args.values.threads, 'threads') ?? DEFAULT_THREADS);
    if (!shipped) {
      console.error(`\nbuild:corpus stopped: nothing written; the corpus in ${relative(process.cwd(), outDir) || '.'} is unchanged. The vectors embedded so far are kept: run the same command to continue.`);
      return 130;
    }
    const bits = args.values.bits ?? String(DEFAULT_BITS);
    if (bits !== '4' && bits !== '8') throw new UsageError(`--bits must be 4 or 8, got "${bits}"`);
    vectors = { ...shipped, bits: bits === '4' ? 4 : 8 };
  }
  const tw = performance.now();
  const out = writeShardedCorpus(data, options.source!, vectors, undefined, shippedLexical());
  const written = await writeCorpusDir(outDir, out);
  const t3 = performance.now();
  const bytes = out.files.reduce((n, f) => n + f.bytes.length, 0);
  console.log(`\nWrote ${relative(process.cwd(), written.manifestPath)} and ${out.files.length} shard files (${bytes} bytes; ${written.written.length} new, ${written.kept.length} unchanged)`);
  if (written.removed.length > 0) console.log(`Removed ${written.removed.length} files of the previous build: ${written.removed.slice(0, 5).join(', ')}${written.removed.length > 5 ? ', …' : ''}`);
  if (args.values.sizes) console.log(servedSizes(out));
  console.log(`Chunker ${data.chunker.version}, max ${data.chunker.maxTokens} tokens, overlap ${data.chunker.overlapSentences} sentence(s)`);
  if (out.manifest.vectors) {
    const v = out.manifest.vectors;
    console.log(`Vectors: ${data.chunks.length} ${v.quantisation.kind} (${v.model.id} ${v.model.dtype}, ${v.quantisation.dims}-d), cosine to float32 min ${v.error.minCosine}, mean ${v.error.meanCosine}`);
  }
  console.log(`Time: read ${ms(t1 - t0)}, build ${ms(t2 - t1)}${vectors ? `, vectors ${ms(tw - t2)}` : ''}, write ${ms(t3 - tw)}, total ${ms(t3 - t0)}`);
  if (code === 3) console.log('\nBuilt WITH WARNINGS (exit code 3): see "Warnings" above.');
  return code;
}

/**
 * Every passage's vector for shipping: from the disk cache, embedding in Node the passages it lacks
 * (with a progress line). null when stopped by Ctrl-C / SIGTERM (what was embedded is kept).
 */
async function embedForShipping(data: CorpusData, cacheDir: string, threads: number): Promise<ShippedVectors | null> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const model = await checkedModel();
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const run = await embedCorpusData(data, { cacheDir, batchSize: DEFAULT_PASSAGE_BATCH, threads, ...model }, { signal: stop.signal, log });
    if (!run.complete) return null;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const { keys } = corpusPassages(data, model.fingerprint);
  const cache = DiskVectorCache.open({ root: cacheDir, fingerprint: model.fingerprint, dims: model.spec.dims, readOnly: true });
  try {
    return {
      flat: cache.read(keys),
      info: { model: fingerprintInfo(model.spec, model.info), passageMode: DEFAULT_PASSAGES, keyVersion: `${data.chunker.version}+${DEFAULT_PASSAGES}` },
    };
  } finally {
    cache.close();
  }
}

function ms(v: number): string {
  return v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`build:corpus: ${err.message}\n${USAGE}`);
      process.exitCode = 2;
    } else {
      const known = err instanceof UnreadableInputError;
      console.error(`build:corpus FAILED: ${known ? (err as Error).message : (err as Error).stack ?? String(err)}`);
      console.error('Nothing written; the previous corpus is unchanged.');
      process.exitCode = 1;
    }
  },
);
