import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { makeConfig, type RunConfig } from '../core/config.js';
import { useBackend } from '../backend/backends.js';
import type { RunRecord } from '../records/types.js';
import { readRun } from '../records/reader.js';
import { runDir } from '../records/runDir.js';
import { planEnsembles, runConfig, runEnsemble } from '../sweep/runner.js';
import { RunLockedError } from '../records/lock.js';
import { ensembleEligible, trainEnsemble } from './ensemble.js';
import { train } from './trainer.js';

beforeAll(() => useBackend('wasm'));
afterAll(() => useBackend('cpu'));

const base = { inputDim: 12, hidden: 9, probeSamples: 150, probeLogPoints: 12, probeLinearPoints: 6, backend: 'wasm' } as const;

function expectSameRecords(ens: RunRecord[], alone: RunRecord[], rel = 2e-4) {
  expect(ens.map((r) => r.step)).toEqual(alone.map((r) => r.step));
  alone.forEach((r, i) => {
    expect(Object.keys(ens[i]).sort()).toEqual(Object.keys(r).sort());
    for (const [k, v] of Object.entries(r)) {
      const tol = k === 'activationRate' ? 2 / (150 * 9) : rel * Math.max(1, Math.abs(v));
      expect(Math.abs(ens[i][k] - v)).toBeLessThanOrEqual(tol);
    }
  });
}

test.each([
  ['BCE with bias, Gaussian', { loss: 'bce', bias: true, input: 'gaussian' }],
  ['BCE without bias, uniform', { loss: 'bce', bias: false, input: 'uniform', probes: ['activation-rate', 'weight-norms', 'loss'] }],
  ['MSE', { loss: 'mse' }],
  ['3-class softmax CE', { loss: 'softmax-ce', classes: 3, probes: ['activation-rate', 'weight-norms', 'loss'] }],
] as const)('each member of an ensemble (own η, seed, |B| and steps) records what it records alone: %s', async (_n, extra) => {
  const cfgs: RunConfig[] = [
    makeConfig({ ...base, ...extra, eta: 0.05, seed: 0, batchSize: 1, steps: 300 }),
    makeConfig({ ...base, ...extra, eta: 0.1, seed: 1, batchSize: 3, steps: 200 }),
    makeConfig({ ...base, ...extra, eta: 0.02, seed: 2, batchSize: 2, steps: 300 }),
  ];
  expect(cfgs.every(ensembleEligible)).toBe(true);
  const before = tf.memory().numTensors;
  const ens = await trainEnsemble(cfgs);
  expect(tf.memory().numTensors).toBe(before);
  for (const [m, cfg] of cfgs.entries()) {
    const alone = await train(cfg);
    expect(ens[m].status.state).toBe(alone.status.state);
    expect(ens[m].status.step).toBe(alone.status.step);
    expectSameRecords(ens[m].records, alone.records);
  }
});

test('a member that diverges stops and is marked; the others go on unchanged', async () => {
  const cfgs = [0.05, 1e4, 0.1].map((eta, seed) => makeConfig({ ...base, loss: 'mse', eta, seed, steps: 400, divergenceThreshold: 1e30 }));
  const ens = await trainEnsemble(cfgs);
  expect(ens.map((r) => r.status.state)).toEqual(['finished', 'diverged', 'finished']);
  expect(ens[1].status.reason).toMatch(/non-finite/);
  const alone = await train(cfgs[1]);
  expect(ens[1].status.step).toBe(alone.status.step);
  expectSameRecords(ens[2].records, (await train(cfgs[2])).records);
});

test('a member held by another process: the ensemble refuses and gives back the locks it took', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thermo-ens-lock-'));
  const cfgs = [0, 1, 2].map((seed) => makeConfig({ ...base, eta: 0.05, seed, steps: 20 }));
  const dirs = cfgs.map((c) => runDir(tmp, c));
  fs.mkdirSync(dirs[2], { recursive: true });
  fs.writeFileSync(path.join(dirs[2], 'lock'), JSON.stringify({ host: os.hostname(), pid: process.ppid }));
  await expect(runEnsemble(cfgs, dirs)).rejects.toThrow(RunLockedError);
  expect(fs.existsSync(path.join(dirs[0], 'lock'))).toBe(false);
  expect(fs.existsSync(path.join(dirs[1], 'lock'))).toBe(false);
  fs.rmSync(path.join(dirs[2], 'lock'));
  expect((await runEnsemble(cfgs, dirs)).map((o) => o.status.state)).toEqual(['finished', 'finished', 'finished']);
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('sweeps plan ensembles of eligible runs with equal steps, at most 16 members', async () => {
  const mk = (eta: number, seed: number, extra: Partial<RunConfig> = {}) => ({ ...makeConfig({ ...base, eta, seed, ...extra }), steps: Math.round(100 * (0.1 / eta) ** 2) });
  const cfgs = [mk(0.1, 0), mk(0.05, 0), mk(0.1, 1), mk(0.05, 1), mk(0.1, 2, { model: 'fc', probes: ['weight-norms'] })];
  expect(planEnsembles(cfgs)).toEqual([[0, 2], [1, 3], [4]]);
  expect(planEnsembles(Array.from({ length: 20 }, (_, s) => mk(0.1, s))).map((g) => g.length)).toEqual([16, 4]);
  expect(planEnsembles(cfgs, 1)).toEqual([[0], [1], [2], [3], [4]]);
});

test('an interrupted ensemble saves per-member checkpoints and each run resumes alone to the records of an uninterrupted run', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thermo-ens-'));
  const cfgs = [0, 1, 2].map((seed) => makeConfig({ ...base, eta: 0.05, seed, steps: 600, batchSize: seed + 1 }));
  const dirs = cfgs.map((c) => runDir(tmp, c));
  const controller = new AbortController();
  let seen = 0;
  const first = await runEnsemble(cfgs, dirs, {
    signal: controller.signal,
    checkpointEverySeconds: 0,
    onProgress: (n) => {
      seen += n;
      if (seen >= 3 * 250) controller.abort();
    },
  });
  expect(first.map((o) => o.status.state)).toEqual(['running', 'running', 'running']);
  const resumed = await runEnsemble(cfgs, dirs); // runs with checkpoints resume alone
  expect(resumed.map((o) => [o.status.state, o.resumedFrom! > 0])).toEqual([['finished', true], ['finished', true], ['finished', true]]);
  for (const [m, cfg] of cfgs.entries()) {
    const fresh = path.join(tmp, `fresh-${m}`);
    await runConfig(cfg, fresh);
    expectSameRecords(readRun(dirs[m]).records, readRun(fresh).records);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});
