/**
 * A sweep's analysis. Each finished run is checked against the small-η regime rule (regime.ts) and
 * two fits are made per quantity: "all" (every finished run, full length) and "inRegime" (each run up
 * to its exit, so the common window T* decides the collapse range; when that window is too short, the
 * runs that leave are left out whole, unless fewer than two swept values would remain: then a window
 * of at least {@link MIN_SHORT_WINDOW_POINTS} records per value is still fitted, its claims marked
 * 'short-window', and a shorter one gives no in-regime fit). The in-regime fit is the headline when it
 * exists (headline.ts).
 * Each fit has its exponent with a bootstrap interval, collapse scores, changes, leave-one-out fits and
 * a verdict (fitSummary.ts, verdict.ts). Diverged, unfinished and empty runs are left out and listed.
 */
import { ConfigError } from '../core/errors.js';
import { checkKeys, checkNumber } from '../core/validate.js';
import type { RunData } from '../records/types.js';
import type { SweepSpec } from '../sweep/sweep.js';
import { checkRegimeOptions, mergeRegimeOptions } from '../sweep/regimeOptions.js';
import { fitSet, summarizeFit } from './fitSummary.js';
import { headlineReason, headlineVerdict, pickHeadline } from './headline.js';
import { describeRule, inRegimeRecords, regimeExit, regimeRule } from './regime.js';
import { referenceValue } from './rescale.js';
import { speedOf } from './speed.js';
import type {
  AnalyzeOptions,
  FitName,
  FitSet,
  LeftOutRun,
  QuantitySummary,
  RegimeSummary,
  RunExit,
  SweepAnalysis,
  UnstableRun,
  ValueRegime,
} from './summaryTypes.js';
import { PREDICTION } from './verdict.js';
import { MIN_SHORT_WINDOW_POINTS, MIN_WINDOW_POINTS, regimeWindow, SHORT_COVERAGE } from './window.js';

export type * from './summaryTypes.js';
export { PREDICTION, PREDICTED_TO_FALL } from './verdict.js';

/** The backend that ran a run (provenance of format-2 runs, or the older top-level field). */
function backendName(r: RunData): string {
  const s = r.stored as unknown as { provenance?: { backend?: { name?: string } }; backend?: { name?: string } };
  return s.provenance?.backend?.name ?? s.backend?.name ?? 'unknown';
}

function runInfo(r: RunData) {
  const c = r.stored.config;
  return { dir: r.dir, eta: c.eta, batchSize: c.batchSize, seed: c.seed };
}

/** A finished run whose records stop short of its final step (records.jsonl cut after the run ended). */
function cutShort(r: RunData): boolean {
  return r.status.state === 'finished' && r.records.length > 0 && r.records[r.records.length - 1].step < r.status.step;
}

/** Whether a run counts in the fits: finished, with its records up to its final step. */
function usable(r: RunData): boolean {
  return r.status.state === 'finished' && r.records.length > 0 && !cutShort(r);
}

/** Runs left out of every fit: not finished, without records, or with records cut short. */
function leftOutRuns(runs: RunData[]): LeftOutRun[] {
  return runs
    .filter((r) => !usable(r))
    .map((r) => {
      const empty = r.records.length === 0;
      const last = r.records[r.records.length - 1]?.step;
      const short = cutShort(r) ? `records end at step ${last}, but the run finished at step ${r.status.step} (records.jsonl cut short?)` : null;
      const reason = empty ? 'no records' : (short ?? r.status.reason ?? (r.status.state === 'running' ? 'did not finish' : ''));
      const state = empty && r.status.state === 'finished' ? 'no records' : short ? 'records cut short' : r.status.state;
      return { ...runInfo(r), state, step: r.status.step, reason };
    });
}

/** A run's change of each quantity over its own in-regime span: first record to the last before `exit`. */
function ownChanges(r: RunData, exit: number, quantities: string[]): UnstableRun['changes'] {
  const out: UnstableRun['changes'] = {};
  for (const q of quantities) {
    const recs = r.records.filter((x) => x.step < exit && typeof x[q] === 'number' && Number.isFinite(x[q]));
    if (recs.length) out[q] = { from: recs[0][q], to: recs[recs.length - 1][q], toStep: recs[recs.length - 1].step };
  }
  return out;
}

