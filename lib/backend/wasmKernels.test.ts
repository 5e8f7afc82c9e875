import * as tf from '@tensorflow/tfjs';
import { useBackend } from './backends.js';
import { GemmEngine, gemmEngine, setGemmEngine, type GemmSplit } from './kernels/gemmEngine.js';
import { gemmModule, resetGemmModule } from './kernels/gemmModule.js';
import { setWasmKernels, wasmKernelSet } from './wasmKernels.js';
import { onCpu } from '../testing/compare.js';

type Shape = number[];
const size = (s: Shape) => s.reduce((a, b) => a * b, 1);
/** Deterministic values in [-1, 1). */
const values = (n: number, seed: number) =>
  Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.37 + seed * 7.1) * 0.9 + Math.cos(i * 0.11 + seed) * 0.1);

/** The result of `f` on wasm (with the library's kernels); checks that no tensor leaks. */
async function onWasm(f: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend('wasm');
  const before = tf.memory().numTensors;
  const out = tf.tidy(f);
  const data = out.dataSync() as Float32Array;
  out.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return data;
}

/** The result of `f` on cpu and on wasm. */
async function onBoth(f: () => tf.Tensor): Promise<[Float32Array, Float32Array]> {
  return [await onCpu(f), await onWasm(f)];
}

function expectClose(got: Float32Array, want: Float32Array, tol = 1e-4): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
  expect(worst).toBeLessThan(tol);
}

beforeAll(async () => {
  await useBackend('wasm');
  setWasmKernels('library');
});
afterAll(async () => {
  setGemmEngine(null);
  await useBackend('cpu');
});

const SPLITS: GemmSplit[] = ['auto', 'batches', 'rows', 'cols', 'reduction'];

/** Runs `body` with a 2-thread engine that parallelizes everything, once per split. */
async function withEverySplit(body: (split: GemmSplit) => Promise<void>): Promise<void> {
  const e = new GemmEngine(2);
  e.minParallelWork = 0;
  setGemmEngine(e);
  try {
    for (const split of SPLITS) {
      e.split = split;
      await body(split);
    }
  } finally {
    setGemmEngine(null);
  }
}

describe('BatchMatMul', () => {
  const cases: [Shape, Shape, boolean, boolean][] = [
    [[1, 1], [1, 1], false, false],
    [[3, 5], [5, 7], false, false],
    [[7, 13], [11, 13], false, true],
    [[13, 5], [13, 9], true, false],
    [[6, 17], [23, 6], true, true],
    [[1, 100], [10, 100], false, true], // batch 1 (one row)
    [[32, 100], [100, 100], false, true],
    [[33, 300], [300, 25], false, false], // tails of both kernels' tiles, reduction beyond one block
    [[5, 30], [24, 30], false, true], // whole panels of a transposed B, a reduction that is not a multiple of 4
    [[31, 301], [48, 301], false, true], // a transposed B over two reduction blocks
    [[2, 9, 31], [2, 31, 12], false, false],
    [[4, 3, 20], [4, 10, 20], false, true],
    [[4, 20, 3], [4, 20, 10], true, false],
    [[2, 3, 4, 5], [3, 5, 6], false, false], // B broadcast over the leading batch dimension
    [[3, 4, 5], [1, 5, 6], false, false],
    [[1, 4, 5], [3, 5, 6], false, false], // A broadcast
    [[2, 1, 4, 5], [3, 5, 6], false, false], // both broadcast: [2, 3] batches
    [[5, 1], [1, 6], false, false], // inner dimension 1 (outer product)
    [[1, 700, 1], [1, 700, 9], true, false],
    [[7, 33], [33, 1], false, false], // one column (dot form), a reduction that is not a multiple of 4
    [[2, 5, 10], [2, 2, 10], false, true], // two columns
    [[9, 6], [1, 6], false, true],
  ];
  test.each(cases)('a %j · b %j (transposeA %s, transposeB %s) equals cpu on every split of 2 threads', async (as, bs, ta, tb) => {
    const a = values(size(as), 1);
    const b = values(size(bs), 2);
    // the reference broadcasts explicitly (tfjs's cpu kernel flattens batch dimensions, which is wrong for [2, 1] × [3])
    const batch = tf.backend_util.assertAndGetBroadcastShape(as.slice(0, -2), bs.slice(0, -2));
    const full = (v: Float32Array, s: Shape) => tf.broadcastTo(tf.tensor(v, s), [...batch, ...s.slice(-2)]);
    const cpu = await onCpu(() => tf.matMul(full(a, as), full(b, bs), ta, tb));
    await withEverySplit(async () => expectClose(await onWasm(() => tf.matMul(tf.tensor(a, as), tf.tensor(b, bs), ta, tb)), cpu));
  });

  test('an empty reduction gives zeros; the same tensor on both sides works', async () => {
    const [cpu, wasm] = await onBoth(() => tf.matMul(tf.zeros([3, 0]), tf.zeros([0, 4])));
    expectClose(wasm, cpu);
    const x = values(12, 3);
    const [c2, w2] = await onBoth(() => {
      const t = tf.tensor2d(x, [3, 4]);
      return tf.matMul(t, t, false, true);
    });
    expectClose(w2, c2);
  });

  test('_FusedMatMul with bias and each activation equals cpu', async () => {
    const a = values(5 * 7, 4);
    const b = values(7 * 6, 5);
    const bias = values(6, 6);
    for (const activation of ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const) {
      const [cpu, wasm] = await onBoth(() =>
        tf.fused.matMul({ a: tf.tensor2d(a, [5, 7]), b: tf.tensor2d(b, [6, 7]), transposeB: true, bias: tf.tensor1d(bias), activation }),
      );
      expectClose(wasm, cpu);
    }
  });
});

