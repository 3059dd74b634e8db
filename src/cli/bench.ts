/**
 * npm run bench [-- --json <file>] [--port N] [--arxiv <file.jsonl.gz>] [--arxiv-papers N] [--queries N]
 *                 [--arxiv-embed-minutes M] [--vector-cache DIR] [--no-build]
 *                 [--scale] [--scale-queries N] [--scale-profile]
 *                 [--first-visit-baseline <dist>] [--first-visit-only]
 *                 [--import [--import-entries 5000] [--import-embed 96] [--import-parts bibtex,export]]
 *
 * Builds and serves the app, measures it in headless Chromium next to its baselines (see
 * src/bench/run.ts), prints a Markdown table and optionally writes the figures as JSON.
 * --scale also measures the full arXiv set (src/bench/scale.ts), written under "scale".
 * --first-visit-baseline measures a first visit to another build (e.g. the main branch's dist/)
 * beside this one's; --first-visit-only measures the first visit(s) and nothing else.
 * --import measures only importing your own papers (src/bench/import.ts), written under "import";
 * --import-parts bibtex or export runs one of its two parts.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { firstVisitRow, formatMachine, formatScaleTable, formatTable } from '../bench/results';
import { repoRoot } from '../embed/node';
import { runBench, runFirstVisitBench } from '../bench/run';
import { IMPORT_PARTS, formatImportTable, runImportOnly, type ImportPart } from '../bench/import';

const USAGE = 'usage: npm run bench [-- --json <file>] [--port 4341] [--arxiv <file.jsonl.gz>] [--arxiv-papers 10000] [--queries 120] [--arxiv-embed-minutes 15] [--vector-cache .cache/vectors] [--no-build] [--scale] [--scale-queries 120] [--scale-profile] [--first-visit-baseline <dist>] [--first-visit-only] [--import [--import-entries 5000] [--import-embed 96] [--import-parts bibtex,export]]';
const DEFAULT_ARXIV = '/work/shared/datasets/arxiv/arxiv_abstracts.jsonl.gz';

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got "${value}".\n${USAGE}`);
  return n;
}

/** --import-parts: a comma-separated subset of IMPORT_PARTS (default all). */
function importParts(value: string | undefined): ImportPart[] | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',').map((p) => p.trim());
  const unknown = parts.filter((p) => !(IMPORT_PARTS as readonly string[]).includes(p));
  if (unknown.length || parts.length === 0) throw new Error(`--import-parts takes ${IMPORT_PARTS.join(', ')} (comma-separated), got "${value}".\n${USAGE}`);
  return parts as ImportPart[];
}

/**
 * Node embeds the arXiv slice (~21k passages) once; at 20 passages/s that is ~17 min, on a busy
 * machine much more. After this budget a run uses stand-in vectors and the next run continues.
 */
const DEFAULT_EMBED_MINUTES = 15;

