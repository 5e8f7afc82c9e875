/**
 * Sweeps: a grid over η, |B|, seeds and any other config field expands into runs; each run
 * writes its own directory under `<sweepDir>/runs`, and a sweep's runs are read back together.
 */
import * as path from 'node:path';
import { CONFIG_KEYS, checkField, makeConfig, PROBE_FIELDS, PROBE_NAMES, type RunConfig } from '../core/config.js';
import { ConfigError, describeValue } from '../core/errors.js';
import { ensureWritableDir, writeFileAtomic } from '../records/files.js';
import { canonicalJson, runId } from '../records/runDir.js';
import { checkArray, checkEnum, checkKeys, checkNumber } from '../core/validate.js';
import { checkRegimeOptions, type RegimeOptions } from './regimeOptions.js';

/** The config field a sweep varies for time rescaling. */
export const SWEEP_AXES = ['eta', 'batchSize'] as const;
/** A rescaling axis. */
export type SweepAxis = (typeof SWEEP_AXES)[number];

/**
 * Steps per run scaled so that every run reaches the same rescaled time:
 * steps = ceil(refSteps · (etaRef/η)² · (|B|/batchRef)).
 */
export interface StepBudget {
  refSteps: number;
  etaRef: number;
  batchRef: number;
}

/** A sweep: base config, grid of field values, the axis analyzed and the record fields analyzed. */
export interface SweepSpec {
  /** Directory name of the sweep. */
  name: string;
  /** What the sweep reproduces, for the report. */
  title: string;
  /** Fields shared by every run. */
  base: Partial<RunConfig>;
  /** Values of each swept field; the runs are the Cartesian product. */
  grid: Partial<Record<keyof RunConfig, unknown[]>>;
  /** The field whose exponent is fitted: `eta` (α) or `batchSize` (β). */
  axis: SweepAxis;
  /** Record fields analyzed and plotted, e.g. `activationRate`, `norm_V`. */
  quantities: string[];
  /** Optional per-run step budget; overrides `steps`. */
  budget?: StepBudget;
  /**
   * The quantities whose exponent is judged against the paper's prediction (η², 1/|B|); the others
   * get their fit and no verdict on it (e.g. the noiseless GD control, or a held-out loss, of which
   * the paper predicts nothing). Default: every quantity.
   */
  judged?: string[];
  /**
   * The small-η regime rule the analysis applies (analysis/regime.ts), where it differs from the default,
   * e.g. `{learnDrop: 0.01}` to end a learning net's early phase when its held-out loss falls by 1%.
   */
  regime?: RegimeOptions;
}

const SPEC_KEYS = ['name', 'title', 'base', 'grid', 'axis', 'quantities', 'budget', 'judged', 'regime'] as const;

/** Bounds of a sweep spec, checked before anything is trained or written. */
export const SWEEP_LIMITS = {
  /** Characters of the sweep name (a directory name). */
  name: 100,
  /** Characters of the title. */
  title: 500,
  /** Values of one grid field. */
  values: 10_000,
  /** Record fields analyzed. */
  quantities: 1_000,
  /** Runs of the whole grid (the product of its lists' lengths). */
  runs: 100_000,
} as const;

/** Throws unless `values` has no two equal entries (0 and -0 are equal), naming the repeated ones and `why`. */
function checkDistinct(values: unknown[], where: string, why: string): void {
  const seen = new Map<string, number>();
  const repeated = new Set<string>();
  for (const v of values) {
    const key = canonicalJson(v);
    seen.set(key, (seen.get(key) ?? 0) + 1);
    if (seen.get(key) === 2) repeated.add(key);
  }
  if (repeated.size > 0) {
    throw new ConfigError(where, values, `distinct values (repeated: ${[...repeated].join(', ')}); ${why}`);
  }
}

/** A string over `max` characters shown by its start and length, for an error message; anything else as it is. */
function shorten(value: unknown, max: number): unknown {
  return typeof value === 'string' && value.length > max ? `${value.slice(0, 20)}... (${value.length} characters)` : value;
}

/** Throws unless `value` is an array of 1 to `max` entries (checked before its entries are). */
function checkListLength(value: unknown, max: number, where: string): void {
  if (Array.isArray(value) && value.length > max) throw new ConfigError(where, `${value.length} values`, `at most ${max} values`);
}

