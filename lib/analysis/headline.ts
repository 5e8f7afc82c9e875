/** Which fit is the headline and why, in words: the in-regime fit when it exists, with the all-runs fit beside it. */
import type { SweepAxis } from '../sweep/sweep.js';
import type { FitName, FitSummary, RegimeSummary, ValueRegime } from './summaryTypes.js';
import { fmtEstimate, PREDICTION } from './verdict.js';
import type { RegimeWindow } from './window.js';

/** "T* = 5.60 t·η²". */
export function fmtWindow(w: RegimeWindow): string {
  return `T* = ${Number.isFinite(w.T) ? w.T.toPrecision(3) : 'n/a'} ${w.units}`;
}

/** The headline of one quantity: in-regime when that fit exists (or neither does), else all runs. */
export function pickHeadline(inRegime: FitSummary | null, all: FitSummary): FitName {
  return inRegime && (inRegime.exponent || !all.exponent) ? 'inRegime' : 'all';
}

/** The headline verdict, labelled, followed by the other fit's estimate and claim. */
export function headlineVerdict(axis: SweepAxis, mode: RegimeSummary['mode'], window: RegimeWindow, headline: FitName, fits: {
  all: FitSummary;
  inRegime: FitSummary | null;
}): string {
  const h = headline === 'inRegime' ? fits.inRegime! : fits.all;
  if (mode === 'none') return h.verdict;
  const other = headline === 'inRegime' ? fits.all : fits.inRegime;
  const label =
    headline === 'all'
      ? 'All runs'
      : mode === 'truncate'
        ? `In regime (each run up to its exit, ${fmtWindow(window)})`
        : 'In regime (unstable runs left out)';
  const otherLabel = headline === 'inRegime' ? 'All runs, full length' : 'In regime';
  const e = other?.exponent;
  const o = e ? `${PREDICTION[axis].symbol} = ${fmtEstimate(e.value, e.ci)} (${other!.claim})` : 'no fit';
  return `${label}: ${h.verdict} ${otherLabel}: ${o}.`;
}

/** Why the headline is what it is. */
export function headlineReason(
  axis: SweepAxis,
  regime: Pick<RegimeSummary, 'mode' | 'headline' | 'window' | 'byValue'>,
  minPoints: number,
): string {
  const { mode, window } = regime;
  const exited = regime.byValue.filter((b: ValueRegime) => b.exited > 0);
  const n = exited.reduce((a, b) => a + b.exited, 0);
  const sym = axis === 'eta' ? 'η' : '|B|';
  const where = exited.map((b) => `${sym} = ${b.value}: ${b.exited} of ${b.runs}, first at step ${b.firstExit}`).join('; ');
  const leave = `${n} run(s) leave the small-η regime (${where})`;
  if (mode === 'none') {
    return `every finished run stays in the small-η regime (${fmtWindow(window)}): the in-regime fit is the all-runs fit`;
  }
  if (regime.headline === 'all') {
    return `${leave} and no in-regime fit is possible: the headline is the all-runs fit, which includes runs outside the regime`;
  }
  if (mode === 'truncate') {
    const short = window.tooShort
      ? `; that is fewer than ${minPoints}, and too few runs stay in the regime to stand in, so read this fit as indicative only`
      : '';
    return (
      `${leave}: the headline fit uses each run up to its exit, over the common window ${fmtWindow(window)} ` +
      `(at least ${window.points} records per run inside it${short})`
    );
  }
  return (
    `${leave} and the common window ${fmtWindow(window)} holds only ${window.points} record(s) for some value ` +
    `(fewer than ${minPoints}): the headline fit leaves those runs out whole`
  );
}
