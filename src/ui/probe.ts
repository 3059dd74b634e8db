/**
 * What the page exposes to the e2e tests and the benchmark: window.__paperscope() (a read-only view
 * of progress and timings, set by App.svelte) and the 'paperscope:results' event. One declaration,
 * so the page, tests/e2e and src/bench read the same shape.
 */
import type { Phase, Session } from './session.svelte';

/** Announced once a ranking is in the DOM; renderedAt is performance.now() at that moment. */
export interface ResultsEvent {
  query: string;
  mode: string;
  ms: number;
  hits: number;
  coverage: { embedded: number; total: number; papers: number | null; papersTotal: number | null };
  renderedAt: number;
}

export interface AppProbe {
  timings: Session['timings'];
  embedding: Session['embedding'];
  backend: Session['backend'];
  storage: Session['storage'];
  corpusDownload: Session['corpusDownload'];
  verification: Session['verification'];
  updateReady: boolean;
  crossOriginIsolated: boolean;
  phase: Phase;
  lastResults: ResultsEvent | null;
}
