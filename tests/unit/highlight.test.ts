import { describe, expect, it } from 'vitest';
import { passageContext } from '../../src/ui/highlight';

const abstract = 'First sentence here. The best matching passage is this one. And a closing sentence follows it.';
const start = abstract.indexOf('The best');
const end = abstract.indexOf(' And');

describe('passageContext', () => {
  it('splits the abstract exactly around the passage when nothing is clipped', () => {
    const v = passageContext(abstract, { start, end }, Infinity);
    expect(v.before + v.passage + v.after).toBe(abstract);
    expect(v.passage).toBe('The best matching passage is this one.');
    expect(v.clippedStart || v.clippedEnd).toBe(false);
  });

  it('clips long context at word boundaries and says so', () => {
    const v = passageContext(abstract, { start, end }, 10);
    expect(v.clippedStart).toBe(true);
    expect(v.clippedEnd).toBe(true);
    expect(v.before).toBe('here. ');
    expect(v.after.length).toBeLessThanOrEqual(10);
    expect(abstract.includes(v.before + v.passage + v.after)).toBe(true);
  });

  it('shows the plain abstract when there is no valid passage', () => {
    expect(passageContext(abstract, null, Infinity).after).toBe(abstract);
    expect(passageContext(abstract, { start: 5, end: 500 }, Infinity).passage).toBe('');
  });
});
