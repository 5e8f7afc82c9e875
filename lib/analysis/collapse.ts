/**
 * Collapse score of a set of curves on a common (rescaled) time axis: the residual variance
 * about the across-curve mean, over the common rescaled range [0, min_k t_max,k], divided by
 * the total variance of all values there. 0 means the curves coincide; about 1 means the
 * spread between curves is as large as the change along them.
 */
import { interpolate, type Curve } from './curves.js';

/** Points of the common grid. */
export const COLLAPSE_GRID_POINTS = 100;

/** The collapse score (NaN when there are fewer than 2 curves or the values do not vary). */
export function collapseScore(curves: Curve[], gridPoints = COLLAPSE_GRID_POINTS): number {
  const usable = curves.filter((c) => c.t.length >= 2);
  if (usable.length < 2) return NaN;
  const start = Math.max(...usable.map((c) => c.t[0]));
  const end = Math.min(...usable.map((c) => c.t[c.t.length - 1]));
  if (!(end > start)) return NaN;
  let residual = 0;
  let sum = 0;
  let sumSq = 0;
  const n = usable.length * gridPoints;
  for (let i = 0; i < gridPoints; i++) {
    const x = start + ((end - start) * i) / (gridPoints - 1);
    let m = 0;
    const vals = usable.map((c) => interpolate(c, x));
    for (const v of vals) m += v;
    m /= vals.length;
    for (const v of vals) {
      residual += (v - m) ** 2;
      sum += v;
      sumSq += v * v;
    }
  }
  const total = sumSq - (sum * sum) / n;
  if (!(total > 1e-15 * Math.max(1, sumSq))) return NaN;
  return residual / total;
}
