/**
 * A fast path around @retorquere/bibtex-parser's LaTeX decoding, which runs a full LaTeX parser
 * (unified-latex, PEG) over every field value (~3–16 ms per arXiv abstract here: 5,000 entries
 * took 80 s+ in the import worker). What comes out is what the parser gives for the whole file,
 * field for field; only less text goes through the LaTeX parser:
 *  - a plain value (none of LaTeX's special characters or ligatures: \ $ ^ _ ~ & # % { } ` '' --
 *    !` ?` <>, no blank line) is what the decoding makes of it, whitespace aside: it is swapped
 *    for a short placeholder before the parser runs and put back, whitespace collapsed as LaTeX
 *    does, afterwards;
 *  - an abstract or title with LaTeX is cut into words at the whitespace between them (outside
 *    braces and math), and only the words with LaTeX go to the parser, all of a file's at once,
 *    each between two marker words, and each distinct one once. A word's LaTeX reaches no further
 *    than the word unless it is a command whose arguments follow after a space (`\emph {x}`,
 *    `\' e`, `\frac{1} {2}`) or one that eats the space after it (`\alpha is` → "αis"): those
 *    words are decoded together with the ones that follow (and should one take more, the marker
 *    word after it does not come back intact, so the value goes whole). A value with anything reaching
 *    further (a top-level `\em`, `\begin…\end`, `\verb`, `\ifdefined`, `\enquote`; a file
 *    defining commands) goes to the parser whole, as does a value whose decoded words would meet
 *    where the parser merges markup across them (`</i> <i>`), or whose marker words do not come
 *    back intact.
 * Checked against the parser alone: tests/unit/corpus-bibtex-plain.test.ts (hand-made cases, and
 * every field of 1,000 real arXiv entries with LaTeX when the dataset is on the machine).
 */
import { parse } from '@retorquere/bibtex-parser';

/** How parse-bibtex.ts calls the library; the fragments here are decoded with the same options. */
export const LIBRARY_OPTIONS: Parameters<typeof parse>[1] = {
  english: false, // keep titles' case as written: no sentence-casing
  sentenceCase: false,
  caseProtection: false,
  applyCrossRef: true, // an @inproceedings inherits booktitle, year, … from its @proceedings
  // An unknown command (\mathcal{O}) gives way to its argument's text (O).
  unsupported: 'ignore',
};

