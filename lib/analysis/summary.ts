/**
 * A sweep's analysis: for each analyzed quantity the fitted exponent (α for η-sweeps, β for
 * batch sweeps) with its bootstrap interval, collapse scores at the raw, linear and predicted
 * rescalings, the direction of change, and a verdict in words that says plainly when the data
 * do not support the paper's claim. Diverged runs are left out of fits and listed.
 */
import type { RunData } from '../records/types.js';
import type { SweepAxis, SweepSpec } from '../sweep/sweep.js';
import { groupCurves, type CurveGroup } from './curves.js';
import { fitExponent, scoreAt, type ExponentFit } from './fit.js';
import { referenceValue } from './rescale.js';

/** An exponent as written to summary.json. */
export interface ExponentSummary {
  value: number;
  ci: [number, number];
}

/** The analysis of one quantity of a sweep. */
export interface QuantitySummary {
  /** Fitted α (η-sweeps), else null. */
  alpha: ExponentSummary | null;
  /** Fitted β (batch sweeps), else null. */
  beta: ExponentSummary | null;
  /** Collapse score at the fitted exponent and at the named exponents (e.g. '0', '1', '2'). */
  collapse: Record<string, number>;
  /** Seed-mean value at the first and last recorded step, per swept value. */
  change: { value: number; start: number; end: number; steps: number; seeds: number }[];
  /** Fits with one swept value left out (when there are at least 3): shows whether one value (an unstable η, say) drives the fit. */
  leaveOneOut: { without: number; value: number; ci: [number, number] }[];
  /** 'falls', 'rises' or 'mixed' over the groups. */
  direction: 'falls' | 'rises' | 'mixed' | 'none';
  /** One-paragraph verdict. */
  verdict: string;
}

/** A run left out of the analysis. */
export interface LeftOutRun {
  dir: string;
  eta: number;
  batchSize: number;
  seed: number;
  state: string;
  step: number;
  reason: string;
}

/** The whole analysis of a sweep, as written to summary.json. */
export interface SweepSummary {
  sweep: string;
  title: string;
  axis: SweepAxis;
  /** The exponent the paper predicts (2 for η, 1 for |B|) and the alternative it rules out. */
  predicted: number;
  alternative: number;
  reference: number;
  runs: { total: number; finished: number };
  leftOut: LeftOutRun[];
  probes: Record<string, QuantitySummary>;
  backend: string;
  /** Total wall time and steps/s of the finished runs. */
  wallSeconds: number;
  stepsPerSecond: number;
}

/** Everything the report needs: the summary plus the curves and fits. */
export interface SweepAnalysis {
  summary: SweepSummary;
  groups: Record<string, CurveGroup[]>;
  fits: Record<string, ExponentFit | null>;
}

/** Paper's prediction per axis. */
export const PREDICTION: Record<SweepAxis, { predicted: number; alternative: number; symbol: string; label: string }> = {
  eta: { predicted: 2, alternative: 1, symbol: 'α', label: 'η' },
  batchSize: { predicted: 1, alternative: 0, symbol: 'β', label: '1/|B|' },
};

/** Quantities the paper predicts to fall (activation rates, ‖V‖, gradient variances). */
export const PREDICTED_TO_FALL = /^(activationRate(Exact|_l\d+)?|norm_V|gradVar(_.*)?)$/;

const fmt = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : String(x));

/** Analyzes a sweep's runs. */
export function analyzeSweep(spec: SweepSpec, runs: RunData[], opts: { bootstrap?: number } = {}): SweepAnalysis {
  const axis = spec.axis;
  const pred = PREDICTION[axis];
  const leftOut: LeftOutRun[] = runs
    .filter((r) => r.status.state !== 'finished')
    .map((r) => ({
      dir: r.dir,
      eta: r.stored.config.eta,
      batchSize: r.stored.config.batchSize,
      seed: r.stored.config.seed,
      state: r.status.state,
      step: r.status.step,
      reason: r.status.reason ?? (r.status.state === 'running' ? 'did not finish' : ''),
    }));
  const finished = runs.filter((r) => r.status.state === 'finished');
  const values = [...new Set(runs.map((r) => r.stored.config[axis]))];
  const reference = values.length ? referenceValue(axis, values) : NaN;
  const groups: Record<string, CurveGroup[]> = {};
  const fits: Record<string, ExponentFit | null> = {};
  const probes: Record<string, QuantitySummary> = {};
  for (const q of spec.quantities) {
    const g = groupCurves(runs, axis, q);
    groups[q] = g;
    const fit = fitExponent(axis, g, { bootstrap: opts.bootstrap });
    fits[q] = fit;
    const collapse: Record<string, number> = {};
    const named = axis === 'eta' ? [0, 1, 2] : [0, 1];
    for (const e of named) collapse[String(e)] = scoreAt(axis, g.map((x) => x.value), g.map((x) => x.mean), e);
    if (fit) collapse.fitted = fit.score;
    const change = g.map((x) => ({
      value: x.value,
      start: x.mean.y[0],
      end: x.mean.y[x.mean.y.length - 1],
      steps: x.mean.t[x.mean.t.length - 1],
      seeds: x.curves.length,
    }));
    const falls = change.filter((c) => c.end < c.start).length;
    const direction = change.length === 0 ? 'none' : falls === change.length ? 'falls' : falls === 0 ? 'rises' : 'mixed';
    const exp = fit ? { value: fit.value, ci: fit.ci } : null;
    const leaveOneOut: QuantitySummary['leaveOneOut'] = [];
    if (g.length >= 3) {
      for (const left of g) {
        const f = fitExponent(axis, g.filter((x) => x !== left), { bootstrap: Math.max(20, Math.round((opts.bootstrap ?? 200) / 2)) });
        if (f) leaveOneOut.push({ without: left.value, value: f.value, ci: f.ci });
      }
    }
    probes[q] = {
      alpha: axis === 'eta' ? exp : null,
      beta: axis === 'batchSize' ? exp : null,
      collapse,
      change,
      leaveOneOut,
      direction,
      verdict: verdict(q, axis, fit, direction, change, leaveOneOut),
    };
  }
  const wallSeconds = finished.reduce((s, r) => s + (r.status.wallSeconds ?? 0), 0);
  const steps = finished.reduce((s, r) => s + r.status.step, 0);
  const backend = [...new Set(runs.map((r) => r.stored.backend?.name ?? r.stored.config.backend))].join(', ');
  return {
    summary: {
      sweep: spec.name,
      title: spec.title,
      axis,
      predicted: pred.predicted,
      alternative: pred.alternative,
      reference,
      runs: { total: runs.length, finished: finished.length },
      leftOut,
      probes,
      backend,
      wallSeconds,
      stepsPerSecond: steps / Math.max(wallSeconds, 1e-9),
    },
    groups,
    fits,
  };
}