describe('convolutions', () => {
  type ConvCase = [Shape, Shape, number | [number, number], 'same' | 'valid' | number, number | [number, number]];
  const cases: ConvCase[] = [
    [[2, 7, 6, 3], [3, 3, 3, 4], 1, 'same', 1],
    [[1, 8, 8, 1], [5, 5, 1, 10], 1, 'same', 1],
    [[2, 9, 7, 10], [5, 5, 10, 10], 1, 'same', 1],
    [[3, 9, 7, 2], [3, 2, 2, 5], 2, 'valid', 1],
    [[1, 10, 11, 3], [3, 3, 3, 13], [2, 1], 'same', 1],
    [[2, 9, 9, 2], [3, 3, 2, 3], 1, 'same', 2], // dilation
    [[2, 6, 6, 2], [1, 1, 2, 3], 1, 'valid', 1],
    [[2, 5, 6, 3], [3, 3, 3, 2], 1, 1, 1], // explicit padding 1
    [[2, 5, 6, 3], [2, 2, 3, 4], 1, 'same', 1], // an even window: padding after only (rows move up by less than a row)
    [[3, 10, 10, 4], [8, 8, 4, 5], 1, 'valid', 1], // a large filter (the library's filter gradient as a convolution)
    [[2, 7, 7, 10], [5, 5, 10, 1], 1, 'same', 1], // one output channel (dot form)
    [[2, 9, 9, 3], [3, 3, 3, 2], 1, 'same', [1, 2]], // two output channels, dilated along x: runs of one pixel
  ];

  test.each(cases)('Conv2D x %j, W %j, stride %j, pad %j, dilation %j equals cpu', async (xs, ws, stride, pad, dil) => {
    const x = values(size(xs), 7);
    const w = values(size(ws), 8);
    const conv = () => tf.conv2d(tf.tensor4d(x, xs as never), tf.tensor4d(w, ws as never), stride, pad, 'NHWC', dil);
    const cpu = await onCpu(conv);
    await withEverySplit(async () => expectClose(await onWasm(conv), cpu));
  });

  test.each(cases.filter((c) => c[4] === 1))('gradients of Conv2D x %j, W %j, stride %j, pad %j equal cpu', async (xs, ws, stride, pad) => {
    const x = values(size(xs), 9);
    const w = values(size(ws), 10);
    const grads = () => {
      const xt = tf.tensor4d(x, xs as never);
      const wt = tf.tensor4d(w, ws as never);
      const y = tf.conv2d(xt, wt, stride, pad);
      const dy = tf.tensor(values(size(y.shape), 11), y.shape);
      const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad), dy));
      const [gx, gw] = tf.grads(loss)([xt, wt]);
      return tf.concat([tf.reshape(gx, [-1]), tf.reshape(gw, [-1])]);
    };
    const cpu = await onCpu(grads);
    await withEverySplit(async () => expectClose(await onWasm(grads), cpu));
  });
});

