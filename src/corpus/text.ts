/** Small text utilities shared by the parsers, dedupe and chunker. */

/** Collapse all whitespace runs (incl. line breaks and NBSP) to one space; NFC; trim. */
export function cleanText(text: string): string {
  const t = /[^\x00-\x7f]/.test(text) ? text.normalize('NFC') : text;
  return t.replace(/\s+/gu, ' ').trim();
}

export function countWords(text: string): number {
  const m = text.match(/\S+/g);
  return m ? m.length : 0;
}

/** Words for comparison: lower case, letters and digits only (punctuation and spacing ignored). */
export function comparisonWords(text: string): string[] {
  if (/[^\x00-\x7f]/.test(text)) return text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
}

const SCRIPTS: [string, RegExp][] = [
  ['Arabic', /\p{Script=Arabic}/u],
  ['Han (Chinese/Japanese)', /\p{Script=Han}/u],
  ['Hiragana/Katakana (Japanese)', /[\p{Script=Hiragana}\p{Script=Katakana}]/u],
  ['Hangul (Korean)', /\p{Script=Hangul}/u],
  ['Cyrillic', /\p{Script=Cyrillic}/u],
  ['Greek', /\p{Script=Greek}/u],
  ['Hebrew', /\p{Script=Hebrew}/u],
  ['Devanagari', /\p{Script=Devanagari}/u],
  ['Thai', /\p{Script=Thai}/u],
];

/**
 * The dominant script when most letters are not Latin (e.g. 'Arabic'), else null.
 * Greek letters inside an English abstract (α, β) stay a minority and do not count.
 */
export function nonLatinScript(text: string): string | null {
  // Fast path: only Latin (with extensions), digits, punctuation and spaces.
  if (!/[^\u0000-\u024F\u1E00-\u1EFF\u2000-\u206F]/.test(text)) return null;
  let latin = 0;
  let other = 0;
  const counts = new Map<string, number>();
  // The first few thousand characters decide; scanning a whole huge line gains nothing.
  for (const ch of text.length > 4000 ? text.slice(0, 4000) : text) {
    const code = ch.charCodeAt(0);
    if (code < 128) {
      if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) latin++;
      continue;
    }
    if (!/\p{L}/u.test(ch)) continue;
    if (/\p{Script=Latin}/u.test(ch)) {
      latin++;
      continue;
    }
    other++;
    const name = SCRIPTS.find(([, re]) => re.test(ch))?.[0] ?? 'non-Latin';
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  if (other === 0 || other <= latin) return null;
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
}

// Frequent English function words: an English abstract has many of them, other languages few.
const FUNCTION_WORDS = new Set(
  ('the of and to in a is for that with on as by we this are be from an our which it at these ' +
    'can has have or not its their than such also both using show based between into while over ' +
    'how more most when other only new two well been was were they them there however') .split(' '),
);

/** Share of words that are English function words (about 0.3–0.5 for English prose). */
export function englishFunctionWordRatio(text: string): number {
  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  if (words.length === 0) return 0;
  let hits = 0;
  for (const w of words) if (FUNCTION_WORDS.has(w)) hits++;
  return hits / words.length;
}

export interface Span {
  start: number;
  end: number;
}

// Abbreviations that do not end a sentence; ICU splits after them when a capital follows.
const NEVER_FINAL = /(?:\be\.g\.|\bi\.e\.|\bcf\.|\bvs\.|\bFigs?\.|\bEqs?\.|\bSecs?\.|\bRefs?\.|\bapprox\.|\bresp\.|\bDr\.|\bProf\.|\bMr\.|\bMrs\.|\bMs\.|\bNo\.|\bca\.)\s*$/i;
// These can end a sentence; join only when the next part starts in lower case, a digit or a bracket.
const MAYBE_FINAL = /(?:\bet al\.|\betc\.)\s*$/i;

let segmenter: Intl.Segmenter | undefined;

/**
 * Sentence spans of `text` (offsets into text, surrounding whitespace excluded), from
 * Intl.Segmenter with splits after common abbreviations ("e.g.", "et al.", "Fig.") undone.
 */
export function sentenceSpans(text: string): Span[] {
  segmenter ??= new Intl.Segmenter('en', { granularity: 'sentence' });
  const raw: Span[] = [];
  for (const s of segmenter.segment(text)) {
    const span = trimSpan(text, s.index, s.index + s.segment.length);
    if (span) raw.push(span);
  }
  const out: Span[] = [];
  for (const span of raw) {
    const prev = out[out.length - 1];
    if (prev) {
      const prevText = text.slice(prev.start, prev.end);
      const next = text.slice(span.start, span.start + 1);
      if (NEVER_FINAL.test(prevText) || (MAYBE_FINAL.test(prevText) && /[\p{Ll}\p{N}([]/u.test(next))) {
        prev.end = span.end;
        continue;
      }
    }
    out.push({ ...span });
  }
  return out;
}

function trimSpan(text: string, start: number, end: number): Span | null {
  while (start < end && /\s/.test(text[start])) start++;
  while (end > start && /\s/.test(text[end - 1])) end--;
  return end > start ? { start, end } : null;
}
