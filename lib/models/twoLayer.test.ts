import * as tf from '@tensorflow/tfjs';
import { makeConfig } from '../core/config.js';
import { withBackend } from '../testing/backend.js';
import { perSampleLoss } from './losses.js';
import { TwoLayerModel } from './single.js';
import { matMul } from './matmul.js';

beforeAll(() => withBackend('cpu'));

function batch(B: number, M: number, seed: number) {
  const x = tf.randomNormal([B, M], 0, 1, 'float32', seed) as tf.Tensor2D;
  const y = tf.cast(tf.greater(tf.randomUniform([B], 0, 1, 'float32', seed + 1), 0.5), 'float32') as tf.Tensor1D;
  return { x, y };
}

describe('TwoLayerModel gradients', () => {
  const cases = [
    { loss: 'bce', bias: true, B: 1 },
    { loss: 'bce', bias: true, B: 7 },
    { loss: 'bce', bias: false, B: 4 },
    { loss: 'mse', bias: true, B: 5 },
    { loss: 'mse', bias: false, B: 1 },
  ] as const;
  test.each(cases)('hand-written gradients equal tfjs autodiff ($loss, bias $bias, |B| $B)', ({ loss, bias, B }) => {
    const cfg = makeConfig({ inputDim: 6, hidden: 5, bias, loss, seed: 3 });
    const model = new TwoLayerModel(cfg);
    const { x, y } = batch(B, 6, 11);
    const { loss: l, grads } = model.lossAndGradients(x, y);
    const auto = tf.variableGrads(() => {
      let h = tf.matMul(x, model.W, false, true);
      if (model.b) h = tf.add(h, model.b);
      const f = tf.matMul(tf.relu(h), model.V, false, true) as tf.Tensor2D;
      return tf.mean(perSampleLoss(loss, f, y)) as tf.Scalar;
    });
    expect(l.dataSync()[0]).toBeCloseTo(auto.value.dataSync()[0], 6);
    for (const name of Object.keys(model.params)) {
      const mine = grads[name].dataSync();
      const theirs = auto.grads[model.params[name].name].dataSync();
      expect(mine.length).toBe(theirs.length);
      for (let i = 0; i < mine.length; i++) expect(mine[i]).toBeCloseTo(theirs[i], 6);
    }
    tf.dispose([x, y, l, ...Object.values(grads), auto.value, ...Object.values(auto.grads)]);
    model.dispose();
  });

  test('gradient matches central finite differences (float64 check on V and b)', () => {
    const cfg = makeConfig({ inputDim: 4, hidden: 3, seed: 5 });
    const model = new TwoLayerModel(cfg);
    const x = tf.tensor2d([[0.3, -1.2, 0.7, 0.1], [1.5, 0.2, -0.4, -0.9]]);
    const y = tf.tensor1d([1, 0]);
    const { grads } = model.lossAndGradients(x, y);
    const eps = 1e-2;
    for (const name of ['V', 'b'] as const) {
      const p = model.params[name];
      const base = p.dataSync().slice();
      const g = grads[name].dataSync();
      for (let i = 0; i < base.length; i++) {
        const at = (delta: number) => {
          const v = base.slice();
          v[i] += delta;
          p.assign(tf.tensor(v, p.shape));
          const { loss, grads: gs } = model.lossAndGradients(x, y);
          const out = loss.dataSync()[0];
          tf.dispose([loss, ...Object.values(gs)]);
          return out;
        };
        const fd = (at(eps) - at(-eps)) / (2 * eps);
        expect(g[i]).toBeCloseTo(fd, 3);
      }
      p.assign(tf.tensor(base, p.shape));
    }
    model.dispose();
  });

  test('pytorch-default init draws W, b ~ U(±1/√M) and V ~ U(±1/√N), reproducibly', () => {
    const cfg = makeConfig({ inputDim: 400, hidden: 50, seed: 9 });
    const a = new TwoLayerModel(cfg);
    const b = new TwoLayerModel(cfg);
    const w = a.W.dataSync();
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(400));
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.95 / Math.sqrt(400));
    expect(Math.max(...a.V.dataSync().map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(50));
    expect(Array.from(b.W.dataSync())).toEqual(Array.from(w));
    a.dispose();
    b.dispose();
  });
});

describe('matMul', () => {
  test('equals tf.matMul, including inner dimension 1', () => {
    const a = tf.randomNormal([3, 1], 0, 1, 'float32', 1) as tf.Tensor2D;
    const b = tf.randomNormal([1, 4], 0, 1, 'float32', 2) as tf.Tensor2D;
    expect(Array.from(matMul(a, b).dataSync())).toEqual(Array.from(tf.matMul(a, b).dataSync()));
    const at = tf.transpose(a) as tf.Tensor2D;
    const mine = matMul(at, b, true, false).dataSync();
    const ref = tf.matMul(at, b, true, false).dataSync();
    for (let i = 0; i < ref.length; i++) expect(mine[i]).toBeCloseTo(ref[i], 6);
  });
});
