/**
 * Duplicate papers: the same paper found twice becomes one.
 *
 *  1. Same source id (arXiv id, BEIR _id) twice: merged when the abstracts match, else the first
 *     in file order is kept and the other dropped with a warning.
 *  1b. Same record under another name: the same DOI (normalised), the same arXiv id (without
 *     version), or the same normalised title and year (titles of three words or more) — merged
 *     unless the two disagree on an id or a DOI, which makes them two records (reported).
 *  2. Same abstract after normalisation (case, punctuation, spacing): merged, unless both carry
 *     different source ids — two ids are two records, and the eval's relevance labels point at ids
 *     — or different DOIs or arXiv ids (also in step 3).
 *  3. Near-duplicates (a re-scrape with small wording changes): word 3-shingle Jaccard ≥ 0.5 or
 *     containment ≥ 0.8 (one text inside the other). Candidates come from MinHash LSH buckets
 *     (papers without ids) and an inverted shingle index (papers with ids against those without),
 *     so the work grows with the number of papers, not with the number of pairs. Unrelated
 *     abstracts score below 0.1; the two scrapes of one abstract in the seeds score 0.73.
 * The variant kept is the cleaner one (fewer scrape defects such as words split in two, then a
 * real title, then the longer text); the other places it was found go to alsoIn.
 */
import type { ParsedPaper } from './parsed.ts';
import type { Reporter } from './report.ts';
import type { SourceRef } from './types.ts';
import { comparisonWords } from './text.ts';

export const JACCARD_THRESHOLD = 0.5;
export const CONTAINMENT_THRESHOLD = 0.8;
const SHINGLE = 3;
const BANDS = 24;
const ROWS = 2;
/** Papers kept per LSH bucket: bounds the work when many texts share boilerplate sentences. */
const BUCKET_CAP = 64;
/** alsoIn entries stored per paper; the report counts all of them. */
export const ALSO_IN_CAP = 20;

export interface PaperGroup {
  paper: ParsedPaper;
  alsoIn: SourceRef[];
}

export interface DedupeResult {
  groups: PaperGroup[];
  merged: number;
  droppedIds: number;
}

/** Hashed shingles, sorted and unique: compact (a Set costs ~10x the memory) and merge-intersectable. */
type Shingles = Uint32Array;

interface Entry {
  paper: ParsedPaper;
  alsoIn: SourceRef[];
  alive: boolean;
  words?: string[];
  shingles?: Shingles;
  /** Position in file order: a merged paper stays where it was first found. */
  order?: number;
}

/** The most similar near-duplicate of `e` among `candidates` that may merge with it. */
function bestMatch(e: Entry, candidates: Entry[], shingles: (e: Entry) => Shingles): { entry: Entry; sim: Similarity } | null {
  let best: { entry: Entry; sim: Similarity } | null = null;
  const seen = new Set<Entry>();
  for (const c of candidates) {
    if (seen.has(c) || c === e || !c.alive) continue;
    seen.add(c);
    if (c.paper.sourceId !== undefined && e.paper.sourceId !== undefined) continue;
    if (recordsDiffer(c.paper, e.paper)) continue; // different DOIs or arXiv ids: two papers, however alike
    const sim = similarity(shingles(c), shingles(e));
    if (isNearDuplicate(sim) && (!best || sim.jaccard > best.sim.jaccard)) best = { entry: c, sim };
  }
  return best;
}

