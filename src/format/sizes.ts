/** Node: what a corpus costs on the wire — raw, gzip (level 9) and brotli (quality 9) bytes per kind of file. */
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { WrittenCorpus } from './write';

export interface SizeRow {
  kind: string;
  files: number;
  raw: number;
  gzip: number;
  brotli: number;
}

/** One file's bytes as served: raw, gzip (level 9) and brotli (quality 9). */
export function compressedSizes(bytes: Uint8Array): { raw: number; gzip: number; brotli: number } {
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }).length,
  };
}

export function measureSizes(corpus: WrittenCorpus): SizeRow[] {
  const rows = new Map<string, SizeRow>();
  const add = (kind: string, bytes: Uint8Array) => {
    let row = rows.get(kind);
    if (!row) rows.set(kind, (row = { kind, files: 0, raw: 0, gzip: 0, brotli: 0 }));
    const size = compressedSizes(bytes);
    row.files++;
    row.raw += size.raw;
    row.gzip += size.gzip;
    row.brotli += size.brotli;
  };
  add('manifest', corpus.manifestBytes);
  for (const f of corpus.files) add(f.path.startsWith('shards/v.') ? 'vectors' : 'text', f.bytes);
  return [...rows.values()];
}

export function servedSizes(corpus: WrittenCorpus): string {
  const rows = measureSizes(corpus);
  const total = rows.reduce((t, r) => ({ kind: 'total', files: t.files + r.files, raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli }), { kind: 'total', files: 0, raw: 0, gzip: 0, brotli: 0 });
  const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`.padStart(11);
  return ['Served bytes     files        raw       gzip     brotli', ...[...rows, total].map((r) => `  ${r.kind.padEnd(10)} ${String(r.files).padStart(6)} ${mb(r.raw)} ${mb(r.gzip)} ${mb(r.brotli)}`)].join('\n');
}
