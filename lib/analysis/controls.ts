/**
 * The controls analysis (SGD vs full-batch GD vs GD + isotropic noise of SGD's per-step variance):
 * per quantity the noise-induced drift over the first T steps per (η, |B|) cell (drift.ts), its scaling
 * with η at fixed |B| (drift ∝ η^a, predicted a = 2) and with |B| at fixed η (drift ∝ |B|^−c, predicted
 * c = 1) by least squares on log-log with bootstrap intervals (powerLaw.ts), and a verdict in numbers.
 */
import { driftCells, type ControlRun, type DriftCell } from './drift.js';
import type { Estimate } from './bootstrap.js';
import { fitPowerLaw, powerLawProblem, type PowerLawFit } from './powerLaw.js';
import { regimeExit, type RegimeOptions } from './regime.js';
import { checkRegimeOptions } from '../sweep/regimeOptions.js';
import { checkNumber } from '../core/validate.js';
import { FEW_SEEDS, fmtEstimate } from './verdict.js';

export type { ControlRun, Dynamics } from './drift.js';

/** Predicted exponents of the noise-induced drift, and the alternatives a first-order effect would give. */
export const DRIFT_PREDICTION = { eta: { predicted: 2, alternative: 1 }, batch: { predicted: 1, alternative: 0 } } as const;

/** Options of {@link analyzeControls}. */
export interface ControlsOptions {
  /** Record fields, e.g. ['activationRate', 'sum_b', 'norm_V']. */
  quantities: string[];
  /**
   * T: the drift is the change over the first T steps. Default: the common in-regime window, i.e. the
   * last record step every run reaches before the first run leaves the regime (all of them when none leaves).
   */
  steps?: number;
  /** Steps at which the exponents are also fitted, to show how they depend on T (default: up to 8 common record steps; T is always one). */
  scanSteps?: number[];
  /** Bootstrap resamples (default 1000). */
  resamples?: number;
  /** Thresholds of the regime rule used to flag runs that leave the regime before T. */
  regime?: RegimeOptions;
}

/** A scaling fit in the sign of its statement: a of η^a, or c of |B|^−c. */
export interface ScalingFit {
  /** The fixed value of the other axis (|B| for the η fit, η for the |B| fit). */
  at: number;
  /** The swept values used. */
  values: number[];
  exponent: number | null;
  ci: [number, number] | null;
  predicted: number;
  /** 'consistent' (holds the prediction, excludes the alternative), 'inconclusive', 'not-supported' or 'no-fit'. */
  claim: 'consistent' | 'inconclusive' | 'not-supported' | 'no-fit';
  /** Why there is no fit. */
  problem: string | null;
  fit: PowerLawFit | null;
}

/** The controls analysis of one quantity. */
export interface QuantityControls {
  cells: DriftCell[];
  etaFit: ScalingFit | null;
  batchFit: ScalingFit | null;
  /** Cells whose SGD − GD interval excludes 0: all → 'yes', some → 'partly', none → 'no'; 'unresolved' without cells. */
  noiseInduced: 'yes' | 'partly' | 'no' | 'unresolved';
  verdict: string;
}

/** The η and |B| exponents of one quantity's drift at one T. */
export interface ScanFits {
  a: { exponent: number; ci: [number, number] } | null;
  c: { exponent: number; ci: [number, number] } | null;
}

/** The exponents at one T of the scan. */
export interface ScanPoint {
  steps: number;
  /** T is inside the common in-regime window. */
  inRegime: boolean;
  quantities: Record<string, ScanFits>;
}

/** The whole controls analysis. */
export interface ControlsAnalysis {
  /** T in steps. */
  steps: number;
  /** How T was chosen, in words. */
  window: string;
  /** The exponents at other T, so that their dependence on T is in view. */
  scan: ScanPoint[];
  /** Runs that leave the small-η regime before T. */
  exits: { dir: string; dynamics: string; eta: number; batchSize: number; seed: number; step: number; reason: string }[];
  quantities: Record<string, QuantityControls>;
}

