import { describe, expect, it } from 'vitest';
import { importFiles } from '../../src/import/pipeline';
import { readSource } from '../../src/import/read-source';

/** A Blob whose stream gives `size`-byte pieces, as a large File's stream does. */
function pieces(bytes: Uint8Array, size: number): Blob {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) parts.push(bytes.slice(at, at + size));
  return new Blob(parts as BlobPart[]);
}

describe('reading a file in the import worker', () => {
  it('a streamed file gives the import the bytes would, with read progress up to its size', async () => {
    const text = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ id: `p${i}`, title: `Étude ${i}`, abstract: `Measured ${'x'.repeat(i % 50)} sediment in river ${i} with ${Array.from(String(i), (d) => 'bcdfghjklm'[Number(d)]).join('')}ite.` })).join('\n');
    const bytes = new TextEncoder().encode(text);
    const progress: number[] = [];
    const streamed = await readSource('big.jsonl', pieces(bytes, 70_001), (loaded, total) => {
      expect(total).toBe(bytes.length);
      progress.push(loaded);
    });
    expect('lines' in streamed).toBe(true);
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(bytes.length);
    const a = importFiles([streamed], [], { idPrefix: 'c1' });
    const b = importFiles([{ path: 'big.jsonl', bytes }], [], { idPrefix: 'c1' });
    expect(a.papers.length).toBe(3000);
    expect(a).toEqual(b);
  });

  it('a collection export is read whole, as bytes', async () => {
    const doc = new TextEncoder().encode(JSON.stringify({ format: 'paperscope-collection', version: 1, papers: [] }));
    const f = await readSource('x.paperscope.json', pieces(doc, 10));
    expect(f).toEqual({ path: 'x.paperscope.json', bytes: doc });
  });
});
