/**
 * The text embedded for a chunk. The app, the eval and the bench must all embed the same text
 * for the same chunk, so they all call passageText().
 */

import { sha256Hex } from '../corpus/hash';
import type { Chunk, CorpusData, Paper } from '../corpus/types';
import { cacheKey } from '../store/cache-key';

/**
 * 'chunk': the chunk's own text; 'title+chunk': the paper's title, a space, then the chunk (every
 * chunk carries the paper's topic); 'whole': title + abstract as one passage (what MTEB embeds),
 * used by the eval with one chunk per paper.
 */
export type PassageMode = 'chunk' | 'title+chunk' | 'whole';

/** Chosen on the SciFact train split (see the README's Quality section). */
export const DEFAULT_PASSAGES: PassageMode = 'title+chunk';

export function passageText(paper: Paper, chunk: Chunk, mode: PassageMode = DEFAULT_PASSAGES): string {
  // A derived title is the abstract's opening words: prefixing it would only repeat them.
  if (mode === 'chunk' || paper.titleDerived || !paper.title) return chunk.text;
  return `${paper.title} ${chunk.text}`;
}

/**
 * The texts to embed for every chunk of a corpus and their vector-cache keys. A key covers all
 * that is embedded: the passage mode (in the version), the chunk (its content hash) and, where
 * passageText() puts it in front, the title (a hash of it, made once per paper: hashing every
 * passage text instead cost ~0.4 s per page start for 20k passages), so a changed title or mode
 * is a miss, never a stale vector. The app and the bench both build their cache keys here.
 */
export function corpusPassages(
  data: CorpusData,
  fingerprint: string,
  mode: PassageMode = DEFAULT_PASSAGES,
): { texts: string[]; keys: string[] } {
  const byId = new Map(data.papers.map((p) => [p.id, p]));
  const titleHashes = new Map<Paper, string>();
  const version = `${data.chunker.version}+${mode}`;
  const texts: string[] = [];
  const keys: string[] = [];
  for (const chunk of data.chunks) {
    const paper = byId.get(chunk.paperId);
    if (!paper) throw new Error(`Chunk of paper "${chunk.paperId}" has no paper in the corpus; rebuild it with "npm run build:corpus".`);
    const text = passageText(paper, chunk, mode);
    texts.push(text);
    let rest = chunk.hash;
    if (text !== chunk.text) {
      let titleHash = titleHashes.get(paper);
      if (titleHash === undefined) titleHashes.set(paper, (titleHash = sha256Hex(paper.title).slice(0, 32)));
      rest = `${chunk.hash}.${titleHash}`;
    }
    keys.push(cacheKey(fingerprint, version, rest));
  }
  return { texts, keys };
}
