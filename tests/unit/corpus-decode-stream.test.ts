import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeFile, LineDecoder } from '../../src/corpus/decode';
import { Reporter } from '../../src/corpus/report';

/** decodeFile on the whole file, and the LineDecoder fed the same bytes in pieces of `size`. */
function both(bytes: Uint8Array, size: number) {
  const whole = new Reporter();
  const a = decodeFile(bytes, 'f.txt', whole);
  const pieces = new Reporter();
  const d = new LineDecoder();
  for (let at = 0; at < bytes.length; at += size) d.push(bytes.slice(at, at + size));
  const b = d.finish('f.txt', pieces);
  return { a, b, whole: whole.items, pieces: pieces.items };
}

const enc = (s: string) => new TextEncoder().encode(s);
function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}

/** ~3 MB over several 1 MB segments: multi-byte characters, CRLF and lone CR, a few damaged lines, a NUL line. */
function bigFile(): Uint8Array {
  const parts: Uint8Array[] = [new Uint8Array([0xef, 0xbb, 0xbf])];
  for (let i = 0; i < 24_000; i++) {
    parts.push(enc(`{"id":"p${i}","title":"Étude ${i} — naïve Bayes ∑ 数据","abstract":"x${i}"}${i % 5 === 0 ? '\r\n' : i % 7 === 0 ? '\r' : '\n'}`));
    if (i % 4000 === 17) parts.push(new Uint8Array([0x41, 0xc3, 0x28, 0x0a])); // invalid sequence, own line
    if (i === 20_001) parts.push(concat(enc('nul'), new Uint8Array([0]), enc('here\n')));
  }
  return concat(...parts);
}

describe('LineDecoder: a file decoded piece by piece gives decodeFile\'s lines and reports', () => {
  const inputs: [string, Uint8Array][] = [
    ['the BibTeX fixture', new Uint8Array(readFileSync('tests/fixtures/import/library.bib'))],
    ['a 3 MB file with BOM, CRLF, CR, bad bytes and a NUL', bigFile()],
    ['a file in Latin-1 (not UTF-8)', new Uint8Array(Array.from({ length: 5000 }, (_, i) => (i % 40 === 39 ? 0x0a : i % 3 === 0 ? 0xe9 : 0x61)))],
    ['UTF-16 with its BOM', concat(new Uint8Array([0xff, 0xfe]), new Uint8Array(Array.from(enc('ab\ncd\n'), (c) => [c, 0]).flat()))],
    ['empty', new Uint8Array(0)],
    ['a PNG', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d])],
    ['blank lines at the end', enc('a\n\n\n')],
    ['no final line break', enc('a\nb')],
  ];
  for (const [name, bytes] of inputs) {
    it(name, () => {
      for (const size of [1 << 16, 333_333, 1 << 21, Math.max(1, bytes.length)]) {
        const { a, b, whole, pieces } = both(bytes, size);
        expect(b, `pieces of ${size}`).toEqual(a);
        expect(pieces, `pieces of ${size}`).toEqual(whole);
      }
    });
  }

  it('the 3 MB file: its damaged lines are named, the rest is read', () => {
    const { b, whole } = both(bigFile(), 1 << 16);
    expect(b!.lines[0].startsWith('{"id":"p0"')).toBe(true);
    expect(whole.filter((i) => i.code === 'invalid-utf8')).toHaveLength(7);
    expect(b!.invalidLines.size).toBe(7);
  });
});
