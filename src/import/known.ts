/**
 * What an import checks new papers against: the keys under which two records are the same paper.
 * Light (no parsers): the page builds these for the shipped corpus and its collections.
 */
import { sha256Hex } from '../corpus/hash';
import { comparisonWords } from '../corpus/text';
import type { Paper } from '../corpus/types';

/** What the import needs to know of a paper the user already has. */
export interface KnownPaper {
  id: string;
  title: string;
  titleDerived: boolean;
  doi?: string;
  arxivId?: string;
  year?: number;
  /** sha256 of the abstract's comparison words (imports store it; shipped papers may lack it) */
  abstractKey?: string;
  /** where it is, for the report: 'the shipped corpus' or 'collection "Reading"' */
  where: string;
}

/** Keys under which two records are the same paper, most specific first (as src/corpus/dedupe.ts). */
export function paperKeys(p: { doi?: string; arxivId?: string; title: string; titleDerived: boolean; year?: number; abstractKey?: string }): [string, string][] {
  const keys: [string, string][] = [];
  if (p.doi) keys.push([`doi:${p.doi.toLowerCase()}`, `same DOI ${p.doi}`]);
  if (p.arxivId) keys.push([`arxiv:${p.arxivId.replace(/v\d+$/, '')}`, `same arXiv id ${p.arxivId}`]);
  if (!p.titleDerived && p.year !== undefined) {
    const words = comparisonWords(p.title);
    if (words.length >= 3) keys.push([`title:${p.year}:${words.join(' ')}`, `same title and year (${p.year})`]);
  }
  if (p.abstractKey) keys.push([`abstract:${p.abstractKey}`, 'same abstract']);
  return keys;
}

export function abstractKey(abstract: string): string {
  return sha256Hex(comparisonWords(abstract).join(' ')).slice(0, 32);
}

/** Different DOIs or arXiv ids: two papers, whatever else they share (the corpus build's rule). */
export function differ(a: { doi?: string; arxivId?: string }, b: { doi?: string; arxivId?: string }): boolean {
  return (!!a.doi && !!b.doi && a.doi !== b.doi) || (!!a.arxivId && !!b.arxivId && a.arxivId !== b.arxivId);
}

/** A KnownPaper for a paper of the shipped corpus or a collection. */
export function knownPaper(p: Paper & { abstractKey?: string }, whereText: string): KnownPaper {
  return {
    id: p.id,
    title: p.title,
    titleDerived: p.titleDerived,
    ...(p.doi !== undefined && { doi: p.doi }),
    ...(p.arxivId !== undefined && { arxivId: p.arxivId }),
    ...(p.year !== undefined && { year: p.year }),
    ...(p.abstractKey !== undefined && { abstractKey: p.abstractKey }),
    where: whereText,
  };
}
