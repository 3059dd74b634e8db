/**
 * npm run make:icons — writes the app icons (public/icons/*.png): the ◎ mark of the page header,
 * drawn here so that no font or image tool is needed. The PNGs are committed; run this again only
 * to change them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BG = [0xf7, 0xf7, 0xf5];
const ACCENT = [0x2f, 0x5f, 0xd0];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** RGB PNG of the mark; `safe` is the fraction of the icon the mark may use (maskable icons: 0.6). */
function icon(size: number, safe: number): Buffer {
  const rows: Buffer[] = [];
  const c = size / 2;
  const outer = (size * safe) / 2;
  const ring = outer * 0.16;
  const dot = outer * 0.32;
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x + 0.5 - c, y + 0.5 - c);
      // coverage of the ring and the dot, with a one-pixel soft edge
      const inRing = Math.max(0, Math.min(1, outer - d + 0.5, d - (outer - ring) + 0.5));
      const inDot = Math.max(0, Math.min(1, dot - d + 0.5));
      const a = Math.max(inRing, inDot);
      for (let ch = 0; ch < 3; ch++) row[1 + x * 3 + ch] = Math.round(BG[ch] * (1 - a) + ACCENT[ch] * a);
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })), chunk('IEND', new Uint8Array(0))]);
}

const out = resolve(ROOT, 'public', 'icons');
mkdirSync(out, { recursive: true });
for (const [name, size, safe] of [['icon-192.png', 192, 0.84], ['icon-512.png', 512, 0.84], ['icon-maskable-512.png', 512, 0.6]] as const) {
  const png = icon(size, safe);
  writeFileSync(resolve(out, name), png);
  console.log(`wrote public/icons/${name} (${png.length} bytes)`);
}
