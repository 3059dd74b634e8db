/**
 * App state and the flow behind the page: corpus → cache → embed misses in the worker → search.
 * Components read this state; only this module talks to the worker, IndexedDB and the network.
 */
import type { Chunk, CorpusData, Paper } from '../corpus/types';
import { sha256Hex } from '../corpus/hash';
import { eachLimited, fileUrl, keptFile, loadFile, loadManifest, type LaterCheck } from '../format/fetch';
import { codeBits, vectorMismatch, type FileRef, type ShardedManifest } from '../format/manifest';
import type { LexicalSegmentData } from '../format/lexical-shard';
import { cosine } from '../format/quantise';
import { QuantMatrix } from '../search/quant-matrix';
import { decodeLexical, decodeText, decodeVectors, type TextPart } from '../format/read';
import { ShardCache } from '../store/shard-cache';
import { EmbedClient, type DownloadProgress } from '../embed/client';
import { activeModelId, getModel, type ModelSpec } from '../embed/registry';
import { modelFingerprint, type ModelInfo } from '../embed/model-info';
import type { Backend, BackendPreference } from '../embed/protocol';
import { openVectorStore, type VectorStore } from '../store/vector-store';
import { corpusPassages, DEFAULT_PASSAGES, passageText } from '../search/passage';
import { VectorMatrix } from '../search/vectors';
import { Bm25Index } from '../search/bm25';
import { lexicalDoc, SearchEngine, type PaperHit } from '../search/engine';
import { recommend, type Recommendation } from '../search/recommend';
import { registerOffline, type OfflineRegistration, type OfflineStatus } from '../offline/register';
import { CORPUS_SOURCE, FilterIndex, isFiltering, NO_FILTER, rankFiltered, type FacetCount, type FilterState } from '../search/filter';
import { filterNotices, formatFilterState, formatUrlState, parseFilterState, parseUrlState, type SearchMode, type UrlState } from './url';

/** no passage has a vector: recommendations by keyword */
const NO_ROWS = new Uint8Array(0);

const BASE = import.meta.env.BASE_URL;
const BATCH = 16;
/** Shipped passages re-embedded in the page before their vectors are trusted. */
const VERIFY_SAMPLE = 4;
/** Papers indexed for keyword search between two yields to the page. */
const LEXICAL_SLICE = 500;
/**
 * The same for imported papers, whose segments are built while the user is importing: 500 took
 * 65–250 ms a task at load ~11 on 2 cores (the longest tasks of the import's save stage); 100 keep
 * them a fifth of that, for 50 segments instead of 10 at 5,000 papers (a query looks a term up in
 * each: microseconds).
 */
const IMPORT_LEXICAL_SLICE = 100;
const BACKEND_KEY = 'paperscope.backend';

export type Phase = 'corpus' | 'vectors' | 'model' | 'embedding' | 'ready' | 'stopped' | 'error';

export interface ResultView {
  kind: 'query' | 'like';
  query: string;
  likePaper: Paper | null;
  hits: PaperHit[];
  mode: SearchMode;
  ms: number;
  /** Passages that had vectors when this ranking ran (semantic/hybrid rank only those). */
  /** passages with vectors; and, while the corpus loads, the papers a keyword preview searched (null after) */
  coverage: { embedded: number; total: number; papers: number | null; papersTotal: number | null };
  /** The filters this ranking ran under, and how many papers they allow. */
  filter: FilterState;
  allowed: number;
}

/** One of the user's collections, as the filters and the results name it. */
export interface CollectionRef {
  id: string;
  name: string;
}

/** Where each imported paper comes from (setImported): the collections, and each paper's collection id. */
export interface ImportedSources {
  collections: CollectionRef[];
  /** by paper, in the order of the papers given */
  collectionOf: string[];
}

