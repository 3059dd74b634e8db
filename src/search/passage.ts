/**
 * The text embedded for a chunk. The app, the eval and the bench must all embed the same text
 * for the same chunk, so they all call passageText().
 */

import type { Chunk, Paper } from '../corpus/types';

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
