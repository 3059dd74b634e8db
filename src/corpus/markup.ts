/**
 * Abstracts from Crossref, PubMed and publisher exports often carry JATS or HTML markup
 * (<jats:p>, <i>, <sub>, &amp;). The corpus holds text only: tags are removed, block tags
 * become a space, <script>/<style> are removed with their content, and entities are decoded.
 * Only known tag names are touched, so "p < 0.05" or "a <b> c" in prose that is not markup stays.
 */

const TAG_NAMES = 'p|div|span|br|hr|i|b|u|em|strong|sub|sup|sc|small|big|a|font|ul|ol|li|dl|dt|dd|h[1-6]|table|thead|tbody|tr|td|th|section|article|header|footer|blockquote|code|pre|tt|abbr|cite|q|mark|del|ins|s|strike|img|figure|figcaption|title|label|caption|sec|list|list-item|italic|bold|underline|monospace|overline|sans-serif|roman|inline-formula|disp-formula|tex-math|math|mi|mo|mn|ms|mtext|mrow|msub|msup|msubsup|mfrac|msqrt|mroot|munder|mover|munderover|mtable|mtr|mtd|mstyle|mspace|semantics|annotation|ext-link|uri|xref|named-content|styled-content|abstract|trans-abstract|fn|p-text|graphic|inline-graphic|alternatives|break';
const TAG = new RegExp(`</?(?:[a-z][\\w-]*:)?(?:${TAG_NAMES})(?:\\s+[\\w:.-]+(?:\\s*=\\s*(?:"[^"]*"|'[^']*'|[^\\s"'>]+))?)*\\s*/?>`, 'gi');
const BLOCK = /^<\/?(?:[a-z][\w-]*:)?(?:p|div|br|hr|li|ul|ol|dl|dt|dd|h[1-6]|table|tr|td|th|section|article|header|footer|blockquote|pre|figure|figcaption|title|label|caption|sec|list|list-item|abstract|trans-abstract|break|disp-formula)\b/i;
const DROP_WITH_CONTENT = /<(script|style|noscript|iframe|object)\b[^>]*>[\s\S]*?<\/\1\s*>|<(?:script|style|noscript|iframe|object)\b[^>]*\/?>/gi;

const ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', ndash: '–', mdash: '—', hellip: '…',
  lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', minus: '−', times: '×', plusmn: '±', deg: '°', micro: 'µ',
  alpha: 'α', beta: 'β', gamma: 'γ', delta: 'δ', epsilon: 'ε', kappa: 'κ', lambda: 'λ', mu: 'μ', pi: 'π',
  sigma: 'σ', tau: 'τ', chi: 'χ', omega: 'ω', le: '≤', ge: '≥', ne: '≠', asymp: '≈', middot: '·', copy: '©', reg: '®',
};

export interface StrippedText {
  text: string;
  /** Tags removed (markup only). */
  tags: number;
  /** Active content removed with its text (<script>, <style>, …). */
  scripts: number;
}

export function looksLikeMarkup(text: string): boolean {
  return /<\/?[a-z][\w:-]*[\s/>]|&(?:#\d+|#x[\da-f]+|[a-z]+);/i.test(text);
}

export function stripMarkup(text: string): StrippedText {
  if (!looksLikeMarkup(text)) return { text, tags: 0, scripts: 0 };
  let scripts = 0;
  let tags = 0;
  let t = text.replace(DROP_WITH_CONTENT, () => {
    scripts++;
    return ' ';
  });
  t = t.replace(TAG, (tag) => {
    tags++;
    return BLOCK.test(tag) ? ' ' : '';
  });
  t = decodeEntities(t);
  return { text: t, tags, scripts };
}

export function decodeEntities(text: string): string {
  return text.replace(/&(?:#(\d{1,7})|#x([\da-f]{1,6})|([a-z]+\d?));/gi, (m, dec?: string, hex?: string, name?: string) => {
    if (dec || hex) {
      const cp = dec ? Number(dec) : parseInt(hex!, 16);
      return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : m;
    }
    return ENTITIES[name!.toLowerCase()] ?? m;
  });
}