const f3 = (x: number) => (Number.isFinite(x) ? x.toPrecision(3) : 'n/a');
const est = (e: Estimate | null) => (e && e.n ? `${f3(e.mean)} [${f3(e.ci[0])}, ${f3(e.ci[1])}]` : 'n/a');
const excludesZero = (e: Estimate) => e.n >= 2 && (e.ci[0] > 0 || e.ci[1] < 0);

/** The swept values of the series with the most distinct values along one axis; ties: smallest |B| or largest η. */
function series(cells: DriftCell[], along: 'eta' | 'batchSize'): { at: number; cells: DriftCell[] } | null {
  const other = along === 'eta' ? 'batchSize' : 'eta';
  const ats = [...new Set(cells.map((c) => c[other]))];
  let best: { at: number; cells: DriftCell[] } | null = null;
  for (const at of ats) {
    const mine = cells.filter((c) => c[other] === at).sort((a, b) => a[along] - b[along]);
    const tieBreak = along === 'eta' ? at < (best?.at ?? Infinity) : at > (best?.at ?? -Infinity);
    const better = !best || mine.length > best.cells.length || (mine.length === best.cells.length && tieBreak);
    if (better) best = { at, cells: mine };
  }
  return best && best.cells.length >= 2 ? best : null;
}

function scaling(cells: DriftCell[], along: 'eta' | 'batchSize', resamples: number): ScalingFit | null {
  const s = series(cells, along);
  if (!s) return null;
  const pred = along === 'eta' ? DRIFT_PREDICTION.eta : DRIFT_PREDICTION.batch;
  const points = s.cells.map((c) => ({ x: c[along], values: c.perSeed }));
  const fit = fitPowerLaw(points, { resamples });
  const flip = along === 'batchSize' ? -1 : 1;
  const exponent = fit ? flip * fit.exponent : null;
  const ci: [number, number] | null = fit ? (flip === 1 ? fit.ci : [-fit.ci[1], -fit.ci[0]]) : null;
  let claim: ScalingFit['claim'] = 'no-fit';
  if (ci && ci.every(Number.isFinite)) {
    const holds = (x: number) => ci[0] <= x && x <= ci[1];
    claim = holds(pred.predicted) ? (holds(pred.alternative) ? 'inconclusive' : 'consistent') : 'not-supported';
  }
  const problem = fit ? null : (powerLawProblem(points) ?? 'no fit');
  return { at: s.at, values: s.cells.map((c) => c[along]), exponent, ci, predicted: pred.predicted, claim, problem, fit };
}

function scalingText(f: ScalingFit | null, along: 'eta' | 'batchSize'): string {
  const name = along === 'eta' ? 'η^a' : '|B|^−c';
  const sym = along === 'eta' ? 'a' : 'c';
  const over = along === 'eta' ? `η = ${f?.values.join(', ')} at |B| = ${f?.at}` : `|B| = ${f?.values.join(', ')} at η = ${f?.at}`;
  if (!f) return `drift ∝ ${name}: not measured (fewer than two ${along === 'eta' ? 'η' : '|B|'} values)`;
  if (!f.fit || f.exponent === null || !f.ci) return `drift ∝ ${name} over ${over}: no fit (${f.problem})`;
  const alt = along === 'eta' ? DRIFT_PREDICTION.eta.alternative : DRIFT_PREDICTION.batch.alternative;
  const words = {
    consistent: `holds it and excludes ${sym} = ${alt}`,
    inconclusive: `holds it and also ${sym} = ${alt}`,
    'not-supported': 'EXCLUDES it',
    'no-fit': '',
  }[f.claim];
  return `drift ∝ ${name} over ${over}: ${sym} = ${fmtEstimate(f.exponent, f.ci)} (predicted ${f.predicted}: the interval ${words})`;
}

type Verdict = { text: string; noise: QuantityControls['noiseInduced'] };

