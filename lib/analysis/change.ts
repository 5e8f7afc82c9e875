/**
 * Did a quantity fall, rise or stay put? A group's change is "unchanged within noise" when the
 * seed-mean change |Δ̄| (last minus first recorded value) is at most {@link CHANGE_NOISE_SIGMAS} standard
 * errors of the per-seed changes (s.d. over seeds / √n). With one seed there is no seed spread: the
 * noise is then the curve's own record-to-record jitter (a lower bound on the seed spread), and the
 * verdict says there are too few seeds.
 */
import { interpolate, type Curve, type CurveGroup } from './curves.js';

/** Standard errors a change must exceed to count as a fall or a rise. */
export const CHANGE_NOISE_SIGMAS = 2;

/** The change of one swept value's seed-mean curve. */
export interface GroupChange {
  value: number;
  start: number;
  end: number;
  /** Last step of the seed-mean curve (where `end` is read). */
  steps: number;
  seeds: number;
  /** The noise a change must exceed: {@link CHANGE_NOISE_SIGMAS} × the standard error of the change. */
  noise: number;
  /** 'falls' or 'rises' when |end − start| exceeds `noise`, else 'unchanged'. */
  trend: 'falls' | 'rises' | 'unchanged';
}

/** Direction over all groups. */
export type Direction = 'falls' | 'rises' | 'mixed' | 'unchanged' | 'none';

function sd(xs: number[]): number {
  if (xs.length < 2) return NaN;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

/** Robust s.d. of a curve's record-to-record noise: median |y_{k+1} − y_k| / (0.6745·√2). */
export function curveJitter(c: Curve): number {
  const d = c.y.slice(1).map((y, k) => Math.abs(y - c.y[k])).sort((a, b) => a - b);
  if (d.length === 0) return NaN;
  const med = d.length % 2 ? d[(d.length - 1) / 2] : (d[d.length / 2 - 1] + d[d.length / 2]) / 2;
  return med / (0.6745 * Math.SQRT2);
}

/**
 * The change of a group between its first and last common step (or step `until`, when that comes
 * first: the end of a common window), with its noise.
 */
export function groupChange(g: CurveGroup, until = Infinity): GroupChange {
  const n = g.mean.t.length;
  const start = g.mean.y[0];
  const t0 = g.mean.t[0];
  const t1 = Math.max(t0, Math.min(g.mean.t[n - 1], until));
  const end = t1 === g.mean.t[n - 1] ? g.mean.y[n - 1] : interpolate(g.mean, t1);
  const perSeed = g.curves.map((c) => interpolate(c, t1) - interpolate(c, t0));
  const se = g.curves.length >= 2 ? sd(perSeed) / Math.sqrt(perSeed.length) : curveJitter(g.mean);
  const noise = CHANGE_NOISE_SIGMAS * (Number.isFinite(se) ? se : 0);
  const delta = end - start;
  const trend = !(Math.abs(delta) > noise) ? 'unchanged' : delta < 0 ? 'falls' : 'rises';
  return { value: g.value, start, end, steps: t1, seeds: g.curves.length, noise, trend };
}

/** 'falls' when every group that changed fell (and one did), 'rises' likewise, 'unchanged' when none changed. */
export function direction(changes: GroupChange[]): Direction {
  if (changes.length === 0) return 'none';
  const moved = changes.filter((c) => c.trend !== 'unchanged');
  if (moved.length === 0) return 'unchanged';
  if (moved.every((c) => c.trend === 'falls')) return 'falls';
  if (moved.every((c) => c.trend === 'rises')) return 'rises';
  return 'mixed';
}
