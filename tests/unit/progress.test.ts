/** The terminal progress line (src/cli/progress.ts): rate and ETA arithmetic, formatting, TTY vs log output. */
import { describe, expect, it } from 'vitest';
import { formatDuration, formatPercent, formatProgress, ProgressBar, ProgressMeter, type ProgressState } from '../../src/cli/progress';

const state = (done: number, total: number, cached = 0, work?: [number, number]): ProgressState => ({
  done,
  total,
  cached,
  ...(work ? { doneWork: work[0], totalWork: work[1] } : {}),
});

describe('ProgressMeter', () => {
  it('knows no rate or ETA before two updates apart in time (never NaN or Infinity)', () => {
    const m = new ProgressMeter();
    expect(m.rate()).toBeNull();
    expect(m.etaSeconds(state(0, 100))).toBeNull();
    m.add(1000, state(0, 100));
    expect(m.rate()).toBeNull();
    m.add(1000, state(0, 100)); // same instant
    expect(m.rate()).toBeNull();
    expect(m.etaSeconds(state(0, 100))).toBeNull();
    m.add(2000, state(0, 100)); // time passed, nothing done
    expect(m.rate()).toBe(0);
    expect(m.etaSeconds(state(0, 100))).toBeNull();
    expect(formatProgress('x', state(0, 100), m.rate(), m.etaSeconds(state(0, 100)))).not.toMatch(/NaN|Infinity/);
  });

  it('rate over the recent window; ETA = what is left / rate; cached items are not counted as speed', () => {
    const m = new ProgressMeter(10_000);
    m.add(0, state(50, 250, 50)); // resumed: 50 were cached
    m.add(5_000, state(60, 250, 50));
    m.add(10_000, state(70, 250, 50));
    expect(m.rate()).toBeCloseTo(2, 9); // (70-50)/10 s
    expect(m.etaSeconds(state(70, 250, 50))).toBeCloseTo(90, 9); // 180 left / 2 per s
    // the window forgets the slow start
    m.add(15_000, state(120, 250, 50));
    m.add(20_000, state(170, 250, 50));
    expect(m.rate()).toBeCloseTo(10, 9); // (170-70)/10 s
    expect(m.etaSeconds(state(170, 250, 50))).toBeCloseTo(8, 9);
    expect(m.etaSeconds(state(250, 250, 50))).toBe(0);
  });

  it('with work units (characters), the ETA follows their rate: longest-first runs speed up', () => {
    const m = new ProgressMeter();
    m.add(0, state(0, 100, 0, [0, 10_000]));
    m.add(10_000, state(10, 100, 0, [2_000, 10_000])); // the first 10 items were the long ones
    expect(m.rate()).toBeCloseTo(1, 9);
    // items say 90 s, the work left says 8000 chars at 200 chars/s = 40 s
    expect(m.etaSeconds(state(10, 100, 0, [2_000, 10_000]))).toBeCloseTo(40, 9);
  });
});

describe('formatting', () => {
  it('durations', () => {
    expect(formatDuration(null)).toBe('--');
    expect(formatDuration(Number.NaN)).toBe('--');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('--');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(44.6)).toBe('45s');
    expect(formatDuration(725)).toBe('12m 05s');
    expect(formatDuration(2 * 3600 + 7 * 60 + 20)).toBe('2h 07m');
    expect(formatDuration(3 * 86400 + 4 * 3600)).toBe('3d 04h');
  });

  it('percent, with an empty total as done', () => {
    expect(formatPercent(0, 0)).toBe('100.0%');
    expect(formatPercent(1, 3)).toBe('33.3%');
    expect(formatPercent(5, 4)).toBe('100.0%');
  });

  it('one line: bar, done/total, percent, rate, ETA, cached', () => {
    expect(formatProgress('embedding', state(52_301, 163_184, 50_000), 9.84, 3 * 3600 + 8 * 60, 20)).toBe(
      'embedding [######--------------]   52,301/163,184   32.1%  9.8/s  ETA 3h 08m  cached 50,000',
    );
    expect(formatProgress('embedding', state(0, 25), null, null, 0)).toBe('embedding   0/25    0.0%  --/s  ETA --');
    expect(formatProgress('e', state(25, 25), 123.4, 0, 4)).toBe('e [####]  25/25  100.0%  123/s  ETA 0s');
  });
});

function sink(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, out: { isTTY, columns: 120, write: (s: string) => writes.push(s) } };
}

describe('ProgressBar', () => {
  it('on a terminal: redraws one line with \\r, at most every redrawEveryMs, ends it on finish', () => {
    let t = 0;
    const { writes, out } = sink(true);
    const bar = new ProgressBar({ label: 'embedding', out, now: () => t, redrawEveryMs: 200 });
    bar.update(state(0, 100));
    t = 100;
    bar.update(state(5, 100)); // too soon
    t = 250;
    bar.update(state(10, 100));
    expect(writes).toHaveLength(2);
    expect(writes.every((w) => w.startsWith('\r') && w.endsWith('\x1b[K') && !w.includes('\n'))).toBe(true);
    expect(writes[1]).toContain('10/100');
    bar.finish();
    expect(writes.at(-1)).toBe('\n');
  });

  it('in a log: plain lines, the first at once and then every logEveryMs', () => {
    let t = 0;
    const { writes, out } = sink(false);
    const bar = new ProgressBar({ label: 'embedding', out, now: () => t, logEveryMs: 10_000 });
    for (t = 0; t <= 25_000; t += 1000) bar.update(state(t / 1000, 100));
    expect(writes).toHaveLength(3); // t = 0, 10 s, 20 s
    expect(writes.every((w) => w.endsWith('\n') && !w.includes('\r'))).toBe(true);
    expect(writes[1]).toMatch(/Z embedding +10\/100 +10\.0%  1\.0\/s  ETA 1m 30s\n$/);
    bar.finish();
    expect(writes).toHaveLength(4);
    expect(writes[3]).toContain('25/100');
  });
});
