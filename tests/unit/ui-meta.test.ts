import { describe, expect, it } from 'vitest';
import { displayDate, shortAuthors } from '../../src/ui/meta';

describe('result metadata', () => {
  it('shortens long author lists, never by a single name', () => {
    expect(shortAuthors(['A', 'B', 'C', 'D'])).toEqual({ shown: ['A', 'B', 'C', 'D'], more: 0 });
    expect(shortAuthors(['A', 'B', 'C', 'D', 'E'])).toEqual({ shown: ['A', 'B', 'C'], more: 2 });
    expect(shortAuthors(['A', ' ', 'B '], 4)).toEqual({ shown: ['A', 'B'], more: 0 });
    expect(shortAuthors(Array.from({ length: 3000 }, (_, i) => `N${i}`), Infinity).shown).toHaveLength(3000);
    expect(shortAuthors([])).toEqual({ shown: [], more: 0 });
  });

  it('shows a date only as precisely as the source gave it', () => {
    expect(displayDate('2024-05-03')).toBe('3 May 2024');
    expect(displayDate('2024-12')).toBe('December 2024');
    expect(displayDate('2024')).toBe('2024');
    expect(displayDate('2024-13')).toBe('2024');
    expect(displayDate('Spring 2019', 2019)).toBe('2019');
    expect(displayDate(undefined, 2021)).toBe('2021');
    expect(displayDate('garbage')).toBeNull();
    expect(displayDate(undefined)).toBeNull();
  });
});