export function dedupePapers(papers: ParsedPaper[], reporter: Reporter): DedupeResult {
  const entries: Entry[] = [];
  let merged = 0;
  let droppedIds = 0;
  const words = (e: Entry) => (e.words ??= comparisonWords(e.paper.abstract));
  const shingles = (e: Entry) => (e.shingles ??= shingleSet(words(e)));

  // 1. Same source id.
  const byId = new Map<string, Entry>();
  for (const paper of papers) {
    const entry: Entry = { paper, alsoIn: [], alive: true };
    const id = paper.sourceId;
    const first = id === undefined ? undefined : byId.get(id);
    if (first) {
      const sim = similarity(shingles(first), shingles(entry));
      if (words(first).join(' ') === words(entry).join(' ') || isNearDuplicate(sim)) {
        mergeInto(first, entry, reporter, `same id "${id}" and ${describe(sim)}`);
        merged++;
      } else {
        droppedIds++;
        reporter.warn('duplicate-id', paper.source.file, paper.source.line,
          `id "${id}" is already used by ${where(first.paper.source)} for a different abstract (${describe(sim)}): ` +
            `kept ${where(first.paper.source)} (first in file order), dropped this one; give one of them another id`);
      }
      continue;
    }
    if (id !== undefined) byId.set(id, entry);
    entries.push(entry);
  }

  // 1b. Same DOI, arXiv id, or title + year.
  merged += mergeByKeys(entries, reporter);
  const afterKeys = entries.filter((e) => e.alive);
  entries.length = 0;
  entries.push(...afterKeys);

  // 2. Same normalised abstract.
  const byText = new Map<string, Entry>();
  for (const e of entries) {
    // Not cached on the entry: word arrays for every paper of a large dataset cost gigabytes.
    const key = e.words ? e.words.join(' ') : comparisonWords(e.paper.abstract).join(' ');
    const first = byText.get(key);
    if (!first) {
      byText.set(key, e);
      continue;
    }
    if (first.paper.sourceId !== undefined && e.paper.sourceId !== undefined) {
      reporter.info('same-abstract-different-ids', e.paper.source.file, e.paper.source.line,
        `same abstract as ${where(first.paper.source)} but a different id ("${e.paper.sourceId}" vs "${first.paper.sourceId}"): kept both`);
      continue;
    }
    const differ = recordsDiffer(first.paper, e.paper);
    if (differ) {
      reporter.info('possible-duplicate', e.paper.source.file, e.paper.source.line,
        `same abstract as ${where(first.paper.source)} but ${differ}: kept both`);
      continue;
    }
    mergeInto(first, e, reporter, 'identical abstract');
    merged++;
  }

  // 3. Near-duplicates; only pairs where at least one paper has no source id can merge.
  entries.forEach((e, i) => (e.order = i));
  const idless = entries.filter((e) => e.alive && e.paper.sourceId === undefined);
  if (idless.length > 0) {
    // 3a. Among papers without ids: MinHash LSH buckets, each paper compared with earlier bucket mates.
    const buckets = new Map<number, Entry[]>();
    for (const e of idless) {
      const sig = minhash(shingles(e));
      const keys: number[] = [];
      for (let b = 0; b < BANDS; b++) keys.push(bandKey(b, sig, b * ROWS));
      const best = bestMatch(e, keys.flatMap((k) => buckets.get(k) ?? []), shingles);
      if (best) {
        mergeInto(best.entry, e, reporter, describe(best.sim));
        merged++;
        continue;
      }
      for (const k of keys) {
        const list = buckets.get(k);
        if (!list) buckets.set(k, [e]);
        else if (list.length < BUCKET_CAP) list.push(e);
      }
    }
    // 3b. Papers with ids against the (usually few) papers without: an inverted shingle index over
    // the latter, so a large id'd dataset costs one lookup per shingle and no MinHash.
    const postings = new Map<number, Entry[]>();
    for (const e of idless) {
      if (!e.alive) continue;
      for (const sh of shingles(e)) {
        const list = postings.get(sh);
        if (!list) postings.set(sh, [e]);
        else if (list.length < BUCKET_CAP) list.push(e);
      }
    }
    for (const e of entries) {
      if (!e.alive || e.paper.sourceId === undefined) continue;
      // Computed, not cached: see step 2.
      const own = e.shingles ?? shingleSet(comparisonWords(e.paper.abstract));
      const shared = new Map<Entry, number>();
      for (const sh of own) for (const c of postings.get(sh) ?? []) shared.set(c, (shared.get(c) ?? 0) + 1);
      // Fewer shared shingles than this cannot reach either threshold.
      const minShared = (c: Entry) => Math.min(own.length, shingles(c).length) * Math.min(JACCARD_THRESHOLD, CONTAINMENT_THRESHOLD);
      const candidates = [...shared].filter(([c, n]) => n >= minShared(c)).map(([c]) => c);
      if (candidates.length === 0) continue;
      e.shingles = own;
      const best = bestMatch(e, candidates, shingles);
      if (!best) continue;
      const [first, second] = best.entry.order! < e.order! ? [best.entry, e] : [e, best.entry];
      mergeInto(first, second, reporter, describe(best.sim));
      merged++;
    }
  }
  const live = entries.filter((e) => e.alive);

  const groups = live.map((e) => ({ paper: e.paper, alsoIn: e.alsoIn.slice(0, ALSO_IN_CAP) }));
  for (const e of live) {
    if (e.alsoIn.length > ALSO_IN_CAP) {
      reporter.info('duplicate-merged', e.paper.source.file, e.paper.source.line,
        `found in ${e.alsoIn.length} more places; alsoIn lists the first ${ALSO_IN_CAP}`);
    }
  }
  return { groups, merged, droppedIds };
}

