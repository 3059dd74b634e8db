/**
 * The page's importer: the user's files or pasted text → the import worker (parse + dedupe) →
 * the collection store (IndexedDB) → the page's embedder (the session's one inference worker) →
 * searchable beside the shipped corpus through the session's setImported hook.
 * Nothing leaves the browser.
 */
import type { Chunk, Paper } from '../corpus/types';
import { chunkTokenLimit } from '../embed/registry';
import { fetchModelInfo, modelFingerprint } from '../embed/model-info';
import { corpusPassages } from '../search/passage';
import { openCollectionStore, type CollectionInfo, type CollectionStore, type StoredPaper } from '../store/collection-store';
import type { Session } from '../ui/session.svelte';
import { runImport } from './client';
import { readingList } from './reading-list.svelte';
import { knownPaper, type KnownPaper } from './known';
import type { ImportedVector, ImportReport, ImportStage } from './pipeline';
import { encodeVector, EXPORT_FORMAT, EXPORT_VERSION, type CollectionExport } from './export-format';

const BASE = import.meta.env.BASE_URL;
const BATCH = 16;

export type ImportProgress =
  | { stage: 'reading'; files: number }
  | { stage: 'parsing'; files: number; bytes: number }
  | { stage: 'dedupe'; found: number; known: number }
  | { stage: 'saving'; papers: number }
  | { stage: 'embedding'; done: number; total: number; etaSeconds: number | null };

export interface InputFile {
  name: string;
  bytes: () => Promise<Uint8Array>;
}

export class Importer {
  collections = $state.raw<CollectionInfo[]>([]);
  progress = $state.raw<ImportProgress | null>(null);
  /** The last import's report, with the collection it went into. */
  last = $state.raw<{ collection: string; report: ImportReport; stopped?: string; passages?: { total: number; stored: number; embedded: number } } | null>(null);
  error = $state<string | null>(null);
  notice = $state<string | null>(null);
  ready = $state(false);
  /** Bumped whenever the session's set of imported papers changes (the session's maps are not reactive). */
  papersVersion = $state(0);

  private store: CollectionStore | null = null;
  private stopper: AbortController | null = null;
  private fingerprint: Promise<string> | null = null;
  private stored: StoredPaper[] = [];

  constructor(private readonly session: Session) {}

  get busy(): boolean {
    return this.progress !== null;
  }

  /** Reads the stored collections, hands their papers to the session, embeds what has no vector yet. */
  async start(): Promise<void> {
    this.store = await openCollectionStore();
    this.notice = this.store.notice;
    this.collections = await this.store.collections();
    this.stored = await this.store.papers();
    await readingList.attach(this.store);
    this.publish();
    this.ready = true;
    if (this.stored.length === 0) return;
    const stopper = (this.stopper = new AbortController());
    try {
      await this.embedMissing(this.stored, stopper);
    } catch (err) {
      if ((err as Error).name === 'AbortError') this.notice = 'Stopped: your remaining imported passages are embedded on your next visit; until then they are found by keyword.';
      else this.error = `Your imported papers are found by keyword only: ${(err as Error).message}`;
    } finally {
      if (this.stopper === stopper) this.stopper = null;
    }
  }

  stop(): void {
    this.stopper?.abort();
  }

