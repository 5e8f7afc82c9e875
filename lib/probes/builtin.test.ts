import * as tf from '@tensorflow/tfjs';
import { makeConfig, type RunConfig } from '../core/config.js';
import { normalCdf } from '../core/normal.js';
import { withBackend } from '../testing/backend.js';
import { TwoLayerModel } from '../models/twoLayer.js';
import type { ForwardPass } from '../models/model.js';
import type { ProbeContext } from './probe.js';
import { activationRateProbe, exactActivationRateProbe, lossProbe, weightNormsProbe } from './builtin.js';

beforeAll(() => withBackend('cpu'));

/** W = [[1,0],[0,-1],[1,1]], b = [0.5, 0, -3], V = [1, 2, -1]; probe set of 4 inputs with labels [1,0,1,0]. */
function handContext(overrides: Partial<RunConfig> = {}) {
  const config = makeConfig({ inputDim: 2, hidden: 3, ...overrides });
  const model = new TwoLayerModel(config);
  model.W.assign(tf.tensor2d([[1, 0], [0, -1], [1, 1]]));
  model.b!.assign(tf.tensor1d([0.5, 0, -3]));
  model.V.assign(tf.tensor2d([[1, 2, -1]]));
  const probeX = tf.tensor2d([[1, 1], [-1, 2], [0, 0], [2, -1]]);
  const probeY = tf.tensor1d([1, 0, 1, 0]);
  let fw: ForwardPass | null = null;
  const ctx: ProbeContext = { step: 0, config, model, probeX, probeY, forwardOnProbeSet: () => (fw ??= model.forward(probeX)) };
  return { ctx, dispose: () => { model.dispose(); tf.dispose([probeX, probeY]); if (fw) tf.dispose([...fw.preActivations, fw.logits]); } };
}

const softplus = (f: number) => Math.log1p(Math.exp(f));
const sigmoid = (f: number) => 1 / (1 + Math.exp(-f));

test('activation rate: fraction of (unit, input) pairs with Wx + b > 0 (4 of 12 by hand; h = 0 counts as inactive)', async () => {
  const { ctx, dispose } = handContext();
  expect((await activationRateProbe.compute(ctx)).activationRate).toBeCloseTo(4 / 12, 7);
  dispose();
});

test('exact Gaussian activation rate: mean_i Φ(b_i/‖w_i‖)', async () => {
  const { ctx, dispose } = handContext();
  const expected = (normalCdf(0.5) + 0.5 + normalCdf(-3 / Math.SQRT2)) / 3;
  expect((await exactActivationRateProbe.compute(ctx)).activationRateExact).toBeCloseTo(expected, 12);
  expect(expected).toBeCloseTo((0.6914624612740131 + 0.5 + 0.016947426762344) / 3, 10);
  dispose();
});

test('exact rate agrees with a large Gaussian probe set', async () => {
  const config = makeConfig({ inputDim: 8, hidden: 20, seed: 4 });
  const model = new TwoLayerModel(config);
  const probeX = tf.randomNormal([40000, 8], 0, 1, 'float32', 1) as tf.Tensor2D;
  const probeY = tf.zeros([40000]) as tf.Tensor1D;
  const ctx: ProbeContext = { step: 0, config, model, probeX, probeY, forwardOnProbeSet: () => model.forward(probeX) };
  const sampled = (await activationRateProbe.compute(ctx)).activationRate;
  const exact = (await exactActivationRateProbe.compute(ctx)).activationRateExact;
  expect(Math.abs(sampled - exact)).toBeLessThan(0.005);
  model.dispose();
  tf.dispose([probeX, probeY]);
});

test('weight norms: Frobenius norm of each parameter', async () => {
  const { ctx, dispose } = handContext();
  const out = await weightNormsProbe.compute(ctx);
  expect(out.norm_W).toBeCloseTo(2, 7);
  expect(out.norm_V).toBeCloseTo(Math.sqrt(6), 7);
  expect(out.norm_b).toBeCloseTo(Math.sqrt(9.25), 7);
  dispose();
});

test('loss probe: mean BCE and mean (p − y)² on the probe set', async () => {
  const { ctx, dispose } = handContext();
  const f = [1.5, 0, 0.5, 4.5];
  const y = [1, 0, 1, 0];
  const bce = f.reduce((s, fi, i) => s + softplus(fi) - fi * y[i], 0) / 4;
  const sq = f.reduce((s, fi, i) => s + (sigmoid(fi) - y[i]) ** 2, 0) / 4;
  const out = await lossProbe.compute(ctx);
  expect(out.probeLoss).toBeCloseTo(bce, 6);
  expect(out.probeSqErr).toBeCloseTo(sq, 6);
  dispose();
});

test('loss probe with MSE: mean (f − y)² for both fields', async () => {
  const { ctx, dispose } = handContext({ loss: 'mse' });
  const f = [1.5, 0, 0.5, 4.5];
  const y = [1, 0, 1, 0];
  const mse = f.reduce((s, fi, i) => s + (fi - y[i]) ** 2, 0) / 4;
  const out = await lossProbe.compute(ctx);
  expect(out.probeLoss).toBeCloseTo(mse, 5);
  expect(out.probeSqErr).toBeCloseTo(mse, 5);
  dispose();
});
