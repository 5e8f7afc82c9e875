/**
 * The init study (the same η sweep under several initializations): from each init's sweep summary,
 * whether the largest η stays in the small-η regime, and whether the collapse with it included
 * reproduces the predicted α. Pure: summaries in, a table (rows, column names, text cells) and words out.
 */
import type { ExponentSummary, FitSummary, SweepSummary } from './summary.js';
import type { Claim } from './verdict.js';
import { SHORT_COVERAGE, unitFactor } from './window.js';

/** One init's sweep summary, with the label to show (e.g. "PyTorch default", "V × 0.1"). */
export interface InitStudyInput {
  label: string;
  summary: SweepSummary;
}

/** A fit as the table shows it. */
export interface InitFit {
  exponent: ExponentSummary | null;
  claim: Claim;
  /** Collapse score at the predicted exponent. */
  scoreAtPredicted: number;
}

/** One row: one init. */
export interface InitStudyRow {
  init: string;
  /** The largest swept η. */
  eta: number;
  /** Runs at that η, and how many left the regime (earliest at `firstExit`, in steps and in t·η²). */
  runs: number;
  exited: number;
  firstExit: number | null;
  firstExitUnits: number | null;
  /** True when no run at the largest η left the regime. */
  staysInRegime: boolean;
  /** The fit with every finished run at full length (the largest η included whole). */
  all: InitFit | null;
  /** The in-regime fit (the largest η up to its exit, or left out when the window was too short). */
  inRegime: InitFit | null;
  /** How the in-regime fit treated the runs that left: 'none', 'truncate' or 'exclude'. */
  mode: string;
  /** T* of the in-regime fit. */
  window: number | null;
  /** T* over the rescaled time the runs span (the share of the curves the in-regime fit sees). */
  coverage: number | null;
  /** The all-runs fit reads consistent with the prediction with the largest η included at full length. */
  reproduces: boolean;
  /** The all-runs fit without the largest η (leave-one-out), when available. */
  withoutTop: ExponentSummary | null;
}

/** The table and its text. */
export interface InitStudyTable {
  quantity: string;
  rows: InitStudyRow[];
  columns: string[];
  cells: string[][];
  text: string;
}

function initFit(f: FitSummary | null | undefined, predicted: number): InitFit | null {
  return f ? { exponent: f.exponent, claim: f.claim, scoreAtPredicted: f.collapse[String(predicted)] } : null;
}

const units = (r: InitStudyRow) => `${r.firstExitUnits?.toPrecision(3)} t·η²`;
const est = (e: ExponentSummary | null | undefined) => (e ? `${e.value.toFixed(2)} [${e.ci[0].toFixed(2)}, ${e.ci[1].toFixed(2)}]` : 'n/a');

/** The row of one init. */
export function initStudyRow(input: InitStudyInput, quantity: string): InitStudyRow {
  const s = input.summary;
  const top = Math.max(...s.regime.byValue.map((b) => b.value));
  const v = s.regime.byValue.find((b) => b.value === top);
  const q = s.probes[quantity];
  const all = initFit(q?.fits.all, s.predicted);
  const window = s.regime.mode === 'exclude' ? s.regime.fallbackWindow?.T : s.regime.window.T;
  return {
    init: input.label,
    eta: top,
    runs: v?.runs ?? 0,
    exited: v?.exited ?? 0,
    firstExit: v?.firstExit ?? null,
    firstExitUnits: v?.firstExit != null ? v.firstExit * unitFactor(s.axis, top) : null,
    staysInRegime: !!v && v.runs > 0 && v.exited === 0,
    all,
    inRegime: initFit(q?.fits.inRegime, s.predicted),
    mode: s.regime.mode,
    window: Number.isFinite(window) ? (window as number) : null,
    coverage: Number.isFinite(s.regime.coverage) ? s.regime.coverage : null,
    reproduces: all?.claim === 'consistent',
    withoutTop: q?.fits.all.leaveOneOut.find((l) => l.without === top) ?? null,
  };
}

/** The init-study table of one quantity, with a sentence per init and a conclusion. */
export function initStudyTable(inputs: InitStudyInput[], quantity: string): InitStudyTable {
  const rows = inputs.map((i) => initStudyRow(i, quantity));
  const sym = inputs[0] ? (inputs[0].summary.axis === 'eta' ? 'α' : 'β') : 'α';
  const pred = inputs[0]?.summary.predicted ?? 2;
  const columns = ['init', 'η max in regime?', `${sym}, all runs (η max whole)`, `${sym}, in regime`, `${sym} without η max`, 'T*'];
  const cells = rows.map((r) => [
    r.init,
    r.staysInRegime ? `yes (${r.runs} runs)` : `no: ${r.exited} of ${r.runs} left, first at step ${r.firstExit} (${units(r)})`,
    r.all ? `${est(r.all.exponent)} ${r.all.claim}` : 'no fit',
    r.inRegime ? `${est(r.inRegime.exponent)} ${r.inRegime.claim}${r.mode === 'exclude' ? ' (η max left out)' : ''}` : 'no fit',
    est(r.withoutTop),
    r.window === null ? 'n/a' : `${r.window.toPrecision(3)}${r.coverage === null ? '' : ` (${(100 * r.coverage).toPrecision(2)}% of the runs' span)`}`,
  ]);
  const sentences = rows.map((r) => {
    const left = `leaves the regime in ${r.exited} of ${r.runs} runs (first at step ${r.firstExit})`;
    const regime = `η = ${r.eta} ${r.staysInRegime ? 'stays in the regime' : left}`;
    const all = r.all ? `with it included at full length ${sym} = ${est(r.all.exponent)} (${r.all.claim})` : 'no all-runs fit';
    const short = r.coverage !== null && r.coverage < SHORT_COVERAGE ? `, over only ${(100 * r.coverage).toPrecision(2)}% of the rescaled time the runs span` : '';
    const inr = r.inRegime && !r.staysInRegime ? `; in regime ${sym} = ${est(r.inRegime.exponent)} (${r.inRegime.claim}${short})` : '';
    return `${r.init}: ${regime}; ${all}${inr}.`;
  });
  const stay = rows.filter((r) => r.staysInRegime).map((r) => r.init);
  const yes = rows.filter((r) => r.reproduces).map((r) => r.init);
  const no = rows.filter((r) => !r.reproduces).map((r) => r.init);
  const top = rows[0]?.eta ?? NaN;
  const conclusion =
    `η = ${top} stays in the small-η regime under ${stay.length} of ${rows.length} inits${stay.length ? ` (${stay.join(', ')})` : ''}. ` +
    `With η = ${top} included at full length, ${sym} = ${pred} is reproduced (consistent) under ${yes.length ? yes.join(', ') : 'none'}` +
    `${no.length ? `, and not under ${no.join(', ')}` : ''}.`;
  return { quantity, rows, columns, cells, text: `${sentences.join(' ')} ${conclusion}` };
}
