import { describe, expect, it } from 'vitest';
import { median, percentile, ratio } from '../../src/bench/stats';

describe('bench statistics', () => {
  it('interpolates between closest ranks like numpy', () => {
    const v = [15, 20, 35, 40, 50];
    expect(percentile(v, 0)).toBe(15);
    expect(percentile(v, 100)).toBe(50);
    expect(percentile(v, 50)).toBe(35);
    expect(percentile(v, 40)).toBeCloseTo(29, 10); // numpy.percentile([15,20,35,40,50], 40)
    expect(percentile(v, 95)).toBeCloseTo(48, 10);
  });

  it('ignores input order and leaves the input alone', () => {
    const v = [3, 1, 2];
    expect(median(v)).toBe(2);
    expect(v).toEqual([3, 1, 2]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('p95 of 1..100 is 95.05', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(v, 95)).toBeCloseTo(95.05, 10);
    expect(percentile([7], 95)).toBe(7);
  });

  it('rejects what cannot be summarised', () => {
    expect(() => percentile([], 50)).toThrow(/no values/);
    expect(() => percentile([1], 101)).toThrow(/0\.\.100/);
    expect(() => percentile([1, Number.NaN], 50)).toThrow(/not a finite/);
  });

  it('ratio is null when the divisor is missing or zero', () => {
    expect(ratio(10, 4)).toBe(2.5);
    expect(ratio(1, 0)).toBeNull();
    expect(ratio(1, Number.NaN)).toBeNull();
  });
});