  /** Imports files (or pasted text, as a file named "pasted text") into the named collection. */
  async importFiles(inputs: InputFile[], collectionName: string): Promise<void> {
    if (this.busy || !this.store) return;
    const name = collectionName.trim() || 'My papers';
    const stopper = (this.stopper = new AbortController());
    this.error = null;
    this.last = null;
    try {
      this.progress = { stage: 'reading', files: inputs.length };
      const files = await Promise.all(inputs.map(async (f) => ({ path: f.name, bytes: await f.bytes() })));
      if (stopper.signal.aborted) throw new DOMException('stopped', 'AbortError');
      const existing = this.collections.find((c) => c.name === name);
      const collectionId = existing?.id ?? `c${randomHex(6)}`;
      const result = await runImport(
        { files, known: this.known(), idPrefix: `${collectionId}.${randomHex(3)}`, maxTokens: chunkTokenLimit() },
        { signal: stopper.signal, onStage: (s) => (this.progress = stageProgress(s) ?? this.progress) },
      );
      const byPaper = new Map<string, Chunk[]>();
      for (const c of result.chunks) byPaper.set(c.paperId, [...(byPaper.get(c.paperId) ?? []), c]);
      const added: StoredPaper[] = result.papers.map((paper) => ({ id: paper.id, collection: collectionId, paper, chunks: byPaper.get(paper.id) ?? [] }));
      this.last = { collection: name, report: result.report };
      if (added.length === 0) return;
      this.progress = { stage: 'saving', papers: added.length };
      const info = await this.store.addPapers({ id: collectionId, name, created: new Date().toISOString(), chunker: result.chunker }, added);
      this.collections = [...this.collections.filter((c) => c.id !== info.id), info];
      this.stored = [...this.stored, ...added];
      this.publish();
      if (result.vectors.length > 0) await this.storeGivenVectors(info, added, result.vectors);
      const passages = await this.embedMissing(added, stopper, (counts) => {
        if (this.last) this.last = { ...this.last, passages: counts };
      });
      this.last = { ...this.last, passages };
    } catch (err) {
      if ((err as Error).name === 'AbortError') {
        this.last = this.last
          ? { ...this.last, stopped: 'Stopped while embedding: the papers are saved and found by keyword; their remaining passages are embedded on your next visit.' }
          : { collection: name, report: emptyReport(), stopped: 'Stopped before anything was imported: nothing was added.' };
      } else {
        this.error = (err as Error).message;
      }
    } finally {
      this.progress = null;
      if (this.stopper === stopper) this.stopper = null;
    }
  }

  async deleteCollection(id: string): Promise<void> {
    if (!this.store || this.busy) return;
    await this.store.deleteCollection(id);
    await readingList.drop(new Set(this.stored.filter((p) => p.collection === id).map((p) => p.id)));
    this.collections = this.collections.filter((c) => c.id !== id);
    this.stored = this.stored.filter((p) => p.collection !== id);
    this.publish();
    this.session.refreshResults();
  }

  /**
   * A collection as one JSON file: papers, passages, vectors and the model fingerprint they belong
   * to (src/import/export-format.ts). Importing it again needs no embedding under the same model.
   */
  async exportCollection(id: string): Promise<{ fileName: string; json: string }> {
    const info = this.collections.find((c) => c.id === id);
    if (!this.store || !info) throw new Error(`No collection "${id}" to export.`);
    const fingerprint = await this.modelFingerprint();
    const list = await this.store.papers(id);
    const chunks = list.flatMap((p) => p.chunks);
    const { keys } = corpusPassages({ chunker: info.chunker, papers: list.map((p) => p.paper), chunks }, fingerprint);
    const vectors = await this.store.getVectors(keys);
    const doc: CollectionExport = {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      name: info.name,
      exported: new Date().toISOString(),
      model: fingerprint,
      dims: this.session.spec.dims,
      chunker: info.chunker,
      papers: list.map((p) => p.paper),
      chunks,
      vectors: vectors.map((v) => (v ? encodeVector(v) : null)),
    };
    return { fileName: `${info.name.replace(/[^\p{L}\p{N}._-]+/gu, '-')}.paperscope.json`, json: JSON.stringify(doc) };
  }

  /** Vectors that came in a collection export: kept when the page's model made them, else embedded again. */
  private async storeGivenVectors(info: CollectionInfo, added: StoredPaper[], given: ImportedVector[]): Promise<void> {
    const fingerprint = await this.modelFingerprint();
    const usable = given.filter((v) => v.model === fingerprint);
    if (usable.length < given.length) {
      this.notice = `${given.length - usable.length} vectors in the imported collection belong to another model (${given.find((v) => v.model !== fingerprint)!.model.split('|').slice(0, 2).join(' ')}): their passages are embedded again with this page's model.`;
    }
    const chunks = added.flatMap((p) => p.chunks);
    const { keys } = corpusPassages({ chunker: info.chunker, papers: added.map((p) => p.paper), chunks }, fingerprint);
    const keyOf = new Map(chunks.map((c, i) => [c.id, keys[i]]));
    await this.store!.putVectors(info.id, usable.flatMap((v) => (keyOf.has(v.chunkId) ? [{ key: keyOf.get(v.chunkId)!, vector: v.vector }] : [])));
  }

  /** What the user already has, for dedupe: the shipped corpus and every collection. */
  private known(): KnownPaper[] {
    const names = new Map(this.collections.map((c) => [c.id, c.name]));
    return [
      ...this.session.papers.map((p) => knownPaper(p, 'the shipped corpus')),
      ...this.stored.map((s) => knownPaper(s.paper, `your collection “${names.get(s.collection) ?? s.collection}”`)),
    ];
  }