interface Similarity {
  jaccard: number;
  containment: number;
}

function isNearDuplicate(s: Similarity): boolean {
  return s.jaccard >= JACCARD_THRESHOLD || s.containment >= CONTAINMENT_THRESHOLD;
}

function describe(s: Similarity): string {
  return `word-shingle Jaccard ${s.jaccard.toFixed(2)}, containment ${s.containment.toFixed(2)}`;
}

/** Jaccard and containment of two shingle sets. Tiny texts (< 8 shingles) only match exactly. */
export function similarity(a: Shingles, b: Shingles): Similarity {
  if (a.length === 0 || b.length === 0) return { jaccard: 0, containment: 0 };
  let inter = 0;
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (a[i] === b[j]) {
      inter++;
      i++;
      j++;
    } else if (a[i] < b[j]) i++;
    else j++;
  }
  const small = Math.min(a.length, b.length);
  const jaccard = inter / (a.length + b.length - inter);
  const containment = small >= 8 ? inter / small : jaccard;
  return { jaccard, containment };
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Hashed word 3-shingles; texts shorter than a shingle give their words' hashes. */
export function shingleSet(words: string[]): Shingles {
  const hashes = words.map(fnv1a);
  let out: Uint32Array;
  if (hashes.length < SHINGLE) {
    out = Uint32Array.from(hashes);
  } else {
    out = new Uint32Array(hashes.length - SHINGLE + 1);
    for (let i = 0; i + SHINGLE <= hashes.length; i++) {
      out[i] = mix(Math.imul(hashes[i], 31) ^ Math.imul(hashes[i + 1], 0x9e3779b1) ^ mix(hashes[i + 2] + 0x7f4a7c15));
    }
  }
  out.sort();
  let n = 0;
  for (let i = 0; i < out.length; i++) if (i === 0 || out[i] !== out[i - 1]) out[n++] = out[i];
  return out.subarray(0, n);
}

const SEEDS = Array.from({ length: BANDS * ROWS }, (_, i) => mix(i * 0x9e3779b9 + 0x632be5ab));

function minhash(shingles: Shingles): Uint32Array {
  const sig = new Uint32Array(SEEDS.length).fill(0xffffffff);
  for (const s of shingles) {
    for (let i = 0; i < SEEDS.length; i++) {
      const v = mix(s ^ SEEDS[i]);
      if (v < sig[i]) sig[i] = v;
    }
  }
  return sig;
}

function bandKey(band: number, sig: Uint32Array, off: number): number {
  let h = band + 1;
  for (let r = 0; r < ROWS; r++) h = mix(Math.imul(h, 0x01000193) ^ sig[off + r]);
  return band * 0x100000000 + h;
}

/**
 * Defects a scrape leaves in `text` that the other copy does not have: words split in two
 * ("fram ework" where the other copy has "framework"), replacement characters and mojibake.
 */
function defects(text: string, words: string[], other: Set<string>): number {
  let n = (text.match(/\uFFFD|Ã[\u0080-\u00BF]|â€/g) ?? []).length;
  for (let i = 0; i + 1 < words.length; i++) {
    const a = words[i];
    const b = words[i + 1];
    if (!other.has(a) && !other.has(b) && other.has(a + b)) n++;
  }
  return n;
}

