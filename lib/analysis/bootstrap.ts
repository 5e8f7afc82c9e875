/** Bootstrap helpers: percentiles of sorted samples and a percentile interval for a mean over seeds. */
import { Rng } from '../core/rng.js';

/** A mean with its 95% bootstrap percentile interval. */
export interface Estimate {
  mean: number;
  ci: [number, number];
  /** Values averaged (seeds). */
  n: number;
}

/** The p-quantile (0 ≤ p ≤ 1) of sorted samples by the nearest rank; NaN for none. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(p * (sorted.length - 1))))];
}

/** Mean of finite values (NaN for none). */
export function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/** The mean of `values` with a 95% percentile interval over `resamples` resamples (a one-value interval has zero width). */
export function bootstrapMean(values: number[], resamples = 1000, rng = new Rng(0, 'bootstrap-mean')): Estimate {
  const xs = values.filter(Number.isFinite);
  const means: number[] = [];
  for (let b = 0; b < resamples && xs.length; b++) {
    let s = 0;
    for (let i = 0; i < xs.length; i++) s += xs[rng.int(xs.length)];
    means.push(s / xs.length);
  }
  means.sort((a, b) => a - b);
  return { mean: mean(xs), ci: [percentile(means, 0.025), percentile(means, 0.975)], n: xs.length };
}
