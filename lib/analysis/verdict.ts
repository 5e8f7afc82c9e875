/**
 * The verdict on one fit, as a class and in words. "Consistent" needs all of: at least
 * {@link MIN_SEEDS_TO_JUDGE} seeds per value, an estimate inside its own interval, an interval that holds
 * the prediction and excludes the alternative, a bootstrap that is not bimodal, and a good collapse at
 * the predicted exponent itself (score ≤ {@link COLLAPSE_GOOD}). A poor collapse never reads "consistent".
 */
import type { SweepAxis } from '../sweep/sweep.js';
import type { Direction, GroupChange } from './change.js';
import { isBimodal, type ExponentFit } from './fit.js';

/** Seeds per swept value below which no interval is judged (one seed: the bootstrap repeats the fit). */
export const MIN_SEEDS_TO_JUDGE = 2;
/** Seeds per value below which the verdict warns that the interval understates the uncertainty. */
export const FEW_SEEDS = 4;
/** Collapse score at or below which the rescaled curves coincide: residual spread ≤ 10% of the variance along them. */
export const COLLAPSE_GOOD = 0.1;
/** Collapse score above which the curves do not collapse at all. */
export const COLLAPSE_POOR = 0.3;
/** Relative distance to the prediction called "close" when the interval excludes it. */
export const CLOSE_FRACTION = 0.05;

/** The paper's prediction per axis. */
export const PREDICTION: Record<SweepAxis, { predicted: number; alternative: number; symbol: string; label: string }> = {
  eta: { predicted: 2, alternative: 1, symbol: 'α', label: 'η' },
  batchSize: { predicted: 1, alternative: 0, symbol: 'β', label: '1/|B|' },
};

/** Quantities the paper predicts to fall (activation rates, ‖V‖, Σb (b is pushed negative), gradient variances). */
export const PREDICTED_TO_FALL = /^(activationRate(Exact|_l\d+)?|norm_V|sum_b|gradVar(_.*)?|batchGradVar(_.*)?)$/;

/** A verdict's class. */
export type Claim =
  | 'consistent'
  | 'inconclusive'
  | 'partial-collapse'
  | 'close'
  | 'not-supported'
  | 'no-collapse'
  | 'bimodal'
  | 'unstable-fit'
  | 'too-few-seeds'
  | 'short-window'
  | 'no-change'
  | 'not-judged'
  | 'no-fit';

/** What a verdict is made from. */
export interface VerdictInput {
  quantity: string;
  axis: SweepAxis;
  fit: ExponentFit | null;
  /** Collapse score at the predicted exponent. */
  scoreAtPredicted: number;
  changes: GroupChange[];
  direction: Direction;
  leaveOneOut: { without: number; value: number; ci: [number, number] }[];
  /** Judge the exponent against the prediction (default true); false: report the fit only. */
  judged?: boolean;
  /** The fit's window holds fewer records per swept value than a fit needs (the fit is indicative only). */
  shortWindow?: { points: number; minPoints: number };
}

/** Formats a number for verdicts; never prints NaN (prints "n/a"). */
export function fmt(x: number, d = 3): string {
  if (Number.isNaN(x)) return 'n/a';
  return Number.isFinite(x) ? x.toFixed(d) : String(x);
}

/** "1.46 [1.44, 2.52]". */
export function fmtEstimate(value: number, ci: [number, number]): string {
  return `${fmt(value, 2)} [${fmt(ci[0], 2)}, ${fmt(ci[1], 2)}]`;
}

/** "a→b" with enough digits that different values read differently. */
export function fmtChange(start: number, end: number): string {
  for (let d = 3; d <= 8; d++) if (fmt(start, d) !== fmt(end, d) || d === 8) return `${fmt(start, d)}→${fmt(end, d)}`;
  return '';
}

function directionText(v: VerdictInput): string {
  const sym = v.axis === 'eta' ? 'η' : '|B|';
  const q = v.quantity;
  const fall = v.judged !== false && PREDICTED_TO_FALL.test(q);
  const against = fall ? ' (the paper predicts a fall)' : '';
  const list = (trend: string) => v.changes.filter((c) => c.trend === trend).map((c) => c.value).join(', ');
  const still = list('unchanged') ? ` that changed (unchanged within noise at ${sym} = ${list('unchanged')})` : '';
  switch (v.direction) {
    case 'falls':
      return `${q} falls for every ${sym}${still}`;
    case 'rises':
      return `${q} ${fall ? 'RISES' : 'rises'} for every ${sym}${still}${against}`;
    case 'mixed':
      return `${q} falls at ${sym} = ${list('falls')} and rises at ${sym} = ${list('rises')}${against}`;
    case 'unchanged':
      return `${q} is unchanged within noise for every ${sym} (|change| ≤ 2 standard errors over seeds)`;
    default:
      return `${q}: no finished run recorded it`;
  }
}

const gapText = (fit: ExponentFit) => `no resample between ${fmt(fit.gap.lo, 2)} and ${fmt(fit.gap.hi, 2)}`;