function mergeInto(target: Entry, other: Entry, reporter: Reporter, why: string): void {
  const a = target.paper;
  const b = other.paper;
  const wa = comparisonWords(a.abstract);
  const wb = comparisonWords(b.abstract);
  const da = defects(a.abstract, wa, new Set(wb));
  const db = defects(b.abstract, wb, new Set(wa));
  let keepB = false;
  let reason = 'first found';
  if (da !== db) {
    keepB = db < da;
    reason = 'fewer scrape defects';
  } else if ((a.title === undefined) !== (b.title === undefined)) {
    keepB = b.title !== undefined;
    reason = 'has a title';
  } else if (a.abstract.length !== b.abstract.length) {
    keepB = b.abstract.length > a.abstract.length;
    reason = 'longer text';
  }
  const [kept, dropped] = keepB ? [b, a] : [a, b];
  // Fields missing from the kept copy are taken from the other one.
  const mergedPaper: ParsedPaper = { ...kept };
  for (const key of ['sourceId', 'title', 'authors', 'date', 'venue', 'doi', 'arxivId', 'url', 'comment', 'codeUrl', 'categories', 'keywords'] as const) {
    if (mergedPaper[key] === undefined && dropped[key] !== undefined) (mergedPaper as unknown as Record<string, unknown>)[key] = dropped[key];
  }
  target.alsoIn = [...target.alsoIn, ...other.alsoIn, dropped.source];
  target.paper = mergedPaper;
  target.words = keepB ? wb : wa;
  if (keepB) target.shingles = other.shingles; // undefined: recomputed from words when needed
  other.alive = false;
  reporter.info('duplicate-merged', b.source.file, b.source.line,
    `same paper as ${where(a.source)} (${why}): merged, kept the copy at ${where(kept.source)} (${reason})`);
}

/** Keys under which two records are the same paper, most specific first. */
function recordKeys(p: ParsedPaper): [string, string][] {
  const keys: [string, string][] = [];
  if (p.doi) keys.push([`doi:${p.doi}`, `same DOI ${p.doi}`]);
  if (p.arxivId) keys.push([`arxiv:${p.arxivId}`, `same arXiv id ${p.arxivId}`]);
  if (p.title && p.date) {
    const words = comparisonWords(p.title);
    if (words.length >= 3) keys.push([`title:${p.date.slice(0, 4)}:${words.join(' ')}`, `same title and year (${p.date.slice(0, 4)})`]);
  }
  return keys;
}

/** Below this share of common words, two abstracts under one title are two papers. */
const TITLE_MATCH_MIN_WORD_OVERLAP = 0.2;

/** Two records that name different DOIs or arXiv ids are two papers, whatever their text. */
function recordsDiffer(a: ParsedPaper, b: ParsedPaper): string | null {
  if (a.doi && b.doi && a.doi !== b.doi) return `different DOIs ${a.doi} and ${b.doi}`;
  if (a.arxivId && b.arxivId && a.arxivId !== b.arxivId) return `different arXiv ids ${a.arxivId} and ${b.arxivId}`;
  return null;
}

/** Why two records sharing a key are still two papers, or null if they may merge. */
function disagreement(a: ParsedPaper, b: ParsedPaper, key: string): string | null {
  if (a.sourceId !== undefined && b.sourceId !== undefined && a.sourceId !== b.sourceId) return `different ids "${a.sourceId}" and "${b.sourceId}"`;
  const differ = recordsDiffer(a, b);
  if (differ) return differ;
  if (key.startsWith('title:')) {
    // A title alone ("Introduction", a reused title) is weak evidence: the abstracts must share words.
    const wa = new Set(comparisonWords(a.abstract));
    const wb = new Set(comparisonWords(b.abstract));
    let common = 0;
    for (const w of wa) if (wb.has(w)) common++;
    const overlap = common / (wa.size + wb.size - common || 1);
    if (overlap < TITLE_MATCH_MIN_WORD_OVERLAP) return `different abstracts (word overlap ${overlap.toFixed(2)})`;
  }
  return null;
}

function mergeByKeys(entries: Entry[], reporter: Reporter): number {
  const byKey = new Map<string, Entry>();
  let merged = 0;
  for (const e of entries) {
    if (!e.alive) continue;
    const keys = recordKeys(e.paper);
    let target: { entry: Entry; why: string } | null = null;
    for (const [key, why] of keys) {
      const first = byKey.get(key);
      if (!first || !first.alive || first === e) continue;
      const differ = disagreement(first.paper, e.paper, key);
      if (differ) {
        reporter.info('possible-duplicate', e.paper.source.file, e.paper.source.line,
          `${why} as ${where(first.paper.source)} but ${differ}: kept both`);
        continue;
      }
      target = { entry: first, why };
      break;
    }
    if (target) {
      mergeInto(target.entry, e, reporter, target.why);
      merged++;
      for (const [key] of recordKeys(target.entry.paper)) if (!byKey.has(key)) byKey.set(key, target.entry);
      continue;
    }
    for (const [key] of keys) if (!byKey.has(key)) byKey.set(key, e);
  }
  return merged;
}

function where(s: SourceRef): string {
  return `${s.file}:${s.line}`;
}