describe('conv layers (FusedConv2D, ThermoConvLayer, ThermoConvLayerGrad)', () => {
  type LayerCase = [Shape, Shape, 'same' | 'valid'];
  // batch 1, odd sizes, every mix of 3- and 2-channel panels, a one-channel input, an even window
  const cases: LayerCase[] = [
    [[1, 5, 7, 1], [3, 3, 1, 1], 'same'],
    [[2, 7, 6, 3], [3, 3, 3, 4], 'same'],
    [[1, 8, 8, 1], [5, 5, 1, 10], 'same'],
    [[3, 9, 7, 10], [5, 5, 10, 10], 'same'],
    [[2, 6, 9, 2], [3, 3, 2, 5], 'valid'],
    [[2, 5, 6, 3], [2, 2, 3, 7], 'same'],
  ];

  test.each(cases)('FusedConv2D x %j, W %j, pad %s, with bias and ReLU or linear, equals cpu', async (xs, ws, pad) => {
    const x = values(size(xs), 50);
    const w = values(size(ws), 51);
    const b = values(ws[3], 52);
    for (const activation of ['relu', 'linear'] as const) {
      for (const bias of [true, false]) {
        const f = () =>
          tf.fused.conv2d({ x: tf.tensor4d(x, xs as never), filter: tf.tensor4d(w, ws as never), strides: 1, pad, bias: bias ? tf.tensor1d(b) : undefined, activation });
        const cpu = await onCpu(f);
        await withEverySplit(async () => expectClose(await onWasm(f), cpu));
      }
    }
  });

  test("FusedConv2D that the library does not cover (strides, other activations) goes to the backend's own kernel", async () => {
    const x = values(2 * 9 * 8 * 3, 53);
    const w = values(3 * 3 * 3 * 4, 54);
    const b = values(4, 55);
    for (const [strides, activation] of [[2, 'relu'], [1, 'elu'], [1, 'leakyrelu']] as const) {
      const f = () =>
        tf.fused.conv2d({
          x: tf.tensor4d(x, [2, 9, 8, 3]), filter: tf.tensor4d(w, [3, 3, 3, 4]), strides, pad: 'same', bias: tf.tensor1d(b), activation,
          leakyreluAlpha: 0.1,
        });
      expectClose(await onWasm(f), await onCpu(f));
    }
  });

  /** relu(conv(x, W) + b) (or without ReLU / bias) and its gradients for x, W and b against dy, flattened in that order. */
  function layerReference(x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D, dy: tf.Tensor, pad: 'same' | 'valid', relu: boolean, bias: boolean) {
    const f = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => {
      let z: tf.Tensor = tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 1, pad);
      if (bias) z = tf.add(z, bb);
      return relu ? tf.relu(z) : z;
    };
    const [gx, gw, gb] = tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb?: tf.Tensor) => tf.sum(tf.mul(f(xx, ww, bb ?? b), dy)))(bias ? [x, w, b] : [x, w]);
    return [f(x, w, b), gx, gw, ...(bias ? [gb] : [])];
  }

  test.each(cases)('ThermoConvLayer and ThermoConvLayerGrad x %j, W %j, pad %s equal cpu autodiff', async (xs, ws, pad) => {
    const x = values(size(xs), 56);
    const w = values(size(ws), 57);
    const b = values(ws[3], 58);
    for (const [relu, bias, inputGrad] of [[true, true, true], [false, true, true], [true, false, false]] as const) {
      const parts = (useKernels: boolean) => {
        const xt = tf.tensor4d(x, xs as never);
        const wt = tf.tensor4d(w, ws as never);
        const bt = tf.tensor1d(b);
        if (!useKernels) {
          const dy = tf.tensor(values(size(tf.conv2d(xt, wt, 1, pad).shape), 59), tf.conv2d(xt, wt, 1, pad).shape);
          const [y, gx, gw, gb] = layerReference(xt, wt, bt, dy, pad, relu, bias);
          return tf.concat([y, ...(inputGrad ? [gx] : []), gw, ...(gb ? [gb] : [])].map((t) => tf.reshape(t, [-1])));
        }
        const inputs: tf.NamedTensorMap = bias ? { x: xt, filter: wt, bias: bt } : { x: xt, filter: wt };
        const y = tf.engine().runKernel('ThermoConvLayer', inputs, { pad, relu }) as tf.Tensor;
        const dy = tf.tensor(values(size(y.shape), 59), y.shape);
        const gradInputs: tf.NamedTensorMap = relu ? { x: xt, filter: wt, dy, y } : { x: xt, filter: wt, dy };
        const attrs = { pad, relu, inputGrad, biasGrad: bias };
        const grads = tf.engine().runKernel('ThermoConvLayerGrad', gradInputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        return tf.concat([y, ...grads].map((t) => tf.reshape(t, [-1])));
      };
      const cpu = await onCpu(() => parts(false));
      await withEverySplit(async () => expectClose(await onWasm(() => parts(true)), cpu));
    }
  });

  test.each([
    [[2, 7, 9, 3]],
    [[1, 5, 3, 1]], // batch 1, odd sizes, one channel
    [[3, 6, 11, 2]],
  ])('a stack of layers on x %j hands planar copies from kernel to kernel (and makes them when it finds none): equal to cpu', async (xs) => {
    const x = values(size(xs), 60);
    const ws = [[3, 3, xs[3], 4], [3, 3, 4, 4], [3, 3, 4, 4], [5, 5, 4, 2]];
    const wv = ws.map((s, i) => values(size(s), 61 + i).map((v) => v * 0.5));
    const bv = ws.map((s, i) => values(s[3], 71 + i));
    const net = (useKernels: boolean) => {
      const wt = ws.map((s, i) => tf.tensor4d(wv[i], s as never));
      const bt = bv.map((v) => tf.tensor1d(v));
      const layer = (a: tf.Tensor4D, i: number) => {
        if (!useKernels) return tf.relu(tf.add(tf.conv2d(a, wt[i], 1, 'same'), bt[i])) as tf.Tensor4D;
        return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
          const [aa, ww, bb, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D, tf.GradSaveFunc];
          const y = tf.engine().runKernel('ThermoConvLayer', { x: aa, filter: ww, bias: bb }, { pad: 'same', relu: true }) as tf.Tensor4D;
          save([aa, ww, y]);
          const attrs = { pad: 'same', relu: true, inputGrad: true, biasGrad: true } as unknown as tf.NamedAttrMap;
          const gradFunc = (dy: tf.Tensor | tf.Tensor[], [sa, sw, sy]: tf.Tensor[]) =>
            tf.engine().runKernel('ThermoConvLayerGrad', { x: sa, filter: sw, dy: dy as tf.Tensor, y: sy }, attrs) as tf.Tensor[];
          return { value: y, gradFunc };
        })(a, wt[i], bt[i]) as tf.Tensor4D;
      };
      const loss = (xx: tf.Tensor) => {
        let a = xx as tf.Tensor4D;
        for (let i = 0; i < ws.length; i++) a = layer(a, i);
        return tf.sum(tf.mul(a, tf.tensor(values(size(a.shape), 80), a.shape)));
      };
      const xt = tf.tensor4d(x, xs as never);
      const { value, grads } = tf.valueAndGrads((xx: tf.Tensor, ...params: tf.Tensor[]) => {
        params.forEach((t, i) => (i < ws.length ? (wt[i] = t as tf.Tensor4D) : (bt[i - ws.length] = t as tf.Tensor1D)));
        return loss(xx);
      })([xt, ...wt, ...bt]);
      return tf.concat([tf.reshape(value, [1]), ...grads.map((g) => tf.reshape(g, [-1]))]);
    };
    const cpu = await onCpu(() => net(false));
    await withEverySplit(async () => expectClose(await onWasm(() => net(true)), cpu));
  });

  test('Identity shares its input\'s data: a clone outlives its source, and nothing leaks', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const a = tf.tensor1d([1, 2, 3]);
    const c = tf.clone(a);
    expect(c.dataId).toBe(a.dataId);
    a.dispose();
    expect(Array.from(c.dataSync())).toEqual([1, 2, 3]);
    c.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(tf.clone(tf.tensor1d(['x'], 'string') as tf.Tensor).dataSync() as unknown as string[])).toEqual(['x']);
  });
});

