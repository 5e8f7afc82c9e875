/**
 * The oracle of the webgpu-dense tests: each member trained alone by the tfjs engine on the active
 * backend, against all members trained together by webgpu-dense through the one training loop;
 * statuses and records (every probe, the training loss) must agree to float32 tolerance, and no
 * tensor may leak. Throws an Error naming the first disagreement (no test framework needed).
 */
import * as tf from '@tensorflow/tfjs';
import { makeConfig, type RunConfig } from '../core/config.js';
import { createArchitecture } from '../models/create.js';
import type { RunRecord } from '../records/types.js';
import { runLoop, type TrainResult } from '../train/loop.js';
import { train } from '../train/trainer.js';
import { createWebgpuDenseEngine, type WebgpuDenseOptions } from '../engines/webgpuDense/create.js';

/** Tolerances: activation rates are fractions of the probe set (absolute); other fields relative to max(1, |v|). */
export interface DenseTolerance {
  activation: number;
  relative: number;
}

/** A small dense config for tests: fc of depth 3 (6 → 8 → 8 → 1), bce, 30 steps, probes on 32 samples. */
export function denseTestConfig(partial: Partial<RunConfig>): RunConfig {
  return makeConfig({
    model: 'fc', depth: 3, inputDim: 6, hidden: 8, steps: 30, batchSize: 4, probeSamples: 32, probeLogPoints: 3, probeLinearPoints: 2,
    probes: ['activation-rate', 'weight-norms', 'loss'], ...partial,
  });
}

/** The largest deviation of a record field from the reference (relative to max(1, |v|); activation rates absolute). */
export function worstDeviation(got: readonly RunRecord[], ref: readonly RunRecord[]): { field: string; dev: number; activation: boolean } {
  let worst = { field: '', dev: 0, activation: false };
  ref.forEach((r, i) => {
    for (const [k, v] of Object.entries(r)) {
      const activation = k.startsWith('activationRate');
      const dev = Math.abs(got[i][k] - v) / (activation ? 1 : Math.max(1, Math.abs(v)));
      if (!(dev <= worst.dev)) worst = { field: `step ${r.step}: ${k} = ${got[i][k]} vs ${v}`, dev, activation };
    }
  });
  return worst;
}

/** Throws unless `got` has the reference's steps and fields, each within tolerance. */
export function checkRecords(got: readonly RunRecord[], ref: readonly RunRecord[], tol: DenseTolerance, what: string): void {
  const steps = (rs: readonly RunRecord[]) => rs.map((r) => r.step).join(',');
  if (steps(got) !== steps(ref)) throw new Error(`${what}: recorded steps ${steps(got)} vs ${steps(ref)}`);
  ref.forEach((r, i) => {
    const keys = (x: RunRecord) => Object.keys(x).sort().join(',');
    if (keys(got[i]) !== keys(r)) throw new Error(`${what}, step ${r.step}: fields ${keys(got[i])} vs ${keys(r)}`);
  });
  const rates = worstDeviation(got.map((r) => pick(r, true)), ref.map((r) => pick(r, true)));
  const rest = worstDeviation(got.map((r) => pick(r, false)), ref.map((r) => pick(r, false)));
  if (!(rates.dev <= tol.activation)) throw new Error(`${what}, ${rates.field} (bound ${tol.activation})`);
  if (!(rest.dev <= tol.relative)) throw new Error(`${what}, ${rest.field} (relative bound ${tol.relative})`);
}

/** The activation-rate fields of a record (or the others). */
function pick(r: RunRecord, activation: boolean): RunRecord {
  return Object.fromEntries(Object.entries(r).filter(([k]) => k === 'step' || k.startsWith('activationRate') === activation)) as RunRecord;
}

/** Trains `configs` both ways (see the file comment) and returns the engine's results. */
export async function expectDenseAgrees(
  configs: RunConfig[],
  opts: WebgpuDenseOptions = {},
  tol: DenseTolerance = { activation: 0.01, relative: 2e-5 },
): Promise<TrainResult[]> {
  const checkEvery = opts.checkEvery ?? 10;
  const refs: TrainResult[] = [];
  for (const c of configs) refs.push(await train(c, { engine: 'tfjs', checkEvery }));
  const before = tf.memory().numTensors;
  const engine = await createWebgpuDenseEngine(configs, { ...opts, checkEvery });
  let results: TrainResult[];
  try {
    results = await runLoop(engine, createArchitecture(configs[0]), configs.map((cfg) => ({ cfg })));
  } finally {
    engine.dispose();
  }
  if (tf.memory().numTensors !== before) throw new Error(`leaked ${tf.memory().numTensors - before} tensors`);
  results.forEach((r, m) => {
    const [a, b] = [r.status, refs[m].status];
    if (a.state !== b.state || a.step !== b.step) throw new Error(`member ${m}: status ${a.state} at ${a.step} vs ${b.state} at ${b.step}`);
    checkRecords(r.records, refs[m].records, tol, `member ${m}`);
  });
  return results;
}
