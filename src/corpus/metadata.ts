/**
 * Normalised metadata fields: dates, author names, DOIs, keywords, URLs. Each normaliser returns
 * the value only when the input says it; what cannot be read is returned as a problem for the
 * parser to report (file:line), never guessed.
 */
import { decodeLatexText } from './latex.ts';
import { cleanText } from './text.ts';

// ---- dates ---------------------------------------------------------------------------------------

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_WORD = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const SEASON = '(?:spring|summer|autumn|fall|winter)';
const MIN_YEAR = 1000;
const MAX_YEAR = 2100;

export type DateResult = { date: string } | { problem: string };

function monthOf(word: string): number {
  return MONTHS.indexOf(word.slice(0, 3).toLowerCase()) + 1;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' from parts; a problem when a part is out of range. */
export function isoDate(year: number, month?: number, day?: number): DateResult {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) return { problem: `year ${year} is out of range` };
  if (month === undefined) return { date: String(year) };
  if (!Number.isInteger(month) || month < 1 || month > 12) return { problem: `month ${month} is out of range` };
  if (day === undefined) return { date: `${year}-${pad(month)}` };
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (!Number.isInteger(day) || day < 1 || day > days) return { problem: `day ${day} does not exist in ${year}-${pad(month)}` };
  return { date: `${year}-${pad(month)}-${pad(day)}` };
}

