import { describe, expect, it } from 'vitest';
import { formatUrlState, parseUrlState } from '../../src/ui/url';

describe('URL state', () => {
  it('round-trips a query with spaces, unicode and reserved characters', () => {
    const q = 'speech & "vision" — 音声 ?x=1#frag';
    const s = formatUrlState({ q, like: '', mode: 'semantic' });
    expect(parseUrlState(s)).toEqual({ q, like: '', mode: 'semantic' });
  });

  it('round-trips a more-like-this paper id, which wins over a query', () => {
    const s = formatUrlState({ q: 'ignored', like: 'arxiv:2309.16671', mode: null });
    expect(s).toBe('?like=arxiv%3A2309.16671');
    expect(parseUrlState(s)).toEqual({ q: '', like: 'arxiv:2309.16671', mode: null });
  });

  it('keeps unrelated parameters and drops empty state', () => {
    expect(formatUrlState({ q: '', like: '', mode: null }, '?backend=wasm&q=old')).toBe('?backend=wasm');
    expect(formatUrlState({ q: 'x', like: '', mode: null }, '?backend=wasm')).toBe('?backend=wasm&q=x');
  });

  it('ignores an unknown mode', () => {
    expect(parseUrlState('?q=a&mode=bogus').mode).toBeNull();
  });
});
