/** The search state that lives in the address bar: ?q=<query> or ?like=<paper id>, plus &mode=. */

export type SearchMode = 'hybrid' | 'semantic' | 'keyword';
export const SEARCH_MODES: readonly SearchMode[] = ['hybrid', 'semantic', 'keyword'];

export interface UrlState {
  q: string;
  like: string;
  mode: SearchMode | null;
}

export function parseUrlState(search: string): UrlState {
  const params = new URLSearchParams(search);
  const mode = params.get('mode');
  return {
    q: params.get('q') ?? '',
    like: params.get('like') ?? '',
    mode: SEARCH_MODES.includes(mode as SearchMode) ? (mode as SearchMode) : null,
  };
}

/** Serialises state into a query string, keeping unrelated parameters (e.g. ?backend=) untouched. */
export function formatUrlState(state: UrlState, current = ''): string {
  const params = new URLSearchParams(current);
  params.delete('q');
  params.delete('like');
  params.delete('mode');
  if (state.like) params.set('like', state.like);
  else if (state.q) params.set('q', state.q);
  if (state.mode) params.set('mode', state.mode);
  const s = params.toString();
  return s ? `?${s}` : '';
}
