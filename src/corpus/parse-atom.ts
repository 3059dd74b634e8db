/**
 * Parser for Atom feeds (.xml, .atom), as the arXiv API returns them: one paper per <entry>,
 * the abstract in <summary>. fast-xml-parser reads the XML (the same code in Node and in a Web
 * Worker, where DOMParser does not exist) and its validator gives the line of malformed XML.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { type DecodedFile, joinedText, lineFinder } from './decode.ts';
import { cleanAbstract, cleanField, entryLabel, type FieldContext, reportNoAbstract, setArxivId, setAuthors, setCategories, setDate, setDoi, setUrl, setVenue } from './fields.ts';
import { displayName } from './metadata.ts';
import { findCodeUrl, type ParsedPaper } from './parsed.ts';
import type { Reporter } from './report.ts';
import { cleanText } from './text.ts';

const ARRAYS = new Set(['entry', 'author', 'category', 'link']);


type Node = Record<string, unknown>;

function textOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (v && typeof v === 'object' && '#text' in v) return textOf((v as Node)['#text']);
  return undefined;
}

export function parseAtom(decoded: DecodedFile, file: string, reporter: Reporter): ParsedPaper[] {
  const text = joinedText(decoded);
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    reporter.warn('syntax-error', file, valid.err.line, `not well-formed XML (${valid.err.msg}): file skipped; re-download the feed`);
    return [];
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    isArray: (name) => ARRAYS.has(name),
  });
  let doc: Node;
  try {
    doc = parser.parse(text) as Node;
  } catch (err) {
    // e.g. entity expansion past fast-xml-parser's limits (an "XML bomb")
    reporter.warn('syntax-error', file, undefined, `XML not read (${(err as Error).message}): file skipped`);
    return [];
  }
  const feed = doc.feed as Node | undefined;
  if (!feed) {
    reporter.warn('unknown-format', file, 1, 'XML without an Atom <feed> root: skipped; only Atom feeds (e.g. from the arXiv API) are read');
    return [];
  }
  const lineAt = lineFinder(text);
  const entryLines = [...text.matchAll(/<(?:[\w-]+:)?entry[\s>]/g)].map((m) => lineAt(m.index ?? 0));
  const entries = (feed.entry as Node[] | undefined) ?? [];
  const papers: ParsedPaper[] = [];
  entries.forEach((e, i) => {
    const line = entryLines[i] ?? 1;
    const rawId = textOf(e.id);
    const ctx: FieldContext = { reporter, file, line, entry: entryLabel(rawId) };
    if (rawId && /arxiv\.org\/api\/errors/.test(rawId)) {
      reporter.warn('row-shape', file, line, `the arXiv API answered with an error, not a paper: "${cleanText(textOf(e.summary) ?? '')}"; fix the query and download again`);
      return;
    }
    const title = textOf(e.title) ? cleanField(textOf(e.title)!) : undefined;
    const body = e.summary ?? e.content;
    const type = body && typeof body === 'object' ? textOf((body as Node)['@type']) : undefined;
    // Atom says what the text is: type="text" (the default, arXiv's) is literal, "<b>" included.
    const raw = textOf(body) ?? '';
    const abstract = type === 'html' || type === 'xhtml' ? cleanAbstract(raw, ctx) : cleanText(raw);
    if (!abstract) {
      reportNoAbstract(ctx, title, 'a <summary> element');
      return;
    }
    const p: ParsedPaper = { abstract, source: { file, line } };
    if (title) p.title = title;
    setArxivId(p, rawId);
    if (p.arxivId) p.sourceId = p.arxivId;
    setAuthors(p, ((e.author as Node[] | undefined) ?? []).flatMap((a) => {
      const n = textOf(a.name);
      return n ? [displayName(n)] : [];
    }));
    setDate(p, textOf(e.published) ?? textOf(e.updated), ctx, 'published');
    setVenue(p, textOf(e.journal_ref));
    setDoi(p, textOf(e.doi), ctx);
    const comment = textOf(e.comment);
    if (comment && cleanText(comment)) p.comment = cleanText(comment);
    const links = (e.link as Node[] | undefined) ?? [];
    const page = links.find((l) => l['@rel'] === 'alternate') ?? links.find((l) => !l['@rel']);
    const href = page ? textOf(page['@href']) : undefined;
    // An arXiv entry's link is its versioned page; the build links the versionless one.
    if (!p.arxivId && href) setUrl(p, href, ctx);
    const codeUrl = (p.comment && findCodeUrl(p.comment)) || findCodeUrl(abstract);
    if (codeUrl) p.codeUrl = codeUrl;
    const primary = textOf((e.primary_category as Node | undefined)?.['@term']);
    const terms = ((e.category as Node[] | undefined) ?? []).map((c) => textOf(c['@term'])).filter((t): t is string => !!t);
    const cats = primary ? [primary, ...terms.filter((t) => t !== primary)] : terms;
    if (cats.length > 0) setCategories(p, cats, ctx);
    papers.push(p);
  });
  return papers;
}
