/**
 * The small-η regime, made measurable. The theory (paper §3, §5) expands one SGD step to second order
 * in η and assumes an early phase in which p − y is independent of ∇f, i.e. outputs near the
 * uninformed predictor; its prediction (drift ∝ η²/|B|) holds only while both are true.
 *
 * Rule (default): a run has left the regime at the first record where its running training loss
 * (step-weighted mean of `trainLoss` over the last {@link LOSS_WINDOW_STEPS} steps) exceeds
 * {@link LOSS_EXIT_FACTOR} = 2 times its initial loss. Rationale in two sentences: in the small-η
 * regime SGD is a noisy descent, whose mean step lowers the loss at O(η) while its noise raises it only
 * at O(η²), so the running loss stays near its initial (uninformed) value, log 2 for random labels
 * with BCE. A loss twice that value means outputs spread far into the sigmoid's saturated range
 * (for random labels, excess loss ≈ E[f²]/8, so rms f ≈ 2.4 where p(1−p) is 30% of its value at f = 0):
 * the noise now outweighs the descent and p − y is no longer independent of ∇f, so the expansion behind
 * the prediction no longer holds.
 *
 * The initial loss is `probeLoss` at step 0 when recorded (the untrained network's loss on probe inputs
 * drawn like the training data, free of SGD's sampling noise), else the running training loss over
 * the first window. A parameter-norm rule is available but off by default: ‖b‖ grows by the predicted
 * drift itself (b pushed negative; ×19 at η = 0.025 in fig2 with no instability), and ‖V‖ is a measured
 * quantity predicted to fall, so cutting runs on its growth would pre-judge the measurement.
 *
 * A second exit, off by default, is for random labels on a fixed training set (the controls): the
 * running training loss falling below 1/{@link FIT_EXIT_FACTOR} of its initial value means the net
 * has fitted (memorised) its labels, so p − y is no longer independent of ∇f either. On online random
 * labels the expected loss cannot fall below its uninformed value, and nets that learn real labels are
 * meant to fit them, so it is not applied there.
 *
 * A third exit, off by default, ends the early phase of a net that learns real labels (the CNN on
 * Fashion-MNIST): its held-out loss `probeLoss` falling more than {@link LEARN_EXIT_DROP} below its
 * initial value means the net has begun to learn, so p − y is no longer independent of ∇f. The held-out
 * loss is read, not the running training loss, because it is free of SGD's sampling noise and exists at
 * every probe record, also in runs a few hundred steps long.
 */
import type { RunRecord } from '../records/types.js';
import type { RegimeOptions } from '../sweep/regimeOptions.js';

/** The rule's rationale in two sentences, for reports and READMEs. */
export const REGIME_RATIONALE =
  'In the small-η regime SGD is a noisy descent: its mean step lowers the loss at O(η) while its noise raises it only at O(η²), ' +
  'so the running training loss stays near its initial, uninformed value (log 2 for random labels with BCE). ' +
  'A loss twice that value means outputs spread far into the saturated range of the sigmoid, where the noise outweighs the descent ' +
  'and p − y is no longer independent of ∇f, so the expansion behind the η²/|B| prediction no longer holds.';

/** Running training loss over initial loss above which a run has left the small-η regime. */
export const LOSS_EXIT_FACTOR = 2;
/**
 * Initial loss over running training loss above which a run on a fixed training set of random labels
 * has fitted them (used where switched on: `fitFactor`; the default rule leaves it off).
 */
export const FIT_EXIT_FACTOR = 2;
/**
 * Fall of the held-out loss, as a fraction of its initial value, that ends the early phase of a net that
 * learns (used where switched on: `learnDrop`). 1%: on the CNN's plateau at log 10 = 2.303 nats the
 * held-out loss moves by about 0.001 between records, so a 0.023-nat fall is twenty times that scatter,
 * and it comes before the loss visibly drops.
 */
export const LEARN_EXIT_DROP = 0.01;
/** The learning exit's rationale, for reports (shown where the exit is switched on). */
export const LEARN_RATIONALE =
  'The prediction also assumes an early phase in which p − y is independent of ∇f, i.e. outputs near the uninformed predictor. ' +
  'A net that learns its labels leaves that phase once its held-out loss falls clearly below its initial value; ' +
  'past that point its gradients are shaped by what it has learnt, and the η²/|B| prediction is not expected to hold.';
/** Steps averaged in the running training loss (the rule cannot fire before this many steps). */
export const LOSS_WINDOW_STEPS = 100;
/** Norm rule (off by default): a listed norm above this multiple of its initial value exits the run. */
export const NORM_EXIT_FACTOR = Infinity;
/** Fields the norm rule watches when it is switched on. */
export const NORM_EXIT_FIELDS: readonly string[] = ['norm_V'];

export type { RegimeOptions };

/** The regime rule with every option filled in (a part that is off: Infinity, or 0 for `learnDrop`). */
export interface RegimeRule {
  lossFactor: number;
  lossWindow: number;
  fitFactor: number;
  learnDrop: number;
  normFactor: number;
  normFields: readonly string[];
}

/** The rule with defaults for missing options. */
export function regimeRule(opts: RegimeOptions = {}): RegimeRule {
  return {
    lossFactor: opts.lossFactor === null ? Infinity : (opts.lossFactor ?? LOSS_EXIT_FACTOR),
    lossWindow: opts.lossWindow ?? LOSS_WINDOW_STEPS,
    fitFactor: opts.fitFactor ?? Infinity,
    learnDrop: opts.learnDrop ?? 0,
    normFactor: opts.normFactor ?? NORM_EXIT_FACTOR,
    normFields: opts.normFields ?? NORM_EXIT_FIELDS,
  };
}