function claimOf(v: VerdictInput, seeds: number): { claim: Claim; text: string } {
  const p = PREDICTION[v.axis];
  const fit = v.fit!;
  const [lo, hi] = fit.ci;
  const s = p.symbol;
  const pr = `${s} = ${p.predicted}`;
  const atPred = `collapse score ${fmt(v.scoreAtPredicted)} at ${pr}`;
  const out = (claim: Claim, text: string) => ({ claim, text });
  if (seeds < MIN_SEEDS_TO_JUDGE) {
    return out('too-few-seeds', `too few seeds to judge (${seeds} per value: the bootstrap only repeats the fit, so there is no interval)`);
  }
  if (v.direction === 'unchanged') return out('no-change', `nothing to judge: ${v.quantity} does not change beyond noise`);
  if (v.shortWindow) {
    const { points, minPoints } = v.shortWindow;
    return out('short-window', `too short a window to judge (${points} record(s) per value inside it, fewer than ${minPoints}): the estimate is indicative only`);
  }
  if (!(lo <= fit.value && fit.value <= hi)) {
    return out('unstable-fit', 'inconclusive: the fit is unstable (the estimate lies outside its own bootstrap interval)');
  }
  const hasPred = lo <= p.predicted && p.predicted <= hi;
  const hasAlt = lo <= p.alternative && p.alternative <= hi;
  if (!hasPred) {
    if (Math.abs(fit.value - p.predicted) <= CLOSE_FRACTION * p.predicted) {
      return out('close', `close to the predicted ${pr} (within 5%), but the interval excludes it`);
    }
    return out('not-supported', `does NOT support the predicted ${pr} (the interval excludes it)`);
  }
  if (!(v.scoreAtPredicted <= COLLAPSE_POOR)) {
    const why = `the interval holds it, but the curves do not collapse there (${atPred} > ${COLLAPSE_POOR})`;
    return out('no-collapse', `does NOT support the predicted ${pr}: ${why}`);
  }
  if (isBimodal(fit)) {
    return out('bimodal', `inconclusive: the bootstrap is bimodal (${gapText(fit)}), so the interval is not a range of plausible values`);
  }
  if (!(v.scoreAtPredicted <= COLLAPSE_GOOD)) {
    const why = `the collapse there is partial (${atPred}; a collapse needs ≤ ${COLLAPSE_GOOD})`;
    return out('partial-collapse', `inconclusive: the interval holds ${pr}, but ${why}`);
  }
  if (hasAlt) return out('inconclusive', `inconclusive: the interval contains both ${pr} and ${s} = ${p.alternative}`);
  return out('consistent', `consistent with the predicted ${pr} and excludes ${s} = ${p.alternative} (${atPred})`);
}

function notesOf(v: VerdictInput, fit: ExponentFit, claim: Claim, seeds: number): string[] {
  const p = PREDICTION[v.axis];
  const notes: string[] = [];
  if (fit.score > COLLAPSE_POOR && claim !== 'no-collapse') {
    notes.push(`The curves do not collapse well at any exponent (best collapse score ${fmt(fit.score)}).`);
  }
  if (isBimodal(fit) && claim !== 'bimodal') notes.push(`The bootstrap is bimodal (${gapText(fit)}).`);
  const [smin, smax] = [fit.scan.exponents[0], fit.scan.exponents[fit.scan.exponents.length - 1]];
  if (fit.value <= smin || fit.value >= smax) notes.push(`The best exponent lies at the edge of the scanned range [${smin}, ${smax}].`);
  if (seeds >= MIN_SEEDS_TO_JUDGE && seeds < FEW_SEEDS) {
    notes.push(`Only ${seeds} seeds per value: the bootstrap interval understates the uncertainty.`);
  }
  if (v.leaveOneOut.length) {
    const sym = v.axis === 'eta' ? 'η' : '|B|';
    const loo = v.leaveOneOut.map((l) => `without ${sym} = ${l.without}, ${p.symbol} = ${fmtEstimate(l.value, l.ci)}`);
    notes.push(`Leaving one value out: ${loo.join('; ')}.`);
  }
  return notes;
}

/** The verdict's class and paragraph. */
export function verdict(v: VerdictInput): { claim: Claim; text: string } {
  const p = PREDICTION[v.axis];
  const dirText = directionText(v);
  const span = v.changes.map((c) => fmtChange(c.start, c.end)).join(', ');
  const fit = v.fit;
  if (!fit) {
    const why = `at least two swept values with finished runs and a changing ${v.quantity} are needed`;
    return { claim: 'no-fit', text: `${dirText}${span ? ` (${span})` : ''}. No exponent could be fitted: ${why}.` };
  }
  const seeds = Math.min(...v.changes.map((c) => c.seeds));
  const { claim, text } =
    v.judged === false
      ? { claim: 'not-judged' as const, text: `not judged (this sweep makes no ${p.symbol} = ${p.predicted} claim about ${v.quantity})` }
      : claimOf(v, seeds);
  const notes = notesOf(v, fit, claim, seeds);
  const est = `${p.symbol} = ${fmtEstimate(fit.value, fit.ci)}`;
  return { claim, text: `${dirText} (${span}). ${est}: ${text}.${notes.length ? ` ${notes.join(' ')}` : ''}` };
}
