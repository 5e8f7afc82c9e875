/**
 * Synthetic run records for tests and demos of the analysis (no training): a run is a set of record
 * steps and a function giving each record's fields, wrapped as the {@link RunData} a sweep reader returns.
 */
import { Rng } from '../core/rng.js';
import type { RunData, RunRecord, RunStatus } from '../records/types.js';

/** What a synthetic run is made of. */
export interface SyntheticRunOptions {
  eta: number;
  batchSize?: number;
  seed: number;
  /** Last step. */
  steps: number;
  /** Record steps (default: 0, 40 log-spaced and 60 evenly spaced steps up to `steps`). */
  recordSteps?: number[];
  /** The record fields at a step (the generator is seeded by eta, batchSize and seed). */
  fields: (step: number, rng: Rng) => Record<string, number>;
  /** Run status (default finished at `steps`, 1 s of wall time). */
  status?: RunStatus;
  /** Extra config fields (e.g. init). */
  config?: Record<string, unknown>;
}

/** 0, `log` log-spaced and `linear` evenly spaced steps up to `steps`, sorted and distinct. */
export function defaultRecordSteps(steps: number, log = 40, linear = 60): number[] {
  const s = new Set<number>([0, steps]);
  for (let i = 0; i < log; i++) s.add(Math.round(Math.exp((Math.log(steps) * i) / (log - 1))));
  for (let i = 1; i <= linear; i++) s.add(Math.round((steps * i) / linear));
  return [...s].filter((x) => x >= 0 && x <= steps).sort((a, b) => a - b);
}

/** A synthetic run. */
export function syntheticRun(o: SyntheticRunOptions): RunData {
  const batchSize = o.batchSize ?? 1;
  const rng = new Rng(o.seed, `synthetic/${o.eta}/${batchSize}`);
  const records: RunRecord[] = (o.recordSteps ?? defaultRecordSteps(o.steps)).map((step) => ({ ...o.fields(step, rng), step }));
  return {
    dir: `/synthetic/eta=${o.eta}-B=${batchSize}-seed=${o.seed}`,
    stored: { config: { eta: o.eta, batchSize, seed: o.seed, ...o.config } } as unknown as RunData['stored'],
    records,
    status: o.status ?? { state: 'finished', step: o.steps, wallSeconds: 1, stepsPerSecond: o.steps },
    droppedTornLine: false,
  };
}

/** Options of {@link syntheticEtaSweep}. */
export interface SyntheticSweepOptions {
  /** η values (default 0.025, 0.05, 0.075, 0.1). */
  etas?: number[];
  /** Seeds per η (default 4). */
  seeds?: number;
  /** Steps of η = 0.1; the others run (0.1/η)² times longer (default 2000). */
  steps?: number;
  /** Runs at the largest η leave the regime from step `exitAt` + 50·seed (default: never). */
  exitAt?: number;
  /** Only these seeds leave (default: all). */
  unstableSeeds?: number[];
  /** Amplitude of q's relaxation per η (default 0.2 for all: a perfect α = 2 collapse). */
  amplitude?: (eta: number) => number;
  /** Drop wall times from the statuses. */
  noWallTime?: boolean;
}

/**
 * An η-sweep whose quantity `q` relaxes from 0.5 to 0.3 at a rate ∝ η² (α = 2), with 3% seed-to-seed
 * spread in the rate and 0.002 record noise; `trainLoss` stays at log 2 and `norm_V` at 0.5. Runs that
 * leave the regime do so as fig2's η = 0.1 runs did: from the exit step ‖V‖ grows 10⁴-fold by the end,
 * the loss grows with it, and q stalls.
 */
export function syntheticEtaSweep(opts: SyntheticSweepOptions = {}): RunData[] {
  const etas = opts.etas ?? [0.025, 0.05, 0.075, 0.1];
  const top = Math.max(...etas);
  const seeds = Array.from({ length: opts.seeds ?? 4 }, (_, i) => i);
  const log2 = Math.log(2);
  return etas.flatMap((eta) =>
    seeds.map((seed) => {
      const steps = Math.ceil((opts.steps ?? 2000) * (0.1 / eta) ** 2);
      const unstable = opts.exitAt !== undefined && eta === top && (opts.unstableSeeds ?? seeds).includes(seed);
      const tx = (opts.exitAt ?? Infinity) + 50 * seed;
      const rate = (eta / 0.1) ** 2 / 600;
      const amp = opts.amplitude?.(eta) ?? 0.2;
      let jitter = NaN;
      return syntheticRun({
        eta,
        seed,
        steps,
        status: opts.noWallTime ? { state: 'finished', step: steps } : undefined,
        fields: (t, rng) => {
          if (Number.isNaN(jitter)) jitter = 1 + 0.03 * rng.normal();
          const norm = unstable ? 0.5 * 1e4 ** (Math.max(0, t - tx) / (steps - tx)) : 0.5;
          const q = 0.3 + amp * Math.exp(-rate * jitter * (unstable ? Math.min(t, tx) : t)) + 0.002 * rng.normal();
          const trainLoss = log2 * (norm / 0.5) * (1 + 0.05 * rng.normal());
          return { q, norm_V: norm * (1 + 0.01 * rng.normal()), trainLoss, probeLoss: log2 };
        },
      });
    }),
  );
}
