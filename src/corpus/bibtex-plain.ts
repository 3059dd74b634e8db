/**
 * A fast path around @retorquere/bibtex-parser's LaTeX decoding, which runs a full LaTeX parser
 * over every field value (~3–16 ms per arXiv abstract here: 5,000 entries took 80 s+ in the
 * import worker). Most values are plain text that the decoding leaves as it is, whitespace
 * aside: those are swapped for a short placeholder before the parser runs and put back, with
 * their whitespace collapsed as LaTeX does, afterwards. Only fields the parser keeps as text
 * (FIELDS: not author lists, keywords or months), and only when plain: none of LaTeX's special characters or
 * ligatures (\ $ ^ _ ~ & # % { } ` '' -- !` ?` <>) and no blank line. Anything else goes to the
 * parser as before. Checked against the parser on 800 arXiv entries: every field the same.
 */

/** No character the LaTeX decoding would change: checked once per value, so cheap. */
const PLAIN = /^[^\\$^_~&#{}`<>%]*$/;
const LIGATURE = /''|--|[!?]`|\n\s*\n/;

const TAG = 'QpsPlainQ';
/** Fields the parser keeps as text as they are (not name lists, keyword lists or months it maps). */
const FIELDS = new Set([
  'abstract', 'title', 'booktitle', 'journal', 'journaltitle', 'eventtitle', 'publisher', 'note',
  'year', 'date', 'volume', 'number', 'pages', 'doi', 'url', 'eprint', 'eprinttype', 'archiveprefix',
  'primaryclass', 'eprintclass', 'issn', 'isbn',
]);

export interface Stashed {
  /** the text with every plain value replaced by a placeholder */
  text: string;
  /** a field value as the parser gave it → the plain text it stands for (placeholders back to text) */
  restore: (value: string) => string;
  count: number;
}

/**
 * Replaces plain `name = {value}` / `name = "value"` field values (at the top level of an entry,
 * not part of a `#` concatenation) with placeholders; the text keeps its lines (a value's line
 * breaks follow its placeholder). `text` is the whole .bib file.
 */
export function stashPlainValues(text: string): Stashed {
  const values: string[] = [];
  let out = '';
  let last = 0;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (depth === 0) {
      if (ch === '{' || ch === '(') depth = 1;
      else if (ch === '%') {
        const eol = text.indexOf('\n', i);
        i = eol === -1 ? text.length : eol;
      }
      continue;
    }
    if (depth === 1 && (ch === '{' || ch === '"') && FIELDS.has(fieldName(text, i))) {
      const end = valueEnd(text, i);
      if (end < 0) {
        if (ch === '{') depth++;
        continue;
      }
      const value = text.slice(i + 1, end);
      if (PLAIN.test(value) && !LIGATURE.test(value) && nextNonSpaceIsEnd(text, end + 1) && value.trim() !== '') {
        // the value's line breaks stay (after it), so every line number is the file's
        out += `${text.slice(last, i)}{${TAG}${values.length}}${'\n'.repeat(newlines(value))}`;
        values.push(value);
        last = end + 1;
      }
      i = end;
      continue;
    }
    if (ch === '{') depth++;
    else if (ch === '}' || ch === ')') depth = Math.max(0, depth - 1);
  }
  out += text.slice(last);
  const restore = (value: string) => (value.startsWith(TAG) ? value.replace(new RegExp(`${TAG}(\\d+)`, 'g'), (_m, n: string) => collapse(values[Number(n)] ?? '')) : value);
  return { text: out, restore, count: values.length };
}

function newlines(value: string): number {
  let n = 0;
  for (let i = value.indexOf('\n'); i >= 0; i = value.indexOf('\n', i + 1)) n++;
  return n;
}

function collapse(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

/** The field name before `name =` ending at the value opened at `i` ('' when the value does not follow `=`). */
function fieldName(text: string, i: number): string {
  let j = i - 1;
  while (j >= 0 && /\s/.test(text[j])) j--;
  if (text[j] !== '=') return '';
  j--;
  while (j >= 0 && /\s/.test(text[j])) j--;
  const end = j + 1;
  while (j >= 0 && /[\w:.+-]/.test(text[j])) j--;
  return text.slice(j + 1, end).toLowerCase();
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
