/**
 * The BibTeX fast path (src/corpus/bibtex-plain.ts): plain values and the plain words of LaTeX
 * abstracts and titles skip the LaTeX decoding, and what comes out is exactly what
 * @retorquere/bibtex-parser gives for the same file, field for field.
 */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parse } from '@retorquere/bibtex-parser';
import { describe, expect, it } from 'vitest';
import { LIBRARY_OPTIONS, stashPlainValues } from '../../src/corpus/bibtex-plain';
import { escapeForLatex } from '../../src/corpus/parse-bibtex';

const OPTIONS = LIBRARY_OPTIONS;

/** The library alone and the fast path on the same text: entries (key, fields) and errors. */
function both(bib: string) {
  const text = escapeForLatex(bib);
  const s = stashPlainValues(text);
  const direct = parse(text, OPTIONS);
  const fast = parse(s.text, OPTIONS);
  for (const e of fast.entries) s.restoreFields(e.fields as Record<string, unknown>);
  return {
    s, direct, fast,
    fields: (r: typeof direct) => r.entries.map((e) => [e.key, e.fields]),
    // what parse-bibtex.ts reads of an error: the entry's key and the message without its position
    // in the text the parser was given (the entry's own text there carries placeholders)
    errors: (r: typeof direct) => r.errors.map((e) => [/@\s*[A-Za-z]+\s*[{(]\s*([^,\s{}()]*)/.exec(e.input ?? '')?.[1], e.error.split('\n')[0].replace(/ at line \d+, column \d+/, '')]),
  };
}

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

/** LaTeX whose effect reaches past its own word, one abstract each, among plain words. */
const REACH = [
  String.raw`The \alpha is eaten: a command eats the space after it, \LaTeX too`,
  String.raw`Arguments after a space: \emph {two words} and \' e and \c c, ok`,
  String.raw`Two arguments: \frac{1} {2} and \frac 1 2 and \frac{1} 2 then \href{http://x.org} text here`,
  String.raw`Markup merged across words: \emph{one} \emph{two} and \textbf{a}
\textbf{b} and \textsc{c} \textsc{d} here`,
  String.raw`A switch at the top {\em inside a group} is fine, but here \em it runs to the end`,
  String.raw`Math of every kind: $x$ and $$y z$$ and \(p q\) and \[r s\] and $a$$b$ done`,
  String.raw`Ligatures -- and --- and ${'``'}quoted'' and !${'`'} here, and 50\% \& \_ \# signs`,
  String.raw`Line breaks \\ and \vspace{2mm} gone, a tie~here and a control\ space`,
  String.raw`Unbalanced math $x + y and more words`,
  String.raw`Unicode spaces a${'\u00a0'}b and a${'\u2009'}c and tabs${'\t'}and${'\r\n'}line ends,

and a blank line before this`,
  String.raw`Verbatim \verb|a b| and \url{http://a.org/b c} here`,
  String.raw`A list \begin{itemize}\item one \item two\end{itemize} after`,
  String.raw`Conditionals \ifdefined\foo yes \else no \fi after`,
  String.raw`Quotes \enquote{a} \enquote{b} after`,
  String.raw`Groups {nested {deeply} here} and {\bf bold {in}} and \mathcal {O} and \mathcal{O}(n) ok`,
  String.raw`Escapes p < 0.05 and x > y and 10% as written`,
  String.raw`Accents \"{o} {\"o} \'{\i} \v{s} {\ss} \aa\ and \o{} in words: Schr\"odinger M{\"u}ller`,
  String.raw`Sub and superscripts \textsuperscript{2} and H\textsubscript{2}O and $^{13}$C and $\mathrm{CO}_2$`,
  String.raw`Command at the end \alpha`,
  String.raw`{Starts with a group} and ends with one {at the end}`,
];

describe('stashPlainValues', () => {
  it('parses to the same fields as the library alone', () => {
    const { s, direct, fast, fields, errors } = both(BIB);
    expect(s.count).toBeGreaterThan(5);
    expect(fields(fast)).toEqual(fields(direct));
    expect(errors(fast)).toEqual(errors(direct));
  });

  it('decodes LaTeX abstracts and titles word by word: only their LaTeX words go to the parser', () => {
    const { s, direct, fast, fields } = both(BIB);
    expect(fields(fast)).toEqual(fields(direct));
    expect(s.split).toBe(2); // the LaTeX title and abstract of @misc{latex}
    expect(s.text).not.toContain('An abstract with math');
    expect(s.text).not.toContain(String.raw`M{\"u}ller`);
  });

  it('gives what the library gives for LaTeX that reaches across words, and leaves what it cannot split to the parser', () => {
    const bib = REACH.map((a, i) => `@misc{r${i},\n  title = {${a}},\n  abstract = {${a}},\n}\n`).join('');
    const { s, direct, fast, fields, errors } = both(bib);
    expect(fields(fast)).toEqual(fields(direct));
    expect(errors(fast)).toEqual(errors(direct));
    expect(s.split).toBeGreaterThan(REACH.length); // most abstracts and titles (in title mode) are split…
    // commands taking the next word(s) as arguments, or eating the space after them, are decoded with them
    for (const split of ['The \\alpha is eaten', 'Arguments after a space', 'Two arguments:', 'Command at the end']) expect(s.text).not.toContain(split);
    // …but not those whose LaTeX may reach further than the words around it: whole to the parser
    for (const whole of ['here \\em it runs', '\\verb|a b|', '\\begin{itemize}', '\\ifdefined', '\\enquote{a}']) expect(s.text).toContain(whole);
    // (an unbalanced "$" no longer reaches anywhere: escapeForLatex makes it a dollar sign first)
    expect(s.text).not.toContain('Unbalanced math $x');
  });

  it('leaves LaTeX name lists, months and concatenations to the parser', () => {
    const { s } = both(BIB);
    expect(s.text).toContain('Lindqvist, Maja and Okafor, Daniel');
    expect(s.text).toContain('month = mar');
    expect(s.text).toContain('"A" # " concatenated"');
    expect(s.text).not.toContain('Sea urchins graze kelp');
  });

  it('splits nothing in a file that defines commands (later values may use them)', () => {
    const bib = String.raw`@preamble{"\newcommand{\kelp}{KELP}"}
@misc{a, title = {Plain title}, abstract = {Uses \kelp{} here and $x$ there, with plain words}}
`;
    const { s, direct, fast, fields } = both(bib);
    expect(fields(fast)).toEqual(fields(direct));
    expect(s.split).toBe(0);
    expect((direct.entries[0].fields as Record<string, string>).abstract).toContain('KELP');
  });

  it('writes a year as the library does (a whole number: leading zeros dropped)', () => {
    const { s, direct, fast, fields } = both('@misc{y, title = {T}, year = {02024}, abstract = {A.}}\n');
    expect(s.count).toBe(3);
    expect(fields(fast)).toEqual(fields(direct));
    expect((fast.entries[0].fields as Record<string, string>).year).toBe('2024');
  });

  it("sends an entry's decoded values as one field, and keeps every line where it was", () => {
    const bib = String.raw`@article{one,
  title = {Kelp forests and
           their grazers},
  author = {Lindqvist, Maja},
  abstract = {Sea urchins $\alpha$ graze kelp.},
  year = {2024}
}
@misc{twice, title = {A title}, abstract = {First.}, title = {Again}}
@misc{after, title = {Plain}, abstract = {Also plain}}
`;
    const { s, direct, fast, fields, errors } = both(bib);
    expect(fields(fast)).toEqual(fields(direct));
    expect(errors(fast)).toEqual(errors(direct));
    expect(s.grouped).toBe(2); // not @misc{twice}: a field named twice goes field by field
    expect(s.text).toContain('Lindqvist, Maja');
    const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;
    for (const key of ['author =', '@misc{twice', '@misc{after']) expect(lineOf(s.text, key)).toBe(lineOf(bib, key));
  });

  it('keeps every line where it was (report lines name the file line)', () => {
    const s = stashPlainValues(BIB);
    const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;
    for (const key of ['@misc{latex', '@inproceedings{child', '@proceedings{proc']) expect(lineOf(s.text, key)).toBe(lineOf(BIB, key));
    expect(s.text.split('\n').length).toBe(BIB.split('\n').length);
  });

  it('does not stash a value it cannot see the end of (unbalanced braces)', () => {
    const broken = '@misc{a, title = {Open {brace}, abstract = {Text $x$ and \\emph{y}.}}\n@misc{b, title = {Fine}, abstract = {Also $z$ fine.}}\n';
    const { direct, fast, fields, errors } = both(broken);
    expect(fields(fast)).toEqual(fields(direct));
    expect(errors(fast)).toEqual(errors(direct));
  });
});

// Real abstracts: the arXiv measurement set, when it is on this machine (never shipped or committed).
const ARXIV = process.env.PAPERSCOPE_ARXIV ?? '/work/shared/datasets/arxiv/arxiv_abstracts.jsonl.gz';
const HAS_ARXIV = existsSync(ARXIV);

describe.skipIf(!HAS_ARXIV)(`on real arXiv entries (${HAS_ARXIV ? ARXIV : 'dataset not found: set PAPERSCOPE_ARXIV'})`, () => {
  it('every field of 1,000 entries with LaTeX in the title or abstract comes out as the library gives it', async () => {
    const { bibtexEntry } = await import('../../src/bench/import-data');
    // rows after the import bench's 5,000 (which were used to develop the fast path)
    const rows = gunzipSync(readFileSync(ARXIV)).toString('utf8').split('\n').slice(20_000, 80_000)
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { id: string; title: string; abstract: string; categories?: string; listing_date?: string })
      .filter((r) => r.title?.trim() && r.abstract?.trim() && /[\\$^_~{}]/.test(r.title + r.abstract))
      .slice(0, 1000);
    expect(rows.length).toBe(1000);
    const { s, direct, fast, fields, errors } = both(rows.map(bibtexEntry).join('\n'));
    expect(s.split).toBeGreaterThan(800); // nearly all go word by word
    expect(fields(fast)).toEqual(fields(direct));
    expect(errors(fast)).toEqual(errors(direct));
  }, 300_000);
});
