/**
 * LaTeX accents and letters in names and short fields from sources other than BibTeX (arXiv
 * author strings, RIS, CSV): "M{\"u}ller" → "Müller", "\'{E}cole" → "École". BibTeX itself is
 * decoded by @retorquere/bibtex-parser, which knows all of LaTeX; this covers the accents people
 * type in names, and nothing that could change prose.
 */

const ACCENTS: Record<string, string> = {
  '"': '\u0308', "'": '\u0301', '`': '\u0300', '^': '\u0302', '~': '\u0303', '=': '\u0304', '.': '\u0307',
  'u': '\u0306', 'v': '\u030C', 'H': '\u030B', 'c': '\u0327', 'k': '\u0328', 'r': '\u030A', 'd': '\u0323', 'b': '\u0331',
};

const LETTERS: Record<string, string> = {
  ss: 'ß', o: 'ø', O: 'Ø', aa: 'å', AA: 'Å', ae: 'æ', AE: 'Æ', oe: 'œ', OE: 'Œ', l: 'ł', L: 'Ł', i: 'ı', j: 'ȷ',
  dh: 'ð', DH: 'Ð', th: 'þ', TH: 'Þ', ng: 'ŋ', NG: 'Ŋ',
};

// \"u  \"{u}  {\"u}  \'{\i}  \c c  \v{s}
const ACCENT_RE = /\{?\\(["'`^~=.]|[uvHckrdb](?=[\s{]))\s*(?:\{\s*(\\[ij]|[A-Za-z])\s*\}|(\\[ij](?![A-Za-z])|[A-Za-z]))\}?/g;
const LETTER_RE = /\{?\\(ss|aa|AA|ae|AE|oe|OE|dh|DH|th|TH|ng|NG|[oOlLij])(?![A-Za-z])\s?\}?/g;

export function hasLatex(text: string): boolean {
  return /\\[A-Za-z"'`^~=.]|\{[^{}]*\}/.test(text);
}

/** Decode LaTeX accents, special letters, `\&` `\%` `~`, and drop grouping braces. Unknown commands stay as written. */
export function decodeLatexText(text: string): string {
  if (!hasLatex(text)) return text;
  let t = text.replace(ACCENT_RE, (_m, acc: string, braced?: string, bare?: string) => {
    let base = braced ?? bare ?? '';
    if (base === '\\i') base = 'i';
    if (base === '\\j') base = 'j';
    return (base + ACCENTS[acc]).normalize('NFC');
  });
  t = t.replace(LETTER_RE, (_m, name: string) => LETTERS[name] ?? _m);
  t = t.replace(/\\([&%$#_])/g, '$1').replace(/(?<!\\)~/g, '\u00a0');
  // Grouping braces ("{van} Gogh", "{ACME} Consortium") carry no text.
  t = t.replace(/(?<!\\)[{}]/g, '');
  return t.normalize('NFC');
}

/** A dotless ı or ȷ carrying an accent (LaTeX's \"{\i}) is the accented i or j ("naı̈ve" → "naïve"). */
export function redotAccented(text: string): string {
  if (!/[ıȷ][\u0300-\u036f]/.test(text)) return text;
  return text.replace(/ı(?=[\u0300-\u036f])/g, 'i').replace(/ȷ(?=[\u0300-\u036f])/g, 'j').normalize('NFC');
}
