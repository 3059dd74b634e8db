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
import { isQuotaError, openCollectionStore, type CollectionInfo, type CollectionStore, type PendingImport, type StoredPaper } from '../store/collection-store';
import type { Session } from '../ui/session.svelte';
import { runImport } from './client';
import { readingList } from './reading-list.svelte';
import { knownPaper, type KnownPaper } from './known';
import type { ImportedPaper, ImportedVector, ImportReport, ImportStage } from './pipeline';
import { encodeVector, EXPORT_FORMAT, EXPORT_VERSION, type CollectionExport } from './export-format';

const BASE = import.meta.env.BASE_URL;
const BATCH = 16;
/**
 * Papers saved per IndexedDB transaction: a failure (quota) loses at most this batch, never what
 * is saved. Its puts are one task (200 papers were ~100 ms, 100 ~60-80 ms at load 10-12 on 2 cores).
 */
const SAVE_BATCH = 50;

export type ImportProgress =
  | { stage: 'reading'; file: string; loaded: number; total: number }
  | { stage: 'parsing'; files: number; bytes: number; entries?: number; total?: number | null }
  | { stage: 'chunking'; done: number; total: number }
  | { stage: 'dedupe'; found: number; known: number }
  | { stage: 'saving'; done: number; total: number }
  | { stage: 'embedding'; done: number; total: number; etaSeconds: number | null };

export interface InputFile {
  name: string;
  /** the file (a File is a Blob) or the pasted text as one: read in the import worker */
  blob: Blob;
}

/** Papers of an import that could not be stored, each named, and why. */
export interface NotStored {
  why: string;
  entries: { at: string; title: string }[];
}

export interface LastImport {
  collection: string;
  report: ImportReport;
  stopped?: string;
  passages?: { total: number; stored: number; embedded: number };
  notStored?: NotStored;
}

