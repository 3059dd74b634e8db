/**
 * Node-only: bytes the paper metadata adds to the text shards on the wire — each shard compressed
 * (brotli 11 as a host precompresses, brotli 5 as one compresses on the fly, gzip -9) with and
 * without the metadata fields; the difference per paper.
 *
 *   npx tsx src/bench/metadata-bytes.ts <corpus dir> [--shards 6]
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith('--'));
if (!dir) throw new Error('usage: tsx src/bench/metadata-bytes.ts <corpus dir> [--shards N]');
const limit = Number(args[args.indexOf('--shards') + 1] ?? Infinity) || Infinity;

const sets: Record<string, string[]> = {
  'all metadata (authors, date, year, venue, categories, keywords, doi, arxivId, url)': ['authors', 'date', 'year', 'venue', 'categories', 'keywords', 'doi', 'arxivId', 'url'],
  'authors, date, year, venue, categories, keywords, doi': ['authors', 'date', 'year', 'venue', 'categories', 'keywords', 'doi'],
  'arxivId, url': ['arxivId', 'url'],
};
const files = readdirSync(join(dir, 'shards')).filter((f) => f.endsWith('.json')).sort().slice(0, limit);
type Sizes = { raw: number; br11: number; br5: number; gz: number };
const size = (bytes: Buffer): Sizes => ({
  raw: bytes.length,
  br11: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }).length,
  br5: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }).length,
  gz: gzipSync(bytes, { level: 9 }).length,
});
const add = (a: Sizes, b: Sizes) => ({ raw: a.raw + b.raw, br11: a.br11 + b.br11, br5: a.br5 + b.br5, gz: a.gz + b.gz });
let papers = 0;
let full: Sizes = { raw: 0, br11: 0, br5: 0, gz: 0 };
const without: Record<string, Sizes> = {};
for (const f of files) {
  const shard = JSON.parse(readFileSync(join(dir, 'shards', f), 'utf8')) as { papers: Record<string, unknown>[]; spans: number[][] };
  papers += shard.papers.length;
  const encode = (ps: unknown[]) => Buffer.from(`${JSON.stringify({ format: 2, papers: ps, spans: shard.spans })}\n`);
  full = add(full, size(encode(shard.papers)));
  for (const [name, drop] of Object.entries(sets)) {
    const stripped = shard.papers.map((p) => Object.fromEntries(Object.entries(p).filter(([k]) => !drop.includes(k))));
    without[name] = add(without[name] ?? { raw: 0, br11: 0, br5: 0, gz: 0 }, size(encode(stripped)));
  }
}
console.log(`${papers} papers in ${files.length} shard(s); with every field: raw ${full.raw} B, brotli-11 ${full.br11} B, brotli-5 ${full.br5} B, gzip-9 ${full.gz} B`);
for (const [name, w] of Object.entries(without)) {
  const per = (k: keyof Sizes) => ((full[k] - w[k]) / papers).toFixed(1);
  console.log(`  ${name}: +${per('br11')} B/paper brotli-11 · +${per('br5')} brotli-5 · +${per('gz')} gzip-9 · +${per('raw')} uncompressed`);
}