/** No character the LaTeX decoding would change: checked once per value, so cheap. */
const PLAIN = /^[^\\$^_~&#{}`<>%]*$/;
const LIGATURE = /''|--|[!?]`|\n\s*\n/;
/** LaTeX's own whitespace (space, tab, line ends): a no-break or other Unicode space is text to it. */
const LATEX_SPACE = /[ \t\r\n]+/g;

const TAG = 'QpsPlainQ';
/** Fields the parser keeps as text as they are (not name lists, keyword lists or months it maps). */
const FIELDS = new Set([
  'abstract', 'title', 'booktitle', 'journal', 'journaltitle', 'eventtitle', 'publisher', 'note',
  'year', 'date', 'volume', 'number', 'pages', 'doi', 'url', 'eprint', 'eprinttype', 'archiveprefix',
  'primaryclass', 'eprintclass', 'issn', 'isbn',
]);
/** Fields cut into words when they carry LaTeX (text and title mode: a blank line is a space there). */
const SPLIT_FIELDS = new Set(['abstract', 'title']);

/** Commands whose effect reaches past their word or across the file: their value goes whole. */
const REACHING = new Set([
  'begin', 'end', 'verb', 'ifdefined', 'else', 'fi', 'enquote', 'mkbibquote', 'par', 'item',
  'newcommand', 'renewcommand', 'ProvideTextCommandDefault', 'def', 'makeatletter', 'makeatother',
]);
/** Switches that restyle the rest of their group (at the top level: the rest of the value). */
const SWITCHES = new Set(['em', 'it', 'sl', 'bf', 'sc', 'tt', 'rm', 'itshape', 'bfseries', 'scshape', 'ttfamily', 'upshape']);
/** Commands with two arguments (the parser's table): either may be the next word. */
const TWO_ARGS = new Set(['frac', 'href']);
/** Commands defined in the file (a preamble or a value): later values depend on them. */
const DEFINES = /\\(?:newcommand|renewcommand|ProvideTextCommandDefault|def)(?![A-Za-z])/;
/** Markup the parser merges when only space separates the two (its restoreMarkup). */
const MERGED_MARKUP = /<\/([a-z]+)>[ \t\r\n]*<\1>|<\/span>[ \t\r\n]*<span/i;

const LEFT = 'QpsL';
const RIGHT = 'QpsR';

export interface Stashed {
  /** the text with every value decoded here replaced by a placeholder */
  text: string;
  /** a field value as the parser gave it → the text it stands for (placeholders back to text) */
  restore: (value: string) => string;
  /** an entry's fields as the parser gave them → as the parser alone would have (changed in place) */
  restoreFields: (fields: Record<string, unknown>) => void;
  /** values replaced (plain or decoded word by word) */
  count: number;
  /** of which decoded word by word, and the distinct LaTeX words the library decoded for them */
  split: number;
  fragments: number;
  /** entries whose decoded values went to the parser as one field */
  grouped: number;
}

interface Found {
  field: string;
  /** where `name = {value}` starts, the value opens and closes, and just after the comma that follows (or the close) */
  nameStart: number;
  start: number;
  end: number;
  after: number;
  /** pieces of the decoded value: text as it is, or a LaTeX fragment's index */
  pieces: (string | number)[];
}

interface EntryScan {
  /** every field name in the entry, as far as the scan sees them */
  names: string[];
  /** its values decoded here (indices into found) */
  found: number[];
}

/** Entry types whose fields are not a paper's (their values stay where they are). */
const NOT_ENTRIES = /^(?:string|preamble|comment)$/i;
/** The one field standing for an entry's decoded values: the parser decodes one placeholder per entry, not one per field. */
const GROUP_FIELD = 'qpsfields';
const GROUP_TAG = 'QpsEntryQ';

/**
 * Replaces `name = {value}` / `name = "value"` field values (at the top level of an entry, not
 * part of a `#` concatenation) that this module decodes with placeholders; the text keeps its
 * lines (a value's line breaks follow its placeholder). `text` is the whole .bib file. In an
 * entry with two or more such values (and no field named twice, in a file without crossref),
 * they all go as one placeholder field: the parser's per-field cost (a LaTeX parse of even a
 * placeholder) is then paid once per entry.
 */
export function stashPlainValues(text: string): Stashed {
  const found: Found[] = [];
  const entries: EntryScan[] = [];
  const fragments = new Map<string, number>();
  const fragmentList: { field: string; tex: string }[] = [];
  const fragmentOf = (field: string, tex: string): number => {
    const key = `${field}\u0000${tex}`;
    let n = fragments.get(key);
    if (n === undefined) {
      n = fragmentList.length;
      fragments.set(key, n);
      fragmentList.push({ field, tex });
    }
    return n;
  };
  const splitting = !DEFINES.test(text);
  const grouping = !/crossref\s*=/i.test(text);
  let depth = 0;
  let closer = '}';
  let entry: EntryScan | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (depth === 0) {
      if (ch === '{' || ch === '(') {
        depth = 1;
        closer = ch === '{' ? '}' : ')';
        const type = /@\s*([A-Za-z]+)\s*$/.exec(text.slice(Math.max(0, i - 40), i))?.[1];
        entry = type && !NOT_ENTRIES.test(type) ? { names: [], found: [] } : null;
        if (entry) entries.push(entry);
      } else if (ch === '%') {
        const eol = text.indexOf('\n', i);
        i = eol === -1 ? text.length : eol;
      }
      continue;
    }
    if (depth === 1 && ch === '=') {
      entry?.names.push(nameBefore(text, i).name);
      continue;
    }
    let named: { name: string; start: number };
    if (depth === 1 && (ch === '{' || ch === '"') && FIELDS.has((named = fieldName(text, i)).name)) {
      const end = valueEnd(text, i);
      if (end < 0) {
        if (ch === '{') depth++;
        continue;
      }
      const value = text.slice(i + 1, end);
      const field = named.name;
      if (nextNonSpaceIsEnd(text, end + 1) && value.trim() !== '') {
        let pieces: (string | number)[] | null = null;
        if (PLAIN.test(value) && !LIGATURE.test(value)) pieces = [value];
        else if (splitting && SPLIT_FIELDS.has(field)) pieces = splitValue(value, field, fragmentOf);
        if (pieces) {
          let after = end + 1;
          while (after < text.length && /\s/.test(text[after])) after++;
          after = text[after] === ',' ? after + 1 : end + 1;
          entry?.found.push(found.length);
          found.push({ field, nameStart: named.start, start: i, end, after, pieces });
        }
      }
      i = end;
      continue;
    }
    if (ch === '{') depth++;
    else if (ch === '}' && depth > 1) depth--;
    else if (ch === closer && depth === 1) {
      depth = 0;
      entry = null;
    }
  }

  const decoded = decodeFragments(fragmentList);
  const valueOf = found.map((f) => joinPieces(f.field, f.pieces, decoded)); // null: the parser decodes it whole
  /** found index → its entry's group (the fields standing together for one placeholder) */
  const groupOf = new Map<number, number[]>();
  if (grouping) {
    for (const e of entries) {
      const done = e.found.filter((k) => valueOf[k] !== null);
      if (done.length >= 2 && new Set(e.names).size === e.names.length) for (const k of done) groupOf.set(k, done);
    }
  }
  const values: string[] = [];
  const groups: [string, string][][] = [];
  let out = '';
  let last = 0;
  let split = 0;
  let count = 0;
  found.forEach((f, k) => {
    const value = valueOf[k];
    if (value === null) return;
    count++;
    if (f.pieces.length > 1) split++;
    // line breaks stay (after the placeholder), so every line number is the file's
    const group = groupOf.get(k);
    if (!group) {
      out += `${text.slice(last, f.start)}{${TAG}${values.length}}${'\n'.repeat(newlines(text, f.start, f.end))}`;
      values.push(value);
      last = f.end + 1;
    } else if (group[0] === k) {
      out += `${text.slice(last, f.nameStart)}${GROUP_FIELD} = {${GROUP_TAG}${groups.length}}${'\n'.repeat(newlines(text, f.nameStart, f.end))}`;
      groups.push(group.map((g) => [found[g].field, valueOf[g]!]));
      last = f.end + 1;
    } else {
      out += `${text.slice(last, f.nameStart)}${'\n'.repeat(newlines(text, f.nameStart, f.after))}`;
      last = f.after;
    }
  });
  out += text.slice(last);
  const restore = (value: string) => (value.startsWith(TAG) ? value.replace(new RegExp(`${TAG}(\\d+)`, 'g'), (_m, n: string) => values[Number(n)] ?? '') : value);
  const restoreFields = (fields: Record<string, unknown>) => {
    const g = fields[GROUP_FIELD];
    if (typeof g === 'string' && g.startsWith(GROUP_TAG)) {
      delete fields[GROUP_FIELD];
      for (const [name, value] of groups[Number(g.slice(GROUP_TAG.length))] ?? []) fields[name] = value;
    }
    for (const [name, v] of Object.entries(fields)) if (typeof v === 'string') fields[name] = restore(v);
  };
  return { text: out, restore, restoreFields, count, split, fragments: fragmentList.length, grouped: groups.length };
}

