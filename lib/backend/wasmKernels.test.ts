import * as tf from '@tensorflow/tfjs';
import { expectBackendAgrees, modelFamilyCases } from '../testing/agree.js';
import { useBackend } from './backends.js';

afterAll(() => useBackend('cpu'));

/** Filter gradient of sum(conv2d(x, W) ⊙ dy) by tfjs autodiff on the current backend. */
function filterGrad(x: number[], xs: number[], w: number[], ws: number[], dy: number[], stride: number, pad: 'same' | 'valid'): Float32Array {
  return tf.tidy(() => {
    const xt = tf.tensor4d(x, xs as [number, number, number, number]);
    const g = tf.grad((wt: tf.Tensor) => {
      const y = tf.conv2d(xt, wt as tf.Tensor4D, stride, pad);
      return tf.sum(tf.mul(y, tf.tensor(dy, y.shape)));
    })(tf.tensor4d(w, ws as [number, number, number, number]));
    return g.dataSync() as Float32Array;
  });
}

test.each([
  [[2, 7, 6, 3], [3, 3, 3, 4], 1, 'same'],
  [[2, 7, 6, 3], [5, 5, 3, 2], 1, 'same'],
  [[1, 8, 8, 2], [3, 3, 2, 2], 2, 'same'],
  [[3, 9, 7, 1], [3, 2, 1, 4], 2, 'valid'],
  [[2, 6, 6, 2], [1, 1, 2, 3], 1, 'valid'],
] as const)('Conv2DBackpropFilter registered on wasm equals cpu (x %j, W %j, stride %i, %s)', async (xs, ws, stride, pad) => {
  const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
  const x = Array.from({ length: size(xs) }, (_, i) => Math.sin(i * 1.7));
  const w = Array.from({ length: size(ws) }, (_, i) => Math.cos(i * 0.3));
  await useBackend('cpu');
  const outShape = tf.conv2d(tf.zeros(xs as unknown as [number, number, number, number]) as tf.Tensor4D, tf.zeros(ws as unknown as [number, number, number, number]) as tf.Tensor4D, stride, pad).shape;
  const dy = Array.from({ length: size(outShape) }, (_, i) => Math.sin(i * 0.9 + 1));
  const cpu = filterGrad(x, [...xs], w, [...ws], dy, stride, pad);
  await useBackend('wasm');
  const before = tf.memory().numTensors;
  const wasm = filterGrad(x, [...xs], w, [...ws], dy, stride, pad);
  expect(tf.memory().numTensors).toBe(before);
  expect(wasm.length).toBe(cpu.length);
  for (let i = 0; i < cpu.length; i++) expect(wasm[i]).toBeCloseTo(cpu[i], 4);
});

test.each(modelFamilyCases(60, 64))('training a %s model on wasm gives the numbers of cpu, without leaking tensors', async (_n, cfg) => {
  await expectBackendAgrees('wasm', cfg);
});
