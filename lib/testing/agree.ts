// Test helper: trains one config on cpu and on another backend and checks that the records agree.
import * as tf from '@tensorflow/tfjs';
import { expect } from '@jest/globals';
import { useBackend, type BackendName } from '../backend/backends.js';
import { makeConfig, type RunConfig } from '../core/config.js';
import type { EngineChoice } from '../engines/create.js';
import type { RunRecord } from '../records/types.js';
import { train, trainMembers } from '../train/trainer.js';

/** Tolerances: activation rates are fractions of the probe set (absolute); other fields relative to max(1, |v|). */
export interface AgreeTolerance {
  activation: number;
  relative: number;
}

/** Expects the same steps, fields and values within tolerance. */
export function expectRecordsAgree(other: RunRecord[], ref: RunRecord[], tol: AgreeTolerance = { activation: 0.01, relative: 1e-3 }): void {
  expect(other.map((r) => r.step)).toEqual(ref.map((r) => r.step));
  ref.forEach((r, i) => {
    expect(Object.keys(other[i]).sort()).toEqual(Object.keys(r).sort());
    for (const [k, v] of Object.entries(r)) {
      const bound = k.startsWith('activationRate') ? tol.activation : tol.relative * Math.max(1, Math.abs(v));
      if (!(Math.abs(other[i][k] - v) <= bound)) throw new Error(`step ${r.step}, ${k}: ${other[i][k]} vs ${v} (bound ${bound})`);
    }
  });
}

/** Trains `cfg` on cpu (tfjs engine) and on `backend` with `engine`; expects the records to agree and no leaked tensors. */
export async function expectBackendAgrees(backend: BackendName, cfg: RunConfig, tol: AgreeTolerance = { activation: 0.01, relative: 1e-3 }, engine: EngineChoice = 'tfjs'): Promise<void> {
  await useBackend('cpu');
  const cpu = (await train(cfg, { engine: 'tfjs' })).records;
  await useBackend(backend);
  const before = tf.memory().numTensors;
  const other = (await train(cfg, { engine })).records;
  expect(tf.memory().numTensors).toBe(before);
  expectRecordsAgree(other, cpu, tol);
}

/**
 * Trains `cfg` as an ensemble of `members` seeds on cpu (tfjs engine) and on `backend` with
 * `engine`; expects every member's records to agree and no leaked tensors. Returns the engine used.
 */
export async function expectEnsembleAgrees(backend: BackendName, cfg: RunConfig, members: number, tol: AgreeTolerance, engine: EngineChoice = 'tfjs'): Promise<string> {
  const cfgs = Array.from({ length: members }, (_, seed) => makeConfig({ ...cfg, seed }));
  await useBackend('cpu');
  const cpu = await trainMembers(cfgs, { engine: 'tfjs' });
  await useBackend(backend);
  const before = tf.memory().numTensors;
  let used = '';
  const other = await trainMembers(cfgs, { engine, onEngine: (e) => (used = e.name) });
  expect(tf.memory().numTensors).toBe(before);
  other.forEach((r, m) => expectRecordsAgree(r.records, cpu[m].records, tol));
  return used;
}

/** One small config of every model family (every probe that applies), for backend agreement tests. */
export function modelFamilyCases(steps: number, probeSamples: number): [string, RunConfig][] {
  const all = ['activation-rate', 'weight-norms', 'loss', 'grad-variance'] as RunConfig['probes'];
  const common = { steps, batchSize: 4, probeSamples, gradVarSamples: probeSamples / 2, probeLogPoints: 3, probeLinearPoints: 2 };
  return [
    ['two-layer', makeConfig({ ...common, model: 'two-layer', inputDim: 10, hidden: 8, probes: ['activation-rate', 'activation-rate-exact', ...all.slice(1)] })],
    ['fc', makeConfig({ ...common, model: 'fc', inputDim: 10, hidden: 8, depth: 4, probes: all })],
    ['cnn', makeConfig({ ...common, model: 'cnn', inputDim: 36, convLayers: 2, channels: 3, kernel: 3, classes: 3, loss: 'softmax-ce', probes: all })],
  ];
}