/** The decoded value, or null when a fragment did not come back (the parser then takes the value whole). */
function joinPieces(field: string, pieces: (string | number)[], decoded: (string | null)[]): string | null {
  let value = '';
  for (let k = 0; k < pieces.length; k++) {
    const p = pieces[k];
    const piece = typeof p === 'string' ? p.replace(LATEX_SPACE, ' ') : decoded[p];
    if (piece === null) return null;
    value += k === 0 ? piece : ` ${piece}`;
  }
  if (pieces.length > 1 && MERGED_MARKUP.test(value)) return null;
  value = value.trim();
  // the parser writes a whole-number year as a number does ("02024" → "2024")
  return field === 'year' && /^-?\d+$/.test(value) ? `${parseInt(value, 10)}` : value;
}

interface Word {
  start: number;
  end: number;
  /** has LaTeX: a command, math, braces, a special character or a ligature */
  latex: boolean;
  /** ends with a command (it takes the next word as its argument, or eats the space after it) */
  endsWithCommand: boolean;
  /** has a top-level command with two arguments: the next two words may be them */
  twoArgs: boolean;
}

/**
 * A LaTeX value as plain words and LaTeX fragments (indices from `fragmentOf`), or null when its
 * LaTeX may reach across words, its braces or math do not nest, or it is all one fragment.
 */
