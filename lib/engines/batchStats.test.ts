/**
 * The training batch's per-sample gradient statistics from the step's own pass (Engine.advanceWithBatchStats
 * on the tfjs engine, and the `batch-grad-variance` probe): against a naive loop of one backward pass per
 * sample on the same batch at the same parameters, members of different |B| included; the step they come
 * from moves the parameters as a plain step does; the probe's records; engine selection.
 */
import * as tf from '@tensorflow/tfjs';
import { makeConfig } from '../core/config.js';
import { useBackend } from '../backend/backends.js';
import { relError } from '../testing/compare.js';
import { naiveStats } from '../testing/naiveStats.js';
import { train } from '../train/trainer.js';
import { configHash } from '../records/runDir.js';
import type { Checkpoint } from '../train/checkpoint.js';
import { pickEngine } from './create.js';
import { TfjsEngine } from './tfjs.js';

beforeAll(() => useBackend('cpu'));

const base = { model: 'fc', depth: 3, inputDim: 6, hidden: 5, classes: 3, loss: 'softmax-ce', probes: ['loss'] } as const;

test('the statistics of the last step equal a naive per-sample loop on its batch, members of |B| 4, 4 and 2; that step moves the parameters as a plain one', async () => {
  const configs = [
    makeConfig({ ...base, eta: 0.05, seed: 1, batchSize: 4 }),
    makeConfig({ ...base, eta: 0.1, seed: 2, batchSize: 4 }),
    makeConfig({ ...base, eta: 0.1, seed: 3, batchSize: 2 }),
  ];
  const before = tf.memory().numTensors;
  const a = await TfjsEngine.create(configs);
  const b = await TfjsEngine.create(configs);
  const all = configs.map(() => true);
  await a.advance(0, 5, all);
  const bs = await a.advanceWithBatchStats(5, 3, all); // steps 5, 6, 7: the statistics of step 7
  await b.advance(0, 7, all);
  for (const [m, cfg] of configs.entries()) {
    const at7 = (await b.save(m)).params;
    const want = await naiveStats(cfg, at7, 7);
    expect(bs!.n[m]).toBe(cfg.batchSize);
    for (const [name, st] of Object.entries(bs!.stats)) {
      const sumSq = (await st.sumSq.data())[m];
      expect(Math.abs(sumSq - want.sumSq[name]) / want.sumSq[name]).toBeLessThan(1e-5);
      const size = want.mean[name].length;
      const mean = (await st.mean.data()).slice(m * size, (m + 1) * size) as Float32Array;
      expect(relError(mean, want.mean[name])).toBeLessThan(1e-5);
    }
  }
  await b.advance(7, 1, all);
  for (let m = 0; m < configs.length; m++) {
    const [pa, pb] = [(await a.save(m)).params, (await b.save(m)).params];
    for (const name of Object.keys(pa)) expect(relError(pa[name], pb[name])).toBeLessThan(1e-6);
  }
  expect(Math.abs((await a.lossSums())[0] - (await b.lossSums())[0])).toBeLessThan(1e-5);
  for (const st of Object.values(bs!.stats)) tf.dispose([st.sumSq, st.mean]);
  a.dispose();
  b.dispose();
  expect(tf.memory().numTensors).toBe(before);
});

test('the probe records the batch variance after step 0 and leaves training as it was; it picks the tfjs engine', async () => {
  const cfg = makeConfig({ ...base, batchSize: 8, steps: 60, probeLogPoints: 4, probeLinearPoints: 3, probes: ['weight-norms', 'batch-grad-variance'] });
  const before = tf.memory().numTensors;
  const withProbe = await train(cfg);
  const without = await train({ ...cfg, probes: ['weight-norms'] });
  expect(tf.memory().numTensors).toBe(before);
  const recs = withProbe.records;
  expect(recs[0].batchGradVar).toBeUndefined(); // no step led to step 0
  for (const r of recs.slice(1)) {
    expect(r.batchGradVar).toBeGreaterThan(0);
    expect(r.batchGradVar).toBeCloseTo(Object.keys(r).filter((k) => k.startsWith('batchGradVar_')).reduce((s, k) => s + r[k]!, 0), 10);
  }
  const last = (rs: typeof recs) => rs[rs.length - 1];
  for (const k of ['norm_W1', 'norm_W2', 'norm_W3']) expect(Math.abs(last(recs)[k]! - last(without.records)[k]!) / last(without.records)[k]!).toBeLessThan(1e-5);
  const two = [makeConfig({ model: 'two-layer', inputDim: 6, hidden: 5, probes: ['batch-grad-variance'] })];
  expect(pickEngine(two)).toBe('tfjs');
  expect(() => pickEngine(two, 'wasm-fused')).toThrow(/engine: got 'wasm-fused'; .*'batch-grad-variance' probe needs the tfjs engine/);
});

test('gradVarUnbiased, which scales the probe, is part of a run with only batch-grad-variance', () => {
  const cfg = makeConfig({ ...base, probes: ['batch-grad-variance'] });
  expect(configHash({ ...cfg, gradVarUnbiased: true })).not.toBe(configHash({ ...cfg, gradVarUnbiased: false }));
  const plain = makeConfig({ ...base, probes: ['loss'] });
  expect(configHash({ ...plain, gradVarUnbiased: true })).toBe(configHash({ ...plain, gradVarUnbiased: false }));
});

test('a 3,000-step run with the probe keeps tf.memory().numTensors flat; a resumed run records what the uninterrupted one does', async () => {
  const cfg = makeConfig({ ...base, batchSize: 8, steps: 3000, probeLogPoints: 10, probeLinearPoints: 30, probes: ['batch-grad-variance'] });
  await train({ ...cfg, steps: 20 }); // warm up kernels
  const before = tf.memory().numTensors;
  const counts: number[] = [];
  const whole = await train(cfg, { onRecord: () => counts.push(tf.memory().numTensors) });
  expect(tf.memory().numTensors).toBe(before);
  expect(Math.max(...counts.slice(2)) - Math.min(...counts.slice(2))).toBe(0);
  // stopped after its 10th record, then resumed from the checkpoint taken when it stopped
  const stop = new AbortController();
  let n = 0;
  let cp: Checkpoint | null = null;
  const first = await train(cfg, { signal: stop.signal, onRecord: () => ++n === 10 && stop.abort(), onCheckpoint: (c) => (cp = c) });
  expect(first.status.state).not.toBe('finished');
  expect(cp).not.toBeNull();
  expect(cp!.step).toBeGreaterThan(0);
  const rest = await train(cfg, { resumeFrom: cp });
  const after = whole.records.filter((r) => r.step > cp!.step);
  expect(rest.records.filter((r) => r.step > cp!.step).map((r) => r.step)).toEqual(after.map((r) => r.step));
  rest.records.filter((r) => r.step > cp!.step).forEach((r, i) => expect(Math.abs(r.batchGradVar! - after[i].batchGradVar!) / after[i].batchGradVar!).toBeLessThan(1e-6));
}, 120000);