/**
 * Checks a sweep spec at a public entry point, before anything is trained or written: unknown keys, the name (a
 * directory name of at most {@link SWEEP_LIMITS}.name characters), the title, the axis and quantities, every grid
 * value, repeated grid values, the grid's size and the base config. Each failure is a {@link ConfigError}.
 */
export function checkSweepSpec(spec: unknown, where = 'sweep'): SweepSpec {
  checkKeys(spec, SPEC_KEYS, where);
  const s = spec as unknown as SweepSpec;
  if (typeof s.name !== 'string' || !/^[A-Za-z0-9._-]+$/.test(s.name) || s.name.startsWith('.') || s.name.length > SWEEP_LIMITS.name) {
    const allowed = `a name of letters, digits, ".", "_" and "-" not starting with "." (at most ${SWEEP_LIMITS.name} characters)`;
    throw new ConfigError(`${where}.name`, shorten(s.name, SWEEP_LIMITS.name), allowed);
  }
  if (typeof s.title !== 'string' || s.title.trim() === '' || s.title.length > SWEEP_LIMITS.title) {
    const allowed = `a non-empty string of at most ${SWEEP_LIMITS.title} characters (the report's title)`;
    throw new ConfigError(`${where}.title`, shorten(s.title, SWEEP_LIMITS.title), allowed);
  }
  checkEnum(s.axis, SWEEP_AXES, `${where}.axis`);
  checkListLength(s.quantities, SWEEP_LIMITS.quantities, `${where}.quantities`);
  checkArray(s.quantities, `${where}.quantities`, (v, w) => {
    if (typeof v !== 'string' || v === '') throw new ConfigError(w, v, 'a record field name');
    return v;
  });
  checkDistinct(s.quantities, `${where}.quantities`, 'each field is analyzed once');
  if (s.judged !== undefined) {
    const allowed = `one of the sweep's quantities (${s.quantities.join(', ')})`;
    if (!Array.isArray(s.judged)) throw new ConfigError(`${where}.judged`, s.judged, `an array (possibly empty) of the sweep's quantities`);
    s.judged.forEach((v, i) => {
      if (typeof v !== 'string' || !s.quantities.includes(v)) throw new ConfigError(`${where}.judged[${i}]`, v, allowed);
    });
    checkDistinct(s.judged, `${where}.judged`, 'each field once');
  }
  checkKeys(s.grid, CONFIG_KEYS, `${where}.grid`);
  let runs = 1;
  for (const [key, values] of Object.entries(s.grid)) {
    checkListLength(values, SWEEP_LIMITS.values, `${where}.grid.${key}`);
    const checked = checkArray(values, `${where}.grid.${key}`, (v, w) => checkField(key, v, w));
    checkDistinct(checked, `${where}.grid.${key}`, 'each run of a sweep must differ');
    runs *= checked.length;
  }
  if (runs > SWEEP_LIMITS.runs) {
    const sizes = Object.entries(s.grid).map(([k, v]) => `${k} ${(v as unknown[]).length}`).join(' × ');
    throw new ConfigError(`${where}.grid`, `${runs} runs (${sizes})`, `at most ${SWEEP_LIMITS.runs} runs`);
  }
  if (s.budget !== undefined) {
    checkKeys(s.budget, ['refSteps', 'etaRef', 'batchRef'], `${where}.budget`);
    checkNumber(s.budget.refSteps, { integer: true, ge: 1 }, `${where}.budget.refSteps`);
    checkNumber(s.budget.etaRef, { gt: 0 }, `${where}.budget.etaRef`);
    checkNumber(s.budget.batchRef, { integer: true, ge: 1 }, `${where}.budget.batchRef`);
  }
  if (s.regime !== undefined) checkRegimeOptions(s.regime, `${where}.regime`);
  makeConfig(s.base, `${where}.base`);
  return s;
}

/**
 * Expands a sweep into its runs' configs (Cartesian product of the grid, in key order), each checked, its steps
 * set by the budget if any. Two runs that would share a run directory (e.g. a grid over a field that is not part
 * of a run's identity, or over `steps` under a budget) are a {@link ConfigError} naming both.
 */