function splitValue(value: string, field: string, fragmentOf: (field: string, tex: string) => number): (string | number)[] | null {
  const words = latexWords(value);
  if (!words || !words.some((w) => !w.latex)) return null;
  const pieces: (string | number)[] = [];
  for (let k = 0; k < words.length; k++) {
    const w = words[k];
    if (!w.latex) {
      pieces.push(value.slice(w.start, w.end));
      continue;
    }
    let end = k;
    let pending = w.twoArgs ? 2 : 0;
    while (end + 1 < words.length && (words[end].endsWithCommand || pending > 0)) {
      end++;
      pending = Math.max(pending - 1, words[end].twoArgs ? 2 : 0);
    }
    if (k === 0 && end === words.length - 1) return null;
    const tex = `${LEFT} ${value.slice(w.start, words[end].end)}${end < words.length - 1 ? ` ${RIGHT}` : ''}`;
    pieces.push(fragmentOf(field, tex));
    k = end;
  }
  return pieces;
}

const isSpace = (ch: string) => ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
const isLetter = (ch: string | undefined) => ch !== undefined && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'));

/** The value's words: split at whitespace outside braces and math. */
function latexWords(v: string): Word[] | null {
  const words: Word[] = [];
  let depth = 0;
  /** inline $…$, display $$…$$, \(…\), \[…\], or none */
  let math = '';
  const mathAtOpen: string[] = [];
  let w: Word | null = null;
  let i = 0;
  while (i < v.length) {
    const ch = v[i];
    if (depth === 0 && math === '' && isSpace(ch)) {
      if (w) words.push(w);
      w = null;
      i++;
      continue;
    }
    w ??= { start: i, end: i, latex: false, endsWithCommand: false, twoArgs: false };
    w.endsWithCommand = false;
    if (ch === '\\') {
      w.latex = true;
      let j = i + 1;
      if (isLetter(v[j])) {
        while (isLetter(v[j])) j++;
        const name = v.slice(i + 1, j);
        if (REACHING.has(name) || (depth === 0 && math === '' && SWITCHES.has(name))) return null;
        if (depth === 0 && math === '' && TWO_ARGS.has(name)) w.twoArgs = true;
        while (v[j] === '*' || v[j] === '@' || isLetter(v[j])) j++;
      } else {
        const sym = v[j];
        if (sym === undefined) return null;
        j++;
        if (sym === '(' || sym === '[') {
          if (math !== '') return null;
          math = `\\${sym}`;
        } else if (sym === ')' || sym === ']') {
          if (math !== (sym === ')' ? '\\(' : '\\[')) return null;
          math = '';
        }
      }
      w.endsWithCommand = true;
      w.end = i = j;
      continue;
    }
    if (ch === '$') {
      w.latex = true;
      if (v[i + 1] === '$' && math !== '$') {
        if (math === '') math = '$$';
        else if (math === '$$') math = '';
        else return null;
        i += 2;
      } else {
        if (math === '') math = '$';
        else if (math === '$') math = '';
        else return null;
        i++;
      }
      w.end = i;
      continue;
    }
    if (ch === '%') return null; // a comment (bare % are escaped before this runs)
    if (ch === '{') {
      mathAtOpen.push(math);
      depth++;
    } else if (ch === '}') {
      if (depth === 0 || mathAtOpen.pop() !== math) return null;
      depth--;
    }
    if (!PLAIN.test(ch)) w.latex = true;
    w.end = ++i;
  }
  if (w) words.push(w);
  if (depth !== 0 || math !== '') return null;
  for (const word of words) if (!word.latex && /''|--/.test(v.slice(word.start, word.end))) word.latex = true;
  return words;
}

