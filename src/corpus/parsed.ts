/** What a parser hands to the build: one paper as found in one place, before dedupe and chunking. */
import type { SourceRef } from './types.ts';

export interface ParsedPaper {
  /** Id given by the source (arXiv id, BEIR _id, a row's id); absent for scraped text. */
  sourceId?: string;
  title?: string;
  /** Display names ("First Last"), in source order. */
  authors?: string[];
  /** Abstract as found (whitespace is cleaned by the build). */
  abstract: string;
  /** ISO date, as precise as the source (see metadata.ts parseDate). */
  date?: string;
  venue?: string;
  /** Normalised DOI (see metadata.ts normaliseDoi). */
  doi?: string;
  arxivId?: string;
  /** Link the source gives (not derived from an id). */
  url?: string;
  comment?: string;
  codeUrl?: string;
  categories?: string[];
  keywords?: string[];
  source: SourceRef;
}

/** Beyond this a "paragraph" is not an abstract at all (e.g. a whole book on one line). */
export const MAX_ABSTRACT_CHARS = 200_000;

const ARXIV_NEW = /^(\d{4}\.\d{4,5})(v\d+)?$/;
const ARXIV_OLD = /^([a-z][a-z-]*(?:\.[A-Z]{2})?\/\d{7})(v\d+)?$/i;

/** The arXiv id without its version ("2309.16671v2" → "2309.16671"), or null if `s` is not one. */
export function arxivIdOf(s: string): string | null {
  const t = s.trim().replace(/^arxiv:/i, '');
  const m = ARXIV_NEW.exec(t) ?? ARXIV_OLD.exec(t);
  return m ? m[1] : null;
}

export function arxivUrl(id: string): string {
  return `https://arxiv.org/abs/${id}`;
}

const URL_RE = /https?:\/\/[^\s<>"'{}|\\^`\]]+/g;
const CODE_HOSTS = /^(?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org|codeberg\.org|sourceforge\.net|git\.[\w.-]+)$/i;

/**
 * The code repository link in a comment or abstract: the first URL on a known code host, or the
 * first URL labelled as code ("Code: https://…"). Project pages (github.io) are not code.
 */
export function findCodeUrl(text: string): string | undefined {
  for (const m of text.matchAll(URL_RE)) {
    const url = m[0].replace(/[.,;:!?)]+$/, '');
    let host = '';
    try {
      host = new URL(url).hostname;
    } catch {
      continue;
    }
    const before = text.slice(Math.max(0, (m.index ?? 0) - 30), m.index ?? 0);
    if (CODE_HOSTS.test(host) || /\bcode\b[^.;]*$/i.test(before)) return url;
  }
  return undefined;
}
