/**
 * Node-only: the files the import bench gives the page (src/bench/import.ts), made from the arXiv
 * dataset (measurement data, written under .cache/bench/import, never committed):
 *   - a BibTeX file of `papers` real arXiv entries with their abstracts, as an arXiv export has
 *     them (title, eprint, archivePrefix, primaryClass, year, abstract with its LaTeX);
 *   - the same papers as a Paperscope collection export (src/import/export-format.ts) carrying
 *     passage vectors, so the page imports them without embedding 5,000 papers (hours in a
 *     browser here). The papers and passages are what the page's own import makes of the BibTeX
 *     (the pipeline the import worker runs); vectors come from the Node vector cache
 *     (npm run embed:corpus) where it has the passage, random unit vectors elsewhere (same cost
 *     to store, load and rank; the bench says how many).
 */
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { DiskVectorCache, vectorCacheDir } from '../embed/disk-cache';
import { modelFingerprint, type ModelInfo } from '../embed/model-info';
import { chunkTokenLimit, type ModelSpec } from '../embed/registry';
import { encodeVector, EXPORT_FORMAT, EXPORT_VERSION, type CollectionExport } from '../import/export-format';
import { importFiles } from '../import/pipeline';
import { corpusPassages } from '../search/passage';
import { randomUnitVectors } from './vectors';

export interface ImportData {
  bibFile: string;
  exportFile: string;
  papers: number;
  passages: number;
  /** passages whose vector came from the Node cache (the rest are random stand-ins) */
  realVectors: number;
  /** titles of the rows after the imported ones: queries no paper answers verbatim */
  queries: string[];
}

interface ArxivRow {
  id: string;
  title: string;
  abstract: string;
  categories?: string;
  listing_date?: string;
}

/** Rows `skip`..`skip+n` of the dataset that have a title and an abstract. */
async function arxivRows(source: string, skip: number, n: number): Promise<ArxivRow[]> {
  const out: ArxivRow[] = [];
  const lines = createInterface({ input: createReadStream(source).pipe(createGunzip()), crlfDelay: Infinity });
  let seen = 0;
  for await (const line of lines) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as ArxivRow;
    if (!row.title?.trim() || !row.abstract?.trim()) continue;
    if (seen++ < skip) continue;
    out.push(row);
    if (out.length >= n) break;
  }
  lines.close();
  if (out.length < n) throw new Error(`${source}: only ${out.length} rows with a title and an abstract after the first ${skip}; the import bench needs ${n}.`);
  return out;
}

/** A field value with balanced braces (BibTeX needs them; the rare unbalanced abstract loses its braces). */
function braced(text: string): string {
  let depth = 0;
  for (const c of text) {
    if (c === '{') depth++;
    else if (c === '}' && --depth < 0) break;
  }
  return `{${depth === 0 ? text : text.replace(/[{}]/g, '')}}`;
}

export function bibtexEntry(row: ArxivRow): string {
  const year = /^\d{4}/.exec(row.listing_date ?? '')?.[0];
  const primary = row.categories?.split(/\s+/)[0];
  const fields: [string, string][] = [
    ['title', row.title.replace(/\s+/g, ' ').trim()],
    ['eprint', row.id],
    ['archivePrefix', 'arXiv'],
    ...(primary ? [['primaryClass', primary] as [string, string]] : []),
    ...(year ? [['year', year] as [string, string]] : []),
    ['abstract', row.abstract.trim()],
  ];
  return `@misc{arxiv${row.id.replace(/[^\w]/g, '_')},\n${fields.map(([k, v]) => `  ${k} = ${braced(v)},`).join('\n')}\n}\n`;
}

/** Writes (once) the BibTeX file and the vector-carrying export of `papers` arXiv entries. */
export async function importData(opts: { source: string; dir: string; papers: number; skip: number; queries: number; spec: ModelSpec; info: ModelInfo; vectorCache: string; log: (l: string) => void }): Promise<ImportData> {
  const { spec, log } = opts;
  const fingerprint = modelFingerprint(spec, opts.info);
  const tag = `arxiv-${opts.skip}-${opts.papers}-q${opts.queries}`;
  const bibFile = join(opts.dir, `${tag}.bib`);
  const exportFile = join(opts.dir, `${tag}.paperscope.json`);
  const metaFile = join(opts.dir, `${tag}.meta.json`);
  if (existsSync(metaFile) && existsSync(bibFile) && existsSync(exportFile)) {
    const meta = JSON.parse(await readFile(metaFile, 'utf8')) as ImportData & { fingerprint: string; vectorCache: string };
    if (meta.fingerprint === fingerprint && meta.vectorCache === opts.vectorCache) return { ...meta, bibFile, exportFile };
  }
  await mkdir(opts.dir, { recursive: true });
  log(`import bench: writing ${opts.papers} arXiv entries (rows ${opts.skip}+) as BibTeX and as a collection export with vectors into ${opts.dir}`);
  const all = await arxivRows(opts.source, opts.skip, opts.papers + opts.queries);
  const rows = all.slice(0, opts.papers);
  const queries = all.slice(opts.papers).map((r) => r.title.replace(/\s+/g, ' ').trim());
  const bib = rows.map(bibtexEntry).join('\n');
  await writeFile(bibFile, bib);
  // what the page's import makes of the file (the worker's pipeline), against no known papers
  const result = importFiles([{ path: `${tag}.bib`, bytes: new TextEncoder().encode(bib) }], [], { idPrefix: 'cbench.00', maxTokens: chunkTokenLimit() });
  const { keys } = corpusPassages({ chunker: result.chunker, papers: result.papers, chunks: result.chunks }, fingerprint);
  const flat = randomUnitVectors(keys.length, spec.dims);
  let real = 0;
  if (existsSync(join(vectorCacheDir(opts.vectorCache, fingerprint), 'cache.json'))) {
    const cache = DiskVectorCache.open({ root: opts.vectorCache, fingerprint, dims: spec.dims, readOnly: true });
    try {
      keys.forEach((k, i) => {
        if (!cache.has(k)) return;
        flat.set(cache.read([k]), i * spec.dims);
        real++;
      });
    } finally {
      cache.close();
    }
  }
  const doc: CollectionExport = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    name: `arXiv ${opts.papers} (bench)`,
    exported: new Date(0).toISOString(),
    model: fingerprint,
    dims: spec.dims,
    chunker: result.chunker,
    papers: result.papers,
    chunks: result.chunks,
    vectors: result.chunks.map((_, i) => encodeVector(flat.subarray(i * spec.dims, (i + 1) * spec.dims))),
  };
  await writeFile(exportFile, JSON.stringify(doc));
  const meta = { papers: result.papers.length, passages: result.chunks.length, realVectors: real, queries, fingerprint, vectorCache: opts.vectorCache };
  await writeFile(metaFile, JSON.stringify(meta));
  log(`import bench: ${meta.papers} papers imported from the BibTeX in Node (${result.report.skipped.length} skipped, ${result.report.duplicates.length} duplicates), ${meta.passages} passages, ${real} real vectors from the cache`);
  return { bibFile, exportFile, papers: meta.papers, passages: meta.passages, realVectors: real, queries };
}
