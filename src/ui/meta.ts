/** How a paper's metadata reads in a result: pure helpers for PaperMeta.svelte. */

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * An author list cut to `max` names: all of them when there are at most `max`, else the first
 * max - 1 and how many more (a cut of one name saves nothing: "A, B, C + 1 more" is longer
 * than naming the fourth).
 */
export function shortAuthors(authors: readonly string[], max = 4): { shown: string[]; more: number } {
  const names = authors.filter((a) => typeof a === 'string' && a.trim() !== '').map((a) => a.trim());
  if (names.length <= max) return { shown: names, more: 0 };
  const keep = Math.max(1, max - 1);
  return { shown: names.slice(0, keep), more: names.length - keep };
}

/** "3 May 2024", "May 2024" or "2024" from an ISO date as precise as the source; the year alone when the date is not ISO. */
export function displayDate(date: string | undefined, year?: number): string | null {
  const m = date ? /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(date) : null;
  if (!m) return Number.isInteger(year) ? String(year) : null;
  const month = m[2] ? MONTHS[Number(m[2]) - 1] : undefined;
  if (!month) return m[1];
  return m[3] ? `${Number(m[3])} ${month} ${m[1]}` : `${month} ${m[1]}`;
}
