/** The curves and fits of a set of runs, and one fit's summary: exponent, collapse scores, changes, leave-one-out fits, verdict. */
import type { RunData } from '../records/types.js';
import type { SweepAxis } from '../sweep/sweep.js';
import { direction, groupChange } from './change.js';
import { groupCurves, type CurveGroup } from './curves.js';
import { fitExponent, isBimodal, scoreAt, type ExponentFit } from './fit.js';
import type { FitSet, FitSummary, LeaveOneOut } from './summaryTypes.js';
import { PREDICTION, verdict } from './verdict.js';
import { unitFactor } from './window.js';

/** Groups and fits every quantity of a set of (finished) runs. */
export function fitSet(axis: SweepAxis, runs: RunData[], quantities: string[], bootstrap?: number): FitSet {
  const groups: Record<string, CurveGroup[]> = {};
  const fits: Record<string, ExponentFit | null> = {};
  for (const q of quantities) {
    groups[q] = groupCurves(runs, axis, q);
    fits[q] = fitExponent(axis, groups[q], { bootstrap });
  }
  return { groups, fits };
}

/** Fits with each swept value left out in turn (when there are at least 3); half the resamples, at least 20. */
export function leaveOneOut(axis: SweepAxis, groups: CurveGroup[], bootstrap = 200): LeaveOneOut {
  const out: LeaveOneOut = [];
  if (groups.length < 3) return out;
  for (const left of groups) {
    const f = fitExponent(axis, groups.filter((x) => x !== left), { bootstrap: Math.max(20, Math.round(bootstrap / 2)) });
    if (f) out.push({ without: left.value, value: f.value, ci: f.ci });
  }
  return out;
}

/** What one fit of one quantity says. */
export interface FitSummaryInput {
  axis: SweepAxis;
  quantity: string;
  groups: CurveGroup[];
  fit: ExponentFit | null;
  /** Runs in the fit. */
  runs: number;
  bootstrap?: number;
  /** Judge the exponent against the prediction (default true). */
  judged?: boolean;
  /** The common window T* in the axis's units: changes are read at its end (default: each curve's last step). */
  window?: number;
  /** The window holds fewer records per value than a fit needs: the claim is 'short-window'. */
  shortWindow?: { points: number; minPoints: number };
}

/** The summary of one fit of one quantity. */
export function summarizeFit(i: FitSummaryInput): FitSummary {
  const { axis, groups, fit } = i;
  const values = groups.map((x) => x.value);
  const collapse: Record<string, number> = {};
  for (const e of axis === 'eta' ? [0, 1, 2] : [0, 1]) collapse[String(e)] = scoreAt(axis, values, groups.map((x) => x.mean), e);
  if (fit) collapse.fitted = fit.score;
  const change = groups.map((g) => groupChange(g, i.window === undefined ? Infinity : i.window / unitFactor(axis, g.value)));
  const dir = direction(change);
  const loo = leaveOneOut(axis, groups, i.bootstrap);
  const scoreAtPredicted = collapse[String(PREDICTION[axis].predicted)];
  const v = verdict({ quantity: i.quantity, axis, fit, scoreAtPredicted, changes: change, direction: dir, leaveOneOut: loo, judged: i.judged, shortWindow: i.shortWindow });
  return {
    runs: i.runs,
    exponent: fit ? { value: fit.value, ci: fit.ci } : null,
    bimodal: fit ? isBimodal(fit) : false,
    collapse,
    change,
    direction: dir,
    leaveOneOut: loo,
    claim: v.claim,
    verdict: v.text,
  };
}