export function expandSweep(spec: SweepSpec, where = 'sweep'): RunConfig[] {
  checkSweepSpec(spec, where);
  let partials: Partial<RunConfig>[] = [{ ...spec.base }];
  for (const [key, values] of Object.entries(spec.grid)) {
    partials = partials.flatMap((p) => (values as unknown[]).map((v) => ({ ...p, [key]: v })));
  }
  const byDir = new Map<string, number>();
  return partials.map((p, i) => {
    const runWhere = `${spec.name}.runs[${i}]`;
    let cfg = makeConfig(p, runWhere);
    if (spec.budget) {
      const { refSteps, etaRef, batchRef } = spec.budget;
      const steps = Math.ceil(refSteps * (etaRef / cfg.eta) ** 2 * (cfg.batchSize / batchRef));
      cfg = makeConfig({ ...cfg, steps }, `${runWhere} (steps from the budget)`);
    }
    const id = runId(cfg);
    const first = byDir.get(id);
    if (first !== undefined) {
      const other = describeValue(describeRun(partials[first], spec.grid));
      const allowed = `runs that differ; it gives the same run as ${other} (${id})`;
      throw new ConfigError(`${where}.grid`, describeRun(partials[i], spec.grid), allowed);
    }
    byDir.set(id, i);
    return cfg;
  });
}

/** The grid fields of one run, e.g. `{eta: 0.05, seed: 1}`. */
function describeRun(p: Partial<RunConfig>, grid: SweepSpec['grid']): Record<string, unknown> {
  return Object.fromEntries(Object.keys(grid).map((k) => [k, p[k as keyof RunConfig]]));
}

/** Total SGD steps of a set of runs. */
export function totalSteps(configs: RunConfig[]): number {
  return configs.reduce((n, c) => n + c.steps, 0);
}

/** Checks the spec, then writes it as `sweep.json` in the sweep directory (atomically). */
export function writeSweepSpec(sweepDir: string, spec: SweepSpec): void {
  checkSweepSpec(spec);
  ensureWritableDir(sweepDir);
  writeFileAtomic(path.join(sweepDir, 'sweep.json'), `${JSON.stringify(spec, null, 2)}\n`);
}

/**
 * Checks that a valid spec can be analyzed as the report will: runs differ only along the axis and
 * in their seed (any other grid field with several values would be pooled as if it were seeds), and,
 * without custom probes, every quantity is a record field that the probes of every run write, and a learning
 * exit (`regime.learnDrop` > 0) has the held-out loss it reads in every run. Called
 * before anything trains (a ConfigError names the field).
 */
export function checkAnalyzable(spec: SweepSpec, customProbes: boolean, where = 'sweep'): void {
  for (const [key, values] of Object.entries(spec.grid)) {
    if (key === spec.axis || key === 'seed' || (values as unknown[]).length <= 1) continue;
    throw new ConfigError(
      `${where}.grid.${key}`,
      values,
      `one value: a sweep fits one exponent along its axis '${spec.axis}' and pools only seeds; sweep ${key} as separate sweeps`,
    );
  }
  const configs = expandSweep(spec, where);
  const learnDrop = spec.regime?.learnDrop;
  if (typeof learnDrop === 'number' && learnDrop > 0 && configs.some((c) => !c.probes.includes('loss'))) {
    const allowed = `a sweep whose runs all have the 'loss' probe (the learning exit reads the held-out loss probeLoss), or no learnDrop`;
    throw new ConfigError(`${where}.regime.learnDrop`, learnDrop, allowed);
  }
  if (customProbes) return;
  spec.quantities.forEach((q, i) => {
    if (q === 'trainLoss') return;
    const writers = PROBE_NAMES.filter((p) => PROBE_FIELDS[p].test(q));
    if (writers.length === 0) {
      const allowed = 'a record field of the probes: activationRate, activationRateExact, norm_<param>, sum_<bias>, probeLoss, probeSqErr, gradVar, gradVar_<param>, batchGradVar, batchGradVar_<param>, soret, soretDriftB, trainLoss';
      throw new ConfigError(`${where}.quantities[${i}]`, q, allowed);
    }
    const without = configs.find((c) => !writers.some((p) => c.probes.includes(p)));
    if (without) {
      const allowed = `a field this sweep's probes write: add ${writers.map((p) => `'${p}'`).join(' or ')} to its probes (they are ${without.probes.map((p) => `'${p}'`).join(', ')})`;
      throw new ConfigError(`${where}.quantities[${i}]`, q, allowed);
    }
  });
}
