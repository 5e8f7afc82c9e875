import * as tf from '@tensorflow/tfjs';
import { makeConfig } from '../core/config.js';
import { useBackend } from '../backend/backends.js';
import type { Probe } from '../probes/probe.js';
import { every } from '../probes/schedule.js';
import type { Checkpoint } from './checkpoint.js';
import { train } from './trainer.js';

beforeAll(() => useBackend('cpu'));

const small = { inputDim: 10, hidden: 10, probeSamples: 200, probeLogPoints: 10, probeLinearPoints: 5 };

test('the same config gives the same records; another seed does not', async () => {
  const cfg = makeConfig({ ...small, steps: 300, seed: 2 });
  const a = (await train(cfg)).records;
  const b = (await train(cfg)).records;
  expect(b).toEqual(a);
  const c = (await train({ ...cfg, seed: 3 })).records;
  expect(c[c.length - 1].norm_V).not.toEqual(a[a.length - 1].norm_V);
});

test('records the initial state, the scheduled steps and the last step, with trainLoss after step 0', async () => {
  const { records, status } = await train(makeConfig({ ...small, steps: 100 }));
  expect(status.state).toBe('finished');
  expect(status.step).toBe(100);
  expect(records[0].step).toBe(0);
  expect(records[0].trainLoss).toBeUndefined();
  expect(records[records.length - 1].step).toBe(100);
  expect(records[1].trainLoss).toBeGreaterThan(0);
  for (const k of ['activationRate', 'activationRateExact', 'norm_W', 'norm_V', 'norm_b', 'probeLoss', 'probeSqErr']) {
    expect(Number.isFinite(records[0][k])).toBe(true);
  }
});

test('a 2,000-step run leaves tf.memory().numTensors unchanged', async () => {
  await train(makeConfig({ ...small, steps: 10 })); // warm up kernels
  const before = tf.memory().numTensors;
  await train(makeConfig({ ...small, steps: 2000, batchSize: 3 }));
  expect(tf.memory().numTensors).toBe(before);
});

test.each([
  ['fc', { model: 'fc', depth: 3 }],
  ['cnn', { model: 'cnn', inputDim: 16, convLayers: 2, channels: 2, kernel: 3 }],
] as const)('a %s run with every probe (gradient variance on a slice of the probe set) leaves numTensors unchanged', async (_n, extra) => {
  const cfg = makeConfig({ ...small, ...extra, steps: 200, probes: ['activation-rate', 'weight-norms', 'loss', 'grad-variance'], gradVarSamples: 50 });
  await train({ ...cfg, steps: 5 });
  const before = tf.memory().numTensors;
  await train(cfg);
  expect(tf.memory().numTensors).toBe(before);
});

test('a custom probe needs no change to the trainer and runs on its own schedule', async () => {
  const seen: number[] = [];
  const probe: Probe = {
    name: 'step-parity',
    schedule: every(25),
    compute: (ctx) => {
      seen.push(ctx.step);
      return { parity: ctx.step % 2 };
    },
  };
  const { records } = await train(makeConfig({ ...small, steps: 100, probeLogPoints: 0, probeLinearPoints: 0 }), { extraProbes: [probe] });
  expect(seen).toEqual([0, 25, 50, 75, 100]);
  expect(records.filter((r) => 'parity' in r).map((r) => r.step)).toEqual([0, 25, 50, 75, 100]);
});

test('divergence: a huge learning rate stops the run, marks it diverged and keeps its records', async () => {
  const records: number[] = [];
  const result = await train(makeConfig({ ...small, steps: 5000, eta: 1e4, loss: 'mse', divergenceThreshold: 1e30 }), {
    onRecord: (r) => records.push(r.step),
  });
  expect(result.status.state).toBe('diverged');
  expect(result.status.reason).toMatch(/non-finite/);
  expect(result.status.step).toBeLessThan(5000);
  expect(result.records.length).toBeGreaterThan(0);
  expect(result.records.map((r) => r.step)).toEqual(records);
});

test('divergence threshold on a parameter norm', async () => {
  const result = await train(makeConfig({ ...small, steps: 3000, eta: 50, divergenceThreshold: 20 }));
  expect(result.status.state).toBe('diverged');
  expect(result.status.reason).toMatch(/exceeds divergenceThreshold 20/);
});

test('online SGD and a fixed training set both train; a fixed set reuses its samples', async () => {
  const online = await train(makeConfig({ ...small, steps: 200 }));
  const fixed = await train(makeConfig({ ...small, steps: 200, trainSize: 16, batchSize: 4 }));
  expect(online.status.state).toBe('finished');
  expect(fixed.status.state).toBe('finished');
  // With 16 samples the model can fit: train loss falls below the random-label level ln 2.
  const long = await train(makeConfig({ ...small, hidden: 50, steps: 4000, trainSize: 16, batchSize: 4, eta: 0.5 }));
  expect(long.records[long.records.length - 1].trainLoss).toBeLessThan(0.5);
});

