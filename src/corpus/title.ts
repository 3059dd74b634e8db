/**
 * A short label for a paper whose source gives no title (Paper.titleDerived = true).
 * Kept simple and honest: the name the abstract introduces, if any ("MetaCLIP: Metadata-Curated
 * Language-Image Pre-training", "EAR: We propose EAR, a query…"), else the opening words of the
 * first sentence. It never pretends to be the real title.
 */
import { sentenceSpans } from './text.ts';

const INTRO = /\b(?:propose[sd]?|present(?:s|ed)?|introduce[sd]?|develop(?:s|ed)?|describe[sd]?|call(?:ed)?|name[sd]?|dub(?:bed)?)\b/i;
const SNIPPET_WORDS = 10;

export function deriveTitle(abstract: string): string {
  const spans = sentenceSpans(abstract);
  const sentences = spans.map((s) => abstract.slice(s.start, s.end));
  const snippet = snippetOf(sentences[0] ?? abstract);
  for (const sentence of sentences) {
    const intro = INTRO.exec(sentence);
    if (!intro) continue;
    const after = sentence.slice(intro.index + intro[0].length);
    const defined = definedAcronym(after);
    if (defined) return tidy(defined.longForm ? `${defined.acronym}: ${defined.longForm}` : `${defined.acronym}: ${snippet}`);
    const named = /^\s+(?:(?:the|a|an|our)\s+)?([\p{L}\p{N}][\p{L}\p{N}+-]*)(\s+v\d+(?:\.\d+)?)?/u.exec(after);
    if (named && isName(named[1])) return tidy(`${named[1]}${named[2] ?? ''}: ${snippet}`);
  }
  return tidy(snippet);
}

/**
 * "Masked Audio-Video Learners (MAViL)" right after the verb → the acronym and, when every word
 * before it is capitalised, its long form. A bracket further away names something else.
 */
function definedAcronym(text: string): { acronym: string; longForm?: string } | null {
  const m = /^\s*([^()]*?)\s*\(([\p{L}\p{N}-]{2,20})\)/u.exec(text);
  if (!m || !isName(m[2])) return null;
  const words = m[1].split(/\s+/).filter(Boolean);
  while (words.length > 0 && /^(?:the|a|an|our|this)$/i.test(words[0])) words.shift();
  if (words.length === 0 || words.length > 6) return null;
  const capitalised = words.every((w) => /^\p{Lu}/u.test(w));
  return { acronym: m[2], longForm: capitalised && words.length >= 2 ? words.join(' ') : undefined };
}

/** A coined name: an acronym ("EAR", "AV-SUPERB"), camel case ("MetaCLIP") or letters with digits ("CM3Leon"). */
function isName(word: string): boolean {
  if (!/\p{L}/u.test(word)) return false;
  return /\p{Lu}{2}/u.test(word) || /\p{Ll}\p{Lu}/u.test(word) || (/\p{Lu}/u.test(word) && /\p{N}/u.test(word));
}

function snippetOf(sentence: string): string {
  const words = sentence.split(/\s+/).filter(Boolean);
  const head = words.slice(0, SNIPPET_WORDS).join(' ').replace(/[\s,;:.!?-]+$/, '');
  return words.length > SNIPPET_WORDS ? `${head}…` : head;
}

function tidy(label: string): string {
  // Scraped line-break hyphens ("Prune-Adjust- Re-Prune") read better joined in a label.
  return label.replace(/(\p{L})- (\p{Lu})/gu, '$1-$2').trim();
}
