/**
 * Sweeps: a grid over η, |B|, seeds and any other config field expands into runs; each run
 * writes its own directory under `<sweepDir>/runs`, and a sweep's runs are read back together.
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import { CONFIG_KEYS, checkField, makeConfig, type RunConfig } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { checkArray, checkEnum, checkKeys, checkNumber } from '../core/validate.js';

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
}

const SPEC_KEYS = ['name', 'title', 'base', 'grid', 'axis', 'quantities', 'budget'] as const;

/** Checks a sweep spec at a public entry point (unknown keys, bad grid values). */
export function checkSweepSpec(spec: unknown, where = 'sweep'): SweepSpec {
  checkKeys(spec, SPEC_KEYS, where);
  const s = spec as unknown as SweepSpec;
  if (typeof s.name !== 'string' || !/^[A-Za-z0-9._-]+$/.test(s.name) || s.name.startsWith('.')) {
    throw new ConfigError(`${where}.name`, s.name, 'a name of letters, digits, ".", "_" and "-" not starting with "."');
  }
  checkEnum(s.axis, SWEEP_AXES, `${where}.axis`);
  checkArray(s.quantities, `${where}.quantities`, (v, w) => {
    if (typeof v !== 'string') throw new ConfigError(w, v, 'a record field name');
    return v;
  });
  checkKeys(s.grid, CONFIG_KEYS, `${where}.grid`);
  for (const [key, values] of Object.entries(s.grid)) {
    checkArray(values, `${where}.grid.${key}`, (v, w) => checkField(key, v, w));
  }
  if (s.budget !== undefined) {
    checkKeys(s.budget, ['refSteps', 'etaRef', 'batchRef'], `${where}.budget`);
    checkNumber(s.budget.refSteps, { integer: true, ge: 1 }, `${where}.budget.refSteps`);
    checkNumber(s.budget.etaRef, { gt: 0 }, `${where}.budget.etaRef`);
    checkNumber(s.budget.batchRef, { integer: true, ge: 1 }, `${where}.budget.batchRef`);
  }
  makeConfig(s.base, `${where}.base`);
  return s;
}

/** Expands a sweep into its runs' configs (Cartesian product of the grid, in key order). */
export function expandSweep(spec: SweepSpec): RunConfig[] {
  checkSweepSpec(spec);
  let partials: Partial<RunConfig>[] = [{ ...spec.base }];
  for (const [key, values] of Object.entries(spec.grid)) {
    partials = partials.flatMap((p) => (values as unknown[]).map((v) => ({ ...p, [key]: v })));
  }
  return partials.map((p, i) => {
    const cfg = makeConfig(p, `${spec.name}.runs[${i}]`);
    if (spec.budget) {
      const { refSteps, etaRef, batchRef } = spec.budget;
      cfg.steps = Math.ceil(refSteps * (etaRef / cfg.eta) ** 2 * (cfg.batchSize / batchRef));
    }
    return cfg;
  });
}

/** Total SGD steps of a set of runs. */
export function totalSteps(configs: RunConfig[]): number {
  return configs.reduce((n, c) => n + c.steps, 0);
}

/** Writes `sweep.json` (the spec) in the sweep directory. */
export function writeSweepSpec(sweepDir: string, spec: SweepSpec): void {
  fs.mkdirSync(sweepDir, { recursive: true });
  fs.writeFileSync(path.join(sweepDir, 'sweep.json'), `${JSON.stringify(spec, null, 2)}\n`);
}
