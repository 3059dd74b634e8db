/**
 * A progress line for long Node jobs: done/total, percent, rate over a recent window, ETA, cached.
 * On a terminal one line is redrawn in place (\r); in a log (CI, nohup) a plain line is written
 * every ~10 s, so the log stays readable. The arithmetic is pure and tested (tests/unit/progress.test.ts).
 */

export interface ProgressState {
  /** items finished, cached ones included */
  done: number;
  total: number;
  /** items that were already done before this run (not part of the rate) */
  cached: number;
  /**
   * Optional cost of the work left, when items differ in cost (passages: characters). The ETA then
   * uses the rate of this work, not of items: passages embedded longest first get faster as it runs.
   */
  doneWork?: number;
  totalWork?: number;
}

interface Sample {
  t: number;
  done: number;
  work: number;
}

/** Rate and ETA over the last `windowMs` of updates. Time is passed in (ms), so tests need no clock. */
export class ProgressMeter {
  private samples: Sample[] = [];

  constructor(readonly windowMs = 60_000) {}

  add(t: number, state: ProgressState): void {
    this.samples.push({ t, done: state.done, work: state.doneWork ?? state.done });
    // keep one sample older than the window, so the window is always fully covered
    while (this.samples.length > 2 && this.samples[1].t <= t - this.windowMs) this.samples.shift();
  }

  /** items per second over the window; null until two updates some time apart */
  rate(): number | null {
    return this.perSecond((s) => s.done);
  }

  /** seconds left; null when no rate is known yet (or no progress was made in the window) */
  etaSeconds(state: ProgressState): number | null {
    if (state.done >= state.total) return 0;
    const byWork = state.doneWork !== undefined && state.totalWork !== undefined;
    const rate = byWork ? this.perSecond((s) => s.work) : this.rate();
    if (rate === null || rate <= 0) return null;
    const left = byWork ? state.totalWork! - state.doneWork! : state.total - state.done;
    return Math.max(0, left) / rate;
  }

  private perSecond(value: (s: Sample) => number): number | null {
    if (this.samples.length < 2) return null;
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const seconds = (last.t - first.t) / 1000;
    if (!(seconds > 0)) return null;
    const r = (value(last) - value(first)) / seconds;
    return Number.isFinite(r) ? r : null;
  }
}

/** 45s · 12m 05s · 2h 07m · 3d 04h; '--' when unknown. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86400)}d ${pad(Math.floor((s % 86400) / 3600))}h`;
}

function formatRate(rate: number | null): string {
  if (rate === null || !Number.isFinite(rate)) return '--/s';
  return `${rate < 10 ? rate.toFixed(1) : Math.round(rate).toLocaleString('en-US')}/s`;
}

export function formatPercent(done: number, total: number): string {
  if (total <= 0) return '100.0%';
  return `${Math.min(100, (100 * done) / total).toFixed(1)}%`;
}

/**
 * One progress line, e.g.
 *   embedding [########------------]  52,301/163,184  32.1%  9.8/s  ETA 3h 08m  cached 50,000
 * `barWidth` 0 leaves the bar out (log lines).
 */
export function formatProgress(label: string, state: ProgressState, rate: number | null, eta: number | null, barWidth = 20): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const fraction = state.total > 0 ? Math.min(1, Math.max(0, state.done / state.total)) : 1;
  const filled = Math.round(fraction * barWidth);
  const bar = barWidth > 0 ? ` [${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]` : '';
  const parts = [
    `${label}${bar}`,
    `${n(state.done).padStart(n(state.total).length)}/${n(state.total)}`,
    formatPercent(state.done, state.total).padStart(6),
    formatRate(rate),
    `ETA ${formatDuration(eta)}`,
  ];
  if (state.cached > 0) parts.push(`cached ${n(state.cached)}`);
  return parts.join('  ');
}

export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressBarOptions {
  label: string;
  out?: ProgressOutput; // default process.stderr
  /** plain-line interval when the output is not a terminal (default 10 s) */
  logEveryMs?: number;
  /** redraw interval on a terminal (default 200 ms) */
  redrawEveryMs?: number;
  now?: () => number;
}

/** Draws ProgressState updates: redrawn in place on a TTY, a line every logEveryMs otherwise. */
export class ProgressBar {
  private readonly meter = new ProgressMeter();
  private readonly out: ProgressOutput;
  private readonly tty: boolean;
  private readonly now: () => number;
  private lastDraw = -Infinity;
  private lastState: ProgressState | null = null;
  private drawnOnLine = false;

  constructor(private readonly options: ProgressBarOptions) {
    this.out = options.out ?? process.stderr;
    this.tty = !!this.out.isTTY;
    this.now = options.now ?? (() => performance.now());
  }

  update(state: ProgressState): void {
    const t = this.now();
    this.meter.add(t, state);
    const first = this.lastState === null;
    this.lastState = state;
    const every = this.tty ? (this.options.redrawEveryMs ?? 200) : (this.options.logEveryMs ?? 10_000);
    if (first || t - this.lastDraw >= every) this.draw(t, state);
  }

  /** Draws the final state and ends the line (call once, also when stopping early). */
  finish(): void {
    if (this.lastState) this.draw(this.now(), this.lastState);
    if (this.tty && this.drawnOnLine) this.out.write('\n');
    this.drawnOnLine = false;
  }

  /** Writes a message on its own line without breaking the redrawn one. */
  log(line: string): void {
    if (this.tty && this.drawnOnLine) this.out.write('\r\x1b[K');
    this.out.write(`${line}\n`);
    this.drawnOnLine = false;
    if (this.tty && this.lastState) this.draw(this.now(), this.lastState);
  }

  private draw(t: number, state: ProgressState): void {
    this.lastDraw = t;
    const rate = this.meter.rate();
    const eta = this.meter.etaSeconds(state);
    if (this.tty) {
      const width = this.out.columns ?? 100;
      const line = formatProgress(this.options.label, state, rate, eta, width >= 100 ? 20 : 0);
      this.out.write(`\r${line.slice(0, Math.max(10, width - 1))}\x1b[K`);
      this.drawnOnLine = true;
    } else {
      this.out.write(`${new Date().toISOString().slice(0, 19)}Z ${formatProgress(this.options.label, state, rate, eta, 0)}\n`);
    }
  }
}
