/**
 * Time rescaling: t' = t·(η/η_ref)^α for an η-sweep, t' = t·(B_ref/B)^β for a batch sweep.
 * α = 2 and β = 1 are the paper's prediction (drift rate ∝ η²/|B|).
 */
import type { SweepAxis } from '../sweep/sweep.js';
import type { Curve } from './curves.js';

/** The factor multiplying t for a run with swept value `value`. */
export function timeFactor(axis: SweepAxis, value: number, ref: number, exponent: number): number {
  return axis === 'eta' ? (value / ref) ** exponent : (ref / value) ** exponent;
}

/** A curve with its time axis multiplied by `factor`. */
export function rescaleCurve(c: Curve, factor: number): Curve {
  return { t: c.t.map((x) => x * factor), y: c.y };
}

/** The reference value: the largest η, or the smallest |B|. */
export function referenceValue(axis: SweepAxis, values: number[]): number {
  return axis === 'eta' ? Math.max(...values) : Math.min(...values);
}
