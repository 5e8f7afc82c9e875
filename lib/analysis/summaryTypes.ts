/** The shapes of a sweep's analysis and of summary.json (see summary.ts for how they are filled). */
import type { SweepAxis } from '../sweep/sweep.js';
import type { Direction, GroupChange } from './change.js';
import type { CurveGroup } from './curves.js';
import type { ExponentFit } from './fit.js';
import type { RegimeOptions } from './regime.js';
import type { Claim } from './verdict.js';
import type { RegimeWindow } from './window.js';

/** An exponent as written to summary.json. */
export interface ExponentSummary {
  value: number;
  ci: [number, number];
}

/** Leave-one-out fits: shows whether one swept value (an unstable η, say) drives a fit. */
export type LeaveOneOut = { without: number; value: number; ci: [number, number] }[];

/** One fit of one quantity, as written to summary.json. */
export interface FitSummary {
  /** Runs in the fit. */
  runs: number;
  /** The fitted exponent (α or β) with its 95% bootstrap interval. */
  exponent: ExponentSummary | null;
  /** The bootstrap has an empty stretch inside its interval (see fit.ts). */
  bimodal: boolean;
  /** Collapse score at the fitted exponent ('fitted') and at the named exponents ('0', '1', '2'). */
  collapse: Record<string, number>;
  /** Seed-mean first and last value per swept value, with the noise a change must exceed. */
  change: GroupChange[];
  direction: Direction;
  /** Fits with one swept value left out (when there are at least 3). */
  leaveOneOut: LeaveOneOut;
  claim: Claim;
  verdict: string;
}

/** Which fit is the headline. */
export type FitName = 'all' | 'inRegime';

/** The analysis of one quantity: the headline fit's fields at the top (as before), both fits under `fits`. */
export interface QuantitySummary {
  /** Headline α (η-sweeps), else null. */
  alpha: ExponentSummary | null;
  /** Headline β (batch sweeps), else null. */
  beta: ExponentSummary | null;
  collapse: Record<string, number>;
  change: GroupChange[];
  leaveOneOut: LeaveOneOut;
  direction: Direction;
  claim: Claim;
  /** The headline verdict, followed by the other fit's estimate. */
  verdict: string;
  headline: FitName;
  fits: { all: FitSummary; inRegime: FitSummary | null };
}

/** A run left out of the analysis (diverged, not finished, or no records). */
export interface LeftOutRun {
  dir: string;
  eta: number;
  batchSize: number;
  seed: number;
  state: string;
  step: number;
  reason: string;
}

/** A finished run that left the small-η regime: its records are kept, the in-regime fit uses those before `step`. */
export interface UnstableRun {
  dir: string;
  eta: number;
  batchSize: number;
  seed: number;
  /** Step of the first record where the regime rule fired. */
  step: number;
  /** Last recorded step. */
  lastStep: number;
  reason: string;
  /**
   * Per analyzed quantity, the run's own in-regime change: its first recorded value and its last before the
   * exit (with that record's step); absent for a quantity the run has no record of before its exit.
   */
  changes: Record<string, { from: number; to: number; toStep: number }>;
}

/**
 * A run directory the caller ignored, with why: of another spec, or (`ofSpec`) a run of this spec that cannot
 * be used (its config.json was edited after it was written), which counts in runs.total.
 */
export interface IgnoredRun {
  dir: string;
  reason: string;
  ofSpec?: boolean;
}

/** Regime exits per swept value. */
export interface ValueRegime {
  value: number;
  runs: number;
  exited: number;
  /** Earliest exit step among the value's runs (null if none exits). */
  firstExit: number | null;
}

/** The regime rule, its window and the headline choice, as written to summary.json. */
export interface RegimeSummary {
  /** The rule in words. */
  rule: string;
  /** Thresholds used (null: that part of the rule is off). */
  options: {
    lossFactor: number | null;
    lossWindow: number;
    fitFactor: number | null;
    /** Fall of the held-out loss that ends a learning net's early phase (null: off). */
    learnDrop: number | null;
    normFactor: number | null;
    normFields: string[];
  };
  /**
   * 'none': no run leaves; 'truncate': runs cut at their exits (with a window too short to fit only when no run can
   * stand in: claims then 'short-window'); 'exclude': window too short, leaving runs left out whole.
   */
  mode: 'none' | 'truncate' | 'exclude';
  /** Common window of the truncated runs (T* in `units`). */
  window: RegimeWindow;
  /** The rescaled time the finished runs span at full length (the shortest, in the window's units). */
  horizon: number;
  /** T* / horizon: the share of the rescaled time the in-regime fit sees. */
  coverage: number;
  /** Window of the runs that never leave, when mode is 'exclude'. */
  fallbackWindow: RegimeWindow | null;
  byValue: ValueRegime[];
  /** Finished runs the rule could not check (no loss recorded): counted as in regime. */
  unchecked: number;
  headline: FitName;
  headlineReason: string;
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
  /** finished: finished with records; unstable: finished but left the regime; inRegime: finished and never left. */
  runs: { total: number; finished: number; unstable: number; inRegime: number };
  leftOut: LeftOutRun[];
  unstable: UnstableRun[];
  /** Runs the caller ignored, grouped by reason: of another spec, or (`ofSpec`) of this spec but unusable. */
  ignored: { reason: string; count: number; dirs: string[]; ofSpec: boolean }[];
  /** Run ids of the spec that have no run directory yet (another shard's, or not run yet); counted in runs.total. */
  missing: string[];
  regime: RegimeSummary;
  probes: Record<string, QuantitySummary>;
  backend: string;
  /** Total wall time of the finished runs (0 when not recorded). */
  wallSeconds: number;
  /** Steps/s of the finished runs; NaN (null in JSON) when no wall time was recorded. */
  stepsPerSecond: number;
  /** The speed in words ("1234 steps/s" or "speed not recorded"); never "NaN". */
  speed: string;
}

/** Curves and fits of one set of runs. */
export interface FitSet {
  groups: Record<string, CurveGroup[]>;
  fits: Record<string, ExponentFit | null>;
}

/** A finished run's regime exit (step Infinity: never). */
export interface RunExit {
  dir: string;
  value: number;
  seed: number;
  step: number;
  reason: string | null;
  /** False when the rule could not be applied to the run (no loss recorded). */
  checked: boolean;
}

/** Everything the report needs: the summary, the headline curves and fits, and both fit sets. */
export interface SweepAnalysis {
  summary: SweepSummary;
  groups: Record<string, CurveGroup[]>;
  fits: Record<string, ExponentFit | null>;
  all: FitSet;
  inRegime: FitSet | null;
  exits: RunExit[];
}

/** Options of analyzeSweep. */
export interface AnalyzeOptions {
  /** Bootstrap resamples per fit (default 200; leave-one-out fits use half, at least 20). */
  bootstrap?: number;
  /** Thresholds of the regime rule, laid over the spec's `regime` (the caller's win; undefined keys are skipped). */
  regime?: RegimeOptions;
  /** Records each swept value needs inside the common window (default MIN_WINDOW_POINTS, window.ts). */
  minWindowPoints?: number;
  /** Run directories of another spec the caller ignored (listed in the summary and report). */
  ignored?: IgnoredRun[];
  /** Run ids of the spec without a run directory (listed, and counted as not finished). */
  missing?: string[];
}