function minutes(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--arxiv-embed-minutes must be a number of minutes ≥ 0, got "${value}".\n${USAGE}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: 'string' },
      port: { type: 'string' },
      arxiv: { type: 'string' },
      'arxiv-papers': { type: 'string' },
      queries: { type: 'string' },
      'arxiv-embed-minutes': { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      'vector-cache': { type: 'string' },
      scale: { type: 'boolean', default: false },
      'scale-queries': { type: 'string' },
      'scale-profile': { type: 'boolean', default: false },
      'first-visit-baseline': { type: 'string' },
      'first-visit-only': { type: 'boolean', default: false },
      import: { type: 'boolean', default: false },
      'import-entries': { type: 'string' },
      'import-embed': { type: 'string' },
      'import-parts': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const log = (line: string) => console.log(`[bench] ${line}`);
  const firstVisitBaseline = values['first-visit-baseline'] ? resolve(values['first-visit-baseline']) : undefined;
  if (values['first-visit-only']) {
    const firstVisit = await runFirstVisitBench({ port: positiveInt(values.port, 'port', 4341), noBuild: values['no-build'], firstVisitBaseline, log });
    console.log(`\n| Measure | Value | Split / baseline (same run) | Target |\n|---|---|---|---|\n| ${firstVisitRow(firstVisit).join(' | ')} |`);
    if (values.json) {
      await mkdir(dirname(resolve(values.json)), { recursive: true });
      await writeFile(resolve(values.json), JSON.stringify({ firstVisit }, null, 2) + '\n');
      console.log(`Wrote ${values.json}`);
    }
    return;
  }
  const queries = positiveInt(values.queries, 'queries', 120);
  if (queries < 100) console.warn(`bench: ${queries} queries; percentiles want at least 100.`);
  const scaleQueries = positiveInt(values['scale-queries'], 'scale-queries', 120);
  if (values.scale && scaleQueries < 60) throw new Error(`--scale-queries must be at least 60 for the percentiles, got ${scaleQueries}.\n${USAGE}`);
  const arxivFile = resolve(values.arxiv ?? process.env.PAPERSCOPE_ARXIV ?? DEFAULT_ARXIV);
  const t0 = performance.now();
  if (values.import) {
    const r = await runImportOnly({
      port: positiveInt(values.port, 'port', 4341),
      arxivFile,
      entries: positiveInt(values['import-entries'], 'import-entries', 5000),
      queries,
      embedSample: positiveInt(values['import-embed'], 'import-embed', 96),
      noBuild: values['no-build'],
      vectorCache: resolve(values['vector-cache'] ?? process.env.PAPERSCOPE_VECTOR_CACHE ?? join(repoRoot(), '.cache', 'vectors')),
      parts: importParts(values['import-parts']),
      log: (line) => console.log(`[bench] ${line}`),
    });
    console.log(`\nImport (your own papers, through the page's import UI):\n\n${formatImportTable(r.import)}\n\nMachine: ${formatMachine(r.machine)}${r.commit ? `; commit ${r.commit}` : ''}`);
    console.log(`Bench time: ${((performance.now() - t0) / 60_000).toFixed(1)} min`);
    if (values.json) {
      await mkdir(dirname(resolve(values.json)), { recursive: true });
      await writeFile(resolve(values.json), JSON.stringify(r, null, 2) + '\n');
      console.log(`Wrote ${values.json}`);
    }
    return;
  }
  const results = await runBench({
    port: positiveInt(values.port, 'port', 4341),
    arxivFile,
    arxivPapers: positiveInt(values['arxiv-papers'], 'arxiv-papers', 10_000),
    queries,
    arxivEmbedBudgetMs: minutes(values['arxiv-embed-minutes'], DEFAULT_EMBED_MINUTES) * 60_000,
    noBuild: values['no-build'],
    // where npm run embed:corpus keeps passage vectors; real vectors are used where it has them all
    vectorCache: resolve(values['vector-cache'] ?? process.env.PAPERSCOPE_VECTOR_CACHE ?? join(repoRoot(), '.cache', 'vectors')),
    scale: values.scale,
    scaleSource: arxivFile,
    scaleQueries,
    scaleProfile: values['scale-profile'],
    firstVisitBaseline,
    log,
  });
  console.log(`\n${formatTable(results)}\n\nMachine: ${formatMachine(results.machine)}${results.commit ? `; commit ${results.commit}` : ''}`);
  if (results.scale) console.log(`\nScale (full arXiv set):\n\n${formatScaleTable(results)}`);
  console.log(`Bench time: ${((performance.now() - t0) / 60_000).toFixed(1)} min`);
  if (values.json) {
    await mkdir(dirname(resolve(values.json)), { recursive: true });
    await writeFile(resolve(values.json), JSON.stringify(results, null, 2) + '\n');
    console.log(`Wrote ${values.json}`);
  }
}

main().catch((err: Error) => {
  console.error(`\nbench FAILED: ${err.stack ?? err.message}`);
  process.exit(1);
});
