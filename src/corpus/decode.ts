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
  const decoder = new LineDecoder();
  decoder.push(bytes);
  return decoder.finish(file, reporter);
}

/** Bytes are decoded this many at a time (cut after a line break), then dropped. */
const SEGMENT_BYTES = 1 << 20;

/**
 * decodeFile for a file that arrives in pieces (a Blob's stream in the import worker): only the
 * lines are kept, never the whole file's bytes and its text at once. Cut after a line break, a
 * piece never splits a UTF-8 sequence, so decoding piece by piece gives decodeFile's lines and
 * reports exactly; the whole-file checks (empty, gzip, binary, share of bad lines) are made on
 * the first 64 KiB and on the totals, as decodeFile makes them.
 */
export class LineDecoder {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private started = false;
  /** why the file is unusable, found on its first bytes */
  private refused: { code: 'empty-file' | 'gzip-not-decompressed' | 'binary-file'; message: string } | null = null;
  /** UTF-16 (by its byte-order mark): decoded whole at the end */
  private utf16: 'utf-16le' | 'utf-16be' | null = null;
  private lines: string[] = [];
  /** line → first invalid byte on it (1-based column) */
  private badLines = new Map<number, { column: number; byte: number }>();
  private nulLines: number[] = [];
  /** line breaks (0x0a) seen so far; the next segment starts on line newlines + 1 */
  private newlines = 0;
  private lastByte = -1;
  private total = 0;

  push(chunk: Uint8Array): void {
    if (chunk.length === 0 || this.refused) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.total += chunk.length;
    if (!this.started && this.pendingBytes < SNIFF_BYTES) return;
    if (!this.started) this.begin();
    if (this.refused || this.utf16 || this.pendingBytes < SEGMENT_BYTES) return;
    const bytes = this.take();
    const cut = bytes.lastIndexOf(0x0a) + 1;
    if (cut === 0) return this.keep(bytes);
    this.segment(bytes.subarray(0, cut));
    if (cut < bytes.length) this.keep(bytes.slice(cut));
  }

  finish(file: string, reporter: Reporter): DecodedFile | null {
    if (!this.started) this.begin();
    if (this.refused) {
      reporter.warn(this.refused.code, file, undefined, this.refused.message);
      return null;
    }
    const rest = this.take();
    if (this.utf16) return { lines: splitLines(new TextDecoder(this.utf16).decode(rest)), invalidLines: new Set() };
    if (rest.length > 0) this.segment(rest);
    const invalidLines = new Set<number>();
    if (this.badLines.size > 0) {
      const lineCount = this.newlines + 1 - (this.lastByte === 0x0a ? 1 : 0);
      if (this.badLines.size > Math.max(2, lineCount * MAX_INVALID_LINE_SHARE)) {
        const [line, first] = this.badLines.entries().next().value as [number, { column: number; byte: number }];
        reporter.warn('not-utf8', file, line,
          `not UTF-8: ${this.badLines.size} of ${lineCount} lines hold invalid bytes (first: byte 0x${hex(first.byte)} at column ${first.column}); ` +
            'the file is probably in another encoding (e.g. Latin-1): re-save it as UTF-8. Skipped');
        return null;
      }
      for (const [line, p] of this.badLines) {
        invalidLines.add(line);
        reporter.warn('invalid-utf8', file, line, `invalid UTF-8 (byte 0x${hex(p.byte)} at column ${p.column}): line skipped; fix or re-save the file as UTF-8`);
      }
    }
    // NUL bytes past the sniffed prefix: treat those lines as damaged rather than guessing.
    for (const line of this.nulLines) {
      if (invalidLines.has(line)) continue;
      invalidLines.add(line);
      reporter.warn('invalid-utf8', file, line, 'line holds NUL bytes (damaged or binary data): line skipped');
    }
    return { lines: this.lines, invalidLines };
  }

  private begin(): void {
    this.started = true;
    const all = this.take();
    this.keep(all);
    const head = all.subarray(0, SNIFF_BYTES);
    if (this.total === 0) this.refused = { code: 'empty-file', message: 'empty file (0 bytes): nothing to read, skipped' };
    else if (head[0] === 0x1f && head[1] === 0x8b) {
      this.refused = { code: 'gzip-not-decompressed', message: 'gzip-compressed bytes reached the parser: read the file with readCorpusFolder (which decompresses .gz) or decompress it first; skipped' };
    } else if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
      // UTF-16 text (with its byte-order mark) is text, not binary, despite its NUL bytes.
      this.utf16 = head[0] === 0xff ? 'utf-16le' : 'utf-16be';
    } else {
      const binary = sniffBinary(head);
      if (binary) this.refused = { code: 'binary-file', message: `binary file (${binary}), not text or JSON Lines: skipped` };
    }
    if (this.refused) this.keep(new Uint8Array(0));
  }

  /** All pending bytes as one array (pending is emptied). */
  private take(): Uint8Array {
    const out = this.pending.length === 1 ? this.pending[0] : new Uint8Array(this.pendingBytes);
    if (this.pending.length > 1) {
      let at = 0;
      for (const c of this.pending) {
        out.set(c, at);
        at += c.length;
      }
    }
    this.pending = [];
    this.pendingBytes = 0;
    return out;
  }

  private keep(bytes: Uint8Array): void {
    this.pending = [bytes];
    this.pendingBytes = bytes.length;
  }

  /** Decodes whole lines (the segment ends after a line break, or is the file's last piece). */
  private segment(bytes: Uint8Array): void {
    const firstLine = this.newlines + 1;
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      for (const p of invalidUtf8Positions(bytes)) {
        const line = p.line + firstLine - 1;
        if (!this.badLines.has(line)) this.badLines.set(line, { column: p.column, byte: p.byte });
      }
      text = new TextDecoder('utf-8').decode(bytes);
    }
    if (firstLine === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const lines = text.split(/\r\n|\r|\n/);
    // after a final line break comes no line (a segment other than the last always ends with one)
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    if (text.includes('\u0000')) lines.forEach((l, i) => l.includes('\u0000') && this.nulLines.push(this.lines.length + i + 1));
    for (const l of lines) this.lines.push(l);
    for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) this.newlines++;
    this.lastByte = bytes[bytes.length - 1];
  }
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
