import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { makeConfig, type RunConfig } from '../core/config.js';
import { useBackend } from '../backend/backends.js';
import type { Probe } from '../probes/probe.js';
import { readRun } from '../records/reader.js';
import { runDir } from '../records/runDir.js';
import { expectRecordsAgree } from '../testing/agree.js';
import { runMembers } from '../sweep/runner.js';
import { train, trainMembers } from './trainer.js';

beforeAll(() => useBackend('wasm'));
afterAll(() => useBackend('cpu'));

const base = { inputDim: 12, hidden: 9, probeSamples: 150, probeLogPoints: 12, probeLinearPoints: 6 } as const;
const tol = { activation: 2 / (150 * 9), relative: 2e-5 };

test.each([
  ['BCE with bias, Gaussian', { loss: 'bce', bias: true, input: 'gaussian' }],
  ['BCE without bias, uniform', { loss: 'bce', bias: false, input: 'uniform' }],
  ['MSE, fixed training set', { loss: 'mse', trainSize: 24 }],
  ['3-class softmax CE', { loss: 'softmax-ce', classes: 3 }],
  ['FC depth 3', { model: 'fc', depth: 3, probes: ['activation-rate', 'weight-norms', 'loss', 'grad-variance'], gradVarSamples: 40 }],
  ['CNN, 2 conv layers', { model: 'cnn', inputDim: 16, convLayers: 2, channels: 2, kernel: 3, probes: ['activation-rate', 'weight-norms', 'loss', 'grad-variance'], gradVarSamples: 20, probeSamples: 40 }],
] as const)('each member trained together (own η, seed, |B|, steps) records what it records alone: %s', async (name, extra) => {
  const steps = name.startsWith('CNN') ? 60 : 300;
  const cfgs: RunConfig[] = [
    makeConfig({ ...base, ...extra, eta: 0.05, seed: 0, batchSize: 1, steps }),
    makeConfig({ ...base, ...extra, eta: 0.1, seed: 1, batchSize: 3, steps: (2 * steps) / 3 }),
    makeConfig({ ...base, ...extra, eta: 0.02, seed: 0, batchSize: 2, steps }),
  ];
  const before = tf.memory().numTensors;
  const together = await trainMembers(cfgs);
  expect(tf.memory().numTensors).toBe(before);
  for (const [m, cfg] of cfgs.entries()) {
    const alone = await train(cfg);
    expect(together[m].status.state).toBe(alone.status.state);
    expect(together[m].status.step).toBe(alone.status.step);
    expectRecordsAgree(together[m].records, alone.records, name.startsWith('CNN') || name.startsWith('FC') ? { ...tol, relative: 1e-4 } : tol);
  }
});

test('a member that diverges stops at a check step and is marked; the others go on unchanged', async () => {
  const cfgs = [0.05, 1e4, 0.1].map((eta, seed) => makeConfig({ ...base, loss: 'mse', eta, seed, steps: 400, divergenceThreshold: 1e30 }));
  const together = await trainMembers(cfgs);
  expect(together.map((r) => r.status.state)).toEqual(['finished', 'diverged', 'finished']);
  expect(together[1].status.reason).toMatch(/non-finite/);
  const alone = await train(cfgs[1]);
  expect(together[1].status.step).toBe(alone.status.step);
  expect(together[1].status.step % 100 === 0 || together[1].records.length > 0).toBe(true);
  expectRecordsAgree(together[2].records, (await train(cfgs[2])).records, tol);
});

test('custom probes run on every member, with per-member values', async () => {
  const probe: Probe = {
    name: 'eta-times-step',
    compute: (ctx) => ({ etaStep: ctx.configs.map((c) => c.eta * ctx.step), width: ctx.model.params.W.shape[1] as number }),
  };
  const cfgs = [0.05, 0.1].map((eta, seed) => makeConfig({ ...base, eta, seed, steps: 50, probeLogPoints: 0, probeLinearPoints: 2 }));
  const res = await trainMembers(cfgs, { extraProbes: [probe] });
  expect(res[0].records.map((r) => r.etaStep)).toEqual([0, 25 * 0.05, 50 * 0.05]);
  expect(res[1].records.map((r) => r.etaStep)).toEqual([0, 25 * 0.1, 50 * 0.1]);
  expect(res[1].records[0].width).toBe(9);
});

test('an interrupted group resumes from its checkpoints to exactly the records of an uninterrupted group', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thermo-members-'));
  const cfgs = [0, 1, 2].map((seed) => makeConfig({ ...base, eta: 0.05, seed, steps: 600, batchSize: seed + 1 }));
  const dirs = cfgs.map((c) => runDir(path.join(tmp, 'a'), c));
  const controller = new AbortController();
  let seen = 0;
  const first = await runMembers(cfgs, dirs, {
    signal: controller.signal,
    checkpointEverySeconds: 0,
    onProgress: (n) => {
      seen += n;
      if (seen >= 3 * 250) controller.abort();
    },
  });
  expect(first.map((o) => o.status.state)).toEqual(['running', 'running', 'running']);
  expect(readRun(dirs[0]).status.step).toBeGreaterThan(0); // the checkpoint's step, not 0
  const resumed = await runMembers(cfgs, dirs);
  expect(resumed.map((o) => [o.status.state, (o.resumedFrom ?? 0) > 0])).toEqual([['finished', true], ['finished', true], ['finished', true]]);
  const fresh = cfgs.map((c) => runDir(path.join(tmp, 'b'), c));
  await runMembers(cfgs, fresh);
  for (let m = 0; m < 3; m++) expect(readRun(dirs[m]).records).toEqual(readRun(fresh[m]).records);
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('an expensive probe on its own schedule is computed once per record for all members, not once per member', async () => {
  const cfgs = [0, 1, 2, 3].map((seed) => makeConfig({ ...base, model: 'fc', depth: 3, seed, steps: 40, probes: ['grad-variance'], gradVarSamples: 20, gradVarLogPoints: 3 }));
  const { gradVarianceProbe } = await import('../probes/builtin.js');
  const calls: number[] = [];
  const compute = gradVarianceProbe.compute;
  (gradVarianceProbe as { compute: typeof compute }).compute = (ctx) => {
    calls.push(ctx.size);
    return compute(ctx);
  };
  try {
    const res = await trainMembers(cfgs);
    const records = res[0].records.filter((r) => 'gradVar' in r).length;
    expect(calls).toEqual(new Array(records).fill(4));
  } finally {
    (gradVarianceProbe as { compute: typeof compute }).compute = compute;
  }
});

test('members measured one per part (a small measureFloats: each selected by a slice) record the same, without leaks', async () => {
  const extra = { model: 'fc', depth: 3, probes: ['activation-rate', 'weight-norms', 'loss'] } as const;
  // member 1 ends early: later records measure members 0 and 2, each on its own
  const cfgs = [0, 1, 2].map((s) => makeConfig({ ...base, ...extra, eta: 0.05, seed: s, steps: s === 1 ? 100 : 200 }));
  const whole = await trainMembers(cfgs);
  const before = tf.memory().numTensors;
  const parts = await trainMembers(cfgs, { measureFloats: 1 });
  expect(tf.memory().numTensors).toBe(before);
  for (const m of [0, 1, 2]) expectRecordsAgree(parts[m].records, whole[m].records, { ...tol, relative: 1e-6 });
});