function verdict(
  q: string,
  axis: SweepAxis,
  fit: ExponentFit | null,
  direction: string,
  change: QuantitySummary['change'],
  leaveOneOut: QuantitySummary['leaveOneOut'],
): string {
  const p = PREDICTION[axis];
  const v = axis === 'eta' ? 'η' : '|B|';
  const predictedFall = PREDICTED_TO_FALL.test(q);
  const against = predictedFall ? ' (the paper predicts a fall)' : '';
  const dirText =
    direction === 'falls'
      ? `${q} falls for every ${v}`
      : direction === 'rises'
        ? `${q} ${predictedFall ? 'RISES' : 'rises'} for every ${v}${against}`
        : direction === 'mixed'
          ? `${q} falls for some ${v} and rises for others${against}`
          : `${q}: no finished runs`;
  const span = change.map((c) => `${fmt(c.start)}→${fmt(c.end)}`).join(', ');
  if (!fit) return `${dirText}${span ? ` (${span})` : ''}. No exponent could be fitted: at least two swept values with finished runs and a changing ${q} are needed.`;
  const [lo, hi] = fit.ci;
  const hasPred = lo <= p.predicted && p.predicted <= hi;
  const hasAlt = lo <= p.alternative && p.alternative <= hi;
  let claim: string;
  if (!(lo <= fit.value && fit.value <= hi)) claim = 'inconclusive: the fit is unstable (the estimate lies outside its own bootstrap interval)';
  else if (hasPred && !hasAlt) claim = `consistent with the predicted ${p.symbol} = ${p.predicted} and excludes ${p.symbol} = ${p.alternative}`;
  else if (hasPred && hasAlt) claim = `inconclusive: the interval contains both ${p.symbol} = ${p.predicted} and ${p.symbol} = ${p.alternative}`;
  else if (Math.abs(fit.value - p.predicted) <= 0.05 * p.predicted) {
    claim = `close to the predicted ${p.symbol} = ${p.predicted} (within 5%), but the interval excludes it`;
  } else claim = `does NOT support the predicted ${p.symbol} = ${p.predicted} (the interval excludes it)`;
  const notes: string[] = [];
  if (fit.score > 0.3) notes.push(`The curves do not collapse well at any exponent (best collapse score ${fmt(fit.score)}).`);
  const [smin, smax] = [fit.scan.exponents[0], fit.scan.exponents[fit.scan.exponents.length - 1]];
  if (fit.value <= smin || fit.value >= smax) notes.push(`The best exponent lies at the edge of the scanned range [${smin}, ${smax}].`);
  const fewest = Math.min(...change.map((c) => c.seeds));
  if (fewest < 4) notes.push(`Only ${fewest} seed(s) per value: the bootstrap interval understates the uncertainty.`);
  if (leaveOneOut.length) {
    const sym = axis === 'eta' ? 'η' : '|B|';
    notes.push(`Leaving one value out: ${leaveOneOut.map((l) => `without ${sym} = ${l.without}, ${p.symbol} = ${fmt(l.value, 2)} [${fmt(l.ci[0], 2)}, ${fmt(l.ci[1], 2)}]`).join('; ')}.`);
  }
  return `${dirText} (${span}). ${p.symbol} = ${fmt(fit.value, 2)} [${fmt(lo, 2)}, ${fmt(hi, 2)}]: ${claim}.${notes.length ? ` ${notes.join(' ')}` : ''}`;
}
