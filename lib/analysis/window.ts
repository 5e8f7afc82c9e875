/**
 * The common in-regime window: each run counts up to its exit from the small-η regime, each swept
 * value up to the earliest exit among its seeds, and the sweep up to the shortest of these in the
 * predicted time units, T* (t·η² for η-sweeps, t/|B| for batch sweeps). The collapse score of the
 * truncated curves is computed on this common window, so T* decides the collapse range. A window is too
 * short to fit when some swept value has fewer than {@link MIN_WINDOW_POINTS} records inside it.
 */
import type { SweepAxis } from '../sweep/sweep.js';

/**
 * Records (step > 0) each swept value needs inside the window for a fit: the collapse score reads
 * each curve at 100 grid points, and with fewer than 10 records most of them would be straight-line
 * interpolation between a handful of measurements rather than data.
 */
export const MIN_WINDOW_POINTS = 10;

/**
 * Records per swept value below which even an indicative fit of a short window is not made (when no run
 * can stand in for those that leave): with two, a curve is a straight line from its start.
 */
export const MIN_SHORT_WINDOW_POINTS = 3;

/**
 * Share of the runs' rescaled time below which the in-regime window is called out as short (the fit
 * then sees the start of the curves only; it is still made, and the share is reported).
 */
export const SHORT_COVERAGE = 0.1;

/** One run's in-regime span: the swept value and the record steps before its exit. */
export interface RunSpan {
  value: number;
  steps: number[];
}

/** The in-regime window of one swept value. */
export interface ValueWindow {
  value: number;
  /** Last in-regime step of the value's shortest run. */
  end: number;
  /** `end` in window units (t·η² or t/|B|). */
  endUnits: number;
  /** Fewest records with 0 < t ≤ T* among the value's runs. */
  points: number;
}

/** The common window. */
export interface RegimeWindow {
  /** T*: the common window in `units` (NaN when there are no runs). */
  T: number;
  /** 't·η²' or 't/|B|'. */
  units: string;
  /** Fewest records inside T* over all swept values and runs. */
  points: number;
  /** Fewer than `minPoints` records inside T* for some swept value. */
  tooShort: boolean;
  minPoints: number;
  byValue: ValueWindow[];
}

/** The units T* is reported in. */
export function windowUnits(axis: SweepAxis): string {
  return axis === 'eta' ? 't·η²' : 't/|B|';
}

/** Multiplies steps into window units: η² for an η-sweep, 1/|B| for a batch sweep. */
export function unitFactor(axis: SweepAxis, value: number): number {
  return axis === 'eta' ? value * value : 1 / value;
}

/** The common window of a set of runs' in-regime spans. */
export function regimeWindow(axis: SweepAxis, spans: RunSpan[], minPoints = MIN_WINDOW_POINTS): RegimeWindow {
  const values = [...new Set(spans.map((s) => s.value))].sort((a, b) => a - b);
  const ends = values.map((v) => Math.min(...spans.filter((s) => s.value === v).map((s) => s.steps[s.steps.length - 1] ?? 0)));
  const T = values.length ? Math.min(...values.map((v, i) => ends[i] * unitFactor(axis, v))) : NaN;
  const byValue = values.map((value, i) => {
    const limit = T / unitFactor(axis, value) + 1e-9 * Math.max(1, ends[i]);
    const points = Math.min(...spans.filter((s) => s.value === value).map((s) => s.steps.filter((t) => t > 0 && t <= limit).length));
    return { value, end: ends[i], endUnits: ends[i] * unitFactor(axis, value), points };
  });
  const points = byValue.length ? Math.min(...byValue.map((b) => b.points)) : 0;
  return { T, units: windowUnits(axis), points, tooShort: points < minPoints, minPoints, byValue };
}
