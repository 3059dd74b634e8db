/**
 * The BibTeX fast path (src/corpus/bibtex-plain.ts): plain values skip the LaTeX decoding, and
 * what comes out is exactly what @retorquere/bibtex-parser gives for the same file.
 */
import { parse } from '@retorquere/bibtex-parser';
import { describe, expect, it } from 'vitest';
import { stashPlainValues } from '../../src/corpus/bibtex-plain';

const OPTIONS: Parameters<typeof parse>[1] = { english: false, sentenceCase: false, caseProtection: false, applyCrossRef: true, unsupported: 'ignore' };

const BIB = String.raw`% a comment line with {braces
@article{plain,
  title = {Kelp forests and
           their grazers},
  author = {Lindqvist, Maja and Okafor, Daniel},
  month = mar,
  year = 2024,
  journal = "Marine Ecology",
  abstract = {Sea urchins graze kelp. We counted them
over three years at 12 sites, with (nested) parentheses: ok.},
}
@misc{latex,
  title = {The {GPU} story of M{\"u}ller's $O(n^2)$ method},
  abstract = {An abstract with math $x_1 + y^2$ and an \emph{emphasis}, 50\% of it -- and ${'``'}quotes''.},
  note = "A" # " concatenated",
  eprint = {2401.00001},
}
@inproceedings{child, crossref = {proc}, title = {Inherits a booktitle}, abstract = {Plain abstract of a child.}}
@proceedings{proc, booktitle = {Proceedings of the Plain Conference}, year = {2023}}
`;

describe('stashPlainValues', () => {
  it('parses to the same fields as the library alone', () => {
    const s = stashPlainValues(BIB);
    expect(s.count).toBeGreaterThan(5);
    const direct = parse(BIB, OPTIONS);
    const fast = parse(s.text, OPTIONS);
    for (const e of fast.entries) for (const [k, v] of Object.entries(e.fields)) if (typeof v === 'string') (e.fields as Record<string, unknown>)[k] = s.restore(v);
    expect(fast.entries.map((e) => [e.key, e.fields])).toEqual(direct.entries.map((e) => [e.key, e.fields]));
    expect(fast.errors).toEqual(direct.errors);
  });

  it('leaves LaTeX, name lists, months and concatenations to the parser', () => {
    const s = stashPlainValues(BIB);
    expect(s.text).toContain(String.raw`M{\"u}ller`);
    expect(s.text).toContain('Lindqvist, Maja and Okafor, Daniel');
    expect(s.text).toContain('month = mar');
    expect(s.text).toContain('"A" # " concatenated"');
    expect(s.text).not.toContain('Sea urchins graze kelp');
  });

  it('keeps every line where it was (report lines name the file line)', () => {
    const s = stashPlainValues(BIB);
    const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;
    for (const key of ['@misc{latex', '@inproceedings{child', '@proceedings{proc']) expect(lineOf(s.text, key)).toBe(lineOf(BIB, key));
    expect(s.text.split('\n').length).toBe(BIB.split('\n').length);
  });

  it('does not stash a value it cannot see the end of (unbalanced braces)', () => {
    const broken = '@misc{a, title = {Open {brace}, abstract = {Text.}}\n@misc{b, title = {Fine}, abstract = {Also fine.}}\n';
    const s = stashPlainValues(broken);
    const direct = parse(broken, OPTIONS);
    const fast = parse(s.text, OPTIONS);
    for (const e of fast.entries) for (const [k, v] of Object.entries(e.fields)) if (typeof v === 'string') (e.fields as Record<string, unknown>)[k] = s.restore(v);
    expect(fast.entries.map((e) => [e.key, e.fields])).toEqual(direct.entries.map((e) => [e.key, e.fields]));
    expect(fast.errors.length).toBe(direct.errors.length);
  });
});