describe('depthwise convolutions', () => {
  const cases: [Shape, Shape, number | [number, number], 'same' | 'valid'][] = [
    [[2, 7, 6, 4], [3, 3, 4, 5], 1, 'same'],
    [[3, 9, 8, 2], [3, 2, 2, 4], [2, 1], 'valid'],
    [[2, 6, 6, 3], [3, 3, 3, 1], 1, 'same'], // multiplier 1: the backend's own kernel
  ];
  test.each(cases)('DepthwiseConv2dNative x %j, W %j, stride %j, pad %s equals cpu', async (xs, ws, stride, pad) => {
    const x = values(size(xs), 12);
    const w = values(size(ws), 13);
    const conv = () => tf.depthwiseConv2d(tf.tensor4d(x, xs as never), tf.tensor4d(w, ws as never), stride, pad);
    const cpu = await onCpu(conv);
    await withEverySplit(async () => expectClose(await onWasm(conv), cpu));
  });

  test('per-sample filter gradients as one depthwise convolution (batch as channels) equal per-sample autodiff', async () => {
    const [n, h, w, ci, co, k] = [3, 6, 5, 2, 4, 3];
    const x = values(n * h * w * ci, 14);
    const dy = values(n * h * w * co, 15);
    const perSample = () => {
      const p = (k - 1) / 2;
      const xp = tf.pad(tf.tensor4d(x, [n, h, w, ci]), [[0, 0], [p, p], [p, p], [0, 0]]);
      const xt = tf.transpose(xp, [3, 1, 2, 0]) as tf.Tensor4D; // [ci, h+2p, w+2p, n]
      const f = tf.transpose(tf.tensor4d(dy, [n, h, w, co]), [1, 2, 0, 3]) as tf.Tensor4D; // [h, w, n, co]
      const g = tf.depthwiseConv2d(xt, f, 1, 'valid'); // [ci, k, k, n·co]
      return tf.transpose(tf.reshape(g, [ci, k, k, n, co]), [3, 1, 2, 0, 4]); // [n, k, k, ci, co]
    };
    const reference = () =>
      tf.stack(
        Array.from({ length: n }, (_, s) => {
          const xs = tf.slice(tf.tensor4d(x, [n, h, w, ci]), [s, 0, 0, 0], [1, h, w, ci]) as tf.Tensor4D;
          const ds = tf.slice(tf.tensor4d(dy, [n, h, w, co]), [s, 0, 0, 0], [1, h, w, co]);
          return tf.grad((wt: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xs, wt as tf.Tensor4D, 1, 'same'), ds)))(tf.zeros([k, k, ci, co]));
        }),
      );
    expectClose(await onWasm(perSample), await onCpu(reference));
  });
});

