/**
 * Noise-induced drift (controls-two-layer): runs of SGD, full-batch GD and GD plus isotropic Gaussian
 * noise of SGD's per-step variance share init and seeds, so each seed pairs them. A run's drift is the
 * change of a quantity over the first T steps, y(T) − y(0); the noise-induced drift of a seed is SGD's
 * drift minus GD's (same η, same seed), and GD + noise's likewise. Means over seeds carry a bootstrap
 * interval over seeds.
 */
import type { RunRecord } from '../records/types.js';
import { bootstrapMean, percentile, type Estimate } from './bootstrap.js';
import { interpolate } from './curves.js';
import { Rng } from '../core/rng.js';

/** Which dynamics produced a control run. */
export type Dynamics = 'sgd' | 'gd' | 'gd-noise';

/** One control run: its config fields and records. */
export interface ControlRun {
  eta: number;
  /** SGD: the batch size. GD: ignored. GD + noise: the |B| whose noise it matches, unless `noiseBatchSize` is given. */
  batchSize: number;
  seed: number;
  dynamics: Dynamics;
  records: RunRecord[];
  /** GD + noise: the |B| whose SGD noise variance it matches. */
  noiseBatchSize?: number;
  /** Where the run lives (for messages). */
  dir?: string;
}

/** The |B| a run stands for: SGD's batch size, GD + noise's matched |B|, NaN for GD. */
export function matchedBatch(r: ControlRun): number {
  return r.dynamics === 'gd' ? NaN : r.dynamics === 'gd-noise' ? (r.noiseBatchSize ?? r.batchSize) : r.batchSize;
}

/** y(T) − y(0) of a record field (NaN when the run does not reach T or lacks the field). */
export function changeOver(records: RunRecord[], field: string, T: number): number {
  const pts = records.filter((r) => typeof r[field] === 'number' && Number.isFinite(r[field]));
  if (pts.length < 2 || pts[0].step > 0 || pts[pts.length - 1].step < T) return NaN;
  const c = { t: pts.map((r) => r.step), y: pts.map((r) => r[field]) };
  return interpolate(c, T) - c.y[0];
}

/** The drifts of one (η, |B|) cell: raw drift per dynamics and paired differences against GD. */
export interface DriftCell {
  eta: number;
  batchSize: number;
  /** Seeds with an SGD and a GD run. */
  seeds: number[];
  sgd: Estimate;
  gd: Estimate;
  gdNoise: Estimate | null;
  /** SGD − GD per seed, averaged: the noise-induced drift. */
  noiseInduced: Estimate;
  /** (GD + noise) − GD per seed, averaged. */
  isotropic: Estimate | null;
  /** isotropic / noiseInduced: how much of SGD's noise-induced drift isotropic noise of the same variance gives. */
  isotropicShare: Estimate | null;
  /** The per-seed values of `noiseInduced` (for power-law fits). */
  perSeed: number[];
}

/** mean(num)/mean(den) over seeds, with a 95% interval from resampling seeds jointly. */
export function ratioOfMeans(num: number[], den: number[], resamples: number, rng: Rng): Estimate {
  const m = (idx: number[]) => idx.reduce((a, i) => a + num[i], 0) / idx.reduce((a, i) => a + den[i], 0);
  const all = num.map((_, i) => i);
  const rs: number[] = [];
  for (let b = 0; b < resamples && num.length; b++) rs.push(m(all.map(() => rng.int(num.length))));
  const sorted = rs.filter(Number.isFinite).sort((a, b) => a - b);
  return { mean: m(all), ci: [percentile(sorted, 0.025), percentile(sorted, 0.975)], n: num.length };
}

/** Groups control runs into (η, |B|) cells of SGD runs paired by seed with GD (and GD + noise) runs. */
export function driftCells(runs: ControlRun[], field: string, T: number, resamples = 1000): DriftCell[] {
  const key = (eta: number, B: number) => `${eta}|${B}`;
  const sgdCells = [...new Set(runs.filter((r) => r.dynamics === 'sgd').map((r) => key(r.eta, r.batchSize)))];
  const drift = (r: ControlRun | undefined) => (r ? changeOver(r.records, field, T) : NaN);
  const cells: DriftCell[] = [];
  for (const k of sgdCells) {
    const [eta, B] = k.split('|').map(Number);
    const sgd = runs.filter((r) => r.dynamics === 'sgd' && r.eta === eta && r.batchSize === B);
    const seeds = [...new Set(sgd.map((r) => r.seed))].sort((a, b) => a - b);
    const rows = seeds.map((seed) => ({
      sgd: drift(sgd.find((r) => r.seed === seed)),
      gd: drift(runs.find((r) => r.dynamics === 'gd' && r.eta === eta && r.seed === seed)),
      noise: drift(runs.find((r) => r.dynamics === 'gd-noise' && r.eta === eta && matchedBatch(r) === B && r.seed === seed)),
    }));
    const paired = rows.map((r, i) => ({ ...r, seed: seeds[i] })).filter((r) => Number.isFinite(r.sgd) && Number.isFinite(r.gd));
    const rng = (name: string) => new Rng(0, `drift/${k}/${name}`);
    const withNoise = paired.filter((r) => Number.isFinite(r.noise));
    const perSeed = paired.map((r) => r.sgd - r.gd);
    cells.push({
      eta,
      batchSize: B,
      seeds: paired.map((r) => r.seed),
      sgd: bootstrapMean(paired.map((r) => r.sgd), resamples, rng('sgd')),
      gd: bootstrapMean(paired.map((r) => r.gd), resamples, rng('gd')),
      gdNoise: withNoise.length ? bootstrapMean(withNoise.map((r) => r.noise), resamples, rng('noise')) : null,
      noiseInduced: bootstrapMean(perSeed, resamples, rng('sgd-gd')),
      isotropic: withNoise.length ? bootstrapMean(withNoise.map((r) => r.noise - r.gd), resamples, rng('noise-gd')) : null,
      isotropicShare: withNoise.length
        ? ratioOfMeans(withNoise.map((r) => r.noise - r.gd), withNoise.map((r) => r.sgd - r.gd), resamples, rng('share'))
        : null,
      perSeed,
    });
  }
  return cells.sort((a, b) => a.batchSize - b.batchSize || a.eta - b.eta);
}
