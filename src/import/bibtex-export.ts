/**
 * The reading list as a BibTeX file (Zotero, JabRef, BibDesk, LaTeX): one entry per paper, shipped
 * or imported, with what the page knows of it (title, authors, year, venue, DOI, arXiv id, URL,
 * keywords, abstract). Pure: the panel downloads the string.
 *
 * Values are written in braces with BibTeX's special characters escaped (\ { } % & $ # _ ~ ^;
 * url, doi and eprint are verbatim fields: written as they are, braces percent-encoded),
 * so any title or abstract is read back as it was: the corpus module's own BibTeX parser (the
 * import's) gives the same fields for a file written here (tests/unit/import-bibtex-export.test.ts).
 * Text stays UTF-8, as biber, BibLaTeX and reference managers read it.
 */
import type { Paper } from '../corpus/types';

/** `{`, `}`, `\` and the characters LaTeX treats specially, as LaTeX commands that print them. */
const SPECIAL: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '{': '\\{',
  '}': '\\}',
  '%': '\\%',
  '&': '\\&',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
};

/** A value for `field = {…}`: special characters escaped, whitespace (newlines too) as single spaces. */
export function bibtexValue(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(/[\\{}%&$#_~^]/g, (c) => SPECIAL[c]);
}

/**
 * A verbatim field (url, doi, eprint: BibLaTeX reads them as they are, a `\\%` would stay a
 * backslash): only what would unbalance the braces is percent-encoded.
 */
function verbatim(text: string): string {
  return text.trim().replace(/[{}\\\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** "Ada Lovelace" → "Lovelace, Ada"; a single name as it is (in braces when it has a comma or " and "). */
function bibtexName(name: string): string {
  const parts = name.trim().split(/\s+/);
  const one = parts.length < 2 ? parts.join(' ') : `${parts[parts.length - 1]}, ${parts.slice(0, -1).join(' ')}`;
  return bibtexValue(one);
}

/** A citation key: first author's family name + year + first word of the title, ASCII letters and digits. */
function baseKey(p: Paper): string {
  const ascii = (s: string) => s.normalize('NFKD').replace(/[^A-Za-z0-9]/g, '');
  const family = ascii(p.authors?.[0]?.trim().split(/\s+/).pop() ?? '').toLowerCase();
  const word = ascii((p.titleDerived ? '' : p.title).split(/\s+/).find((w) => ascii(w).length > 3) ?? '').toLowerCase();
  return `${family}${p.year ?? ''}${word}` || `paper${ascii(p.id).slice(0, 24)}`;
}

/** The papers as BibTeX entries, in the order given; keys are unique within the file (…a, …b). */
export function readingListBibtex(papers: readonly Paper[]): string {
  const used = new Map<string, number>();
  const entries = papers.map((p) => {
    const base = baseKey(p);
    const n = used.get(base) ?? 0;
    used.set(base, n + 1);
    const key = n === 0 ? base : `${base}${String.fromCharCode(96 + Math.min(n, 26))}${n > 26 ? n : ''}`;
    const fields: [string, string][] = [];
    if (!p.titleDerived) fields.push(['title', bibtexValue(p.title)]);
    if (p.authors?.length) fields.push(['author', p.authors.map(bibtexName).join(' and ')]);
    if (p.year !== undefined) fields.push(['year', String(p.year)]);
    const month = /^\d{4}-(\d{2})/.exec(p.date ?? '')?.[1];
    if (month) fields.push(['month', String(Number(month))]);
    if (p.venue) fields.push([p.arxivId && !p.doi ? 'howpublished' : 'journal', bibtexValue(p.venue)]);
    if (p.doi) fields.push(['doi', verbatim(p.doi)]);
    if (p.arxivId) fields.push(['eprint', verbatim(p.arxivId)], ['archiveprefix', 'arXiv']);
    if (p.categories?.length) fields.push(['primaryclass', bibtexValue(p.categories[0])]);
    if (p.url) fields.push(['url', verbatim(p.url)]);
    if (p.keywords?.length) fields.push(['keywords', bibtexValue(p.keywords.join(', '))]);
    if (p.comment) fields.push(['note', bibtexValue(p.comment)]);
    fields.push(['abstract', bibtexValue(p.abstract)]);
    const type = p.doi || p.venue ? 'article' : 'misc';
    return `@${type}{${key},\n${fields.map(([k, v]) => `  ${k} = {${v}}`).join(',\n')}\n}\n`;
  });
  return `% Paperscope reading list, ${papers.length} ${papers.length === 1 ? 'paper' : 'papers'}\n\n${entries.join('\n')}`;
}
