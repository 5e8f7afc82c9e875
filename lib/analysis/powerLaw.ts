/**
 * Power-law fits y ∝ x^k by least squares on log|ȳ| against log x, with a bootstrap interval over
 * seeds (the per-seed values at each x are resampled, their means refitted). All means must share a
 * sign; a resample in which some mean changes sign or vanishes is skipped and counted.
 */
import { Rng } from '../core/rng.js';
import { mean, percentile } from './bootstrap.js';

/** The per-seed values at one x. */
export interface PowerLawPoint {
  x: number;
  values: number[];
}

/** A fitted power law. */
export interface PowerLawFit {
  /** The exponent k of y ∝ x^k. */
  exponent: number;
  ci: [number, number];
  /** y = sign·prefactor·x^k. */
  prefactor: number;
  sign: 1 | -1;
  /** R² of the log-log fit of the means. */
  r2: number;
  /** The means fitted. */
  points: { x: number; y: number; n: number }[];
  /** Resamples used (those in which every mean kept its sign). */
  resamples: number;
  skipped: number;
}

/** Least-squares slope and intercept of y on x. */
export function leastSquares(xs: number[], ys: number[]): { slope: number; intercept: number; r2: number } {
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx, r2: syy > 0 ? (sxy * sxy) / (sxx * syy) : NaN };
}

/** Why no power law can be fitted to these points, or null when one can. */
export function powerLawProblem(points: PowerLawPoint[]): string | null {
  const usable = points.filter((p) => p.x > 0 && p.values.some(Number.isFinite));
  if (new Set(usable.map((p) => p.x)).size < 2) return 'fewer than two values to fit';
  const means = usable.map((p) => mean(p.values.filter(Number.isFinite)));
  if (means.some((m) => m === 0) || !(means.every((m) => m > 0) || means.every((m) => m < 0))) return 'the means change sign';
  return null;
}

/** Fits y ∝ x^k (null when {@link powerLawProblem} names a problem). */
export function fitPowerLaw(points: PowerLawPoint[], opts: { resamples?: number; seed?: number } = {}): PowerLawFit | null {
  if (powerLawProblem(points)) return null;
  const usable = points
    .filter((p) => p.x > 0)
    .map((p) => ({ x: p.x, values: p.values.filter(Number.isFinite) }))
    .filter((p) => p.values.length);
  const means = usable.map((p) => mean(p.values));
  const sign = means[0] > 0 ? 1 : -1;
  const lx = usable.map((p) => Math.log(p.x));
  const fit = leastSquares(lx, means.map((m) => Math.log(sign * m)));
  const rng = new Rng(opts.seed ?? 0, 'power-law');
  const slopes: number[] = [];
  let skipped = 0;
  for (let b = 0; b < (opts.resamples ?? 1000); b++) {
    const ms = usable.map((p) => mean(p.values.map(() => p.values[rng.int(p.values.length)])));
    if (ms.some((m) => !(sign * m > 0))) {
      skipped++;
      continue;
    }
    slopes.push(leastSquares(lx, ms.map((m) => Math.log(sign * m))).slope);
  }
  slopes.sort((a, b) => a - b);
  return {
    exponent: fit.slope,
    ci: [percentile(slopes, 0.025), percentile(slopes, 0.975)],
    prefactor: Math.exp(fit.intercept),
    sign,
    r2: fit.r2,
    points: usable.map((p, i) => ({ x: p.x, y: means[i], n: p.values.length })),
    resamples: slopes.length,
    skipped,
  };
}
