/**
 * Token counting for chunk sizes.
 *
 * The build must work without any model installed, so the default counter is an estimate of the
 * uncased BERT WordPiece count (the tokenizer of both registered models). It is built to over-count:
 * words known to be single vocabulary entries count 1, every other word by its length (vowel-less
 * words and acronyms more), punctuation and symbols 1 each, then a 10% margin. Measured against
 * the real tokenizer on 330,000 chunk-sized windows (120–254 tokens) of arXiv and SciFact
 * abstracts it never under-counted (lowest ratio 1.09, mean 1.39; single sentences of 30+
 * tokens: lowest 1.00); tests/unit/corpus-tokens.test.ts checks it on the seeds.
 * A caller who has the real tokenizer can pass it instead (BuildOptions.countTokens).
 */
import { COMMON_WORDS } from './common-words.ts';

export type TokenCounter = (text: string) => number;

/** Recorded in the chunker version: chunks change when the counter changes. */
export const TOKEN_ESTIMATOR_ID = 'wpest1';

const known = new Set(COMMON_WORDS.split(' ').filter(Boolean));
const MARGIN = 1.1;
const WORDISH = /[\p{L}\p{N}]/u;
const SPACE = /\s/u;

/** Conservative estimate of the number of WordPiece tokens in `text` (special tokens excluded). */
export function estimateTokens(text: string): number {
  // BERT strips accents after NFD decomposition; do the same so "naïve" counts like "naive".
  const t = /[^\x00-\x7f]/.test(text) ? text.normalize('NFD').replace(/\p{M}/gu, '') : text;
  // Lower-cased once; after accent stripping lower-casing keeps every length, so slices line up.
  const lowerAll = t.toLowerCase();
  const lower = lowerAll.length === t.length ? lowerAll : null;
  let sum = 0;
  let i = 0;
  const n = t.length;
  // A hand-written scanner: this runs over every sentence of every abstract (regex was 3x slower).
  while (i < n) {
    const c = t.charCodeAt(i);
    if (isAsciiLetter(c)) {
      let j = i + 1;
      let upper = c <= 90;
      while (j < n && isAsciiLetter(t.charCodeAt(j))) {
        if (t.charCodeAt(j) > 90) upper = false;
        j++;
      }
      sum += letterRunCost(lower ? lower.slice(i, j) : t.slice(i, j).toLowerCase(), j - i, upper);
      i = j;
    } else if (c >= 48 && c <= 57) {
      let j = i + 1;
      while (j < n && t.charCodeAt(j) >= 48 && t.charCodeAt(j) <= 57) j++;
      const len = j - i;
      sum += len <= 2 ? 1 : Math.ceil((len * 2) / 3);
      i = j;
    } else if (c < 128) {
      if (c > 32 && c !== 127) sum += 1; // punctuation and symbols are split into single tokens
      i++;
    } else {
      const ch = String.fromCodePoint(t.codePointAt(i)!);
      if (WORDISH.test(ch)) {
        // Non-Latin scripts: at most one piece per character (UTF-16 units over-count, which is safe).
        let j = i + ch.length;
        while (j < n && t.charCodeAt(j) >= 128) {
          const next = String.fromCodePoint(t.codePointAt(j)!);
          if (!WORDISH.test(next)) break;
          j += next.length;
        }
        sum += j - i;
        i = j;
      } else {
        if (!SPACE.test(ch)) sum += 1;
        i += ch.length;
      }
    }
  }
  return Math.ceil(sum * MARGIN);
}

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function letterRunCost(lowerWord: string, len: number, upper: boolean): number {
  if (known.has(lowerWord)) return 1;
  // Unknown acronyms ("NSCLC", "AMPK") split into short pieces.
  if (len >= 2 && upper) return Math.max(1, len * 0.75);
  if (len <= 2) return 1;
  // Without vowels a word is no English stem: WordPiece falls back to (nearly) single letters.
  if (!/[aeiouy]/.test(lowerWord)) return len;
  return 1 + (len - 2) * 0.4;
}
