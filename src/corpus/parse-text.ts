/**
 * Parser for plain-text scraped abstracts (copied from paper sites and arXiv listings).
 *
 * Generic rules, in order:
 *  1. Each line is classified by its shape: blank, arXiv id marker ("arXiv:2309.16671", possibly
 *     glued to the following text), section heading ("Abstract", "TL;DR"), labelled field
 *     ("Title: …"), known site boilerplate (navigation, loading indicators, document statistics,
 *     figure captions), text in a non-Latin script (site UI in another language), or text.
 *  2. Hard-wrapped text (short lines of similar length) is joined into paragraphs; otherwise every
 *     line is its own paragraph, so abstracts on consecutive lines stay apart.
 *  3. A paragraph shaped like prose (several sentences, ≥ 20 words) is an abstract; short lines
 *     around it become its title, authors or comment by shape and position. Anything else is
 *     reported with file:line and never becomes part of a paper.
 *  4. arXiv ids attach to the abstract they trail when the file ends with an id or starts with an
 *     abstract (listing copies where the id is glued to the next abstract), else to the abstract
 *     they lead.
 */
import type { DecodedFile } from './decode.ts';
import { setCategories, setDoi, setKeywords, setVenue } from './fields.ts';
import { splitAuthorList } from './metadata.ts';
import { arxivIdOf, findCodeUrl, MAX_ABSTRACT_CHARS, type ParsedPaper } from './parsed.ts';
import type { Reporter } from './report.ts';
import { cleanText, countWords, englishFunctionWordRatio, nonLatinScript } from './text.ts';

type FieldName = 'title' | 'authors' | 'comment' | 'abstract' | 'tldr' | 'other';

type Item =
  | { kind: 'id'; line: number; id: string }
  | { kind: 'heading'; line: number; which: 'abstract' | 'tldr' }
  | { kind: 'field'; line: number; name: FieldName; label: string; value: string }
  | { kind: 'text'; line: number; endLine: number; text: string };

interface Para {
  line: number;
  endLine: number;
  text: string;
  prose: boolean;
}

type ParaItem = Para & { kind: 'para'; lastLine: string };
type Seq = Exclude<Item, { kind: 'text' }> | ParaItem;

interface Draft {
  title?: Para;
  authors?: Para;
  abstract: Para;
  comments: string[];
  /** "DOI:", "Keywords:", "Subjects:", "Journal-ref:" lines after the abstract. */
  fields: { label: string; value: string; line: number }[];
  arxivId?: string;
  line: number;
}