export class Importer {
  collections = $state.raw<CollectionInfo[]>([]);
  progress = $state.raw<ImportProgress | null>(null);
  /** The last import's report, with the collection it went into. */
  last = $state.raw<LastImport | null>(null);
  /** Imports an earlier visit did not finish (the tab was closed): what was kept, what to do. */
  interrupted = $state.raw<string[]>([]);
  /** What this visit's start embedded of the imported papers' passages, and what it found stored. */
  resumed = $state.raw<{ total: number; stored: number; embedded: number } | null>(null);
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
    this.interrupted = await this.interruptedImports();
    this.publish();
    this.ready = true;
    if (this.stored.length === 0) return;
    const stopper = (this.stopper = new AbortController());
    try {
      const counts = await this.embedMissing(this.stored, stopper, (c) => c.embedded > 0 && (this.resumed = c));
      if (counts.embedded > 0) this.resumed = counts;
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
    if (this.busy || !this.store) {
      // (a drop while the panel is busy would otherwise vanish without a word)
      this.error = `${inputs.map((f) => f.name).join(', ')} not imported: ${this.busy ? 'the panel is busy (importing or embedding); Stop it or wait, then add the files again' : 'your collections are still being read; add the files again in a moment'}.`;
      return;
    }
    const store = this.store;
    const name = collectionName.trim() || 'My papers';
    const stopper = (this.stopper = new AbortController());
    this.error = null;
    this.last = null;
    const existing = this.collections.find((c) => c.name === name);
    const collectionId = existing?.id ?? `c${randomHex(6)}`;
    // Kept until the papers are saved: a tab closed before then is told of on the next visit.
    const pending: PendingImport = {
      id: `i${randomHex(6)}`, collection: collectionId, name, files: inputs.map((f) => f.name), started: new Date().toISOString(), before: existing?.papers ?? 0,
    };
    const releaseLock = await holdLock(importLock(pending.id));
    let saving: { done: number; total: number } | null = null;
    try {
      this.progress = { stage: 'reading', file: inputs[0]?.name ?? '', loaded: 0, total: inputs.reduce((n, f) => n + f.blob.size, 0) };
      await store.putPendingImport(pending).catch(() => {}); // only the next visit's message depends on it
      const result = await runImport(
        { files: inputs.map((f) => ({ path: f.name, blob: f.blob })), known: this.known(), idPrefix: `${collectionId}.${randomHex(3)}`, maxTokens: chunkTokenLimit() },
        { signal: stopper.signal, onStage: (s) => (this.progress = stageProgress(s, this.progress)) },
      );
      const byPaper = new Map<string, Chunk[]>();
      for (const c of result.chunks) pushTo(byPaper, c.paperId, c);
      const added: StoredPaper[] = result.papers.map((paper) => ({ id: paper.id, collection: collectionId, paper, chunks: byPaper.get(paper.id) ?? [] }));
      this.last = { collection: name, report: result.report };
      if (added.length === 0) return;
      await store.putPendingImport({ ...pending, papers: added.length }).catch(() => {});
      saving = { done: 0, total: added.length };
      const header = { id: collectionId, name, created: new Date().toISOString(), chunker: result.chunker };
      const kept: StoredPaper[] = [];
      let info: CollectionInfo | null = null;
      let failure: unknown = null;
      for (let at = 0; at < added.length; at += SAVE_BATCH) {
        if (stopper.signal.aborted) throw new DOMException('stopped', 'AbortError');
        this.progress = { stage: 'saving', done: at, total: added.length };
        const batch = added.slice(at, at + SAVE_BATCH);
        try {
          info = await store.addPapers(header, batch);
        } catch (err) {
          failure = err;
          break;
        }
        kept.push(...batch);
        saving.done = kept.length;
      }
      if (info) {
        this.collections = [...this.collections.filter((c) => c.id !== info!.id), info];
        this.stored = [...this.stored, ...kept];
        this.publish();
      }
      if (failure) {
        const why = isQuotaError(failure)
          ? `This browser's storage for the site is full (${(failure as Error).name}): ${added.length - kept.length} of ${added.length} papers were not stored and are not searchable. The ${kept.length} stored are. Free space (delete a collection you no longer need, or clear other sites' data) and import the file again: the papers already stored are recognised as duplicates.`
          : `Saving failed (${(failure as Error).message}): ${added.length - kept.length} of ${added.length} papers were not stored. Import the file again to add them.`;
        // report.imported follows the order of result.papers: the first kept.length were stored
        const report = { ...this.last.report, imported: this.last.report.imported.slice(0, kept.length) };
        this.last = { ...this.last, report, notStored: { why, entries: added.slice(kept.length).map((p) => ({ at: `${p.paper.source.file}:${p.paper.source.line}`, title: p.paper.title })) } };
      }
      saving = null;
      await store.endImport(pending.id).catch(() => {});
      if (!info) return;
      const given = result.vectors.length > 0 ? await this.storeGivenVectors(info, kept, result.vectors) : undefined;
      const passages = await this.embedMissing(kept, stopper, (counts) => {
        if (this.last) this.last = { ...this.last, passages: counts };
      }, given);
      this.last = { ...this.last, passages };
    } catch (err) {
      if ((err as Error).name === 'AbortError') {
        const stopped = saving
          ? `Stopped while saving: ${saving.done} of ${saving.total} papers were saved and are searchable; the other ${saving.total - saving.done} were not added (import the file again to add them: the saved ones are recognised as duplicates).`
          : this.last
            ? 'Stopped while embedding: the papers are saved and found by keyword; their remaining passages are embedded on your next visit.'
            : 'Stopped before anything was imported: nothing was added.';
        this.last = { ...(this.last ?? { collection: name, report: emptyReport() }), stopped };
      } else {
        this.error = (err as Error).message;
      }
    } finally {
      this.progress = null;
      if (this.stopper === stopper) this.stopper = null;
      void store.endImport(pending.id).catch(() => {});
      releaseLock();
    }
  }