function valueRegimes(exits: RunExit[]): ValueRegime[] {
  const values = [...new Set(exits.map((e) => e.value))].sort((a, b) => a - b);
  return values.map((value) => {
    const mine = exits.filter((e) => e.value === value);
    const out = mine.filter((e) => Number.isFinite(e.step));
    return { value, runs: mine.length, exited: out.length, firstExit: out.length ? Math.min(...out.map((e) => e.step)) : null };
  });
}

/** Most bootstrap resamples per fit (each costs one collapse scan per exponent). */
export const MAX_BOOTSTRAP = 100_000;

/** Checks the caller's analysis options: known keys, counts within their bounds (a one-line ConfigError). */
function checkAnalyzeOptions(opts: AnalyzeOptions): void {
  if (opts === null || typeof opts !== 'object') throw new ConfigError('options', opts, 'an object of analysis options');
  checkKeys({ ...opts }, ['bootstrap', 'regime', 'minWindowPoints', 'ignored', 'missing'], 'options');
  if (opts.bootstrap !== undefined) checkNumber(opts.bootstrap, { integer: true, ge: 1, le: MAX_BOOTSTRAP }, 'options.bootstrap');
  if (opts.minWindowPoints !== undefined) checkNumber(opts.minWindowPoints, { integer: true, ge: 1, le: 1_000_000 }, 'options.minWindowPoints');
}