describe('training steps', () => {
  /** Loss and all gradients (flattened) of a small model by tf.variableGrads. */
  function step(kind: 'fc' | 'cnn'): tf.Tensor {
    const n = 5;
    const vars: tf.Variable[] = [];
    const v = (shape: Shape, seed: number) => {
      const t = tf.variable(tf.tensor(values(size(shape), seed).map((z) => z * 0.3), shape));
      vars.push(t);
      return t;
    };
    const labels = tf.oneHot(tf.tensor1d([0, 3, 1, 2, 3], 'int32'), 4);
    let logits: () => tf.Tensor;
    if (kind === 'fc') {
      const x = tf.tensor2d(values(n * 13, 20), [n, 13]);
      const W1 = v([9, 13], 21);
      const b1 = v([9], 22);
      const W2 = v([4, 9], 23);
      logits = () => tf.matMul(tf.relu(tf.add(tf.matMul(x, W1, false, true), b1)), W2, false, true);
    } else {
      const x = tf.tensor4d(values(n * 8 * 8, 24), [n, 8, 8, 1]);
      const K1 = v([5, 5, 1, 3], 25);
      const K2 = v([3, 3, 3, 3], 26);
      const W = v([4, 8 * 8 * 3], 27);
      logits = () => {
        const h = tf.relu(tf.conv2d(tf.relu(tf.conv2d(x, K1 as tf.Tensor4D, 1, 'same')), K2 as tf.Tensor4D, 1, 'same'));
        return tf.matMul(tf.reshape(h, [n, -1]), W, false, true);
      };
    }
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, logits()) as tf.Scalar);
    const out = tf.concat([tf.reshape(value, [1]), ...vars.map((t) => tf.reshape(grads[t.name], [-1]))]);
    tf.dispose(vars);
    return out;
  }

  test.each(['fc', 'cnn'] as const)('a small %s step (loss and gradients) equals cpu, with 1 and 2 threads', async (kind) => {
    const cpu = await onCpu(() => step(kind));
    for (const threads of [1, 2]) {
      const e = new GemmEngine(threads);
      e.minParallelWork = 0;
      setGemmEngine(e);
      expectClose(await onWasm(() => step(kind)), cpu, 1e-4);
    }
    setGemmEngine(null);
    expect(gemmEngine().threads).toBeGreaterThanOrEqual(1);
  });
});