function verdict(q: string, T: number, cells: DriftCell[], etaFit: ScalingFit | null, batchFit: ScalingFit | null): Verdict {
  if (cells.length === 0) {
    return { text: `${q}: no SGD run paired with a GD run of the same η and seed reaches step ${T}.`, noise: 'unresolved' };
  }
  const head = [...cells].sort((a, b) => a.batchSize - b.batchSize || b.eta - a.eta)[0];
  const resolved = cells.filter((c) => excludesZero(c.noiseInduced));
  const noise: QuantityControls['noiseInduced'] = resolved.length === cells.length ? 'yes' : resolved.length ? 'partly' : 'no';
  const unresolved = cells.filter((c) => !excludesZero(c.noiseInduced)).map((c) => `η = ${c.eta}, |B| = ${c.batchSize}`);
  const conclusion = {
    yes: 'the drift is noise-induced.',
    partly: 'the drift is noise-induced where the interval excludes 0.',
    no: 'no noise-induced drift is resolved.',
    unresolved: '',
  }[noise];
  const where = `η = ${head.eta}, |B| = ${head.batchSize} (${head.seeds.length} seeds)`;
  const parts = [
    `${q}, change over the first ${T} steps at ${where}: ` +
      `SGD ${est(head.sgd)}, GD ${est(head.gd)}, GD + isotropic noise ${est(head.gdNoise)}.`,
    `Noise-induced drift (SGD − GD, paired by seed): ${est(head.noiseInduced)}; ` +
      `its interval excludes 0 in ${resolved.length} of ${cells.length} (η, |B|) cells` +
      `${unresolved.length ? ` (not at ${unresolved.join('; ')})` : ''}: ${conclusion}`,
  ];
  if (head.isotropic && head.isotropicShare) {
    parts.push(
      `GD + isotropic noise − GD: ${est(head.isotropic)}, i.e. ${f3(100 * head.isotropicShare.mean)}% ` +
        `[${f3(100 * head.isotropicShare.ci[0])}%, ${f3(100 * head.isotropicShare.ci[1])}%] of SGD's noise-induced drift.`,
    );
  }
  parts.push(`Scaling: ${scalingText(etaFit, 'eta')}; ${scalingText(batchFit, 'batchSize')}.`);
  const fewest = Math.min(...cells.map((c) => c.seeds.length));
  if (fewest < FEW_SEEDS) parts.push(`Only ${fewest} seed(s) in some cells: the intervals understate the uncertainty.`);
  const follows = etaFit?.claim === 'consistent' && batchFit?.claim === 'consistent';
  const against = etaFit?.claim === 'not-supported' || batchFit?.claim === 'not-supported';
  if (follows) parts.push('The drift follows η²/|B|.');
  else parts.push(against ? 'The drift does NOT follow η²/|B|.' : 'Whether the drift follows η²/|B| is not resolved.');
  return { text: parts.join(' '), noise };
}

/** Record steps every run has, ascending. */
function commonSteps(runs: ControlRun[]): number[] {
  if (runs.length === 0) return [];
  const sets = runs.map((r) => new Set(r.records.map((x) => x.step)));
  return [...sets[0]].filter((t) => sets.every((s) => s.has(t))).sort((a, b) => a - b);
}

/** Up to `n` of `steps` (> 0), roughly evenly spaced in log, always with the last. */
function logPick(steps: number[], n: number): number[] {
  const pos = steps.filter((t) => t > 0);
  if (pos.length <= n) return pos;
  const [lo, hi] = [Math.log(pos[0]), Math.log(pos[pos.length - 1])];
  const picked = new Set<number>();
  for (let i = 0; i < n; i++) {
    const target = lo + ((hi - lo) * i) / (n - 1);
    picked.add(pos.reduce((best, t) => (Math.abs(Math.log(t) - target) < Math.abs(Math.log(best) - target) ? t : best)));
  }
  return [...picked].sort((a, b) => a - b);
}

