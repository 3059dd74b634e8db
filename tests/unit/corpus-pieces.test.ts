import { describe, expect, it } from 'vitest';
import { buildCorpus, type ParseProgress } from '../../src/corpus/build';
import { decodeFile } from '../../src/corpus/decode';
import { parseBibtex } from '../../src/corpus/parse-bibtex';
import { parseJsonLines } from '../../src/corpus/parse-jsonl';
import { parseNbib, parseRis } from '../../src/corpus/parse-ris';
import type { ParsedPaper } from '../../src/corpus/parsed';
import { Reporter } from '../../src/corpus/report';

const N = 1_100;
const word = (i: number) => Array.from(String(i * 7919), (d) => "bcdfghjklm"[Number(d)]).join("") + "a";
const abstract = (i: number) => `We measured ${word(i)} and ${word(i + 1)} in sediment transport in river ${i} over ${i % 9 + 2} seasons. Flood pulses moved gravel downstream and bank vegetation reduced erosion in plot ${i}.`;

/** N records, some broken in the ways each format breaks, a few across the 500-record cuts. */
const FILES: Record<string, { name: string; text: string; parse: (d: ReturnType<typeof decodeFile> & object, f: string, r: Reporter) => ParsedPaper[] }> = {
  jsonl: {
    name: 'big.jsonl',
    parse: parseJsonLines,
    text: Array.from({ length: N }, (_, i) => (i % 97 === 5 ? `{"id": "p${i}", "title": broken` : JSON.stringify({ id: `p${i}`, title: `River study ${i}`, abstract: i % 89 === 3 ? '' : abstract(i) }))).join('\n'),
  },
  ris: {
    name: 'big.ris',
    parse: parseRis,
    text: Array.from({ length: N }, (_, i) => [`TY  - JOUR`, `TI  - River study ${i}`, `PY  - 2021`, `AB  - ${abstract(i)}`, ...(i % 101 === 499 ? [] : ['ER  - ']), ''].join('\n')).join('\n'),
  },
  nbib: {
    name: 'big.nbib',
    parse: parseNbib,
    text: Array.from({ length: N }, (_, i) => [`PMID- ${10_000 + i}`, `TI  - River study ${i}`, `DP  - 2021 Mar`, `AB  - ${abstract(i)}`, ''].join('\n')).join('\n'),
  },
  bibtex: {
    name: 'big.bib',
    parse: parseBibtex,
    text: '% exported for a test\n\n' + Array.from({ length: N }, (_, i) =>
      i % 211 === 7
        ? `@article{broken${i},\n  title = {River study ${i}},\n  abstract = {unbalanced {brace ${abstract(i)}\n}\n`
        : `@article{key${i},\n  title = {River study ${i} of G{\\"o}ttingen},\n  year = {2020},\n  abstract = {${abstract(i)} About 50% of $\\alpha$ plots.}\n}\n`).join('\n'),
  },
};

describe('a large file is parsed in pieces with progress, as if whole', () => {
  for (const [format, f] of Object.entries(FILES)) {
    it(format, () => {
      const bytes = new TextEncoder().encode(f.text);
      const whole = new Reporter();
      const expected = f.parse(decodeFile(bytes, f.name, whole)!, f.name, whole);
      expect(expected.length).toBeGreaterThan(N * 0.9);

      const progress: ParseProgress[] = [];
      const { data, report } = buildCorpus([{ path: f.name, bytes }], { onProgress: (p) => progress.push(p) });
      const parses = progress.filter((p) => p.stage === 'parse');
      // told before each piece and once at the end, the total counted up front
      expect(parses.length).toBeGreaterThanOrEqual(3);
      expect(parses.slice(0, -1).every((p) => p.total !== null && p.total >= N * 0.99 && p.total <= N + 1)).toBe(true);
      expect(parses.map((p) => p.done)).toEqual([...parses.map((p) => p.done)].sort((a, b) => a - b));
      expect(parses.at(-1)).toMatchObject({ done: expected.length });
      expect(progress.some((p) => p.stage === 'chunk')).toBe(true);

      expect(report.papersFound).toBe(expected.length);
      expect(data.papers.map((p) => [p.source.line, p.abstract])).toEqual(expected.map((p) => [p.source.line, p.abstract]));
      const parserCodes = new Set(whole.items.map((i) => i.code));
      const pieceItems = report.items.filter((i) => parserCodes.has(i.code)).map((i) => [i.code, i.line, i.message]);
      const sorted = [...whole.items].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)).map((i) => [i.code, i.line, i.message]);
      if (format !== 'bibtex') expect(pieceItems).toEqual(sorted);
      else {
        // The whole file's parse names only the first entry with unbalanced braces as a syntax
        // error (the later ones only as "no abstract"); in pieces each one is named.
        expect(pieceItems.filter((i) => i[0] !== 'syntax-error')).toEqual(sorted.filter((i) => i[0] !== 'syntax-error'));
        const broken = Array.from({ length: N }, (_, i) => i).filter((i) => i % 211 === 7);
        const named = pieceItems.filter((i) => i[0] === 'syntax-error').map((i) => /entry "(\w+)"/.exec(String(i[2]))?.[1]);
        expect(named.length).toBeGreaterThan(1);
        expect(named.every((k) => broken.map((b) => `broken${b}`).includes(k!))).toBe(true);
        expect(pieceItems.some((i) => /at line \d+, column/.test(String(i[2])))).toBe(false);
      }
    });
  }

  it('BibTeX with @string macros is parsed whole (a macro reaches across entries)', () => {
    const text = '@string{jr = {Journal of Rivers}}\n' + Array.from({ length: 600 }, (_, i) => `@article{k${i},\n  title = {T ${i}},\n  journal = jr,\n  abstract = {${abstract(i)}}\n}\n`).join('\n');
    const progress: ParseProgress[] = [];
    const { data } = buildCorpus([{ path: 's.bib', bytes: new TextEncoder().encode(text) }], { onProgress: (p) => progress.push(p) });
    expect(data.papers).toHaveLength(600);
    expect(data.papers.every((p) => p.venue === 'Journal of Rivers')).toBe(true);
    expect(progress.filter((p) => p.stage === 'parse')).toHaveLength(1);
  });
});