  private publish(): void {
    const papers: Paper[] = this.stored.map((s) => s.paper);
    const chunks: Chunk[] = this.stored.flatMap((s) => s.chunks);
    this.session.setImported(papers, chunks, { collections: this.collections.map((c) => ({ id: c.id, name: c.name })), collectionOf: this.stored.map((s) => s.collection) });
    this.papersVersion++;
  }

  private modelFingerprint(): Promise<string> {
    this.fingerprint ??= fetchModelInfo(`${BASE}models/`, this.session.spec).then((info) => modelFingerprint(this.session.spec, info));
    this.fingerprint.catch(() => (this.fingerprint = null));
    return this.fingerprint;
  }

  /** Vectors from the store where it has them; the rest embedded by the page's model, batch by batch. */
  private async embedMissing(
    papers: StoredPaper[],
    stopper: AbortController,
    onCounts?: (c: { total: number; stored: number; embedded: number }) => void,
  ): Promise<{ total: number; stored: number; embedded: number }> {
    const counts = { total: 0, stored: 0, embedded: 0 };
    if (!this.store) return counts;
    const fingerprint = await this.modelFingerprint();
    const byCollection = new Map<string, StoredPaper[]>();
    for (const p of papers) {
      const list = byCollection.get(p.collection);
      if (list) list.push(p);
      else byCollection.set(p.collection, [p]);
    }
    const todo: { collection: string; chunk: Chunk; key: string; text: string }[] = [];
    for (const [collection, list] of byCollection) {
      const info = this.collections.find((c) => c.id === collection);
      if (!info) continue;
      const chunks = list.flatMap((p) => p.chunks);
      const { texts, keys } = corpusPassages({ chunker: info.chunker, papers: list.map((p) => p.paper), chunks }, fingerprint);
      const cached = await this.store.getVectors(keys);
      chunks.forEach((chunk, i) => {
        const v = cached[i];
        if (v) this.session.setImportedVector(chunk.id, v);
        else todo.push({ collection, chunk, key: keys[i], text: texts[i] });
      });
    }
    this.session.refreshResults();
    counts.total = papers.reduce((n, p) => n + p.chunks.length, 0);
    counts.stored = counts.total - todo.length;
    onCounts?.({ ...counts });
    if (todo.length === 0) return counts;
    const t0 = performance.now();
    this.progress = { stage: 'embedding', done: 0, total: todo.length, etaSeconds: null };
    try {
      for (let b = 0; b < todo.length; b += BATCH) {
        if (stopper.signal.aborted) throw new DOMException('stopped', 'AbortError');
        const batch = todo.slice(b, b + BATCH);
        const flat = await this.session.embedTexts(batch.map((t) => t.text), 'passage');
        const dims = flat.length / batch.length;
        const entries = batch.map((t, j) => ({ key: t.key, vector: flat.slice(j * dims, (j + 1) * dims) }));
        for (const [collection, group] of groupBy(batch.map((t, j) => ({ ...t, vector: entries[j].vector })), (x) => x.collection)) {
          await this.store.putVectors(collection, group.map((g) => ({ key: g.key, vector: g.vector })));
        }
        batch.forEach((t, j) => this.session.setImportedVector(t.chunk.id, entries[j].vector));
        const done = Math.min(todo.length, b + BATCH);
        counts.embedded = done;
        onCounts?.({ ...counts });
        const rate = done / ((performance.now() - t0) / 1000);
        this.progress = { stage: 'embedding', done, total: todo.length, etaSeconds: done < todo.length && rate > 0 ? (todo.length - done) / rate : 0 };
        this.session.refreshResults();
      }
    } finally {
      if (this.progress?.stage === 'embedding') this.progress = null;
    }
    return counts;
  }
}

function stageProgress(s: ImportStage): ImportProgress | null {
  if (s.stage === 'parse') return { stage: 'parsing', files: s.files, bytes: s.bytes };
  if (s.stage === 'dedupe') return { stage: 'dedupe', found: s.found, known: s.known };
  return null;
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) m.set(key(it), [...(m.get(key(it)) ?? []), it]);
  return m;
}

function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
}

function emptyReport(): ImportReport {
  return { files: [], found: 0, imported: [], duplicates: [], skipped: [], notes: [] };
}
