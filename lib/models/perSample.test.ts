import * as tf from '@tensorflow/tfjs';
import { makeConfig, type RunConfig } from '../core/config.js';
import { useBackend } from '../backend/backends.js';
import { createModel } from './single.js';
import { perSampleLoss } from './losses.js';
import type { Model } from './model.js';
import { SequentialNet } from './single.js';
import { convFilterGradient, convInputGradient, perSampleConvKernels } from './conv.js';
import { setWasmKernels } from '../backend/wasmKernels.js';
import { SequentialArch } from './sequential.js';
import { unfold, unfoldByConv } from './perSample.js';

beforeAll(() => useBackend('cpu'));

/** Naive reference: per-sample gradients by autodiff, one sample at a time. */
function naiveStats(model: Model, loss: RunConfig['loss'], x: tf.Tensor2D, y: tf.Tensor1D) {
  const names = Object.keys(model.params);
  const sumSq: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  const sum: Record<string, Float64Array> = Object.fromEntries(names.map((n) => [n, new Float64Array(model.params[n].size)]));
  for (let i = 0; i < x.shape[0]; i++) {
    tf.tidy(() => {
      const xi = tf.slice(x, [i, 0], [1, -1]) as tf.Tensor2D;
      const yi = tf.slice(y, [i], [1]) as tf.Tensor1D;
      const { grads } = tf.variableGrads(() => tf.sum(perSampleLoss(loss, model.forward(xi).logits, yi)) as tf.Scalar, names.map((n) => model.params[n]));
      for (const n of names) {
        const g = grads[model.params[n].name].dataSync();
        for (let j = 0; j < g.length; j++) {
          sumSq[n] += g[j] * g[j];
          sum[n][j] += g[j];
        }
      }
    });
  }
  return { sumSq, sum };
}

const cases: [string, Partial<RunConfig>][] = [
  ['two-layer, BCE', { model: 'two-layer', inputDim: 7, hidden: 5 }],
  ['two-layer, 3-class CE, no bias', { model: 'two-layer', inputDim: 6, hidden: 4, classes: 3, loss: 'softmax-ce', bias: false }],
  ['fc depth 4, BCE', { model: 'fc', inputDim: 6, hidden: 5, depth: 4 }],
  ['fc depth 3, MSE', { model: 'fc', inputDim: 5, hidden: 4, depth: 3, loss: 'mse' }],
  ['cnn 2 conv layers, 4 classes', { model: 'cnn', inputDim: 36, convLayers: 2, channels: 3, kernel: 3, classes: 4, loss: 'softmax-ce' }],
  ['cnn 1 conv layer 5×5, BCE', { model: 'cnn', inputDim: 49, convLayers: 1, channels: 2, kernel: 5 }],
];

/** The fast statistics of `cfg`'s model on n samples against the naive loop, within `tol` (relative). */
function checkAgainstNaive(cfg: RunConfig, n: number, tol: number) {
  const model = createModel(cfg);
  const x = tf.randomNormal([n, cfg.inputDim], 0, 1, 'float32', 5) as tf.Tensor2D;
  const y = cfg.classes > 1 ? (tf.tensor1d(Array.from({ length: n }, (_, i) => i % cfg.classes)) as tf.Tensor1D) : (tf.tensor1d(Array.from({ length: n }, (_, i) => i % 2)) as tf.Tensor1D);
  const fast = model.perSampleGradientStats(x, y);
  const naive = naiveStats(model, cfg.loss, x, y);
  expect(Object.keys(fast).sort()).toEqual(Object.keys(model.params).sort());
  for (const name of Object.keys(fast)) {
    const s = fast[name].sumSq.dataSync()[0];
    expect(Math.abs(s - naive.sumSq[name]) / Math.max(naive.sumSq[name], 1e-12)).toBeLessThan(tol);
    const mean = fast[name].mean.dataSync();
    const ref = naive.sum[name];
    let err = 0;
    let norm = 0;
    for (let j = 0; j < ref.length; j++) {
      err += (mean[j] - ref[j] / n) ** 2;
      norm += (ref[j] / n) ** 2;
    }
    expect(Math.sqrt(err / Math.max(norm, 1e-24))).toBeLessThan(tol);
  }
  tf.dispose([x, y, ...Object.values(fast).flatMap((f) => [f.sumSq, f.mean])]);
  model.dispose();
}

test.each(cases)('per-sample gradient statistics equal a naive loop over single samples (%s)', async (_name, partial) => {
  checkAgainstNaive(makeConfig({ ...partial, seed: 3, probes: ['activation-rate', 'weight-norms'] }), 9, 1e-5);
});