/**
 * The library's decoding of each fragment (between its marker words), all in one parse: one
 * entry per fragment, in the fragment's own field (abstract or title mode). Null for a fragment
 * whose entry failed or whose markers did not come back as they went in.
 */
function decodeFragments(list: { field: string; tex: string }[]): (string | null)[] {
  if (list.length === 0) return [];
  const bib = list.map((f, n) => `@misc{qpsfrag${n},\n${f.field} = {${f.tex}}\n}\n`).join('');
  let lib: ReturnType<typeof parse>;
  try {
    lib = parse(bib, LIBRARY_OPTIONS);
  } catch {
    return list.map(() => null);
  }
  const failed = new Set<number>();
  for (const err of lib.errors) for (const m of `${err.input ?? ''}\n${err.error}`.matchAll(/qpsfrag(\d+)/g)) failed.add(Number(m[1]));
  const out: (string | null)[] = list.map(() => null);
  for (const e of lib.entries) {
    const n = Number(/^qpsfrag(\d+)$/.exec(e.key)?.[1] ?? NaN);
    if (!(n >= 0 && n < list.length) || failed.has(n)) continue;
    const v = (e.fields as Record<string, unknown>)[list[n].field];
    if (typeof v !== 'string' || !v.startsWith(`${LEFT} `)) continue;
    const right = list[n].tex.endsWith(` ${RIGHT}`);
    if (right && !v.endsWith(` ${RIGHT}`)) continue;
    out[n] = v.slice(LEFT.length + 1, right ? v.length - RIGHT.length - 1 : v.length);
  }
  return out;
}

function newlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** The field name before `name =` ending at the value opened at `i` ('' when the value does not follow `=`), and where it starts. */
function fieldName(text: string, i: number): { name: string; start: number } {
  let j = i - 1;
  while (j >= 0 && /\s/.test(text[j])) j--;
  if (text[j] !== '=') return { name: '', start: i };
  return nameBefore(text, j);
}

/** The field name before the `=` at `eq` (lower case), and where it starts. */
function nameBefore(text: string, eq: number): { name: string; start: number } {
  let j = eq - 1;
  while (j >= 0 && /\s/.test(text[j])) j--;
  const end = j + 1;
  while (j >= 0 && /[\w:.+-]/.test(text[j])) j--;
  return { name: text.slice(j + 1, end).toLowerCase(), start: j + 1 };
}

function nextNonSpaceIsEnd(text: string, i: number): boolean {
  let j = i;
  while (j < text.length && /\s/.test(text[j])) j++;
  return text[j] === ',' || text[j] === '}' || text[j] === ')';
}

/** Index of the brace or quote closing the value opened at `open`, or -1. */
function valueEnd(text: string, open: number): number {
  const quote = text[open] === '"';
  let depth = 0;
  for (let i = open + 1; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === '{') depth++;
    else if (ch === '}') {
      if (depth === 0) return quote ? -1 : i;
      depth--;
    } else if (quote && ch === '"' && depth === 0) return i;
    else if (ch === '@' && depth === 0 && /\n\s*$/.test(text.slice(Math.max(0, i - 40), i))) return -1; // a new entry: this one is unbalanced
  }
  return -1;
}