export class Session {
  phase = $state<Phase>('corpus');
  error = $state<string | null>(null);
  notices = $state<string[]>([]);
  manifest = $state.raw<ShardedManifest | null>(null);
  /** Corpus files (text and vector shards): bytes and files arrived, and how many came from the kept copy. */
  corpusDownload = $state({ loaded: 0, total: 0, textTotal: 0, files: 0, totalFiles: 0, fromCache: 0 });
  /** The check of shipped vectors against the page's model (null: not run this visit). */
  verification = $state.raw<{ sample: number; minCosine: number; threshold: number } | null>(null);
  corpus = $state.raw<CorpusData | null>(null);
  spec: ModelSpec = getModel(activeModelId());
  download = $state<{ files: Record<string, { loaded: number; total: number }>; loaded: number; total: number }>({ files: {}, loaded: 0, total: 0 });
  embedding = $state({ done: 0, total: 0, fromCache: 0, embeddedNow: 0, rejected: 0 });
  backend = $state<{ name: Backend | null; reason: string; threads: number }>({ name: null, reason: '', threads: 1 });
  /**
   * Where this site's data lives: vectors (IndexedDB or memory only), the service worker's copy of
   * app, corpus, model and runtime (offline), and the browser's estimate of the space used.
   */
  storage = $state<{
    mode: 'indexeddb' | 'memory' | null;
    usage: number | null;
    quota: number | null;
    persisted: boolean | null;
    offline: OfflineStatus | null;
  }>({ mode: null, usage: null, quota: null, persisted: null, offline: null });
  /** The browser's idea of connectivity, shown so that "offline" is visibly not an error. */
  online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);
  /** Set while a new build is installed and waiting; calling it switches to that build. */
  acceptUpdate = $state.raw<(() => void) | null>(null);
  timings = $state<{ corpusMs: number; lexicalMs: number; lexicalShipped: number; lexicalBuilt: number; vectorsMs: number; modelMs: number; embedMs: number; firstQueryMs: number | null; firstKeywordMs: number | null; lastVectorMs: number | null; lastRankMs: number | null; keptChecked: number; keptDamaged: number }>({ corpusMs: 0, lexicalMs: 0, lexicalShipped: 0, lexicalBuilt: 0, vectorsMs: 0, modelMs: 0, embedMs: 0, firstQueryMs: null, firstKeywordMs: null, lastVectorMs: null, lastRankMs: null, keptChecked: 0, keptDamaged: 0 });
  modelError = $state<string | null>(null);

  query = $state('');
  mode = $state<SearchMode>('hybrid');
  results = $state.raw<ResultView | null>(null);
  searching = $state(false);
  /** Bumped by every write of the query or "more like this" to the address bar (see search()). */
  private urlTicket = 0;
  filter = $state.raw<FilterState>(NO_FILTER);
  /** the corpus's years, categories and authors, for the filters (null until the corpus is in) */
  filterIndex = $state.raw<FilterIndex | null>(null);
  /** category counts for the results on screen (null: no query, so the corpus's totals apply) */
  facets = $state.raw<FacetCount[] | null>(null);
  /** source counts (shipped corpus, each collection) for the results on screen (null: no query) */
  sourceFacets = $state.raw<FacetCount[] | null>(null);
  /** the user's collections; null until the importer has read them (a link's src= waits for that) */
  collections = $state.raw<CollectionRef[] | null>(null);

  private client: EmbedClient | null = null;
  private clientLoading: Promise<EmbedClient> | null = null;
  private offline: OfflineRegistration | null = null;
  private store: VectorStore | null = null;
  private engine: SearchEngine | null = null;
  private matrix: VectorMatrix | QuantMatrix | null = null;
  private lexical: Bm25Index | null = null;
  /** while the corpus loads: the papers a keyword preview searches (null once the whole corpus is in) */
  corpusPreview = $state<{ papers: number; total: number } | null>(null);
  /** the latest rebuildWithImported call (an older one still building gives way) */
  private rebuildSeq = 0;
  private filled: Uint8Array = new Uint8Array(0);
  private stopper = new AbortController();
  private searchSeq = 0;
  private debounce: ReturnType<typeof setTimeout> | null = null;
  private papersById = new Map<string, Paper>();
  private shardCache: ShardCache | null = null;
  /** manifest indices of the shards whose text loaded (their passages are the corpus's rows, in order) */
  private validShards: number[] = [];
  private shipped: 'unknown' | 'refused' = 'unknown';
  /** per shard: its vector file's kept copy, read (and verified) while the text is parsed; null once taken */
  private keptVectors: (Promise<Uint8Array | null> | null)[] = [];
  /** sha256 checks of the kept copies read this visit, run once the page is up (checkKeptCopies) */
  private laterChecks: LaterCheck[] = [];
  private readonly deferCheck = (check: LaterCheck): void => {
    this.laterChecks.push(check);
  };
  /** the last query's vector: a filter change re-ranks it without embedding it again */
  private queryVector: { q: string; vector: Float32Array } | null = null;
  /** false while shipped vectors wait for their check against the page's model: not ranked until then */
  private trusted = true;
  /** The user's imported papers (src/import/): ranked with the corpus, their rows after its rows. */
  private imported: { papers: Paper[]; chunks: Chunk[] } = { papers: [], chunks: [] };
  private importedVectors = new Map<string, Float32Array>();
  /** imported paper id → collection id */
  private collectionOfPaper = new Map<string, string>();
  /** what filterIndex was last built from by indexFilters (the arrays themselves; the preview's is not) */
  private filtersIndexed: { shipped: Paper[]; imported: Paper[]; collections: CollectionRef[] | null } | null = null;
  private importedRows = new Map<string, number>();

  get semanticAvailable(): boolean {
    return this.embedding.done > 0 && this.trusted;
  }

  get papers(): Paper[] {
    return this.corpus?.papers ?? [];
  }

  async start(): Promise<void> {
    const initial = parseUrlState(location.search);
    this.query = initial.q;
    if (initial.mode) this.mode = initial.mode;
    const initialFilter = parseFilterState(location.search);
    for (const p of initialFilter.problems) this.notify(`The link's filters: ${p}.`);
    window.addEventListener('popstate', () => {
      this.readFilterUrl();
      this.applyUrl(parseUrlState(location.search));
    });
    window.addEventListener('online', () => (this.online = true));
    window.addEventListener('offline', () => (this.online = false));
    // Registered first: on a first visit the model and runtime the page downloads pass through the
    // service worker and are stored as they arrive (ensureClient waits for it to take control).
    this.registerOffline();
    if (navigator.serviceWorker?.controller) this.startOffline();
    // The model loads while the corpus and the cached vectors are read: on a warm start it is the
    // one thing semantic results wait for. A failure here is reported by loadVectors, which asks
    // for the same load (and tries again) when it needs the model.
    void this.ensureClient(this.stopper.signal).catch(() => undefined);
    // Keyword results over the shards that have arrived, while the rest loads: not for a link
    // with filters or "more like this" (a partial corpus would call its categories or paper missing).
    const preview = initial.q.trim() !== '' && !initial.like && !isFiltering(initialFilter.filter) ? initial : null;
    try {
      await this.loadCorpus(preview);
    } catch (err) {
      this.phase = 'error';
      this.error = (err as Error).message;
      return;
    }
    // (a rebuild with imported papers indexes the same papers again only if they changed meanwhile)
    this.indexFilters();
    this.filter = this.resolveFilter(initialFilter.filter);
    // Keyword search works from here on, whatever happens to the model. What a preview showed (or
    // the user typed meanwhile) is searched again over the whole corpus.
    if (this.results) this.refresh();
    else if (this.query !== initial.q) void this.search(false);
    else this.runFromUrl(initial);
    void this.estimateStorage();
    try {
      await this.loadVectors();
    } catch (err) {
      if ((err as Error).name === 'AbortError') return;
      this.modelError = (err as Error).message;
      this.phase = 'error';
      this.mode = 'keyword';
      this.refresh();
    }
    await this.clientLoading?.catch(() => undefined);
    await this.checkKeptCopies();
    // the corpus files are kept in the background (ShardCache.keep): the offline copy is whole once they are written
    await this.shardCache?.settled();
    this.startOffline();
  }

  /** Stops downloading/embedding; what is embedded so far stays usable and cached. */
  stop(): void {
    this.stopper.abort();
    if (this.phase !== 'ready') this.phase = 'stopped';
  }

  resume(): void {
    if (this.phase !== 'stopped') return;
    this.stopper = new AbortController();
    void this.loadVectors().then(() => this.checkKeptCopies()).then(() => this.startOffline(), (err) => {
      if ((err as Error).name !== 'AbortError') {
        this.modelError = (err as Error).message;
        this.phase = 'error';
      }
    });
  }

  // ---- corpus ---------------------------------------------------------------------------------

  private async loadCorpus(preview: UrlState | null = null): Promise<void> {
    const t0 = performance.now();
    const base = `${BASE}corpus/`;
    this.shardCache = await ShardCache.open();
    const { manifest } = await loadManifest(base, this.shardCache);
    this.manifest = manifest;
    // The keyword index ships with the corpus when the build made it with this page's analyser;
    // otherwise (an older build, another analyser) the page indexes the text itself.
    const lexical = new Bm25Index();
    const shipsLexical = !!manifest.lexical && manifest.lexical.analyzer === lexical.analyzerId;
    const textBytes = manifest.shards.reduce((n, s) => n + s.text.bytes + (shipsLexical ? s.lexical!.bytes : 0), 0);
    const vectorBytes = manifest.vectors ? manifest.shards.reduce((n, s) => n + (s.vectors?.bytes ?? 0), 0) : 0;
    this.corpusDownload = { loaded: 0, total: textBytes + vectorBytes, textTotal: textBytes, files: 0, totalFiles: manifest.shards.length * (1 + (manifest.vectors ? 1 : 0) + (shipsLexical ? 1 : 0)), fromCache: 0 };
    // A returning visit reads the kept vector files now, while the text is parsed (reading and
    // hashing them is off the main thread), instead of after it; never from the network here, so
    // a cold visit's text and keyword index do not share the bandwidth with them.
    this.keptVectors = manifest.vectors ? manifest.shards.map((s) => (s.vectors ? keptFile(base, s.vectors, this.shardCache!, this.deferCheck).catch(() => null) : null)) : [];
    // Chunk hashes are vector-cache keys, needed only when the page embeds passages itself.
    const hash = manifest.vectors ? () => '' : (t: string) => sha256Hex(t);
    const parts: (TextPart | null)[] = new Array(manifest.shards.length).fill(null);
    const segments: (LexicalSegmentData | null)[] = new Array(manifest.shards.length).fill(null);
    const load = async (ref: FileRef, decode: (bytes: Uint8Array) => void): Promise<void> => {
      let seen = 0;
      try {
        const { bytes, fromCache } = await loadFile(base, ref, this.shardCache!, (p) => {
          this.corpusDownload.loaded += p.loaded - seen;
          seen = p.loaded;
        }, undefined, this.deferCheck);
        decode(bytes);
        this.corpusDownload.files++;
        if (fromCache) this.corpusDownload.fromCache++;
      } catch (err) {
        this.corpusDownload.loaded -= seen;
        throw err;
      }
    };
    // The preview: an engine over the shards in so far (text and shipped keyword index), rebuilt
    // each time they hold twice the papers of the last one, so its cost stays under that of the
    // final engine. Searched in keyword mode; the results say how much of the corpus they cover.
    // Only where part of the text or keyword index comes from the network: read from the kept
    // copy, the whole corpus is in sooner than the previews would be built (a returning visit at
    // 74,728 papers spent ~0.5 s of its main thread on them).
    const kept = preview ? await this.shardCache.keptUrls() : new Set<string>();
    const previewing = manifest.shards.some((s) => !kept.has(fileUrl(base, s.text)) || (shipsLexical && !kept.has(fileUrl(base, s.lexical!))));
    const corpusOf = (shards: number[]): CorpusData => ({ chunker: manifest.chunker, papers: shards.flatMap((i) => parts[i]!.papers), chunks: shards.flatMap((i) => parts[i]!.chunks) });
    let previewPapers = 0;
    const previewArrived = (): void => {
      if (!previewing) return;
      const ready = manifest.shards.flatMap((_, i) => (parts[i] && segments[i] ? [i] : []));
      const count = ready.reduce((n, i) => n + parts[i]!.papers.length, 0);
      if (count < 2 * previewPapers || count >= manifest.papers) return;
      previewPapers = count;
      const data = corpusOf(ready);
      const index = new Bm25Index();
      for (const i of ready) index.addSegment(segments[i]!);
      this.corpus = data;
      this.papersById = new Map(data.papers.map((p) => [p.id, p]));
      this.engine = new SearchEngine(data, null, { lexicalIndex: index });
      this.filterIndex = new FilterIndex(data.papers);
      this.corpusPreview = { papers: count, total: manifest.papers };
      if (this.results) this.refresh();
      else if (this.query === preview!.q) void this.search(false, false);
    };
    await eachLimited(manifest.shards, 4, async (shard, i) => {
      try {
        await load(shard.text, (bytes) => (parts[i] = decodeText(bytes, shard, hash)));
      } catch (err) {
        this.notify(`Part ${i + 1} of ${manifest.shards.length} of the corpus (${manifest.shards[i].papers} papers) could not be used: ${(err as Error).message}. The rest is searchable; reload to try again.`);
        return;
      }
      if (!shipsLexical) return;
      try {
        await load(shard.lexical!, (bytes) => (segments[i] = decodeLexical(bytes, shard)));
      } catch (err) {
        this.notify(`The keyword index of corpus part ${i + 1} of ${manifest.shards.length} could not be used (${(err as Error).message}); the page indexes that part's ${shard.papers} papers itself.`);
        return;
      }
      if (preview) previewArrived();
    });
    const valid = parts.flatMap((p, i) => (p ? [i] : []));
    if (valid.length === 0) throw new Error('No part of the corpus could be loaded (see the notices). Reload to try again; if it persists, the site needs "npm run build".');
    this.validShards = valid;
    const data = corpusOf(valid);
    // The keyword index, one segment per shard: shipped ones are added as they are; the others are
    // built here, yielding between slices so the page stays responsive.
    const t1 = performance.now();
    for (const i of valid) {
      const shipped = segments[i];
      if (shipped) {
        lexical.addSegment(shipped);
        this.timings.lexicalShipped++;
        continue;
      }
      this.timings.lexicalBuilt++;
      // slices of LEXICAL_SLICE papers keep each task short (~0.1 s on a slow 2-core machine)
      const papers = parts[i]!.papers;
      for (let at = 0; at < papers.length; at += LEXICAL_SLICE) {
        lexical.add(papers.slice(at, at + LEXICAL_SLICE).map(lexicalDoc));
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    }
    this.timings.lexicalMs = performance.now() - t1;
    this.corpusPreview = null;
    this.corpus = data;
    this.papersById = new Map(data.papers.map((p) => [p.id, p]));
    // Shipped vectors stay int4/int8 codes (an eighth/a quarter of the memory and bytes read per query);
    // vectors the page embeds itself are kept in float32, as the eval ranks them.
    this.matrix = manifest.vectors ? new QuantMatrix(this.spec.dims, data.chunks.length, { bits: codeBits(manifest.vectors) }) : new VectorMatrix(this.spec.dims, data.chunks.length);
    this.filled = new Uint8Array(data.chunks.length);
    this.lexical = lexical;
    this.engine = new SearchEngine(data, this.matrix, { lexicalIndex: lexical });
    this.embedding.total = data.chunks.length;
    this.timings.corpusMs = performance.now() - t0;
    if (this.imported.papers.length > 0) void this.rebuildWithImported();
  }

  // ---- vectors: cache, then the worker for what is missing ------------------------------------

  private async loadVectors(): Promise<void> {
    const data = this.corpus!;
    const signal = this.stopper.signal;
    const info = await fetchJson<ModelInfo>(`${BASE}models/${this.spec.id}/paperscope-model.json`, 'model description').catch((err: Error) => {
      throw new Error(`The model files are missing on the server (${err.message}). Keyword search still works. Run "npm run setup:model" and rebuild.`);
    });
    const fingerprint = modelFingerprint(this.spec, info);
    const shipped = this.manifest?.vectors;
    if (shipped && this.shipped !== 'refused') {
      const why = vectorMismatch(shipped, fingerprint, this.spec.dims, `${data.chunker.version}+${DEFAULT_PASSAGES}`);
      if (why) {
        this.refuseShipped(`The corpus's shipped vectors are not used: ${why}.`);
      } else if (await this.loadShippedVectors(signal)) {
        return;
      }
    }
    const { texts: passages, keys } = corpusPassages(data, fingerprint);

    if (!this.store) {
      this.store = await openVectorStore({ dims: this.spec.dims });
      this.storage.mode = this.store.mode;
      if (this.store.notice) this.notify(this.store.notice);
      const evicted = await this.store.evictExcept(new Set(keys));
      void evicted;
    }
    const missing: number[] = [];
    const cached = await this.store.getMany(keys);
    cached.forEach((v, i) => {
      if (this.filled[i]) return;
      if (v) this.setRow(i, v);
      else missing.push(i);
    });
    this.embedding.fromCache = this.embedding.done;
    this.embedding.rejected = this.store.rejected ?? 0;
    if (this.embedding.rejected > 0) this.notify(`${this.embedding.rejected} cached vectors were invalid and are recomputed.`);
    this.refresh();
    if (missing.length === 0) {
      this.phase = 'ready';
      // Every passage came from the cache, but queries still need the model: load it now, and
      // re-rank whatever is on screen once it is there (keyword results show meanwhile).
      void this.ensureClient(signal).then(
        () => this.refresh(),
        (err: Error) => {
          if (err.name !== 'AbortError') this.modelError = err.message;
        },
      );
      return;
    }

    this.phase = 'model';
    const client = await this.ensureClient(signal);
    this.phase = 'embedding';
    const t1 = performance.now();
    for (let b = 0; b < missing.length; b += BATCH) {
      if (signal.aborted) throw new DOMException('stopped', 'AbortError');
      const rows = missing.slice(b, b + BATCH);
      const texts = rows.map((i) => passages[i]);
      const vectors = await client.embed(texts, 'passage', { priority: 0, signal });
      const entries = rows.map((row, j) => ({ key: keys[row], vector: vectors.subarray(j * this.spec.dims, (j + 1) * this.spec.dims) }));
      rows.forEach((row, j) => this.setRow(row, entries[j].vector));
      this.embedding.embeddedNow += rows.length;
      await this.store.putMany(entries);
      if (this.store.mode === 'memory' && this.storage.mode !== 'memory') {
        this.storage.mode = 'memory';
        if (this.store.notice) this.notify(this.store.notice);
      }
      if (b === 0 || this.embedding.done === this.embedding.total) this.refresh();
    }
    this.timings.embedMs = performance.now() - t1;
    this.phase = 'ready';
    this.refresh();
    void this.keepOnlyCurrentShards();
    void this.estimateStorage();
  }

  /**
   * Fills the matrix from the corpus's vector shards (int8, dequantised), then checks a random
   * sample of them against the page's own model before trusting them. Returns false when they were
   * refused (the caller then embeds in the browser).
   */
  private async loadShippedVectors(signal: AbortSignal): Promise<boolean> {
    const manifest = this.manifest!;
    const base = `${BASE}corpus/`;
    this.phase = 'vectors';
    this.trusted = false;
    // The check starts as soon as the first shard is in, while the others download.
    let verifying: Promise<{ ok: boolean; detail: string }> | null = null;
    const t0 = performance.now();
    const starts: number[] = [];
    let row = 0;
    for (const i of this.validShards) {
      starts[i] = row;
      row += manifest.shards[i].passages;
    }
    let lastRefresh = 0;
    await eachLimited(this.validShards, 3, async (i) => {
      const shard = manifest.shards[i];
      let seen = 0;
      try {
        const early = this.keptVectors[i] ?? undefined;
        this.keptVectors[i] = null;
        const { bytes, fromCache } = await loadFile(base, shard.vectors!, this.shardCache!, (p) => {
          this.corpusDownload.loaded += p.loaded - seen;
          seen = p.loaded;
        }, signal, this.deferCheck, early);
        const block = decodeVectors(bytes, shard, manifest);
        const zero = new Set((this.matrix as QuantMatrix).setCodeRows(starts[i], block.codes, 0, block.count));
        for (let r = starts[i]; r < starts[i] + block.count; r++) if (!zero.has(r)) this.markRow(r);
        const bad = zero.size;
        if (bad > 0) this.notify(`${bad} vectors in ${shard.vectors!.file} are invalid (zero length): those passages are found by keyword only.`);
        this.corpusDownload.files++;
        if (fromCache) this.corpusDownload.fromCache++;
        if (!verifying) {
          verifying = this.verifyShipped(signal);
          verifying.catch(() => undefined); // awaited (and its error reported) once every shard is in
        }
      } catch (err) {
        if ((err as Error).name === 'AbortError') throw err;
        this.corpusDownload.loaded -= seen;
        this.notify(`The vectors of corpus part ${i + 1} of ${manifest.shards.length} (${shard.passages} passages) could not be used: ${(err as Error).message}. Those papers are found by keyword only; reload to try again.`);
      }
      const now = performance.now();
      if (now - lastRefresh > 250) {
        lastRefresh = now;
        this.refresh();
      }
    });
    this.timings.vectorsMs = performance.now() - t0;
    this.embedding.fromCache = this.embedding.done;
    const verified = await (verifying ?? this.verifyShipped(signal));
    if (!verified.ok) {
      this.refuseShipped(`The corpus's shipped vectors do not match this page's model (${verified.detail}).`);
      return false;
    }
    this.trusted = true;
    this.phase = 'ready';
    this.refresh();
    void this.keepOnlyCurrentShards();
    return true;
  }

  /**
   * Embeds a few random shipped passages with the page's model and compares: vectors from other
   * weights, another dtype or another text would differ far more than int8 rounding does (the
   * manifest records that rounding: min cosine over the corpus). Remembered per corpus build and
   * model, so a returning visit does not pay for it again.
   */
  private async verifyShipped(signal: AbortSignal): Promise<{ ok: boolean; detail: string }> {
    const manifest = this.manifest!;
    const data = this.corpus!;
    const key = `paperscope.verified.${manifest.hash.slice(0, 16)}.${manifest.vectors!.model.weightsSha256.slice(0, 16)}`;
    if (localStorage.getItem(key)) return { ok: true, detail: 'verified before' };
    const rows: number[] = [];
    for (let tries = 0; rows.length < VERIFY_SAMPLE && tries < 1000; tries++) {
      const r = Math.floor(Math.random() * data.chunks.length);
      if (this.filled[r] && !rows.includes(r)) rows.push(r);
    }
    if (rows.length === 0) return { ok: true, detail: 'no vectors to check' };
    const client = await this.ensureClient(signal);
    const texts = rows.map((r) => passageText(this.papersById.get(data.chunks[r].paperId)!, data.chunks[r]));
    const fresh = await client.embed(texts, 'passage', { priority: 8, signal });
    const threshold = Math.min(0.995, manifest.vectors!.error.minCosine - 0.005);
    let min = 1;
    rows.forEach((r, j) => {
      min = Math.min(min, cosine(this.matrix!.row(r), fresh.subarray(j * this.spec.dims, (j + 1) * this.spec.dims)));
    });
    this.verification = { sample: rows.length, minCosine: min, threshold };
    if (min < threshold) return { ok: false, detail: `${rows.length} passages re-embedded here: lowest cosine ${min.toFixed(4)}, needed ${threshold.toFixed(4)}` };
    try {
      localStorage.setItem(key, String(min));
    } catch {
      /* only a cost on the next visit */
    }
    return { ok: true, detail: `min cosine ${min.toFixed(4)}` };
  }

  /** Forgets the shipped vectors; the browser path (IndexedDB cache + worker) takes over. */
  private refuseShipped(message: string): void {
    this.shipped = 'refused';
    this.keptVectors = [];
    this.trusted = true;
    this.notify(`${message} The page embeds the corpus itself instead, which is slow for large corpora.`);
    const data = this.corpus!;
    this.filled = new Uint8Array(data.chunks.length);
    this.embedding.done = 0;
    this.embedding.fromCache = 0;
    for (const c of data.chunks) if (!c.hash) c.hash = sha256Hex(c.text);
    // the browser's own vectors are float32, as the eval ranks them; imported rows follow again
    this.matrix = new VectorMatrix(this.spec.dims, data.chunks.length);
    this.engine = new SearchEngine(data, this.matrix, { lexicalIndex: this.lexical! });
    if (this.imported.papers.length > 0) void this.rebuildWithImported();
    this.refresh();
  }

  /**
   * The sha256 checks of this visit's kept copies, deferred so they do not hold up the first results
   * (see keptFile): one file at a time between other work. A damaged copy is dropped from the cache
   * and named; what was searched from it stays on screen, and the next visit downloads it again.
   */
  private async checkKeptCopies(): Promise<void> {
    while (this.laterChecks.length > 0) {
      const check = this.laterChecks.shift()!;
      await new Promise((resolve) => setTimeout(resolve, 0));
      try {
        await check();
      } catch (err) {
        this.timings.keptDamaged++;
        this.notify(`A corpus file kept from an earlier visit is damaged: ${(err as Error).message}. It is removed, and downloaded again on the next visit (reload to do it now).`);
      }
      this.timings.keptChecked++;
    }
  }

  /** Drops kept corpus files no longer named by the manifest (an update replaced them). */
  private async keepOnlyCurrentShards(): Promise<void> {
    const manifest = this.manifest!;
    const base = `${BASE}corpus/`;
    const keep = new Set<string>([new URL(`${base}manifest.json`, location.href).href]);
    for (const s of manifest.shards) {
      keep.add(fileUrl(base, s.text));
      if (s.vectors) keep.add(fileUrl(base, s.vectors));
      if (s.lexical) keep.add(fileUrl(base, s.lexical));
    }
    await this.shardCache?.settled();
    await this.shardCache?.keepOnly(keep);
    if (this.shardCache?.notice) this.notify(this.shardCache.notice);
  }

  /** The one model load: concurrent callers share it; a failed or stopped load can be retried. */
  private ensureClient(signal: AbortSignal): Promise<EmbedClient> {
    if (this.client) return Promise.resolve(this.client);
    this.clientLoading ??= this.loadClient(signal).finally(() => {
      this.clientLoading = null;
    });
    return this.clientLoading;
  }

  /**
   * Loads the model, trying again after a pause when a load fails: Chromium can fail a large
   * response that the service worker's install is fetching at the same moment (seen on the reload
   * right after a first visit), and a flaky network fails the same way. A missing file fails every time.
   */
  private async loadClient(signal: AbortSignal): Promise<EmbedClient> {
    const pauses = [1_000, 4_000];
    const t0 = performance.now();
    // A first visit: the model is downloaded once the service worker can store it on the way (the
    // wait, the install of the small shell, is part of the model's load time).
    await this.offline?.controlled;
    for (let attempt = 0; ; attempt++) {
      try {
        // A retry loads the installed ONNX file itself, not set-up's expanded graph (whatever failed).
        const client = await this.loadClientOnce(signal, attempt === 0);
        this.timings.modelMs = performance.now() - t0; // worker start → model ready, retries included
        return client;
      } catch (err) {
        if (signal.aborted || (err as Error).name === 'AbortError' || attempt >= pauses.length) throw err;
        await new Promise((resolve) => setTimeout(resolve, pauses[attempt]));
      }
    }
  }

  private async loadClientOnce(signal: AbortSignal, expanded: boolean): Promise<EmbedClient> {
    const client = new EmbedClient();
    client.onDownload = (p) => this.onDownload(p);
    client.onBackendChange = (name, reason) => {
      this.backend = { ...this.backend, name, reason };
      this.notify(reason);
    };
    const params = new URLSearchParams(location.search);
    const forced = params.get('backend');
    const preference: BackendPreference = forced === 'wasm' || forced === 'webgpu' ? forced : 'auto';
    const remembered = (localStorage.getItem(BACKEND_KEY) as Backend | null) ?? undefined;
    const abort = () => client.terminate();
    signal.addEventListener('abort', abort, { once: true });
    try {
      const ready = await client.init({
        modelId: this.spec.id,
        modelBase: `${BASE}models/`,
        wasmPaths: `${BASE}ort/`,
        preference,
        rememberedBackend: preference === 'auto' ? remembered : undefined,
        expanded,
      });
      if (ready.probe) localStorage.setItem(BACKEND_KEY, ready.backend);
      this.backend = { name: ready.backend, reason: ready.reason, threads: ready.threads };
    } catch (err) {
      client.terminate();
      if (signal.aborted) throw new DOMException('stopped', 'AbortError');
      throw new Error(`The model could not be loaded: ${(err as Error).message}. Keyword search still works.`);
    } finally {
      signal.removeEventListener('abort', abort);
    }
    this.client = client;
    return client;
  }

  /**
   * Embeds texts with the page's own worker and model (loading it if needed): the same vectors the
   * app ranks with. Used by the e2e tests and the benchmark to compare against Node.
   */
  async embedTexts(texts: string[], kind: 'query' | 'passage'): Promise<Float32Array> {
    const client = await this.ensureClient(this.stopper.signal);
    return client.embed(texts, kind, { priority: 5 });
  }

  /** Test hook: the worker destroys its WebGPU device, as a GPU reset would (see tests/e2e). */
  loseGpu(): void {
    this.client?.loseGpu();
  }

  private onDownload(p: DownloadProgress): void {
    const files = { ...this.download.files, [p.file]: { loaded: p.loaded, total: p.total } };
    let loaded = 0;
    let total = 0;
    for (const f of Object.values(files)) {
      loaded += f.loaded;
      total += f.total;
    }
    this.download = { files, loaded, total };
  }

  private setRow(row: number, vector: Float32Array): void {
    this.matrix!.setRow(row, vector);
    this.markRow(row);
  }

  private markRow(row: number): void {
    if (!this.filled[row]) {
      this.filled[row] = 1;
      this.embedding.done += 1;
    }
  }

  // ---- the user's imported papers ---------------------------------------------------------------

  /**
   * Replaces the imported papers searched beside the corpus (all collections together). Keyword
   * search covers them at once; semantic search each passage once setImportedVector gives it.
   * Rebuilds the engine: the keyword index over corpus + imports, the matrix with their rows appended.
   * `sources` names each paper's collection, for the source filter and the results' metadata line.
   */
  setImported(papers: Paper[], chunks: Chunk[], sources?: ImportedSources): void {
    this.imported = { papers, chunks };
    this.collectionOfPaper = new Map(sources ? papers.map((p, i) => [p.id, sources.collectionOf[i]]) : []);
    const ids = new Set(chunks.map((c) => c.id));
    for (const id of this.importedVectors.keys()) if (!ids.has(id)) this.importedVectors.delete(id);
    const before = this.collections ?? [];
    this.collections = sources?.collections ?? [];
    if (this.corpus && this.matrix) void this.rebuildWithImported();
    // a link's collection filter waited for the collections; a deleted collection leaves the filter
    if (this.filterIndex && this.filter.sources?.length) {
      const was = this.filter;
      const deleted = before.filter((c) => was.sources!.includes(c.id) && !this.collections!.some((x) => x.id === c.id));
      for (const c of deleted) this.notify(`The collection “${c.name}” was deleted: the filter on it is left out.`);
      this.filter = this.resolveFilter({ ...was, sources: was.sources!.filter((id) => !deleted.some((c) => c.id === id)) });
      // the address follows a deletion made here; a link's unknown collection stays in it, as an unknown category does
      if (deleted.length) this.writeFilterUrl(true);
      if (JSON.stringify(this.filter) !== JSON.stringify(was)) this.refresh();
    }
  }

  /** The collection an imported paper belongs to (null for a shipped paper). Reactive: reads `collections`. */
  collectionOf(paperId: string): CollectionRef | null {
    const collections = this.collections;
    const id = this.collectionOfPaper.get(paperId);
    if (id === undefined) return null;
    return collections?.find((c) => c.id === id) ?? { id, name: id };
  }

  /** The vector of an imported passage (by chunk id), embedded or read from the user's store. */
  setImportedVector(chunkId: string, vector: Float32Array): void {
    this.importedVectors.set(chunkId, vector);
    const row = this.importedRows.get(chunkId);
    if (row === undefined) return;
    this.matrix!.setRow(row, vector);
    this.filled[row] = 1;
  }

  /**
   * "Recommended from your list" (src/search/recommend.ts: the method the eval chose), each with
   * the listed paper(s) it is most like; the listed papers themselves are left out.
   */
  recommend(ids: string[], k = 10): Recommendation[] {
    if (!this.engine) return [];
    return recommend(this.engine, ids, { k, rows: this.semanticAvailable ? this.filled : NO_ROWS });
  }

  /** Re-runs what is on screen (after imports changed or their vectors arrived). */
  refreshResults(): void {
    this.refresh();
  }

  /**
   * Rebuilds the engine over the corpus + the imported papers. The imported papers' keyword
   * segments are built first, in slices with a yield before each (40k imported papers took one
   * 5 s task when built at once); the engine is swapped in whole at the end, so searches meanwhile
   * run on the previous one. A newer call supersedes an older one still building.
   */
  private async rebuildWithImported(): Promise<void> {
    const seq = ++this.rebuildSeq;
    const imported = this.imported;
    const segments = [];
    for (let at = 0; at < imported.papers.length; at += IMPORT_LEXICAL_SLICE) {
      // (the first slice too: this runs inside the importer's task until the first yield)
      if (imported.papers.length > IMPORT_LEXICAL_SLICE) await new Promise((resolve) => setTimeout(resolve, 0));
      if (seq !== this.rebuildSeq) return;
      segments.push(this.lexical!.buildSegment(imported.papers.slice(at, at + IMPORT_LEXICAL_SLICE).map(lexicalDoc)));
    }
    const shipped = this.corpus!;
    const n = shipped.chunks.length;
    const data: CorpusData = { chunker: shipped.chunker, papers: [...shipped.papers, ...imported.papers], chunks: [...shipped.chunks, ...imported.chunks] };
    // Same storage as the shipped rows: int codes are copied as they are, float rows row by row.
    const old = this.matrix!;
    const matrix = old instanceof QuantMatrix ? new QuantMatrix(this.spec.dims, data.chunks.length, { bits: old.bits }) : new VectorMatrix(this.spec.dims, data.chunks.length);
    const filled = new Uint8Array(data.chunks.length);
    if (matrix instanceof QuantMatrix && old instanceof QuantMatrix) matrix.copyRows(old, n);
    else for (let r = 0; r < n; r++) if (this.filled[r]) matrix.setRow(r, old.row(r));
    filled.set(this.filled.subarray(0, n));
    this.importedRows = new Map(imported.chunks.map((c, i) => [c.id, n + i]));
    for (const [id, r] of this.importedRows) {
      const v = this.importedVectors.get(id);
      if (v) {
        matrix.setRow(r, v);
        filled[r] = 1;
      }
    }
    // the shipped papers' keyword index stays; only the imported papers' segments are replaced
    const lexical = this.lexical!;
    lexical.truncate(shipped.papers.length);
    for (const seg of segments) lexical.addSegment(seg);
    this.matrix = matrix;
    this.filled = filled;
    this.engine = new SearchEngine(data, matrix, { lexicalIndex: lexical });
    this.papersById = new Map(data.papers.map((p) => [p.id, p]));
    this.indexFilters();
    this.refresh();
  }

  /**
   * The filters' index over the shipped papers and the imported ones (whose rows follow the
   * corpus's). Not built again for the same papers and collections (start() and an import's
   * rebuild both ask for it).
   */
  private indexFilters(): void {
    const shipped = this.corpus!.papers;
    const imported = this.imported.papers;
    const had = this.filtersIndexed;
    if (had && had.shipped === shipped && had.imported === imported && had.collections === this.collections) return;
    this.filtersIndexed = { shipped, imported, collections: this.collections };
    const n = shipped.length;
    const collectionIds = [...new Set([...(this.collections ?? []).map((c) => c.id), ...this.collectionOfPaper.values()])];
    this.filterIndex = new FilterIndex(imported.length ? [...shipped, ...imported] : shipped, {
      sources: [CORPUS_SOURCE, ...collectionIds],
      sourceOf: (p) => (p < n ? CORPUS_SOURCE : (this.collectionOfPaper.get(imported[p - n].id) ?? CORPUS_SOURCE)),
    });
    void this.filterIndex.prepareAuthors();
  }

  // ---- searching ----------------------------------------------------------------------------

  setQuery(q: string): void {
    this.query = q;
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.search(false), 180);
  }

  submit(q: string = this.query): void {
    this.query = q;
    if (this.debounce) clearTimeout(this.debounce);
    void this.search(true);
  }

  setMode(mode: SearchMode): void {
    this.mode = mode;
    this.refresh(true);
  }

  clear(): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.query = '';
    this.results = null;
    this.searchSeq++;
    this.writeUrl({ q: '', like: '', mode: this.urlMode() }, true);
  }

  moreLikeThis(paperId: string): void {
    this.query = '';
    this.runLike(paperId, true);
  }

  paper(id: string): Paper | undefined {
    return this.papersById.get(id);
  }

  /** Every searchable paper's id: the shipped corpus's, then the imported ones (for the benchmark). */
  paperIds(): string[] {
    return [...this.papersById.keys()];
  }

  private urlMode(): SearchMode | null {
    return this.mode === 'hybrid' ? null : this.mode;
  }

  private applyUrl(state: UrlState): void {
    this.query = state.q;
    if (state.mode) this.mode = state.mode;
    this.runFromUrl(state);
  }

  private runFromUrl(state: UrlState): void {
    if (state.like) this.runLike(state.like, false);
    else if (state.q.trim()) void this.search(false, false);
    else this.results = null;
  }

  /** Re-runs the current ranking (new vectors arrived or the mode changed). */
  private refresh(pushUrl = false): void {
    const r = this.results;
    if (!r) return;
    if (r.kind === 'like' && r.likePaper) this.runLike(r.likePaper.id, pushUrl);
    else if (r.kind === 'query') void this.search(pushUrl, pushUrl);
  }

  private effectiveMode(): SearchMode {
    return this.semanticAvailable ? this.mode : 'keyword';
  }

  private async search(push: boolean, writeUrl = true): Promise<void> {
    const q = this.query;
    const seq = ++this.searchSeq;
    if (!q.trim()) {
      this.results = null;
      if (writeUrl) this.writeUrl({ q: '', like: '', mode: this.urlMode() }, push);
      return;
    }
    // The address bar: written before any await, or, when the worker embeds the query, once its
    // results are painted. history.pushState and the browser's work for it, made while the worker
    // ran the model, took a core from the model's two threads: on the seeds, session.run
    // 28.8-36.6 -> 16.7-18.4 ms, keystroke -> results 43.9-52.5 -> 27.6-33.9 ms. Every address write
    // takes a new ticket (writeUrl), so this query's address is written at most once and never
    // after another one (another query, "more like this", clear). Re-rankings of this query
    // (writeUrl false) write none and take none.
    const ticket = writeUrl ? ++this.urlTicket : -1;
    const write = () => {
      if (this.urlTicket === ticket) this.writeUrl({ q, like: '', mode: this.urlMode() }, push);
    };
    if (!this.engine) return write(); // the corpus is still loading: searched once it (or a preview of it) is in
    const mode = this.effectiveMode();
    const t0 = performance.now();
    this.searching = true;
    try {
      let vector: Float32Array | undefined;
      let client = mode === 'keyword' ? null : this.client;
      if (mode !== 'keyword' && !client) {
        // A query typed while the model still loads waits for it rather than falling back to words.
        write();
        client = (await this.clientLoading?.catch(() => null)) ?? null;
      }
      const embedding = client && this.queryVector?.q !== q ? client.embed([q], 'query', { priority: 10 }) : null;
      if (!embedding) write();
      if (client) {
        vector = embedding ? await embedding : this.queryVector!.vector;
        this.queryVector = { q, vector };
      }
      // after the results are painted (also when a re-ranking of this query took over from here)
      if (embedding) requestAnimationFrame(() => setTimeout(write, 0));
      if (seq !== this.searchSeq) return;
      const t1 = performance.now();
      const ranked = this.rank((k, filter) => this.engine!.search({ text: q, vector }, { mode: vector ? mode : 'keyword', k, rows: this.filled, filter }));
      // the bench reads them: the dense ranking alone, and all of the ranking (no query embedding)
      this.timings.lastVectorMs = this.engine!.lastDenseMs;
      this.timings.lastRankMs = performance.now() - t1;
      this.results = { kind: 'query', query: q, likePaper: null, hits: ranked.hits, mode: vector ? mode : 'keyword', ms: performance.now() - t0, coverage: this.coverage(), filter: this.filter, allowed: ranked.allowed };
      // performance.now() counts from navigation start: "after page open", script loading included.
      if (this.timings.firstQueryMs === null && vector) this.timings.firstQueryMs = performance.now();
      if (this.timings.firstKeywordMs === null) this.timings.firstKeywordMs = performance.now();
    } catch (err) {
      write();
      if (seq === this.searchSeq) this.notify(`Search failed: ${(err as Error).message}`);
    } finally {
      if (seq === this.searchSeq) this.searching = false;
    }
  }

  private runLike(paperId: string, push: boolean): void {
    const paper = this.papersById.get(paperId);
    this.searchSeq++;
    this.writeUrl({ q: '', like: paperId, mode: this.urlMode() }, push);
    if (!paper) {
      this.results = null;
      this.notify(`No paper with id "${paperId}" in this corpus. It may have been removed; try a search instead.`);
      return;
    }
    const t0 = performance.now();
    const semantic = this.semanticAvailable;
    const ranked = this.rank((k, filter) => this.engine!.moreLikeThis(paperId, { k, mode: semantic ? 'semantic' : 'keyword', rows: this.filled, filter }));
    this.results = { kind: 'like', query: '', likePaper: paper, hits: ranked.hits, mode: semantic ? 'semantic' : 'keyword', ms: performance.now() - t0, coverage: this.coverage(), filter: this.filter, allowed: ranked.allowed };
  }

  // ---- filters ------------------------------------------------------------------------------

  /** Applies new filters to what is on screen (the query is not embedded again) and records them in the address bar. */
  setFilter(next: FilterState): void {
    this.filter = this.resolveFilter(next);
    this.writeFilterUrl();
    this.refresh();
  }

  clearFilters(): void {
    this.setFilter({ sort: this.filter.sort });
  }

  private rank(run: (k: number, filter: Uint8Array | undefined) => PaperHit[]) {
    const ranked = rankFiltered(this.filterIndex!, this.filter, 20, run);
    this.facets = ranked.facets;
    this.sourceFacets = ranked.sources;
    return ranked;
  }

  /**
   * Keeps what this corpus has; a notice names the categories, authors and collections it does not.
   * Until the importer has read the user's collections, a collection id is kept as it is (it
   * matches no paper meanwhile) and judged when they arrive (setImported).
   */
  private resolveFilter(state: FilterState): FilterState {
    if (!this.filterIndex) return state;
    const r = this.filterIndex.resolve(state);
    if (this.collections === null && r.unknownSources.length) {
      r.state.sources = [...(r.state.sources ?? []), ...r.unknownSources];
      r.unknownSources = [];
    }
    for (const n of filterNotices(r)) this.notify(n);
    return r.state;
  }

  private readFilterUrl(): void {
    const { filter, problems } = parseFilterState(location.search);
    for (const p of problems) this.notify(`The link's filters: ${p}.`);
    this.filter = this.resolveFilter(filter);
  }

  private writeFilterUrl(replace = false): void {
    const next = `${location.pathname}${formatFilterState(this.filter, location.search)}${location.hash}`;
    if (next === `${location.pathname}${location.search}${location.hash}`) return;
    if (replace) history.replaceState(null, '', next);
    else history.pushState(null, '', next);
  }

  private coverage() {
    return { embedded: this.embedding.done, total: this.embedding.total, papers: this.corpusPreview?.papers ?? null, papersTotal: this.corpusPreview?.total ?? null };
  }

  private writeUrl(state: UrlState, push: boolean): void {
    this.urlTicket++;
    const next = `${location.pathname}${formatUrlState(state, location.search)}${location.hash}`;
    if (next === `${location.pathname}${location.search}${location.hash}`) return;
    if (push) history.pushState(null, '', next);
    else history.replaceState(null, '', next);
  }

  // ---- offline copy, storage and notices ------------------------------------------------------

  /** Registers the service worker (see src/offline/register.ts); the copy completes in startOffline(). */
  private registerOffline(): void {
    this.offline = registerOffline(`${BASE}sw.js`, {
      onStatus: (status, detail) => {
        this.storage.offline = status;
        if (detail) this.notify(detail);
        if (status === 'ready') void this.estimateStorage();
      },
      onUpdateReady: (accept) => {
        this.acceptUpdate = accept;
      },
    });
  }

  /**
   * Completes the offline copy: the service worker stores what this device needs and the page has
   * not fetched (on a first visit, where the page ran WebGPU, the WASM runtime). On a first visit
   * only once the model and the corpus vectors are done, so that it never competes with them.
   * Not after Stop: the user chose not to download now.
   */
  private startOffline(): void {
    this.offline?.complete();
  }

  /** Later: the prompt goes away; the new build takes over once every Paperscope tab is closed. */
  postponeUpdate(): void {
    this.acceptUpdate = null;
  }

  private async estimateStorage(): Promise<void> {
    if (!navigator.storage?.estimate) return;
    try {
      if (this.storage.persisted === null && navigator.storage.persist) {
        this.storage.persisted = (await navigator.storage.persisted?.()) || (await navigator.storage.persist());
      }
      const e = await navigator.storage.estimate();
      this.storage.usage = e.usage ?? null;
      this.storage.quota = e.quota ?? null;
    } catch {
      /* estimates are informative only */
    }
  }

  notify(message: string): void {
    if (!this.notices.includes(message)) this.notices = [...this.notices, message];
  }

  dismiss(message: string): void {
    this.notices = this.notices.filter((n) => n !== message);
  }
}

async function fetchJson<T>(url: string, what: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    throw new Error(`Could not fetch the ${what} (${url}): ${(err as Error).message}`);
  }
  if (!res.ok) throw new Error(`Could not fetch the ${what} (${url}): HTTP ${res.status}`);
  try {
    return (await res.json()) as T;
  } catch {
    throw new Error(`The ${what} (${url}) is not valid JSON. Rebuild with "npm run build".`);
  }
}

export type { Chunk };
