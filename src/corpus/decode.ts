/** Bytes → text lines, with everything that can be wrong with a file's bytes reported. */
import type { Reporter } from './report.ts';

export interface DecodedFile {
  /** Lines without their line breaks; index i is line i + 1. */
  lines: string[];
  /** 1-based numbers of lines that were not valid UTF-8 (or held NUL bytes): never used. */
  invalidLines: Set<number>;
}

const SNIFF_BYTES = 64 * 1024;
/** A file with a larger share of invalid lines is taken to be in another encoding, not damaged. */
const MAX_INVALID_LINE_SHARE = 0.1;

/**
 * Decode a source file. Returns null (and reports why) when the file holds no usable text:
 * empty, binary, still gzip-compressed, or not UTF-8 at all. Single damaged lines are reported
 * and marked in invalidLines; the rest of the file is still used.
 */
export function decodeFile(bytes: Uint8Array, file: string, reporter: Reporter): DecodedFile | null {
  if (bytes.length === 0) {
    reporter.warn('empty-file', file, undefined, 'empty file (0 bytes): nothing to read, skipped');
    return null;
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    reporter.warn('gzip-not-decompressed', file, undefined,
      'gzip-compressed bytes reached the parser: read the file with readCorpusFolder (which decompresses .gz) or decompress it first; skipped');
    return null;
  }
  // UTF-16 text (with its byte-order mark) is text, not binary, despite its NUL bytes.
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    const text = new TextDecoder(bytes[0] === 0xff ? 'utf-16le' : 'utf-16be').decode(bytes);
    return { lines: splitLines(text), invalidLines: new Set() };
  }
  const binary = sniffBinary(bytes.subarray(0, SNIFF_BYTES));
  if (binary) {
    reporter.warn('binary-file', file, undefined, `binary file (${binary}), not text or JSON Lines: skipped`);
    return null;
  }

  let text: string;
  const invalidLines = new Set<number>();
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const bad = invalidUtf8Positions(bytes);
    text = new TextDecoder('utf-8').decode(bytes);
    const lineCount = countLines(bytes);
    const badLines = new Map<number, { column: number; byte: number }>();
    for (const p of bad) if (!badLines.has(p.line)) badLines.set(p.line, p);
    if (badLines.size > Math.max(2, lineCount * MAX_INVALID_LINE_SHARE)) {
      const [line, first] = badLines.entries().next().value as [number, { column: number; byte: number }];
      reporter.warn('not-utf8', file, line,
        `not UTF-8: ${badLines.size} of ${lineCount} lines hold invalid bytes (first: byte 0x${hex(first.byte)} at column ${first.column}); ` +
          'the file is probably in another encoding (e.g. Latin-1): re-save it as UTF-8. Skipped');
      return null;
    }
    for (const [line, p] of badLines) {
      invalidLines.add(line);
      reporter.warn('invalid-utf8', file, line,
        `invalid UTF-8 (byte 0x${hex(p.byte)} at column ${p.column}): line skipped; fix or re-save the file as UTF-8`);
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = splitLines(text);
  // NUL bytes past the sniffed prefix: treat those lines as damaged rather than guessing.
  if (text.includes('\u0000')) {
    lines.forEach((l, i) => {
      if (l.includes('\u0000') && !invalidLines.has(i + 1)) {
        invalidLines.add(i + 1);
        reporter.warn('invalid-utf8', file, i + 1, 'line holds NUL bytes (damaged or binary data): line skipped');
      }
    });
  }
  return { lines, invalidLines };
}

function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function sniffBinary(head: Uint8Array): string | null {
  let control = 0;
  for (let i = 0; i < head.length; i++) {
    const b = head[i];
    if (b === 0) return `NUL byte at offset ${i}`;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) control++;
  }
  if (control > head.length * 0.05) return `${control} control bytes in the first ${head.length}`;
  return null;
}

function countLines(bytes: Uint8Array): number {
  let n = 1;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) if (i < bytes.length - 1) n++;
  return n;
}

function hex(b: number): string {
  return b.toString(16).toUpperCase().padStart(2, '0');
}

/**
 * Positions of invalid UTF-8 sequences (1-based line, 1-based byte column), stopping early
 * once there are clearly too many to matter individually.
 */
function invalidUtf8Positions(bytes: Uint8Array, limit = 100_000): { line: number; column: number; byte: number }[] {
  const out: { line: number; column: number; byte: number }[] = [];
  let line = 1;
  let lineStart = 0;
  let i = 0;
  while (i < bytes.length && out.length < limit) {
    const b = bytes[i];
    if (b === 0x0a) {
      line++;
      lineStart = i + 1;
      i++;
      continue;
    }
    if (b < 0x80) {
      i++;
      continue;
    }
    let need = 0;
    let min = 0;
    if (b >= 0xc2 && b <= 0xdf) { need = 1; min = 0x80; }
    else if (b >= 0xe0 && b <= 0xef) { need = 2; min = 0x800; }
    else if (b >= 0xf0 && b <= 0xf4) { need = 3; min = 0x10000; }
    let ok = need > 0 && i + need < bytes.length;
    let cp = need === 1 ? b & 0x1f : need === 2 ? b & 0x0f : b & 0x07;
    for (let k = 1; ok && k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (c & 0x3f);
    }
    if (ok && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) ok = false;
    if (!ok) {
      out.push({ line, column: i - lineStart + 1, byte: b });
      i++;
    } else {
      i += need + 1;
    }
  }
  return out;
}

/** The file's text with damaged lines blanked, so offsets still map to the right line numbers. */
export function joinedText(decoded: DecodedFile): string {
  if (decoded.invalidLines.size === 0) return decoded.lines.join('\n');
  return decoded.lines.map((l, i) => (decoded.invalidLines.has(i + 1) ? '' : l)).join('\n');
}

/** offset → 1-based line number in `text` (binary search over line starts). */
export function lineFinder(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}
