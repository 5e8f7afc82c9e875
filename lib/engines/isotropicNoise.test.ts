/**
 * The isotropic-noise control (`gradientNoise: 'isotropic'`): a full-batch step plus noise whose total
 * variance per step equals SGD's at |B| = noiseBatchSize, i.e. tr Σ / noiseBatchSize spread evenly over the
 * P parameters, Σ the covariance of the per-sample gradients over the training set at the current
 * parameters, checked against a naive per-sample loop.
 */
import * as tf from '@tensorflow/tfjs';
import { makeConfig } from '../core/config.js';
import { useBackend } from '../backend/backends.js';
import { naiveStats } from '../testing/naiveStats.js';
import { TfjsEngine } from './tfjs.js';

beforeAll(() => useBackend('cpu'));

test("the noise of one step has SGD's total variance at |B| = noiseBatchSize, tr Σ / noiseBatchSize, on every parameter alike", async () => {
  const n = 16;
  const nb = 4;
  const eta = 0.1;
  const gd = makeConfig({ inputDim: 100, hidden: 100, trainSize: n, batchSize: n, eta, seed: 3, probes: ['loss'] });
  const noisy = makeConfig({ ...gd, gradientNoise: 'isotropic', noiseBatchSize: nb });
  const before = tf.memory().numTensors;
  const after = async (cfg: typeof gd, steps: number) => {
    const e = await TfjsEngine.create([cfg]);
    if (steps) await e.advance(0, steps, [true]);
    const { params } = await e.save(0);
    e.dispose();
    return params;
  };
  const init = await after(gd, 0);
  const [plain, withNoise] = [await after(gd, 1), await after(noisy, 1)];
  // tr Σ at the initial parameters over the training set (the full batch of step 0), by a naive loop
  const { sumSq, mean } = await naiveStats(gd, init, 0);
  const trace = Object.keys(sumSq).reduce((t, k) => t + sumSq[k] / n - mean[k].reduce((s, g) => s + g * g, 0), 0);
  const P = Object.values(init).reduce((a, v) => a + v.length, 0);
  const sigma2 = trace / (nb * P);
  // the same init and batch: the two steps differ by the noise alone, η·σ·ξ with ξ ~ N(0, I)
  const meanSquare = (name: string) => {
    const d = withNoise[name].map((v, i) => (v - plain[name][i]) / eta);
    return d.reduce((s, v) => s + v * v, 0) / d.length;
  };
  const total = Object.keys(init).reduce((s, k) => s + meanSquare(k) * init[k].length, 0) / P;
  // P = 10,200 draws: relative s.d. of the mean square √(2/P) = 1.4%
  expect(Math.abs(total / sigma2 - 1)).toBeLessThan(0.05);
  // isotropic: the 10,000 weights of W see the same variance as the whole
  expect(Math.abs(meanSquare('W') / sigma2 - 1)).toBeLessThan(0.06);
  expect(tf.memory().numTensors).toBe(before);
});