/** The rule in words, for reports. */
export function describeRule(rule: RegimeRule): string {
  const parts: string[] = [];
  if (Number.isFinite(rule.lossFactor)) {
    parts.push(`its running training loss (mean over the last ${rule.lossWindow} steps) exceeds ${rule.lossFactor}× its initial loss`);
  }
  if (Number.isFinite(rule.fitFactor)) {
    parts.push(`its running training loss falls below 1/${rule.fitFactor} of its initial loss (the training labels are being fitted)`);
  }
  if (rule.learnDrop > 0) {
    parts.push(`its held-out loss falls more than ${pct(rule.learnDrop)} below its initial value (the net has begun to learn: the early phase is over)`);
  }
  if (Number.isFinite(rule.normFactor)) parts.push(`${rule.normFields.join(' or ')} exceeds ${rule.normFactor}× its initial value`);
  if (parts.length === 0) return 'no regime rule (every run counts as in regime)';
  return `a run leaves the small-η regime at the first record where ${parts.join(', or ')}`;
}

/** Where a run leaves the regime: the step of the first record where the rule fires (Infinity if never) and why. */
export interface RegimeExit {
  step: number;
  reason: string | null;
  /** The initial loss the loss rule compares against (NaN if none). */
  initialLoss: number;
  /** False when no part of the rule could be applied (no loss recorded and the norm rule off or without data). */
  checked: boolean;
}

/** Step-weighted mean of `trainLoss` over (step − window, step] for each record (NaN until `window` steps are covered). */
export function runningTrainLoss(records: RunRecord[], window: number): number[] {
  const out: number[] = [];
  const need = Math.min(window, records.length ? records[records.length - 1].step - records[0].step : 0);
  for (let k = 0; k < records.length; k++) {
    const start = records[k].step - window;
    let sum = 0;
    let covered = 0;
    for (let j = k; j > 0 && records[j].step > start; j--) {
      const v = records[j].trainLoss;
      const span = records[j].step - Math.max(records[j - 1].step, start);
      if (typeof v !== 'number' || !Number.isFinite(v) || span <= 0) continue;
      sum += v * span;
      covered += span;
    }
    out.push(covered >= need && covered > 0 ? sum / covered : NaN);
  }
  return out;
}

/** The initial loss: `probeLoss` at step 0 when recorded, else the first full-window running training loss. */
export function initialLoss(records: RunRecord[], running: number[]): number {
  const first = records[0];
  if (first && first.step === 0 && typeof first.probeLoss === 'number' && Number.isFinite(first.probeLoss)) return first.probeLoss;
  return running.find((v) => Number.isFinite(v)) ?? NaN;
}

/** The held-out loss at step 0 (else at the first record that has one; NaN if none). */
function initialProbeLoss(records: RunRecord[]): number {
  const r = records.find((x) => typeof x.probeLoss === 'number' && Number.isFinite(x.probeLoss));
  return r ? r.probeLoss : NaN;
}

/** Applies the rule to one run's records (in step order). */
export function regimeExit(records: RunRecord[], opts: RegimeOptions = {}): RegimeExit {
  const rule = regimeRule(opts);
  const running = runningTrainLoss(records, rule.lossWindow);
  const l0 = initialLoss(records, running);
  const lossOn = Number.isFinite(rule.lossFactor) && l0 > 0;
  const fitOn = Number.isFinite(rule.fitFactor) && l0 > 0;
  const p0 = rule.learnDrop > 0 ? initialProbeLoss(records) : NaN;
  const learnOn = p0 > 0;
  const norm0 = new Map<string, number>();
  for (const f of rule.normFields) {
    const r = records.find((x) => typeof x[f] === 'number' && Number.isFinite(x[f]));
    if (r && r[f] > 0) norm0.set(f, r[f]);
  }
  const checked = lossOn || fitOn || learnOn || (Number.isFinite(rule.normFactor) && norm0.size > 0);
  for (let k = 0; k < records.length; k++) {
    const r = records[k];
    if (lossOn && running[k] > rule.lossFactor * l0) {
      const reason = `running training loss ${fmt(running[k])} > ${rule.lossFactor}× initial ${fmt(l0)}`;
      return { step: r.step, reason, initialLoss: l0, checked };
    }
    if (fitOn && running[k] < l0 / rule.fitFactor) {
      const reason = `running training loss ${fmt(running[k])} < initial ${fmt(l0)} / ${rule.fitFactor}: the training labels are being fitted`;
      return { step: r.step, reason, initialLoss: l0, checked };
    }
    const p = r.probeLoss;
    if (learnOn && typeof p === 'number' && p < (1 - rule.learnDrop) * p0) {
      const reason = `held-out loss ${fmt(p)} < (1 − ${rule.learnDrop}) × initial ${fmt(p0)}: the net has begun to learn, the early phase is over`;
      return { step: r.step, reason, initialLoss: l0, checked };
    }
    if (Number.isFinite(rule.normFactor)) {
      for (const [f, v0] of norm0) {
        if (r[f] > rule.normFactor * v0) {
          return { step: r.step, reason: `${f} ${fmt(r[f])} > ${rule.normFactor}× initial ${fmt(v0)}`, initialLoss: l0, checked };
        }
      }
    }
  }
  return { step: Infinity, reason: null, initialLoss: l0, checked };
}

/** The records before the exit step (all records when the run never exits). */
export function inRegimeRecords(records: RunRecord[], exitStep: number): RunRecord[] {
  return Number.isFinite(exitStep) ? records.filter((r) => r.step < exitStep) : records;
}

function pct(x: number): string {
  return `${+(100 * x).toPrecision(3)}%`;
}

function fmt(x: number): string {
  return Math.abs(x) >= 1e4 ? x.toExponential(2) : x.toPrecision(3);
}