test('the entry points check their input: unknown options, bad configs, members that cannot train together', async () => {
  const cfg = makeConfig({ ...small, steps: 10 });
  await expect(train(cfg, { egnine: 'tfjs' } as never)).rejects.toThrow(/options\.egnine: got 'tfjs'; allowed: no such option/);
  await expect(train({ ...cfg, eta: -5 })).rejects.toThrow(/config\.eta: got -5; allowed: a finite number > 0/);
  await expect(train({ ...cfg, bogus: 1 } as never)).rejects.toThrow(/config\.bogus: got 1; allowed: no such option/);
  await expect(train(cfg, { engine: 'gpu' as never })).rejects.toThrow(/options\.engine: got 'gpu'; allowed: one of 'tfjs'/);
  const { trainMembers } = await import('./trainer.js');
  await expect(trainMembers([cfg, { ...cfg, hidden: 7 }])).rejects.toThrow(/members\[1\]\.hidden: got 7; allowed: 10, as member 0: runs trained together differ only in eta, seed, batchSize, steps/);
  await expect(trainMembers([cfg, { ...cfg, loss: 'mse' }])).rejects.toThrow(/members\[1\]\.loss: got 'mse'/);
  // options that would keep a signal waiting, or break the measurement, are refused
  await expect(train(cfg, { sliceMs: 1e9 })).rejects.toThrow(/options\.sliceMs: got 1000000000; allowed: a finite number > 0 <= 1000/);
  await expect(train(cfg, { sliceMs: NaN })).rejects.toThrow(/options\.sliceMs: got NaN/);
  await expect(train(cfg, { measureFloats: 'abc' as never })).rejects.toThrow(/options\.measureFloats: got 'abc'; allowed: an integer/);
  await expect(train(cfg, { signal: 'nope' as never })).rejects.toThrow(/options\.signal: got 'nope'; allowed: an AbortSignal/);
  // the memory check of the CLI, also through the API
  await expect(train(makeConfig({ inputDim: 100, hidden: 1000, probeSamples: 1e6 }))).rejects.toThrow(/config\.probeSamples: got 1000000; allowed: a smaller value/);
});

test('a signal during a slow record stops it part-way: nothing of it is recorded, the checkpoint says it is still due, and the resumed run records what an uninterrupted one does', async () => {
  const cfg = makeConfig({ ...small, steps: 40, probeLogPoints: 0, probeLinearPoints: 0, probeEvery: 20 });
  // two slow probes: the record at step 20 takes 2 × 150 ms; the signal fires 50 ms into it
  let armed: AbortController | null = null;
  const slow = (name: string): Probe => ({
    name,
    compute: async (ctx) => {
      if (ctx.step === 20 && armed) setTimeout(() => armed?.abort(), 50);
      await new Promise((r) => setTimeout(r, 150));
      return { [name]: ctx.step };
    },
  });
  const extraProbes = [slow('slowA'), slow('slowB')];
  const whole = await train(cfg, { extraProbes });
  armed = new AbortController();
  const checkpoints: Checkpoint[] = [];
  const cut = await train(cfg, { extraProbes, signal: armed.signal, sliceMs: 10, onCheckpoint: (c) => checkpoints.push(c) });
  expect(cut.status.state).toBe('running');
  expect(cut.records.map((r) => r.step)).toEqual([0]);
  const last = checkpoints[checkpoints.length - 1];
  expect(last).toMatchObject({ step: 20, recorded: false, lastRecord: 0 });
  armed = null;
  const resumed = await train(cfg, { extraProbes, resumeFrom: last });
  expect([...cut.records, ...resumed.records]).toEqual(whole.records);

  // a record that reads the statistics of the step that led to it is not cut (a resume could not give them)
  const withBatch = makeConfig({ ...cfg, probes: [...cfg.probes, 'batch-grad-variance'] });
  const wholeB = await train(withBatch, { extraProbes });
  armed = new AbortController();
  const made: Checkpoint[] = [];
  const cutB = await train(withBatch, { extraProbes, signal: armed.signal, sliceMs: 10, onCheckpoint: (c) => made.push(c) });
  expect(cutB.records.map((r) => r.step)).toEqual([0, 20]);
  expect(made[made.length - 1]).toMatchObject({ step: 20, recorded: true });
  armed = null;
  const resumedB = await train(withBatch, { extraProbes, resumeFrom: made[made.length - 1] });
  const all = [...cutB.records, ...resumedB.records];
  expect(all).toEqual(wholeB.records);
  expect(all.filter((r) => Number.isFinite(r.batchGradVar)).map((r) => r.step)).toEqual([20, 40]);
});