  /**
   * Imports an earlier visit started and never finished (the tab was closed or crashed): each is
   * told once, with what it saved. An import another tab is running now (it holds its lock) is not.
   */
  private async interruptedImports(): Promise<string[]> {
    const list = await this.store!.pendingImports().catch(() => []);
    if (list.length === 0) return [];
    const running = await runningLocks();
    const out: string[] = [];
    for (const p of list) {
      if (running.has(importLock(p.id))) continue;
      const now = this.collections.find((c) => c.id === p.collection)?.papers ?? 0;
      const saved = Math.max(0, now - p.before);
      const files = p.files.join(', ');
      const when = new Date(p.started).toLocaleString();
      out.push(
        saved === 0
          ? `Your import of ${files} into “${p.name}” (${when}) did not finish: the page was closed before any of its papers were saved, so nothing was added. Import the file again.`
          : `Your import of ${files} into “${p.name}” (${when}) did not finish: ${saved.toLocaleString('en')}${p.papers ? ` of ${p.papers.toLocaleString('en')}` : ''} papers were saved and are searchable; import the file again to add the rest (the saved ones are recognised as duplicates).`,
      );
      await this.store!.endImport(p.id).catch(() => {});
    }
    return out;
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
   * Gives a collection another name: searched, filtered and exported under it from now on. Returns
   * why not (empty, too long, another collection's name) or null when renamed.
   */
  async renameCollection(id: string, name: string): Promise<string | null> {
    const info = this.collections.find((c) => c.id === id);
    const next = name.trim();
    if (!this.store || !info) return `There is no collection "${id}" to rename.`;
    if (this.busy) return 'The panel is busy (importing or embedding): rename the collection once it is done.';
    if (!next) return 'A collection needs a name: type one, or Cancel to keep “' + info.name + '”.';
    if (next.length > MAX_NAME) return `That name is ${next.length} characters long; at most ${MAX_NAME}.`;
    if (next === info.name) return null;
    const other = this.collections.find((c) => c.id !== id && c.name === next);
    if (other) return `You already have a collection named “${next}”: choose another name (importing into “${next}” adds to that one).`;
    const renamed = await this.store.renameCollection(id, next);
    this.collections = this.collections.map((c) => (c.id === id ? { ...c, name: renamed.name } : c));
    this.publish();
    this.session.refreshResults();
    return null;
  }

  /** The stored papers of a collection, in import order (for the panel's list of them). */
  papersOf(collection: string): ImportedPaper[] {
    void this.papersVersion;
    return this.stored.filter((p) => p.collection === collection).map((p) => p.paper);
  }

  /**
   * Deletes one imported paper: its record, its passages' vectors (those no other stored paper
   * shares) and its place on the reading list. Searched no more from here on.
   */
  async deletePaper(paperId: string): Promise<void> {
    const target = this.stored.find((p) => p.id === paperId);
    if (!this.store || !target || this.busy) return;
    const info = this.collections.find((c) => c.id === target.collection);
    const rest = this.stored.filter((p) => p !== target);
    let keys: string[] = [];
    if (info) {
      const fingerprint = await this.modelFingerprint().catch(() => null);
      if (fingerprint) {
        // a vector is stored once per key (model + passage text): keep the ones another paper also uses
        const shared = new Set<string>();
        for (const [collection, list] of groupBy(rest, (p) => p.collection)) {
          const other = this.collections.find((c) => c.id === collection);
          if (other) for (const k of (await passagesOf(other, list, fingerprint)).keys) shared.add(k);
        }
        keys = (await passagesOf(info, [target], fingerprint)).keys.filter((k) => !shared.has(k));
      }
    }
    const changed = await this.store.deletePapers([paperId], keys);
    await readingList.drop(new Set([paperId]));
    this.stored = rest;
    this.collections = this.collections.map((c) => changed.find((x) => x.id === c.id) ?? c);
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
    const { chunks, keys } = await passagesOf(info, list, fingerprint);
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

  /**
   * Vectors that came in a collection export: kept when the page's model made them (stored, and
   * returned by chunk id for the session), else embedded again.
   */
  private async storeGivenVectors(info: CollectionInfo, added: StoredPaper[], given: ImportedVector[]): Promise<Map<string, Float32Array>> {
    const fingerprint = await this.modelFingerprint();
    const usable = given.filter((v) => v.model === fingerprint);
    if (usable.length < given.length) {
      this.notice = `${given.length - usable.length} vectors in the imported collection belong to another model (${given.find((v) => v.model !== fingerprint)!.model.split('|').slice(0, 2).join(' ')}): their passages are embedded again with this page's model.`;
    }
    const { chunks, keys } = await passagesOf(info, added, fingerprint);
    const keyOf = new Map(chunks.map((c, i) => [c.id, keys[i]]));
    const kept = usable.filter((v) => keyOf.has(v.chunkId));
    try {
      await this.store!.putVectors(info.id, kept.map((v) => ({ key: keyOf.get(v.chunkId)!, vector: v.vector })));
    } catch (err) {
      if (!isQuotaError(err)) throw err;
      // searched in this visit all the same; the ones not stored are embedded again on a later one
      this.notice = `This browser's storage for the site is full: some of the imported collection's vectors could not be kept. They are searched now and embedded again on your next visit; free space to keep them.`;
    }
    return new Map(kept.map((v) => [v.chunkId, v.vector]));
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

  /**
   * Vectors from `given` (an export's, just stored) or the store where it has them; the rest
   * embedded by the page's model, batch by batch.
   */
  private async embedMissing(
    papers: StoredPaper[],
    stopper: AbortController,
    onCounts?: (c: { total: number; stored: number; embedded: number }) => void,
    given?: Map<string, Float32Array>,
  ): Promise<{ total: number; stored: number; embedded: number }> {
    const counts = { total: 0, stored: 0, embedded: 0 };
    if (!this.store) return counts;
    const fingerprint = await this.modelFingerprint();
    const byCollection = new Map<string, StoredPaper[]>();
    for (const p of papers) pushTo(byCollection, p.collection, p);
    const todo: { collection: string; chunk: Chunk; key: string; text: string }[] = [];
    for (const [collection, list] of byCollection) {
      const info = this.collections.find((c) => c.id === collection);
      if (!info) continue;
      const { chunks, texts, keys } = await passagesOf(info, list, fingerprint);
      const ask = given ? chunks.flatMap((c, i) => (given.has(c.id) ? [] : [i])) : chunks.map((_, i) => i);
      const cached = await this.store.getVectors(ask.map((i) => keys[i]));
      const stored = new Map(ask.map((i, j) => [i, cached[j]]));
      for (let i = 0; i < chunks.length; i++) {
        if (i > 0 && i % VECTOR_SLICE === 0) await yieldToPage();
        const v = given?.get(chunks[i].id) ?? stored.get(i);
        if (v) this.session.setImportedVector(chunks[i].id, v);
        else todo.push({ collection, chunk: chunks[i], key: keys[i], text: texts[i] });
      }
    }
    this.session.refreshResults();
    counts.total = papers.reduce((n, p) => n + p.chunks.length, 0);
    counts.stored = counts.total - todo.length;
    onCounts?.({ ...counts });
    if (todo.length === 0) return counts;
    const t0 = performance.now();
    let unstored = 0;
    this.progress = { stage: 'embedding', done: 0, total: todo.length, etaSeconds: null };
    try {
      for (let b = 0; b < todo.length; b += BATCH) {
        if (stopper.signal.aborted) throw new DOMException('stopped', 'AbortError');
        const batch = todo.slice(b, b + BATCH);
        const flat = await this.session.embedTexts(batch.map((t) => t.text), 'passage');
        const dims = flat.length / batch.length;
        const entries = batch.map((t, j) => ({ key: t.key, vector: flat.slice(j * dims, (j + 1) * dims) }));
        for (const [collection, group] of groupBy(batch.map((t, j) => ({ ...t, vector: entries[j].vector })), (x) => x.collection)) {
          try {
            await this.store.putVectors(collection, group.map((g) => ({ key: g.key, vector: g.vector })));
          } catch (err) {
            if (!isQuotaError(err)) throw err;
            // Kept in this page (searchable now), embedded again on a later visit.
            unstored += group.length;
            this.notice = `This browser's storage for the site is full: ${unstored} ${unstored === 1 ? 'passage vector' : 'passage vectors'} of your papers could not be kept. They are searched now and embedded again on your next visit; free space to keep them.`;
          }
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

/** The longest collection name the panel takes. */
const MAX_NAME = 120;

/** Papers per slice when making passage texts and cache keys (500 papers' were a ~150 ms task at load 12: sha256 in JS). */
const PASSAGE_SLICE = 100;
/** Vectors handed to the session per task. */
const VECTOR_SLICE = 1000;

const yieldToPage = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Each stored paper's passage texts and cache keys, made once per model (an export's import needs them twice). */
const passagesMade = new WeakMap<StoredPaper, { fingerprint: string; chunker: string; texts: string[]; keys: string[] }>();

/** A collection's passages (in its papers' order), their texts and cache keys, a slice at a time with a yield between. */
async function passagesOf(info: CollectionInfo, list: StoredPaper[], fingerprint: string): Promise<{ chunks: Chunk[]; texts: string[]; keys: string[] }> {
  const out: { chunks: Chunk[]; texts: string[]; keys: string[] } = { chunks: [], texts: [], keys: [] };
  const made = (p: StoredPaper) => {
    const m = passagesMade.get(p);
    return m && m.fingerprint === fingerprint && m.chunker === info.chunker.version ? m : null;
  };
  for (let at = 0; at < list.length; at += PASSAGE_SLICE) {
    const slice = list.slice(at, at + PASSAGE_SLICE);
    const todo = slice.filter((p) => !made(p));
    if (todo.length > 0) {
      if (at > 0) await yieldToPage();
      const { texts, keys } = corpusPassages({ chunker: info.chunker, papers: todo.map((p) => p.paper), chunks: todo.flatMap((p) => p.chunks) }, fingerprint);
      let i = 0;
      for (const p of todo) {
        const n = p.chunks.length;
        passagesMade.set(p, { fingerprint, chunker: info.chunker.version, texts: texts.slice(i, i + n), keys: keys.slice(i, i + n) });
        i += n;
      }
    }
    for (const p of slice) {
      const m = made(p)!;
      out.chunks.push(...p.chunks);
      out.texts.push(...m.texts);
      out.keys.push(...m.keys);
    }
  }
  return out;
}

function stageProgress(s: ImportStage, now: ImportProgress | null): ImportProgress | null {
  switch (s.stage) {
    case 'read': return { stage: 'reading', file: s.file, loaded: s.loaded, total: s.total };
    case 'parse': return { stage: 'parsing', files: s.files, bytes: s.bytes, entries: s.entries, total: s.total };
    case 'chunk': return { stage: 'chunking', done: s.done, total: s.total };
    case 'dedupe': return { stage: 'dedupe', found: s.found, known: s.known };
    default: return now;
  }
}

function pushTo<T>(m: Map<string, T[]>, key: string, item: T): void {
  const list = m.get(key);
  if (list) list.push(item);
  else m.set(key, [item]);
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) pushTo(m, key(it), it);
  return m;
}

const importLock = (id: string) => `paperscope-import:${id}`;

/** Holds a Web Lock until the returned function is called (a no-op where Web Locks are missing). */
async function holdLock(name: string): Promise<() => void> {
  if (!navigator.locks) return () => {};
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await new Promise<void>((granted) => void navigator.locks.request(name, () => (granted(), held)));
  return release;
}

async function runningLocks(): Promise<Set<string>> {
  if (!navigator.locks) return new Set();
  const { held = [] } = await navigator.locks.query();
  return new Set(held.flatMap((l) => (l.name ? [l.name] : [])));
}

function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
}

function emptyReport(): ImportReport {
  return { files: [], found: 0, imported: [], duplicates: [], skipped: [], notes: [] };
}
