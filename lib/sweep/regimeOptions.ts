/**
 * The options of the small-η regime rule (analysis/regime.ts), as a sweep spec stores them so that a
 * report rebuilt from `sweep.json` applies the same rule. Kept here, below the analysis layer, with
 * their check; the rule itself and its defaults live in analysis/regime.ts.
 */
import { ConfigError } from '../core/errors.js';
import { checkArray, checkKeys, checkNumber } from '../core/validate.js';

/**
 * Options of the regime rule; a missing (or undefined) option takes the rule's default; `null` switches
 * a threshold off (as do Infinity for the factors and 0 for `learnDrop`).
 */
export interface RegimeOptions {
  /** Exit when the running training loss exceeds this multiple of the initial loss (default 2; Infinity or null: off). */
  lossFactor?: number | null;
  /** Steps in the running training loss (default 100). */
  lossWindow?: number;
  /**
   * Exit when the running training loss falls below the initial loss divided by this (the labels of a
   * fixed training set are being fitted). Default off; the controls use 2.
   */
  fitFactor?: number | null;
  /**
   * Exit when the held-out loss `probeLoss` falls below (1 − learnDrop) times its initial value (the net has
   * begun to learn its labels: the early phase is over). Default off; fig2-cnn6-fmnist uses 0.01.
   */
  learnDrop?: number | null;
  /** Exit when a norm in `normFields` exceeds this multiple of its initial value (default off). */
  normFactor?: number | null;
  /** Record fields of the norm rule (default `['norm_V']`). */
  normFields?: readonly string[];
}

const KEYS = ['lossFactor', 'lossWindow', 'fitFactor', 'learnDrop', 'normFactor', 'normFields'] as const;

/** Bounds of the regime options in a sweep spec. */
export const REGIME_LIMITS = {
  /** Steps of the running training loss. */
  lossWindow: 1e9,
  /** Fields of the norm rule. */
  normFields: 100,
} as const;

/** Checks regime options (unknown keys, each threshold's range); a ConfigError names the field. */
export function checkRegimeOptions(value: unknown, where: string): RegimeOptions {
  checkKeys(value, KEYS, where);
  const o = value as RegimeOptions;
  // a factor may be Infinity (off; JSON writes it as null, which reads back the same)
  const factor = (x: unknown, key: string) => {
    if (x !== undefined && x !== null && x !== Infinity && !(typeof x === 'number' && x > 1 && Number.isFinite(x))) {
      throw new ConfigError(`${where}.${key}`, x, 'a number > 1, or null (or Infinity) for off');
    }
  };
  factor(o.lossFactor, 'lossFactor');
  factor(o.fitFactor, 'fitFactor');
  factor(o.normFactor, 'normFactor');
  const d = o.learnDrop;
  if (d !== undefined && d !== null && !(typeof d === 'number' && d >= 0 && d < 1)) {
    throw new ConfigError(`${where}.learnDrop`, d, 'a fraction in (0, 1), or 0 or null for off');
  }
  if (o.lossWindow !== undefined) checkNumber(o.lossWindow, { integer: true, ge: 1, le: REGIME_LIMITS.lossWindow }, `${where}.lossWindow`);
  if (o.normFields !== undefined) {
    if (Array.isArray(o.normFields) && o.normFields.length > REGIME_LIMITS.normFields) {
      throw new ConfigError(`${where}.normFields`, `${o.normFields.length} values`, `at most ${REGIME_LIMITS.normFields} values`);
    }
    checkArray(o.normFields, `${where}.normFields`, (v, w) => {
      if (typeof v !== 'string' || v === '') throw new ConfigError(w, v, 'a record field name');
      return v;
    });
  }
  return o;
}

/** The options of `over` laid over `base`, skipping keys `over` leaves undefined. */
export function mergeRegimeOptions(base: RegimeOptions | undefined, over: RegimeOptions | undefined): RegimeOptions {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over ?? {})) if (v !== undefined) out[k] = v;
  return out as RegimeOptions;
}
