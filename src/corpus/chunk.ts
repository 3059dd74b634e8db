/**
 * Sentence-aware chunking of one abstract.
 *
 * Chunks are runs of whole sentences whose token count stays within maxTokens; consecutive chunks
 * share `overlapSentences` sentences. Among the packings with the fewest chunks, the one with the
 * most even sizes is used (no 250-token chunk followed by a 20-token one). Only a single sentence
 * longer than the limit is cut, at word boundaries (at characters for a word longer than the
 * limit), and the build reports it.
 */
import { sentenceSpans, type Span } from './text.ts';
import type { TokenCounter } from './tokens.ts';

/** Bump when the chunk boundaries for the same input change. */
export const CHUNKER_VERSION = 'sent1';

export interface ChunkPlan {
  spans: Span[];
  /** Sentences longer than the limit that had to be cut inside. */
  cutSentences: { tokens: number; pieces: number }[];
}

export function chunkAbstract(text: string, maxTokens: number, overlapSentences: number, count: TokenCounter): ChunkPlan {
  const units: Span[] = [];
  const tokens: number[] = [];
  const cutSentences: ChunkPlan['cutSentences'] = [];
  for (const s of sentenceSpans(text)) {
    const n = count(text.slice(s.start, s.end));
    if (n <= maxTokens) {
      units.push(s);
      tokens.push(n);
      continue;
    }
    const pieces = cutSentence(text, s, maxTokens, count);
    cutSentences.push({ tokens: n, pieces: pieces.length });
    for (const p of pieces) {
      units.push(p);
      tokens.push(count(text.slice(p.start, p.end)));
    }
  }
  if (units.length === 0) return { spans: [], cutSentences };

  let plan = pack(tokens, maxTokens, overlapSentences);
  if (plan.length > 1) {
    // Smallest limit that still needs no more chunks: evens out the chunk sizes.
    let lo = Math.max(...tokens);
    let hi = maxTokens;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pack(tokens, mid, overlapSentences).length <= plan.length) hi = mid;
      else lo = mid + 1;
    }
    const even = pack(tokens, hi, overlapSentences);
    if (even.length <= plan.length) plan = even;
  }
  const spans = plan.map(([a, b]) => ({ start: units[a].start, end: units[b].end }));
  // Token counts add up over whitespace-separated sentences, so a chunk's count is at most the
  // sum of its sentences' counts, which pack() kept within the limit.
  return { spans, cutSentences };
}

/** Greedy packing of units [first, last] under `limit`, repeating `overlap` units between chunks. */
function pack(tokens: number[], limit: number, overlap: number): [number, number][] {
  const out: [number, number][] = [];
  let s = 0;
  while (s < tokens.length) {
    let e = s;
    let sum = tokens[s];
    while (e + 1 < tokens.length && sum + tokens[e + 1] <= limit) sum += tokens[++e];
    out.push([s, e]);
    if (e === tokens.length - 1) break;
    let next = Math.max(s + 1, e + 1 - overlap);
    let nextSum = 0;
    for (let i = next; i <= e + 1; i++) nextSum += tokens[i];
    // Drop overlap sentences that would leave no room for the next new one.
    while (next <= e && nextSum > limit) nextSum -= tokens[next++];
    s = next;
  }
  return out;
}

/** Pieces of one over-long sentence, each within the limit, cut after whole words where possible. */
function cutSentence(text: string, s: Span, limit: number, count: TokenCounter): Span[] {
  const words: Span[] = [];
  for (const m of text.slice(s.start, s.end).matchAll(/\S+/g)) {
    const start = s.start + (m.index ?? 0);
    words.push({ start, end: start + m[0].length });
  }
  const pieces: Span[] = [];
  let i = 0;
  while (i < words.length) {
    const fits = (j: number) => count(text.slice(words[i].start, words[j].end)) <= limit;
    if (!fits(i)) {
      pieces.push(...cutWord(text, words[i], limit, count));
      i++;
      continue;
    }
    // Gallop then binary-search the last word that still fits: O(log n) counts per piece.
    let good = i;
    let step = 1;
    while (good + step < words.length && fits(good + step)) {
      good += step;
      step *= 2;
    }
    let lo = good;
    let hi = Math.min(words.length - 1, good + step - 1);
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (fits(mid)) lo = mid;
      else hi = mid - 1;
    }
    pieces.push({ start: words[i].start, end: words[lo].end });
    i = lo + 1;
  }
  return pieces;
}

function cutWord(text: string, w: Span, limit: number, count: TokenCounter): Span[] {
  const pieces: Span[] = [];
  let start = w.start;
  while (start < w.end) {
    let lo = start + 1;
    let hi = w.end;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (count(text.slice(start, mid)) <= limit) lo = mid;
      else hi = mid - 1;
    }
    // Never split a surrogate pair: the piece must stay valid text.
    let end = lo;
    if (end < w.end && /[\uDC00-\uDFFF]/.test(text[end]) && end - 1 > start) end--;
    pieces.push({ start, end });
    start = end;
  }
  return pieces;
}
