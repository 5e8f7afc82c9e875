import * as tf from '@tensorflow/tfjs';
import { makeConfig, type RunConfig } from '../core/config.js';
import { normalCdf } from '../core/normal.js';
import { withBackend } from '../testing/backend.js';
import { createArchitecture } from '../models/create.js';
import type { BatchedForward, Params } from '../models/arch.js';
import type { MemberModel, ProbeContext, ProbeValues } from './probe.js';
import { activationRateProbe, exactActivationRateProbe, lossProbe, weightNormsProbe } from './builtin.js';

/** A probe context over K members with the given parameters ([K, …]) and probe sets. */
function contextOf(config: RunConfig, params: Params, probeX: tf.Tensor3D, probeY: tf.Tensor2D) {
  const arch = createArchitecture(config);
  const model: MemberModel = { arch, params, forward: (x) => arch.forward(params, x), perSampleGradientStats: (x, y) => arch.perSampleGradientStats(params, x, y) };
  let fw: BatchedForward | null = null;
  const K = probeX.shape[0];
  const ctx: ProbeContext = { step: 0, size: K, configs: Array(K).fill(config), config, model, probeX, probeY, forwardOnProbeSet: () => (fw ??= model.forward(probeX)), trainingSample: async () => null, batchStats: () => null };
  const dispose = () => {
    tf.dispose([...Object.values(params), probeX, probeY]);
    const f = fw as BatchedForward | null;
    if (f) tf.dispose([...f.preActivations, f.logits]);
  };
  return { ctx, dispose };
}

/** Member m's value of a field. */
const at = (v: ProbeValues, field: string, m = 0) => { const x = v[field]; return typeof x === 'number' ? x : Number(x[m]); };

beforeAll(() => withBackend('cpu'));

/** Member 0: W = [[1,0],[0,-1],[1,1]], b = [0.5, 0, -3], V = [1, 2, -1]; member 1: W, b, V negated. Probe set of 4 inputs, labels [1,0,1,0]. */
function handContext(overrides: Partial<RunConfig> = {}) {
  const config = makeConfig({ inputDim: 2, hidden: 3, ...overrides });
  const W = [[1, 0], [0, -1], [1, 1]];
  const params: Params = {
    W: tf.tensor3d([W, W.map((r) => r.map((v) => -v))]),
    b: tf.tensor2d([[0.5, 0, -3], [-0.5, 0, 3]]),
    V: tf.tensor3d([[[1, 2, -1]], [[-1, -2, 1]]]),
  };
  const x = [[1, 1], [-1, 2], [0, 0], [2, -1]];
  return contextOf(config, params, tf.tensor3d([x, x]), tf.tensor2d([[1, 0, 1, 0], [1, 0, 1, 0]]));
}

const softplus = (f: number) => Math.log1p(Math.exp(f));
const sigmoid = (f: number) => 1 / (1 + Math.exp(-f));

test('activation rate: fraction of (unit, input) pairs with Wx + b > 0 (4 of 12 by hand; h = 0 counts as inactive)', async () => {
  const { ctx, dispose } = handContext();
  const v = await activationRateProbe.compute(ctx);
  expect(at(v, 'activationRate', 0)).toBeCloseTo(4 / 12, 7);
  expect(at(v, 'activationRate', 1)).toBeCloseTo(7 / 12, 7); // negated: h → −h; the 1 zero of member 0 stays inactive
  dispose();
});

test('exact Gaussian activation rate: mean_i Φ(b_i/‖w_i‖)', async () => {
  const { ctx, dispose } = handContext();
  const expected = (normalCdf(0.5) + 0.5 + normalCdf(-3 / Math.SQRT2)) / 3;
  const v = await exactActivationRateProbe.compute(ctx);
  expect(at(v, 'activationRateExact')).toBeCloseTo(expected, 7); // row norms are reduced in float32 on the device
  expect(at(v, 'activationRateExact', 1)).toBeCloseTo(1 - expected, 6);
  expect(expected).toBeCloseTo((0.6914624612740131 + 0.5 + 0.016947426762344) / 3, 10);
  dispose();
});

test('exact rate agrees with a large Gaussian probe set', async () => {
  const config = makeConfig({ inputDim: 8, hidden: 20, seed: 4 });
  const params: Params = { W: tf.randomNormal([1, 20, 8], 0, 0.3, 'float32', 2), b: tf.randomNormal([1, 20], 0, 0.3, 'float32', 3), V: tf.randomNormal([1, 1, 20], 0, 1, 'float32', 4) };
  const { ctx, dispose } = contextOf(config, params, tf.randomNormal([1, 40000, 8], 0, 1, 'float32', 1) as tf.Tensor3D, tf.zeros([1, 40000]) as tf.Tensor2D);
  const sampled = at(await activationRateProbe.compute(ctx), 'activationRate');
  const exact = at(await exactActivationRateProbe.compute(ctx), 'activationRateExact');
  expect(Math.abs(sampled - exact)).toBeLessThan(0.005);
  dispose();
});

test('weight norms: Frobenius norm of each parameter, and the sum of each bias', async () => {
  const { ctx, dispose } = handContext();
  const out = await weightNormsProbe.compute(ctx);
  for (const m of [0, 1]) {
    expect(at(out, 'norm_W', m)).toBeCloseTo(2, 6);
    expect(at(out, 'norm_V', m)).toBeCloseTo(Math.sqrt(6), 6);
    expect(at(out, 'norm_b', m)).toBeCloseTo(Math.sqrt(9.25), 6);
  }
  expect(at(out, 'sum_b', 0)).toBeCloseTo(-2.5, 6);
  expect(at(out, 'sum_b', 1)).toBeCloseTo(2.5, 6);
  dispose();
});

test('loss probe: mean BCE and mean (p − y)² on the probe set', async () => {
  const { ctx, dispose } = handContext();
  const f = [1.5, 0, 0.5, 4.5];
  const y = [1, 0, 1, 0];
  const bce = f.reduce((s, fi, i) => s + softplus(fi) - fi * y[i], 0) / 4;
  const sq = f.reduce((s, fi, i) => s + (sigmoid(fi) - y[i]) ** 2, 0) / 4;
  const out = await lossProbe.compute(ctx);
  expect(at(out, 'probeLoss')).toBeCloseTo(bce, 6);
  expect(at(out, 'probeSqErr')).toBeCloseTo(sq, 6);
  dispose();
});

test('loss probe with MSE: mean (f − y)² for both fields', async () => {
  const { ctx, dispose } = handContext({ loss: 'mse' });
  const f = [1.5, 0, 0.5, 4.5];
  const y = [1, 0, 1, 0];
  const mse = f.reduce((s, fi, i) => s + (fi - y[i]) ** 2, 0) / 4;
  const out = await lossProbe.compute(ctx);
  expect(at(out, 'probeLoss')).toBeCloseTo(mse, 5);
  expect(at(out, 'probeSqErr')).toBeCloseTo(mse, 5);
  dispose();
});
