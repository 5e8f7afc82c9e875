import * as tf from '@tensorflow/tfjs';
import { makeConfig, type RunConfig } from '../core/config.js';
import { useBackend } from '../backend/backends.js';
import { createArchitecture } from '../models/create.js';
import { initMember } from '../models/init.js';
import { referenceStep } from './reference.js';
import { TfjsEngine } from './tfjs.js';

beforeAll(() => useBackend('cpu'));

/** Max relative difference of two arrays (scaled by the larger of 1e-3 and the reference's max). */
function relDiff(a: Float32Array, b: Float32Array): number {
  let scale = 1e-3;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d / scale;
}

test.each([
  ['BCE, bias, Gaussian, |B| 1 and 3', { loss: 'bce' }],
  ['MSE, no bias, uniform', { loss: 'mse', bias: false, input: 'uniform' }],
  ['softmax CE, 3 classes, fixed set', { loss: 'softmax-ce', classes: 3, trainSize: 10 }],
] as const)('the tfjs engine follows the naive reference step for step: %s', async (_n, extra) => {
  const cfgs: RunConfig[] = [1, 3].map((B, seed) => makeConfig({ inputDim: 6, hidden: 5, eta: 0.1, seed, batchSize: B, steps: 50, ...extra }));
  const engine = await TfjsEngine.create(cfgs);
  const arch = createArchitecture(cfgs[0]);
  const ref = cfgs.map((c) => {
    const p = initMember(c, arch);
    return { W: p.W, b: p.b ?? new Float32Array(0), V: p.V };
  });
  const losses = [0, 0];
  await engine.advance(0, 40, [true, true]);
  for (let t = 0; t < 40; t++) cfgs.forEach((c, m) => (losses[m] += referenceStep(c, ref[m], t)));
  for (let m = 0; m < 2; m++) {
    const s = await engine.save(m);
    expect(relDiff(s.params.W, ref[m].W)).toBeLessThan(1e-4);
    expect(relDiff(s.params.V, ref[m].V)).toBeLessThan(1e-4);
    if (ref[m].b.length) expect(relDiff(s.params.b, ref[m].b)).toBeLessThan(1e-4);
    expect(Math.abs(s.lossSum - losses[m]) / Math.abs(losses[m])).toBeLessThan(1e-4);
  }
  const before = tf.memory().numTensors;
  const state = await engine.save(1);
  await engine.load(0, state);
  expect(Array.from((await engine.save(0)).params.W)).toEqual(Array.from(state.params.W));
  expect(tf.memory().numTensors).toBe(before);
  engine.dispose();
});
