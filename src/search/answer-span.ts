/**
 * The sentence(s) of a passage that best answer the query, for the result's mark. A passage is a
 * whole chunk, and on short abstracts a chunk is nearly the whole abstract; the mark should point
 * at the claim the question is about. There are no sentence vectors (embedding every sentence
 * would multiply the corpus's embedding time), so sentences are scored by the query's words, each
 * weighted by its IDF in the corpus: a sentence holding the question's rare words is the answer,
 * one holding only "model" or "speech" is not. Cheap: a few analysed sentences per result, cached.
 */

import { sentenceSpans, type Span } from '../corpus/text';

export interface SentenceTerms {
  /** offsets into the abstract */
  span: Span;
  terms: Set<string>;
  /** root() of each term: a query word's family is one lookup, not a pass over the terms */
  roots: Set<string>;
}

/** The sentences of `text[start, end)` with their analysed terms (offsets into `text`). */
export function passageSentences(text: string, passage: Span, analyze: (s: string) => string[]): SentenceTerms[] {
  const part = text.slice(passage.start, passage.end);
  return sentenceSpans(part).map((s) => {
    const terms = new Set(analyze(part.slice(s.start, s.end)));
    const roots = new Set<string>();
    for (const t of terms) roots.add(root(t));
    return { span: { start: passage.start + s.start, end: passage.start + s.end }, terms, roots };
  });
}

const SUFFIX = /(?:ing|ed|er|es|e|s)$/;

/** A word without one inflectional ending, if at least 4 letters remain: "pruning", "pruned", "prune" -> "prun". */
function root(word: string): string {
  const cut = word.replace(SUFFIX, '');
  return cut.length >= 4 ? cut : word;
}

/**
 * A query word and a sentence word of one family: "prune" / "pruning" / "pruned", "small" /
 * "smaller"; not "speed" / "speech".
 */
export function related(a: string, b: string): boolean {
  return a !== b && root(a) === root(b);
}

/**
 * How much of the query a sentence holds: IDF of each query term in it, 0.7 x IDF for a related
 * word. `queryRoots[i]` is root() of the i-th query term. A term not in the sentence has a related
 * word there exactly when its root is one of the sentence's roots (related() of two different words).
 */
export function sentenceScore(sentence: Pick<SentenceTerms, 'terms' | 'roots'>, query: ReadonlyMap<string, number>, queryRoots: readonly string[] = [...query.keys()].map(root)): number {
  let score = 0;
  let i = 0;
  for (const [t, idf] of query) {
    if (sentence.terms.has(t)) score += idf;
    else if (sentence.roots.has(queryRoots[i])) score += 0.7 * idf;
    i++;
  }
  return score;
}

/**
 * The best sentence, joined with a neighbour that scores nearly as well (the answer spans two
 * sentences); null when no sentence holds a query word (a match by meaning only: the mark stays
 * on the whole passage, we cannot say which sentence carries it).
 */
export function answerSpan(sentences: readonly SentenceTerms[], query: ReadonlyMap<string, number>): Span | null {
  if (sentences.length === 0 || query.size === 0) return null;
  const roots = [...query.keys()].map(root);
  const scores = sentences.map((s) => sentenceScore(s, query, roots));
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
  if (!(scores[best] > 0)) return null;
  let start = best;
  let end = best;
  const near = 0.8 * scores[best];
  const prev = best > 0 ? scores[best - 1] : -1;
  const next = best + 1 < scores.length ? scores[best + 1] : -1;
  if (Math.max(prev, next) >= near) {
    if (next >= prev) end++;
    else start--;
  }
  return { start: sentences[start].span.start, end: sentences[end].span.end };
}