// Site boilerplate: UI of paper sites, not content. Each names why it is skipped.
const BOILERPLATE: [RegExp, string][] = [
  [/^(?:table of )?contents$/i, 'navigation (table of contents)'],
  [/^(?:fetching|loading|please wait|redirecting|retrieving)\b.{0,60}$/i, 'loading indicator'],
  [/^paper structure\b/i, 'document statistics'],
  [/^(?:this (?:paper|article|document) (?:contains|has) )?\d+ (?:sections?|pages?|figures?|tables?|equations?)(?:[,;]? (?:and )?\d+ (?:sections?|pages?|figures?|tables?|equations?|references?))+\.?$/i, 'document statistics'],
  [/^(?:figures?|tables?|equations?|references|citations?|bibliography|related (?:papers|work|articles)|similar papers|cited by|recommended|comments|reviews|metrics|supplementary material|sections?)\s*(?:\(\d+\))?\s*:?$/i, 'section list heading'],
  [/^(?:[•·▪◦‣∙*–—-]\s*)?(?:figure|fig\.|table|tab\.|algorithm|listing)\s*[A-Z]?\d+[a-z]?\s*[:.|]/i, 'figure or table caption'],
  [/^(?:share|cite|cite this(?: paper)?|download|download pdf|pdf|view pdf|html|bibtex|copy|copy link|print|save|bookmark|follow|sign in|sign up|log in|login|register|subscribe|menu|home|search|back|next|previous|read more|show more|show less|see more|see all|view all|more|expand|collapse|close|skip to (?:main )?content|back to top|toggle navigation|open in new tab)\s*[>»›→]?$/i, 'site navigation'],
  [/^(?:privacy(?: policy)?|terms(?: of (?:use|service))?|cookie (?:settings|policy|preferences)|accept(?: all)?(?: cookies)?|reject(?: all)?|manage (?:cookies|preferences)|all rights reserved|contact(?: us)?|about(?: us)?|help|faq|feedback|(?:show|hide) (?:abstract|more|less|details))\.?$/i, 'site navigation or legal notice'],
  [/^(?:(?:cited by|citations?|references|downloads?|views?|reads?)\s*[:(]?\s*\d[\d,.]*k?\)?|\d[\d,.]*k?\s+(?:citations?|references|downloads|views|reads|likes|upvotes))$/i, 'site counter'],
  [/^(?:view|open|read|add|save)(?: (?:on|in|to|the))* (?:arxiv|pdf|library|paper|full text|semantic scholar|google scholar|publisher site)$/i, 'site navigation'],
  [/^\[(?:pdf|ps|other|html|src)(?:,\s*(?:pdf|ps|other|html|src))*\]$/i, 'download link labels'],
  [/^(?:©|\(c\)|copyright\b)/i, 'copyright notice'],
  [/^\[?(?:submitted|received|revised|published|last revised)(?: on)? \d{1,2} \w{3,9},? \d{4}\b/i, 'date line'],
];
const COOKIE = /\bcookies?\b.*\b(?:accept|consent|use|policy|settings)\b/i;

const HEADING = /^(abstract|summary|tl;?\s?dr)\s*[:.]?$/i;
const FIELD = /^(title|authors?|comments?|abstract|summary|tl;?\s?dr|keywords|subjects?|categories|journal[- ]ref|doi|cite as)\s*[:：]\s*(\S.*)$/i;
const ID_MARKER = /^\s*arxiv:\s*(\d{4}\.\d{4,5}(?:v\d+)?|[a-z][a-z-]*(?:\.[A-Z]{2})?\/\d{7}(?:v\d+)?)/i;

// Cues of an arXiv-style comment line: venue, page counts, code links, notes.
const COMMENT_CUES = /\b(?:\d+\s*(?:pages?|figures?|tables?)|pages?|accepted|submitted|to appear|appears? in|proceedings|conference|workshop|symposium|journal|camera[- ]ready|preprint|technical report|tech\. report|extended version|code|project (?:page|website)|website|available at|arxiv admin note|under review|oral|spotlight|poster|findings|long paper|short paper|(?:19|20)\d\d)\b|https?:\/\//i;
const VENUE_YEAR = /\b[A-Z]{2,}[A-Za-z]*['’]?\s?(?:19|20)?\d\d\b/;

const WRAP_MAX = 120;
/** Labelled lines that become a paper's metadata (arXiv abstract pages carry them after the abstract). */
const METADATA_LABEL = /^(?:doi|keywords|subjects?|categories|journal[- ]ref)$/i;

export function parseScrapedText(decoded: DecodedFile, file: string, reporter: Reporter): ParsedPaper[] {
  const items = classifyLines(decoded, file, reporter);
  const paras = joinParagraphs(items);
  return assemble(paras, file, reporter);
}

function classifyLines(decoded: DecodedFile, file: string, reporter: Reporter): Item[] {
  const items: Item[] = [];
  decoded.lines.forEach((raw, i) => {
    const line = i + 1;
    if (decoded.invalidLines.has(line)) return; // already reported by the decoder
    if (raw.length > MAX_ABSTRACT_CHARS) {
      // Checked first: the shape tests below would take seconds on a line of megabytes.
      reporter.warn('abstract-too-long', file, line, `line of ${raw.length} characters is not an abstract (limit ${MAX_ABSTRACT_CHARS}): skipped`);
      return;
    }
    let text = raw.replace(/\s+/gu, ' ').trim();
    if (!text) return;
    const id = ID_MARKER.exec(text);
    if (id) {
      items.push({ kind: 'id', line, id: arxivIdOf(id[1]) ?? id[1] });
      text = text.slice(id[0].length).trim();
      if (!text) return;
    }
    const heading = HEADING.exec(text);
    if (heading) {
      items.push({ kind: 'heading', line, which: /^abs/i.test(heading[1]) ? 'abstract' : /^sum/i.test(heading[1]) ? 'abstract' : 'tldr' });
      return;
    }
    const skip = boilerplateReason(text);
    if (skip) {
      reporter.info('boilerplate', file, line, `skipped site boilerplate (${skip}): "${excerpt(text)}"`);
      return;
    }
    const script = nonLatinScript(text);
    if (script) {
      const long = countWords(text) >= 20;
      reporter.add(long ? 'warning' : 'info', 'foreign-language', file, line,
        `skipped ${long ? 'text' : 'site text'} in ${script} script (the search model reads English): "${excerpt(text)}"`);
      return;
    }
    const field = FIELD.exec(text);
    if (field) {
      items.push({ kind: 'field', line, name: fieldName(field[1]), label: field[1], value: field[2].trim() });
      return;
    }
    items.push({ kind: 'text', line, endLine: line, text });
  });
  return items;
}

function boilerplateReason(text: string): string | null {
  for (const [re, reason] of BOILERPLATE) if (re.test(text)) return reason;
  if (text.length <= 300 && COOKIE.test(text)) return 'cookie notice';
  if (!/[\p{L}]/u.test(text)) return 'no words';
  return null;
}

function fieldName(label: string): FieldName {
  const l = label.toLowerCase();
  if (l === 'title') return 'title';
  if (l.startsWith('author')) return 'authors';
  if (l.startsWith('comment')) return 'comment';
  if (l === 'abstract' || l === 'summary') return 'abstract';
  if (l.startsWith('tl')) return 'tldr';
  return 'other';
}

/**
 * Hard-wrapped files (runs of three or more consecutive text lines, none longer than 120
 * characters) have consecutive wrapped lines joined into paragraphs. A paragraph ends at a blank
 * line, at a line clearly shorter than the wrap width (a title, an author list, the last line of
 * a paragraph) and never includes a long line. Other files keep one paragraph per line, so
 * abstracts on consecutive lines stay apart.
 */
function joinParagraphs(items: Item[]): Seq[] {
  const texts = items.filter((i): i is Extract<Item, { kind: 'text' }> => i.kind === 'text');
  let longestRun = 0;
  let run = 0;
  let prevLine = -2;
  for (const t of texts) {
    const wrappable = t.text.length <= WRAP_MAX;
    run = wrappable && t.line === prevLine + 1 ? run + 1 : wrappable ? 1 : 0;
    longestRun = Math.max(longestRun, run);
    prevLine = t.line;
  }
  const wrapped = longestRun >= 3;
  const width = wrapped ? percentile(texts.filter((t) => t.text.length <= WRAP_MAX).map((t) => t.text.length), 0.9) : 0;

  const out: Seq[] = [];
  for (const item of items) {
    if (item.kind !== 'text') {
      out.push(item);
      continue;
    }
    const prev = out[out.length - 1];
    if (wrapped && prev && prev.kind === 'para' && prev.endLine === item.line - 1 && item.text.length <= WRAP_MAX &&
        prev.lastLine.length <= WRAP_MAX && !endsParagraph(prev.lastLine, width)) {
      prev.text = prev.lastLine.endsWith('-') && /^\p{Ll}/u.test(item.text) ? prev.text + item.text : `${prev.text} ${item.text}`;
      prev.endLine = item.line;
      prev.lastLine = item.text;
      continue;
    }
    out.push({ kind: 'para', line: item.line, endLine: item.line, text: item.text, prose: false, lastLine: item.text });
  }
  for (const p of out) if (p.kind === 'para') p.prose = isProse(p.text);
  return out;
}

function endsParagraph(lastLine: string, width: number): boolean {
  if (lastLine.length < width * 0.6) return true;
  return /[.!?]["')\]]?$/.test(lastLine) && lastLine.length < width * 0.75;
}

function percentile(values: number[], q: number): number {
  if (values.length === 0) return WRAP_MAX;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function sentenceCount(text: string): number {
  return (text.match(/[.!?]["')\]]?\s+["'(\[]?\p{Lu}/gu)?.length ?? 0) + 1;
}

/** Shaped like an abstract: enough words, and sentences rather than a label or a list. */
export function isProse(text: string): boolean {
  return countWords(text) >= 20 && text.length >= 100 && (/[.!?]["')\]]?$/.test(text) || sentenceCount(text) >= 2);
}

function isCommentLike(text: string): boolean {
  return text.length <= 400 && (COMMENT_CUES.test(text) || VENUE_YEAR.test(text));
}

const NAME_PARTICLE = /^(?:de|van|von|der|den|da|del|della|di|du|dos|das|la|le|bin|al|el|y|ten|ter)$/;

function isAuthorList(text: string): boolean {
  if (/[.;:!?]$/.test(text) || text.length > 1000) return false;
  const names = text.split(/\s*,\s*(?:and\s+)?|\s+and\s+|\s*;\s*|\s+&\s+/).filter(Boolean);
  if (names.length < 2) return false;
  return names.every((name) => {
    const words = name.replace(/[\d*†‡§¹²³⁴⁵⁶⁷⁸⁹⁰]+/gu, '').trim().split(/\s+/).filter(Boolean);
    return words.length >= 2 && words.length <= 5 &&
      words.every((w) => /^\p{Lu}[\p{L}'’.-]*$/u.test(w) || NAME_PARTICLE.test(w));
  });
}

function isTitleLike(text: string): boolean {
  const words = countWords(text);
  return words >= 2 && words <= 30 && text.length <= 250 && !/[.,;]$/.test(text) &&
    /^[\p{Lu}\p{N}"'“(]/u.test(text) && !/^https?:\/\//.test(text);
}

function assemble(seq: Seq[], file: string, reporter: Reporter): ParsedPaper[] {
  const abstractLike = (i: Seq) => (i.kind === 'para' && i.prose) || (i.kind === 'field' && i.name === 'abstract');
  const idPositions = seq.flatMap((it, i) => (it.kind === 'id' ? [i] : []));
  let mode: 'none' | 'trailing' | 'leading' = 'none';
  if (idPositions.length > 0) {
    const first = idPositions[0];
    const last = idPositions[idPositions.length - 1];
    const before = seq.slice(0, first).some(abstractLike);
    const after = seq.slice(last + 1).some(abstractLike);
    mode = before || !after ? 'trailing' : 'leading';
  }

  const drafts: Draft[] = [];
  let last: Draft | null = null;
  let lastClosed = false;
  let pending: Para[] = [];
  let pendingTitle: Para | undefined;
  let pendingAuthors: Para | undefined;
  let pendingId: { id: string; line: number } | null = null;
  let expect: { which: 'abstract' | 'tldr'; line: number } | null = null;

  const unrecognised = (p: { line: number; text: string }, why: string) =>
    reporter.warn('unrecognised-line', file, p.line,
      `skipped ${why}: "${excerpt(p.text)}" — not an abstract, title, author list or comment; if it belongs to a paper, put it on the abstract's line`);
  const canTakeComment = () => last !== null && (mode !== 'trailing' || !lastClosed);
  const addComment = (p: { line: number; text: string }) => {
    if (last && canTakeComment()) last.comments.push(p.text);
    else unrecognised(p, 'a comment-like line with no abstract before it');
  };
  // Short lines between an abstract and its trailing id are its comment, whatever their shape.
  const flushPendingAsComments = (all: boolean) => {
    for (const p of pending) {
      if (all || isCommentLike(p.text)) addComment(p);
      else unrecognised(p, 'a short line');
    }
    pending = [];
  };

  const startPaper = (abstract: Para) => {
    let title = pendingTitle;
    let authors = pendingAuthors;
    for (const p of pending) {
      if (!title && !authors && canTakeComment() && isCommentLike(p.text) && !isAuthorList(p.text)) addComment(p);
      else if (!authors && isAuthorList(p.text)) authors = p;
      else if (!title && isTitleLike(p.text)) title = p;
      else unrecognised(p, 'a short line before an abstract');
    }
    const draft: Draft = {
      title,
      authors,
      abstract,
      comments: [],
      fields: [],
      line: Math.min(abstract.line, title?.line ?? Infinity, authors?.line ?? Infinity),
    };
    if (mode === 'leading' && pendingId) {
      draft.arxivId = pendingId.id;
      pendingId = null;
    }
    drafts.push(draft);
    last = draft;
    lastClosed = false;
    pending = [];
    pendingTitle = pendingAuthors = undefined;
    expect = null;
  };

  for (const it of seq) {
    if (it.kind === 'id') {
      if (mode === 'trailing') {
        flushPendingAsComments(true);
        if (last && !lastClosed) {
          (last as Draft).arxivId = it.id;
          lastClosed = true;
        } else {
          reporter.warn('arxiv-id-without-abstract', file, it.line, `arXiv:${it.id} follows no abstract: id ignored`);
        }
      } else {
        flushPendingAsComments(false);
        if (pendingId) reporter.warn('arxiv-id-without-abstract', file, pendingId.line, `arXiv:${pendingId.id} is followed by no abstract: id ignored`);
        pendingId = { id: it.id, line: it.line };
      }
    } else if (it.kind === 'heading') {
      expect = { which: it.which, line: it.line };
    } else if (it.kind === 'field') {
      const para: Para = { line: it.line, endLine: it.line, text: it.value, prose: isProse(it.value) };
      if (it.name === 'title') pendingTitle = para;
      else if (it.name === 'authors') pendingAuthors = para;
      else if (it.name === 'comment') addComment(para);
      else if (it.name === 'abstract') startPaper(para);
      else if (it.name === 'tldr') reporter.info('tldr', file, it.line, 'skipped TL;DR summary (not the abstract)');
      else if (METADATA_LABEL.test(it.label) && last && canTakeComment()) (last as Draft).fields.push({ label: it.label, value: it.value, line: it.line });
      else reporter.info('unused-metadata', file, it.line, `skipped "${it.label}:" line (${METADATA_LABEL.test(it.label) ? 'no abstract before it to belong to' : 'not used by the corpus'})`);
    } else if (expect?.which === 'tldr') {
      reporter.info('tldr', file, it.line, `skipped TL;DR summary after the heading on line ${expect.line} (not the abstract)`);
      expect = null;
    } else if (it.prose) {
      if (englishFunctionWordRatio(it.text) < 0.08) {
        reporter.warn('foreign-language', file, it.line,
          `skipped text that does not read as English (the search model reads English): "${excerpt(it.text)}"`);
      } else startPaper(it);
    } else if (expect?.which === 'abstract' && countWords(it.text) >= 3) {
      startPaper(it); // a short abstract, announced by its heading
    } else {
      pending.push(it);
    }
  }

  if (mode === 'trailing' && !lastClosed) flushPendingAsComments(true);
  else flushPendingAsComments(false);
  if (pendingTitle) unrecognised(pendingTitle, 'a title with no abstract after it');
  if (pendingAuthors) unrecognised(pendingAuthors, 'an author list with no abstract after it');
  if (pendingId) reporter.warn('arxiv-id-without-abstract', file, pendingId.line, `arXiv:${pendingId.id} is followed by no abstract: id ignored`);
  if (expect?.which === 'abstract') reporter.warn('unrecognised-line', file, expect.line, '"Abstract" heading with no abstract after it');

  return drafts.map((d) => toPaper(d, file, reporter));
}

function toPaper(d: Draft, file: string, reporter: Reporter): ParsedPaper {
  const abstract = cleanText(d.abstract.text);
  const comment = d.comments.length > 0 ? cleanText(d.comments.join(' ')) : undefined;
  const paper: ParsedPaper = { abstract, source: { file, line: d.line } };
  if (d.arxivId) {
    paper.sourceId = d.arxivId;
    paper.arxivId = d.arxivId;
  }
  if (d.title) paper.title = cleanText(d.title.text);
  if (d.authors) {
    const names = splitAuthorList(d.authors.text);
    if (names.length > 0) paper.authors = names;
  }
  if (comment) paper.comment = comment;
  const codeUrl = (comment && findCodeUrl(comment)) || findCodeUrl(abstract);
  if (codeUrl) paper.codeUrl = codeUrl;
  for (const f of d.fields) {
    const ctx = { reporter, file, line: f.line, entry: d.arxivId ? ` "${d.arxivId}"` : '' };
    const label = f.label.toLowerCase();
    if (label === 'doi') setDoi(paper, f.value, ctx);
    else if (label === 'keywords') setKeywords(paper, f.value);
    else if (label.startsWith('journal')) setVenue(paper, f.value);
    // arXiv: "Computation and Language (cs.CL); Machine Learning (cs.LG)"
    else setCategories(paper, [...f.value.matchAll(/\(([^()]+)\)/g)].map((m) => m[1]).concat(/\(/.test(f.value) ? [] : f.value.split(/[\s;,]+/)), ctx);
  }
  return paper;
}

function excerpt(text: string, max = 80): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