/** Analyzes a sweep's runs. */
export function analyzeSweep(spec: SweepSpec, runs: RunData[], opts: AnalyzeOptions = {}): SweepAnalysis {
  checkAnalyzeOptions(opts);
  const axis = spec.axis;
  const pred = PREDICTION[axis];
  // the spec's rule (stored in sweep.json, so a rebuilt report applies it too), overridden by the caller's
  if (spec.regime !== undefined) checkRegimeOptions(spec.regime, 'spec.regime');
  if (opts.regime !== undefined) checkRegimeOptions(opts.regime, 'options.regime');
  const rule = regimeRule(mergeRegimeOptions(spec.regime, opts.regime));
  const minPoints = opts.minWindowPoints ?? MIN_WINDOW_POINTS;
  const finished = runs.filter(usable);
  const exits: RunExit[] = finished.map((r) => {
    const e = regimeExit(r.records, rule);
    return { dir: r.dir, value: r.stored.config[axis], seed: r.stored.config.seed, step: e.step, reason: e.reason, checked: e.checked };
  });
  const unstable: UnstableRun[] = finished.flatMap((r, i) => {
    const e = exits[i];
    const lastStep = r.records[r.records.length - 1].step;
    return Number.isFinite(e.step) ? [{ ...runInfo(r), step: e.step, lastStep, reason: e.reason ?? '', changes: ownChanges(r, e.step, spec.quantities) }] : [];
  });
  const truncated = finished.map((r, i) => ({ ...r, records: inRegimeRecords(r.records, exits[i].step) }));
  const spans = (rs: RunData[]) => rs.map((r) => ({ value: r.stored.config[axis], steps: r.records.map((x) => x.step) }));
  const window = regimeWindow(axis, spans(truncated.filter((r) => r.records.length > 0)), minPoints);
  const stable = finished.filter((_, i) => !Number.isFinite(exits[i].step));
  // a short window falls back to leaving the runs that leave out whole, unless fewer than two swept values
  // would remain (e.g. a learning net, every run of which ends its early phase): then the short window is
  // fitted if it holds MIN_SHORT_WINDOW_POINTS records per value, its claims marked 'short-window'
  const standIn = new Set(stable.map((r) => r.stored.config[axis])).size >= 2;
  const fitShort = window.tooShort && !standIn && window.points >= MIN_SHORT_WINDOW_POINTS;
  const mode: RegimeSummary['mode'] = unstable.length === 0 ? 'none' : window.tooShort && !fitShort ? 'exclude' : 'truncate';
  const shortWindow = fitShort ? { points: window.points, minPoints } : undefined;
  const inRuns = mode === 'none' ? finished : mode === 'truncate' ? truncated : stable;

  const all = fitSet(axis, finished, spec.quantities, opts.bootstrap);
  const inRegime = mode === 'none' ? all : inRuns.length ? fitSet(axis, inRuns, spec.quantities, opts.bootstrap) : null;
  const probes: Record<string, QuantitySummary> = {};
  for (const q of spec.quantities) {
    const judged = spec.judged?.includes(q) ?? true;
    const fit = (set: FitSet, n: number, window?: number, short?: typeof shortWindow) =>
      summarizeFit({ axis, quantity: q, groups: set.groups[q], fit: set.fits[q], runs: n, bootstrap: opts.bootstrap, judged, window, shortWindow: short });
    const allSum = fit(all, finished.length);
    // in-regime changes are read at the end of the common window T* (each run counts up to its exit)
    const inSum = mode === 'none' ? allSum : inRegime ? fit(inRegime, inRuns.length, mode === 'truncate' ? window.T : undefined, shortWindow) : null;
    const headline = pickHeadline(inSum, allSum);
    const h = headline === 'inRegime' ? inSum! : allSum;
    probes[q] = {
      alpha: axis === 'eta' ? h.exponent : null,
      beta: axis === 'batchSize' ? h.exponent : null,
      collapse: h.collapse,
      change: h.change,
      leaveOneOut: h.leaveOneOut,
      direction: h.direction,
      claim: h.claim,
      verdict: headlineVerdict(axis, mode, window, headline, { all: allSum, inRegime: inSum }),
      headline,
      fits: { all: allSum, inRegime: inSum },
    };
  }
  const heads = Object.values(probes).map((p) => p.headline);
  const headline: FitName = mode !== 'none' && heads.length > 0 && heads.every((x) => x === 'all') ? 'all' : 'inRegime';
  const byValue = valueRegimes(exits);
  const unchecked = exits.filter((e) => !e.checked).length;
  const uncheckedNote = unchecked ? ` (${unchecked} run(s) without a recorded loss could not be checked and count as in regime)` : '';
  const fallbackWindow = mode === 'exclude' ? regimeWindow(axis, spans(stable), minPoints) : null;
  const horizon = regimeWindow(axis, spans(finished), minPoints).T;
  const coverage = mode === 'truncate' ? window.T / horizon : mode === 'exclude' ? (fallbackWindow?.T ?? NaN) / horizon : 1;
  // only where the headline is an in-regime fit (with no in-regime fit there is nothing to qualify)
  const coverageNote =
    coverage < SHORT_COVERAGE && headline === 'inRegime' && inRegime !== null
      ? ` Note: the window is only ${(100 * coverage).toPrecision(2)}% of the ${horizon.toPrecision(3)} ${window.units} the runs span, so the in-regime fit sees the start of the curves only`
      : '';
  const values = [...new Set(runs.map((r) => r.stored.config[axis]))];
  const ignored = new Map<string, { dirs: string[]; ofSpec: boolean }>();
  for (const r of opts.ignored ?? []) {
    const g = ignored.get(r.reason) ?? { dirs: [], ofSpec: Boolean(r.ofSpec) };
    g.dirs.push(r.dir);
    ignored.set(r.reason, g);
  }
  const unusable = (opts.ignored ?? []).filter((r) => r.ofSpec).length;
  const head = headline === 'inRegime' && inRegime ? inRegime : all;
  const missing = [...(opts.missing ?? [])];
  return {
    summary: {
      sweep: spec.name,
      title: spec.title,
      axis,
      predicted: pred.predicted,
      alternative: pred.alternative,
      reference: values.length ? referenceValue(axis, values) : NaN,
      runs: { total: runs.length + missing.length + unusable, finished: finished.length, unstable: unstable.length, inRegime: finished.length - unstable.length },
      leftOut: leftOutRuns(runs),
      unstable,
      ignored: [...ignored.entries()].map(([reason, g]) => ({ reason, count: g.dirs.length, dirs: g.dirs, ofSpec: g.ofSpec })),
      missing,
      regime: {
        rule: describeRule(rule),
        options: {
          lossFactor: Number.isFinite(rule.lossFactor) ? rule.lossFactor : null,
          lossWindow: rule.lossWindow,
          fitFactor: Number.isFinite(rule.fitFactor) ? rule.fitFactor : null,
          learnDrop: rule.learnDrop > 0 ? rule.learnDrop : null,
          normFactor: Number.isFinite(rule.normFactor) ? rule.normFactor : null,
          normFields: [...rule.normFields],
        },
        mode,
        window,
        fallbackWindow,
        horizon,
        coverage,
        byValue,
        unchecked,
        headline,
        headlineReason: headlineReason(axis, { mode, headline, window, byValue }, minPoints) + uncheckedNote + coverageNote,
      },
      probes,
      backend: [...new Set(runs.map(backendName))].join(', ') || 'none',
      ...speedOf(finished.map((r) => r.status)),
    },
    groups: head.groups,
    fits: head.fits,
    all,
    inRegime,
    exits,
  };
}