const DATE_FORMATS: [RegExp, (m: RegExpExecArray) => DateResult][] = [
  // 2020, 2020-05, 2020-05-03, 2020/05/03, 2020.05.03, ISO date-times (2020-05-03T12:00:00Z)
  [/^(\d{4})(?:([-/.])(\d{1,2})(?:\2(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)?)?$/,
    (m) => isoDate(+m[1], m[3] === undefined ? undefined : +m[3], m[4] === undefined ? undefined : +m[4])],
  // RIS: 2020/05/03/other info, 2020///, 2020/05//
  [/^(\d{4})\/(\d{1,2})?\/(\d{1,2})?(?:\/.*)?$/, (m) => isoDate(+m[1], m[2] ? +m[2] : undefined, m[2] && m[3] ? +m[3] : undefined)],
  // 20200503
  [/^(\d{4})(\d{2})(\d{2})$/, (m) => isoDate(+m[1], +m[2], +m[3])],
  // 3 May 2020, 3. May 2020
  [new RegExp(`^(\\d{1,2})\\.?\\s+${MONTH_WORD},?\\s+(\\d{4})$`, 'i'), (m) => isoDate(+m[3], monthOf(m[2]), +m[1])],
  // May 3, 2020 / May 3 2020
  [new RegExp(`^${MONTH_WORD}\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})$`, 'i'), (m) => isoDate(+m[3], monthOf(m[1]), +m[2])],
  // May 2020, May-2020
  [new RegExp(`^${MONTH_WORD}[\\s,-]+(\\d{4})$`, 'i'), (m) => isoDate(+m[2], monthOf(m[1]))],
  // PubMed DP: 2020 May 3, 2020 May, 2020 May-Jun (a range keeps the year only), 2019 Spring
  [new RegExp(`^(\\d{4})\\s+${MONTH_WORD}(?:\\s+(\\d{1,2}))?$`, 'i'), (m) => isoDate(+m[1], monthOf(m[2]), m[3] ? +m[3] : undefined)],
  [new RegExp(`^(\\d{4})\\s+(?:${MONTH_WORD}\\s*-\\s*${MONTH_WORD}|${SEASON}(?:\\s*-\\s*${SEASON})?)$`, 'i'), (m) => isoDate(+m[1])],
  // 2020-2021 (a range of years keeps the first: the source's own precision is the year)
  [/^(\d{4})\s*[-–/]\s*\d{2,4}$/, (m) => isoDate(+m[1])],
];

/** An ISO date ('YYYY', 'YYYY-MM', 'YYYY-MM-DD'), only as precise as the text. */
export function parseDate(text: string): DateResult {
  const t = cleanText(text).replace(/^\{|\}$/g, '');
  if (!t) return { problem: 'empty date' };
  for (const [re, make] of DATE_FORMATS) {
    const m = re.exec(t);
    if (m) return make(m);
  }
  return { problem: `"${t.length > 40 ? `${t.slice(0, 39)}…` : t}" is not a date this build can read (use YYYY, YYYY-MM or YYYY-MM-DD)` };
}

/** A year and an optional month as BibTeX/CSV give them ("2020", "mar", "3", "March"). */
export function dateFromYearMonth(year: string, month?: string, day?: string): DateResult {
  const y = cleanText(year);
  if (!/^\d{4}$/.test(y)) return parseDate(y);
  if (month === undefined || !cleanText(month)) return isoDate(+y);
  const mo = cleanText(month).replace(/\.$/, '');
  const mn = /^\d{1,2}$/.test(mo) ? +mo : new RegExp(`^${MONTH_WORD}$`, 'i').test(mo) ? monthOf(mo) : NaN;
  if (Number.isNaN(mn)) return { problem: `month "${mo}" is not a month` };
  const d = day !== undefined && /^\d{1,2}$/.test(cleanText(day)) ? +cleanText(day) : undefined;
  return isoDate(+y, mn, d);
}

export function yearOf(date: string): number {
  return Number(date.slice(0, 4));
}

// ---- authors -------------------------------------------------------------------------------------

const SUFFIX = /^(?:jr\.?|sr\.?|ii|iii|iv|v)$/i;

/**
 * One person's name for display: "First Last", LaTeX decoded. "Last, First" and
 * "Last, Jr., First" are turned round; a name without a comma is kept as written.
 */
export function displayName(name: string): string {
  const t = cleanText(decodeLatexText(name)).replace(/^[,;]+|[,;]+$/g, '').trim();
  const parts = t.split(/\s*,\s*/).filter(Boolean);
  if (parts.length === 2) return SUFFIX.test(parts[1]) ? `${parts[0]} ${parts[1]}` : `${parts[1]} ${parts[0]}`;
  if (parts.length === 3 && SUFFIX.test(parts[1])) return `${parts[2]} ${parts[0]} ${parts[1]}`;
  return t;
}

/** "First Last" from separate parts (CSL JSON, BibTeX creators): given, particle, family, suffix. */
export function nameFromParts(given?: string, family?: string, particle?: string, suffix?: string): string {
  return cleanText([given, particle, family, suffix].filter((p) => p && p.trim()).join(' '));
}

/**
 * An author list given as one string: "A. Author, B. Author and C. Author", "Last, First; Last,
 * First", "Last, First and Last, First" (BibTeX style). Each name in display form.
 */
export function splitAuthorList(text: string): string[] {
  const t = cleanText(decodeLatexText(text));
  if (!t) return [];
  let names: string[];
  if (t.includes(';')) {
    names = t.split(/\s*;\s*/);
  } else if (/\sand\s/i.test(t) && t.split(/\s+and\s+/i).every((n) => n.match(/,/g)?.length === 1)) {
    names = t.split(/\s+and\s+/i); // BibTeX style: "Last, First and Last, First"
  } else {
    const parts = t.split(/\s*,\s*(?:and\s+)?|\s+and\s+|\s+&\s+/i).filter(Boolean);
    // "Smith, J., Doe, A." — surnames and initials alternating: pair them up.
    const initials = (s: string) => /^(?:\p{Lu}\.?(?:[\s-]?\p{Lu}\.?)*)$/u.test(s);
    if (parts.length % 2 === 0 && parts.every((p, i) => (i % 2 === 1 ? initials(p) : !initials(p) && !/\s/.test(p)))) {
      names = [];
      for (let i = 0; i < parts.length; i += 2) names.push(`${parts[i]}, ${parts[i + 1]}`);
    } else {
      names = parts.filter((p) => !SUFFIX.test(p));
    }
  }
  return names.map(displayName).filter((n) => /\p{L}/u.test(n));
}

// ---- identifiers ---------------------------------------------------------------------------------

/** DOI lower-cased, without "https://doi.org/" or "doi:"; null when it is not a DOI. */
export function normaliseDoi(text: string): string | null {
  const t = cleanText(text)
    .replace(/^(?:https?:\/\/)?(?:dx\.)?doi\.org\//i, '')
    .replace(/^doi:\s*/i, '')
    .replace(/[.,;]+$/, '');
  let decoded = t;
  try {
    decoded = decodeURIComponent(t);
  } catch {
    // keep it as written: a lone % is not an escape
  }
  return /^10\.\d{4,9}\/\S+$/.test(decoded) ? decoded.toLowerCase() : null;
}

/** An http(s) URL, or null. */
export function normaliseUrl(text: string): string | null {
  const t = cleanText(text).replace(/^<|>$/g, '');
  if (!/^https?:\/\/\S+$/i.test(t)) return null;
  try {
    return new URL(t).href;
  } catch {
    return null;
  }
}

/** Keywords from a list or one string ("a, b; c"), trimmed, duplicates (ignoring case) removed. */
export function normaliseKeywords(values: string[] | string): string[] {
  const list = typeof values === 'string' ? values.split(/\s*[;,]\s*/) : values.flatMap((v) => v.split(/\s*;\s*/));
  const out: string[] = [];
  const seen = new Set<string>();
  for (const v of list) {
    const k = cleanText(decodeLatexText(v));
    if (!k || seen.has(k.toLowerCase())) continue;
    seen.add(k.toLowerCase());
    out.push(k);
  }
  return out;
}

export function normaliseVenue(text: string): string | undefined {
  const v = cleanText(decodeLatexText(text));
  return v || undefined;
}
