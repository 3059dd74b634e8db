/**
 * Plain-language questions about the seed papers (tests/fixtures/seed-questions.json, one right
 * paper each): how often each ranking puts the right paper first, and its mean reciprocal rank.
 * SciFact's queries are keyword-rich claims over thousands of papers; these are how a new user
 * asks, over the 14 papers every new user sees first.
 */

import { readFileSync } from 'node:fs';
import type { SearchEngine } from '../search/engine.ts';
import { methodRanking, type SizeMethod } from './eval-sizes.ts';

export interface SeedQuestion {
  question: string;
  paper: string;
  title?: string;
}

export function readSeedQuestions(file: string): SeedQuestion[] {
  let value: { questions?: unknown };
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not readable JSON (${(err as Error).message}).`);
  }
  const qs = value.questions;
  if (!Array.isArray(qs) || qs.some((q) => typeof q?.question !== 'string' || typeof q?.paper !== 'string')) {
    throw new Error(`${file}: expected { "questions": [{ "question": string, "paper": paper id }, ...] }.`);
  }
  return qs as SeedQuestion[];
}

export interface SeedRow {
  method: string;
  /** questions whose right paper ranks first */
  top1: number;
  /** mean reciprocal rank of the right paper (full ranking) */
  mrr: number;
  questions: number;
  /** rank (1-based) of the right paper per question, 0 = not ranked */
  ranks: number[];
}

/** Ranks every question with every method; `vectors` holds one query vector per question, row-major. */
export function evaluateSeedQuestions(engine: SearchEngine, questions: SeedQuestion[], vectors: Float32Array, methods: SizeMethod[]): SeedRow[] {
  const dims = engine.matrix!.dims;
  const index = new Map(engine.data.papers.map((p, i) => [p.id, i]));
  const missing = questions.find((q) => !index.has(q.paper));
  if (missing) throw new Error(`Seed question "${missing.question}" names paper "${missing.paper}", which is not in the seeds corpus; fix the fixture or rebuild the corpus.`);
  const all = engine.data.papers.length;
  return methods.map((m) => {
    const ranks = questions.map((q, i) => {
      const vector = vectors.subarray(i * dims, (i + 1) * dims);
      const inputs = engine.hybridInputs({ text: q.question, vector }, all, undefined, m.lexicalQuery);
      const ranked = methodRanking(m, inputs, engine.fusion);
      return ranked.findIndex((h) => h.index === index.get(q.paper)) + 1;
    });
    return {
      method: m.name,
      top1: ranks.filter((r) => r === 1).length,
      mrr: ranks.reduce((a, r) => a + (r ? 1 / r : 0), 0) / ranks.length,
      questions: questions.length,
      ranks,
    };
  });
}

export function formatSeedTable(rows: SeedRow[]): string {
  const width = Math.max(8, ...rows.map((r) => r.method.length));
  return [`${'method'.padEnd(width)}  top-1   MRR`, ...rows.map((r) => `${r.method.padEnd(width)}  ${`${r.top1}/${r.questions}`.padStart(5)}  ${r.mrr.toFixed(3)}`)].join('\n');
}
