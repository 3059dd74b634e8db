/** Chunk hashes are cache keys: the browser's portable SHA-256 must equal Node's. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex, sha256HexPortable } from '../../src/corpus/hash.ts';

const nodeSha = (x: string | Uint8Array) => createHash('sha256').update(x).digest('hex');

describe('sha256Hex', () => {
  it('matches the published test vectors', () => {
    expect(sha256HexPortable('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256HexPortable('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256HexPortable('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('portable and Node implementations agree on every padding boundary and on UTF-8 text', () => {
    for (const n of [1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 65_537]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 255);
      expect(sha256HexPortable(bytes), `${n} bytes`).toBe(nodeSha(bytes));
      expect(sha256Hex(bytes)).toBe(nodeSha(bytes));
    }
    for (const s of ['naïve café', 'مرحبا', '我们 🙂', 'a'.repeat(10_000)]) {
      expect(sha256HexPortable(s)).toBe(nodeSha(Buffer.from(s, 'utf8')));
      expect(sha256Hex(s)).toBe(sha256HexPortable(s));
    }
  });
});
