/** Splits an abstract around its best passage for display, clipping long context at word boundaries. */
import type { Chunk } from '../corpus/types';

export interface PassageView {
  before: string;
  passage: string;
  after: string;
  clippedStart: boolean;
  clippedEnd: boolean;
}

export function passageContext(abstract: string, passage: Pick<Chunk, 'start' | 'end'> | null, context: number): PassageView {
  if (!passage || passage.start < 0 || passage.end > abstract.length || passage.start >= passage.end) {
    const cut = clipEnd(abstract, Number.isFinite(context) ? context * 2 : Infinity);
    return { before: '', passage: '', after: cut.text, clippedStart: false, clippedEnd: cut.clipped };
  }
  const head = clipStart(abstract.slice(0, passage.start), context);
  const tail = clipEnd(abstract.slice(passage.end), context);
  return {
    before: head.text,
    passage: abstract.slice(passage.start, passage.end),
    after: tail.text,
    clippedStart: head.clipped,
    clippedEnd: tail.clipped,
  };
}

function clipStart(text: string, max: number): { text: string; clipped: boolean } {
  if (text.length <= max) return { text, clipped: false };
  const cut = text.slice(text.length - max);
  const space = cut.indexOf(' ');
  return { text: space >= 0 ? cut.slice(space + 1) : cut, clipped: true };
}

function clipEnd(text: string, max: number): { text: string; clipped: boolean } {
  if (text.length <= max) return { text, clipped: false };
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return { text: space > 0 ? cut.slice(0, space) : cut, clipped: true };
}
