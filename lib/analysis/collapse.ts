/**
 * Collapse score of a set of curves on a common (rescaled) time axis: the residual variance
 * about the across-curve mean, over the common rescaled range [0, min_k t_max,k], divided by
 * the total variance of all values there. 0 means the curves coincide; about 1 means the
 * spread between curves is as large as the change along them.
 */
import type { Curve } from './curves.js';

/** Points of the common grid. */
export const COLLAPSE_GRID_POINTS = 100;

/** The collapse score (NaN when there are fewer than 2 curves or the values do not vary). */
export function collapseScore(curves: Curve[], gridPoints = COLLAPSE_GRID_POINTS): number {
  return collapseScoreScaled(curves, curves.map(() => 1), gridPoints);
}

/**
 * The collapse score of the curves with their times multiplied by `factors` (one per curve): the
 * same number as collapseScore on rescaled copies, without making them (the exponent scans call
 * this hundreds of thousands of times).
 */
export function collapseScoreScaled(curves: Curve[], factors: number[], gridPoints = COLLAPSE_GRID_POINTS): number {
  const usable: Curve[] = [];
  const f: number[] = [];
  curves.forEach((c, i) => {
    if (c.t.length >= 2) {
      usable.push(c);
      f.push(factors[i]);
    }
  });
  if (usable.length < 2) return NaN;
  const start = Math.max(...usable.map((c, j) => c.t[0] * f[j]));
  const end = Math.min(...usable.map((c, j) => c.t[c.t.length - 1] * f[j]));
  if (!(end > start)) return NaN;
  // Each curve is read on the increasing grid with a moving pointer (linear interpolation, clamped).
  const k = usable.length;
  const vals = new Float64Array(k * gridPoints);
  for (let j = 0; j < k; j++) {
    const { t, y } = usable[j];
    const s = f[j];
    const last = t.length - 1;
    const t0 = t[0] * s;
    let idx = 0;
    let lo = t0;
    let hi = t[1] * s;
    for (let i = 0; i < gridPoints; i++) {
      const x = start + ((end - start) * i) / (gridPoints - 1);
      while (idx < last && hi <= x) {
        idx++;
        lo = hi;
        hi = idx < last ? t[idx + 1] * s : hi;
      }
      let v: number;
      if (x <= t0) v = y[0];
      else if (idx >= last) v = y[last];
      else v = y[idx] + ((x - lo) / (hi - lo)) * (y[idx + 1] - y[idx]);
      vals[i * k + j] = v;
    }
  }
  let residual = 0;
  let sum = 0;
  let sumSq = 0;
  const n = k * gridPoints;
  for (let i = 0; i < gridPoints; i++) {
    let m = 0;
    for (let j = 0; j < k; j++) m += vals[i * k + j];
    m /= k;
    for (let j = 0; j < k; j++) {
      const v = vals[i * k + j];
      residual += (v - m) ** 2;
      sum += v;
      sumSq += v * v;
    }
  }
  const total = sumSq - (sum * sum) / n;
  if (!(total > 1e-15 * Math.max(1, sumSq))) return NaN;
  return residual / total;
}