describe('kernel sets', () => {
  test("the backend's own kernels can be put back and replaced again; both give the same products", async () => {
    const a = values(6 * 9, 40);
    const b = values(7 * 9, 41);
    const f = () => tf.matMul(tf.tensor2d(a, [6, 9]), tf.tensor2d(b, [7, 9]), false, true);
    const mine = tf.getKernel('BatchMatMul', 'wasm').kernelFunc;
    try {
      setWasmKernels('tfjs');
      expect(wasmKernelSet()).toBe('tfjs');
      expect(tf.getKernel('BatchMatMul', 'wasm').kernelFunc).not.toBe(mine);
      expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
      expect(tf.getKernel('ThermoConvLayerGrad', 'wasm')).toBeUndefined();
      const theirs = await onWasm(f);
      setWasmKernels('library');
      expect(tf.getKernel('BatchMatMul', 'wasm').kernelFunc).toBe(mine);
      expect(tf.getKernel('ThermoConvLayerGrad', 'wasm')).toBeDefined();
      expectClose(await onWasm(f), theirs);
    } finally {
      setWasmKernels('library');
    }
  });
});

describe('module builds', () => {
  test('the relaxed-SIMD build is used where the runtime has it, and the plain build gives the same numbers', async () => {
    const major = Number(process.versions.node.split('.')[0]);
    if (major >= 20) expect(gemmModule().name).toBe('gemm-relaxed');
    const a = values(37 * 301, 30);
    const b = values(301 * 29, 31);
    const x = values(2 * 9 * 8 * 10, 32);
    const w = values(5 * 5 * 10 * 10, 33);
    const f = () => tf.concat([tf.reshape(tf.matMul(tf.tensor2d(a, [37, 301]), tf.tensor2d(b, [29, 301]), false, true), [-1]),
      tf.reshape(tf.conv2d(tf.tensor4d(x, [2, 9, 8, 10]), tf.tensor4d(w, [5, 5, 10, 10]), 1, 'same'), [-1])]);
    const cpu = await onCpu(f);
    const previous = process.env.THERMO_WASM_RELAXED;
    try {
      for (const relaxed of ['1', '0']) {
        process.env.THERMO_WASM_RELAXED = relaxed;
        resetGemmModule();
        const e = new GemmEngine(2);
        e.minParallelWork = 0;
        setGemmEngine(e);
        expect(e.build).toBe(relaxed === '1' ? gemmModule().name : 'gemm');
        expectClose(await onWasm(f), cpu);
      }
    } finally {
      if (previous === undefined) delete process.env.THERMO_WASM_RELAXED;
      else process.env.THERMO_WASM_RELAXED = previous;
      resetGemmModule();
      setGemmEngine(null);
    }
  });
});
