/**
 * Exponent fits: the α (η-sweeps) or β (batch sweeps) that makes the seed-averaged curves
 * collapse best, found by scanning the collapse score, with a bootstrap interval over seeds.
 */
import { Rng } from '../core/rng.js';
import type { SweepAxis } from '../sweep/sweep.js';
import { collapseScoreScaled } from './collapse.js';
import { curveTable, tableMean, type Curve, type CurveGroup } from './curves.js';
import { referenceValue, timeFactor } from './rescale.js';

/** Options of the exponent scan. */
export interface ScanOptions {
  /** Smallest exponent scanned. Default 0. */
  min?: number;
  /** Largest exponent scanned. Default 4. */
  max?: number;
  /** Scan step. Default 0.02. */
  step?: number;
}

/** Collapse score against exponent, and the exponent with the lowest score. */
export interface ScanResult {
  exponents: number[];
  scores: number[];
  best: number;
  bestScore: number;
}

/** The collapse score of per-group curves after rescaling with `exponent`. */
export function scoreAt(axis: SweepAxis, values: number[], curves: Curve[], exponent: number): number {
  const ref = referenceValue(axis, values);
  return collapseScoreScaled(curves, values.map((v) => timeFactor(axis, v, ref, exponent)));
}

/** Scans the exponent over [min, max]. */
export function scanExponent(axis: SweepAxis, values: number[], curves: Curve[], opts: ScanOptions = {}): ScanResult {
  const min = opts.min ?? 0;
  const max = opts.max ?? 4;
  const step = opts.step ?? 0.02;
  const exponents: number[] = [];
  const scores: number[] = [];
  let best = NaN;
  let bestScore = Infinity;
  for (let k = 0; min + k * step <= max + 1e-12; k++) {
    const e = Math.round((min + k * step) * 1e6) / 1e6;
    const s = scoreAt(axis, values, curves, e);
    exponents.push(e);
    scores.push(s);
    if (s < bestScore) {
      bestScore = s;
      best = e;
    }
  }
  return { exponents, scores, best, bestScore: Number.isFinite(bestScore) ? bestScore : NaN };
}

/** A fitted exponent with its bootstrap interval. */
export interface ExponentFit {
  value: number;
  /** 95% percentile interval over bootstrap resamples of seeds (within each group). */
  ci: [number, number];
  /** Collapse score at the fitted exponent. */
  score: number;
  scan: ScanResult;
  /** Resamples used. */
  bootstrap: number;
  /** The best exponent of each resample, sorted (the interval is their 2.5–97.5% percentiles). */
  samples: number[];
  /** The widest empty stretch between resamples inside the interval: a bimodal bootstrap when {@link isBimodal}. */
  gap: { lo: number; hi: number };
}

/** An empty stretch of at least this width (in exponent) inside the interval makes a bootstrap bimodal... */
export const BIMODAL_GAP = 0.2;
/** ...provided it also spans at least this fraction of the interval's width. */
export const BIMODAL_GAP_FRACTION = 0.25;

/** The widest gap between consecutive sorted samples within [lo, hi]. */
export function widestGap(samples: number[], lo: number, hi: number): { lo: number; hi: number } {
  const inside = samples.filter((x) => x >= lo && x <= hi);
  let best = { lo: NaN, hi: NaN };
  for (let i = 1; i < inside.length; i++) {
    if (!(inside[i] - inside[i - 1] <= best.hi - best.lo)) best = { lo: inside[i - 1], hi: inside[i] };
  }
  return best;
}

/**
 * Whether the bootstrap of a fit is bimodal: an empty stretch inside its 95% interval at least
 * {@link BIMODAL_GAP} wide and at least {@link BIMODAL_GAP_FRACTION} of the interval. The percentile
 * interval of a bimodal bootstrap spans both modes and can hold a value that no resample is near.
 */
export function isBimodal(fit: Pick<ExponentFit, 'ci' | 'gap'>): boolean {
  const width = fit.gap.hi - fit.gap.lo;
  return width >= BIMODAL_GAP && width >= BIMODAL_GAP_FRACTION * (fit.ci[1] - fit.ci[0]);
}

/** Fits the exponent on seed means and bootstraps seeds within each group. Needs at least 2 groups. */
export function fitExponent(
  axis: SweepAxis,
  groups: CurveGroup[],
  opts: ScanOptions & { bootstrap?: number; seed?: number } = {},
): ExponentFit | null {
  if (groups.length < 2) return null;
  const values = groups.map((g) => g.value);
  const scan = scanExponent(axis, values, groups.map((g) => g.mean), opts);
  if (!Number.isFinite(scan.best)) return null;
  const nBoot = opts.bootstrap ?? 200;
  const rng = new Rng(opts.seed ?? 0, 'bootstrap');
  const bests: number[] = [];
  const tables = groups.map((g) => curveTable(g.curves));
  for (let b = 0; b < nBoot; b++) {
    const curves = groups.map((g, i) => tableMean(tables[i], g.curves.map(() => rng.int(g.curves.length))));
    const r = scanExponent(axis, values, curves, opts);
    if (Number.isFinite(r.best)) bests.push(r.best);
  }
  bests.sort((a, b) => a - b);
  const q = (p: number) => (bests.length ? bests[Math.min(bests.length - 1, Math.max(0, Math.round(p * (bests.length - 1))))] : NaN);
  const ci: [number, number] = [q(0.025), q(0.975)];
  const gap = widestGap(bests, ci[0], ci[1]);
  return { value: scan.best, ci, score: scan.bestScore, scan, bootstrap: bests.length, samples: bests, gap };
}