/** T and why: the explicit steps, or the last common record step before the first exit from the regime. */
function chooseT(runs: ControlRun[], firstExit: ControlsAnalysis['exits'][number] | null, steps?: number): { T: number; why: string } {
  const last = Math.min(...runs.map((r) => r.records[r.records.length - 1]?.step ?? 0));
  if (steps !== undefined) return { T: steps, why: `T = ${steps} steps, as given` };
  if (!firstExit || firstExit.step > last) return { T: last, why: `T = ${last} steps: every run stays in the small-η regime up to its last common record` };
  const before = commonSteps(runs).filter((t) => t > 0 && t < firstExit.step);
  const where = `${firstExit.dynamics} η = ${firstExit.eta}${firstExit.dynamics === 'gd' ? '' : `, |B| = ${firstExit.batchSize}`}, seed ${firstExit.seed}`;
  if (before.length === 0) return { T: last, why: `T = ${last} steps: a run leaves the regime before any common record (${where} at step ${firstExit.step})` };
  const T = before[before.length - 1];
  return { T, why: `T = ${T} steps: the last common record before the first run leaves the small-η regime (${where} at step ${firstExit.step}: ${firstExit.reason})` };
}

/** Analyzes control runs. */
export function analyzeControls(runs: ControlRun[], opts: ControlsOptions): ControlsAnalysis {
  const resamples = opts.resamples ?? 1000;
  if (opts.regime !== undefined) checkRegimeOptions(opts.regime, 'options.regime');
  // an explicit T or scan step must be a step every run recorded (else the drifts would read NaN)
  const common = commonSteps(runs);
  const last = common[common.length - 1] ?? 0;
  const within = (t: unknown, where: string) => checkNumber(t, { integer: true, ge: 1, le: Math.max(1, last) }, where);
  if (opts.steps !== undefined) within(opts.steps, 'options.steps');
  opts.scanSteps?.forEach((t, i) => within(t, `options.scanSteps[${i}]`));
  if (opts.resamples !== undefined) checkNumber(opts.resamples, { integer: true, ge: 10, le: 1e6 }, 'options.resamples');
  const allExits = runs
    .map((r) => ({ r, e: regimeExit(r.records, opts.regime) }))
    .filter(({ e }) => Number.isFinite(e.step))
    .map(({ r, e }) => {
      const { dynamics, eta, batchSize, seed } = r;
      return { dir: r.dir ?? '', dynamics, eta, batchSize, seed, step: e.step, reason: e.reason ?? '' };
    })
    .sort((a, b) => a.step - b.step);
  const { T, why } = chooseT(runs, allExits[0] ?? null, opts.steps);
  const exits = allExits.filter((e) => e.step <= T);
  const windowEnd = allExits.length ? allExits[0].step : Infinity;
  const scanAt = [...new Set([...(opts.scanSteps ?? logPick(common, 8)), T])].filter((t) => t > 0).sort((a, b) => a - b);
  const scan = scanAt.map((t): ScanPoint => {
    const quantities: Record<string, ScanFits> = {};
    for (const q of opts.quantities) {
      const cells = driftCells(runs, q, t, resamples);
      const pick = (f: ScalingFit | null) => (f && f.exponent !== null && f.ci ? { exponent: f.exponent, ci: f.ci } : null);
      quantities[q] = { a: pick(scaling(cells, 'eta', resamples)), c: pick(scaling(cells, 'batchSize', resamples)) };
    }
    return { steps: t, inRegime: t < windowEnd, quantities };
  });
  const quantities: Record<string, QuantityControls> = {};
  for (const q of opts.quantities) {
    const cells = driftCells(runs, q, T, resamples);
    const etaFit = scaling(cells, 'eta', resamples);
    const batchFit = scaling(cells, 'batchSize', resamples);
    const v = verdict(q, T, cells, etaFit, batchFit);
    const warn = ` ${exits.length} run(s) leave the small-η regime before step ${T}: their drift includes dynamics outside it.`;
    quantities[q] = { cells, etaFit, batchFit, noiseInduced: v.noise, verdict: v.text + (exits.length ? warn : '') };
  }
  return { steps: T, window: why, scan, exits, quantities };
}