test('the conv filter gradient computed as a Conv2D equals tfjs Conv2DBackpropFilter', async () => {
  const x = tf.randomNormal([3, 6, 7, 2], 0, 1, 'float32', 1) as tf.Tensor4D;
  const dy = tf.randomNormal([3, 6, 7, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
  for (const k of [1, 3, 5]) {
    const w = tf.zeros([k, k, 2, 4]) as tf.Tensor4D;
    const auto = tf.grad((ww: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, ww as tf.Tensor4D, 1, 'same'), dy)))(w);
    const mine = convFilterGradient(x, dy, k);
    expect(mine.shape).toEqual([k, k, 2, 4]);
    const a = auto.dataSync();
    const b = mine.dataSync();
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 4);
  }
});

test('unfolding by shifted windows equals unfolding by a convolution with one-hot filters', async () => {
  const x = tf.randomNormal([2, 5, 6, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
  for (const k of [1, 3, 5]) expect(Array.from(unfold(x, k).dataSync())).toEqual(Array.from(unfoldByConv(x, k).dataSync()));
});

test('the conv input gradient computed as a Conv2D equals tfjs Conv2DBackpropInput', async () => {
  const dy = tf.randomNormal([2, 6, 5, 4], 0, 1, 'float32', 3) as tf.Tensor4D;
  for (const k of [1, 3, 5]) {
    const w = tf.randomNormal([k, k, 3, 4], 0, 1, 'float32', k) as tf.Tensor4D;
    const ref = tf.conv2dTranspose(dy, w, [2, 6, 5, 3], 1, 'same').dataSync();
    const mine = convInputGradient(dy, w).dataSync();
    for (let i = 0; i < ref.length; i++) expect(mine[i]).toBeCloseTo(ref[i], 4);
  }
});

test('training gradients of the cnn (custom conv gradient) equal plain tfjs autodiff', async () => {
  const cfg = makeConfig({ model: 'cnn', inputDim: 25, convLayers: 2, channels: 3, kernel: 3, seed: 1, probes: ['weight-norms'] });
  const net = new SequentialNet(cfg);
  const x = tf.randomNormal([4, 25], 0, 1, 'float32', 8) as tf.Tensor2D;
  const y = tf.tensor1d([0, 1, 1, 0]);
  const { grads } = net.lossAndGradients(x, y);
  const vars = Object.values(net.params);
  const plain = tf.variableGrads(() => {
    let a: tf.Tensor = tf.reshape(x, [-1, 5, 5, 1]);
    net.layers.forEach((layer, l) => {
      if (layer.kind === 'dense') a = tf.reshape(a, [a.shape[0], -1]);
      let z = layer.kind === 'dense' ? tf.matMul(a as tf.Tensor2D, layer.W as tf.Tensor2D, false, true) : tf.conv2d(a as tf.Tensor4D, layer.W as tf.Tensor4D, 1, 'same');
      if (layer.b) z = tf.add(z, layer.b);
      a = l < net.layers.length - 1 ? tf.relu(z) : z;
    });
    return tf.mean(perSampleLoss('bce', a as tf.Tensor2D, y)) as tf.Scalar;
  }, vars);
  for (const [name, v] of Object.entries(net.params)) {
    const a = grads[name].dataSync();
    const b = plain.grads[v.name].dataSync();
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 5);
  }
  net.dispose();
});

test('fc6 and cnn6 have the architectures of the paper', async () => {
  const fc = new SequentialNet(makeConfig({ model: 'fc', probes: ['weight-norms'] }));
  expect(fc.family).toBe('fc');
  expect(Object.entries(fc.params).map(([k, v]) => `${k}:${v.shape.join('x')}`)).toEqual([
    'W1:100x100', 'b1:100', 'W2:100x100', 'b2:100', 'W3:100x100', 'b3:100', 'W4:100x100', 'b4:100', 'W5:100x100', 'b5:100', 'W6:1x100', 'b6:1',
  ]);
  const cnn = new SequentialNet(makeConfig({ model: 'cnn', input: 'fashion-mnist', inputDim: 784, classes: 10, loss: 'softmax-ce', probes: ['weight-norms'] }));
  expect(Object.entries(cnn.params).map(([k, v]) => `${k}:${v.shape.join('x')}`)).toEqual([
    'W1:5x5x1x10', 'b1:10', 'W2:5x5x10x10', 'b2:10', 'W3:5x5x10x10', 'b3:10', 'W4:5x5x10x10', 'b4:10', 'W5:5x5x10x10', 'b5:10', 'W6:10x7840', 'b6:10',
  ]);
  fc.dispose();
  cnn.dispose();
});

describe('cnn statistics on the library\'s wasm conv-layer kernels (per-sample ThermoConvLayerGrad)', () => {
  beforeAll(() => useBackend('wasm'));
  afterAll(() => useBackend('cpu'));
  const cnnCases: [string, Partial<RunConfig>, number][] = [
    ['2 conv layers 3×3, 4 classes, 9 samples', { model: 'cnn', inputDim: 36, convLayers: 2, channels: 3, kernel: 3, classes: 4, loss: 'softmax-ce' }, 9],
    ['1 conv layer 5×5, BCE, batch 1', { model: 'cnn', inputDim: 49, convLayers: 1, channels: 2, kernel: 5 }, 1],
    ['3 conv layers, 5 channels, no bias, MSE, 6 samples', { model: 'cnn', inputDim: 25, convLayers: 3, channels: 5, kernel: 3, bias: false, loss: 'mse' }, 6],
  ];
  test.each(cnnCases)('equal a naive loop over single samples (%s)', (_name, partial, n) => {
    expect(perSampleConvKernels()).toBe(true);
    const before = tf.memory().numTensors;
    checkAgainstNaive(makeConfig({ ...partial, seed: 3, probes: ['activation-rate', 'weight-norms'] }), n, 1e-5);
    expect(tf.memory().numTensors).toBe(before);
  });

  test.each([
    [[9, 6, 2], 5, 3, 3, 7, 3, true],
    [[7, 5, 3], 4, 3, 2, 1, 2, false],
    [[28, 28, 1], 10, 5, 5, 32, 1, true],
  ] as const)('image %j, %i channels, k %i, %i layers, n %i, %i members, bias %s: equal the tap route', async (image, ch, k, layers, n, K, bias) => {
    const arch = new SequentialArch({ family: 'cnn', inputDim: image[0] * image[1] * image[2], image: [...image], hidden: 1, depth: 2, convLayers: layers, channels: ch, kernel: k, classes: 10, bias, loss: 'softmax-ce' });
    const p = tf.tidy(() => Object.fromEntries(Object.entries(arch.shapes).map(([name, s], i) => [name, tf.randomUniform([K, ...s], -0.4, 0.4, 'float32', i)])));
    const x = tf.randomNormal([K, n, image[0] * image[1] * image[2]], 0, 1, 'float32', 7) as tf.Tensor3D;
    const y = tf.tensor2d(Array.from({ length: K * n }, (_, i) => (i * 7) % 10), [K, n]);
    const read = (s: Record<string, { sumSq: tf.Tensor; mean: tf.Tensor }>) =>
      Object.fromEntries(Object.entries(s).map(([name, v]) => [name, [Array.from(v.sumSq.dataSync()), Array.from(v.mean.dataSync())]]));
    const before = tf.memory().numTensors;
    const onKernels = tf.tidy(() => read(arch.perSampleGradientStats(p, x, y)));
    expect(tf.memory().numTensors).toBe(before);
    setWasmKernels('tfjs');
    const taps = tf.tidy(() => read(arch.perSampleGradientStats(p, x, y)));
    setWasmKernels('library');
    expect(Object.keys(onKernels).sort()).toEqual(Object.keys(taps).sort());
    for (const name of Object.keys(taps)) {
      for (let part = 0; part < 2; part++) {
        const a = onKernels[name][part];
        const b = taps[name][part];
        const scale = Math.max(...b.map(Math.abs), 1e-12);
        expect(Math.max(...a.map((v, j) => Math.abs(v - b[j])))).toBeLessThan(1e-4 * scale);
      }
    }
    tf.dispose([...Object.values(p), x, y]);
  });
});

test('a cnn trains on wasm (no Conv2DBackpropFilter kernel there) and matches cpu', async () => {
  const { train } = await import('../train/trainer.js');
  const cfg = makeConfig({ model: 'cnn', inputDim: 36, convLayers: 2, channels: 3, kernel: 3, steps: 30, batchSize: 4, probeSamples: 40, gradVarSamples: 16, probeLogPoints: 4, probeLinearPoints: 2, probes: ['activation-rate', 'weight-norms', 'loss', 'grad-variance'] });
  const cpu = (await train(cfg)).records;
  await useBackend('wasm');
  const wasm = (await train(cfg)).records;
  await useBackend('cpu');
  expect(wasm.map((r) => r.step)).toEqual(cpu.map((r) => r.step));
  const last = cpu.length - 1;
  for (const k of ['norm_W1', 'norm_W3', 'probeLoss', 'gradVar']) expect(wasm[last][k]).toBeCloseTo(cpu[last][k], 3);
});
