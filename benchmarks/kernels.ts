/**
 * The library's CPU engine on tfjs-backend-wasm: its kernels (lib/backend/kernels) against the
 * backend's own, and the models' training steps for the cases of the PyTorch peer
 * (benchmarks/peers/torch_peer.py). Exported for `npm run bench`; benchmarks/peers/compare.ts runs
 * them side by side with the peer.
 */
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../lib/backend/backends.js';
import { gemmEngine } from '../lib/backend/kernels/gemmEngine.js';
import { setWasmKernels, type WasmKernelSet } from '../lib/backend/wasmKernels.js';
import type { Architecture, Params } from '../lib/models/arch.js';
import { convFilterGradient, convInputGradient, sameConv } from '../lib/models/conv.js';
import { convStats, gradientVariance } from '../lib/models/perSample.js';
import { SequentialArch } from '../lib/models/sequential.js';
import { TwoLayerArch } from '../lib/models/twoLayer.js';

/** One timed row. */
export interface KernelRow {
  /** Case id (the peer's for model steps). */
  id: string;
  name: string;
  /** What ran it: 'library' or 'tfjs' kernels, or a model variant. */
  variant: string;
  msPerCall: number;
  /** Calls (steps) per second; network-steps/s for ensembles. */
  rate: number;
  unit: string;
}

/** Median over 5 rounds of the time per call of `fn` (ms) after a warm-up; about `seconds` in all. */
export function medianMs(fn: () => void, seconds: number): number {
  const warm = performance.now();
  for (let i = 0; i < 3 || performance.now() - warm < Math.min(300, seconds * 200); i++) fn();
  const t0 = performance.now();
  let n = 0;
  while (n < 2 || performance.now() - t0 < 100) {
    fn();
    n++;
  }
  const reps = Math.max(1, Math.round((seconds * 1000) / 5 / ((performance.now() - t0) / n)));
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    for (let i = 0; i < reps; i++) fn();
    rounds.push((performance.now() - t) / reps);
  }
  return rounds.sort((a, b) => a - b)[2];
}

/** Times `f` (a tensor-returning op) including reading nothing back (wasm kernels are synchronous). */
function opMs(f: () => tf.Tensor | tf.Tensor[], seconds: number): number {
  return medianMs(() => tf.dispose(tf.tidy(f)), seconds);
}

/** Floating-point operations of FC6's first-layer products, the CIFAR-size products and a CNN6 10 → 10 convolution. */
const FC = 2 * 32 * 784 * 100;
const CIFAR = 2 * 1000 * 3072 * 300;
const CONV = 2 * 32 * 784 * 250 * 10;

/** dW of a 'same', stride-1 convolution by the Conv2DBackpropFilter kernel (tfjs exports no op for it). */
function backpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[]): tf.Tensor {
  const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape };
  return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs) as tf.Tensor;
}

/** A row of a GFLOP/s table. */
function flopRow(id: string, name: string, variant: string, ms: number, flops: number): KernelRow {
  return { id, name, variant, msPerCall: ms, rate: flops / ms / 1e6, unit: 'GFLOP/s' };
}

/**
 * Kernel micro-benchmarks on wasm with the backend's own kernels ('tfjs') and the library's: the
 * products of FC6's first layer and of the CIFAR-size net (forward a·Wᵀ, weight gradient δᵀ·a), and
 * a CNN6 layer's convolution, input gradient and filter gradient (as a Conv2D, the models' way, and
 * as Conv2DBackpropFilter), plus the GEMM alone on operands already in its memory (the copy overhead).
 */
export async function benchKernels(seconds = 1, sets: WasmKernelSet[] = ['tfjs', 'library']): Promise<KernelRow[]> {
  await useBackend('wasm');
  const rows: KernelRow[] = [];
  const t = tf.tidy(() => ({
    a32: tf.randomNormal([32, 784]),
    W1: tf.randomNormal([100, 784]),
    W1t: tf.randomNormal([784, 100]),
    d32: tf.randomNormal([32, 100]),
    a1k: tf.randomNormal([1000, 3072]),
    Wc: tf.randomNormal([300, 3072]),
    d1k: tf.randomNormal([1000, 300]),
    x: tf.randomNormal([32, 28, 28, 10]) as tf.Tensor4D,
    dy: tf.randomNormal([32, 28, 28, 10]) as tf.Tensor4D,
    w: tf.randomNormal([5, 5, 10, 10]) as tf.Tensor4D,
  }));
  const cases: [string, string, number, () => tf.Tensor][] = [
    ['fc6-l1-nt', 'FC6 layer 1 forward a·Wᵀ [32,784]·[100,784]ᵀ', FC, () => tf.matMul(t.a32, t.W1, false, true)],
    ['fc6-l1-nn', 'FC6 layer 1 forward, W stored [in, out]: a·W', FC, () => tf.matMul(t.a32, t.W1t)],
    ['fc6-l1-tn', 'FC6 layer 1 weight gradient δᵀ·a [32,100]ᵀ·[32,784]', FC, () => tf.matMul(t.d32, t.a32, true, false)],
    ['fc6-l1-dx', 'FC6 layer 1 input gradient δ·W [32,100]·[100,784]', FC, () => tf.matMul(t.d32, t.W1)],
    ['cifar-nt', 'CIFAR forward a·Wᵀ [1000,3072]·[300,3072]ᵀ', CIFAR, () => tf.matMul(t.a1k, t.Wc, false, true)],
    ['cifar-tn', 'CIFAR weight gradient δᵀ·a [1000,300]ᵀ·[1000,3072]', CIFAR, () => tf.matMul(t.d1k, t.a1k, true, false)],
    ['conv', 'CNN6 conv 10→10 5×5 same [32,28,28,10]', CONV, () => tf.conv2d(t.x, t.w, 1, 'same')],
    ['conv-dx', 'CNN6 conv input gradient (a conv, conv.ts)', CONV, () => convInputGradient(t.dy, t.w)],
    ['conv-dw', 'CNN6 conv filter gradient (a conv on transposes, conv.ts)', CONV, () => convFilterGradient(t.x, t.dy, 5)],
    ['conv-dw-direct', 'CNN6 conv filter gradient (Conv2DBackpropFilter)', CONV, () => backpropFilter(t.x, t.dy, [5, 5, 10, 10])],
    ['conv-dx-direct', 'CNN6 conv input gradient (Conv2DBackpropInput)', CONV, () => tf.conv2dTranspose(t.dy, t.w, t.x.shape, 1, 'same')],
  ];
  for (const set of sets) {
    setWasmKernels(set);
    for (const [id, name, flops, f] of cases) {
      if (set === 'tfjs' && (id === 'cifar-tn' || id === 'conv-dw-direct')) continue; // 1.5 s a call; wasm has no Conv2DBackpropFilter
      const ms = opMs(f, id.startsWith('cifar') ? seconds * 2 : seconds);
      rows.push(flopRow(id, name, set, ms, flops));
    }
  }
  setWasmKernels('library');
  rows.push(gemmAlone(seconds));
  tf.dispose(Object.values(t));
  return rows;
}

/** The FC6 layer-1 forward product by the GEMM engine alone, operands already in its memory. */
function gemmAlone(seconds: number): KernelRow {
  const e = gemmEngine();
  e.reset();
  const A = e.put(Float32Array.from({ length: 32 * 784 }, (_, i) => Math.sin(i)));
  const B = e.put(Float32Array.from({ length: 100 * 784 }, (_, i) => Math.cos(i)));
  const job = {
    M: 32, N: 100, K: 784, batches: 1, aRows: e.strided(32, 0, 784 * 4), aCols: e.strided(784, 0, 4),
    aBatch: e.table([A]), bBatch: e.table([B]), rsB: 1, csB: 784, c: e.alloc(32 * 100 * 4), ldc: 100,
  };
  const mark = e.mark();
  const ms = medianMs(() => {
    e.run(job);
    e.release(mark); // run() allocates its descriptor
  }, seconds);
  return flopRow('fc6-l1-nt-gemm', 'FC6 layer 1 forward, GEMM alone (no copies)', 'library', ms, FC);
}

/** A model case: its architecture, batch and members. */
interface ModelCase {
  id: string;
  name: string;
  arch: Architecture;
  inputDim: number;
  classes: number;
  batch: number;
  members: number;
}

/** The model cases of the PyTorch peer. */
export function modelCases(): ModelCase[] {
  const seq = (family: 'fc' | 'cnn') =>
    new SequentialArch({
      family, inputDim: 784, image: [28, 28, 1], hidden: 100, depth: 6, convLayers: 5, channels: 10, kernel: 5, classes: 10, bias: true,
      loss: 'softmax-ce',
    });
  const mnist = { inputDim: 784, classes: 10, batch: 32, members: 1 };
  return [
    { id: 'fc6-b32', name: 'FC6 784→100×5→10, batch 32', arch: seq('fc'), ...mnist },
    { id: 'cnn6-b32', name: 'CNN6 (5 conv 10ch 5×5 + dense), 28×28×1, batch 32', arch: seq('cnn'), ...mnist },
    {
      id: 'cifar-b1000', name: 'dense 3072→300→10, batch 1000', inputDim: 3072, classes: 10, batch: 1000, members: 1,
      arch: new TwoLayerArch({ inputDim: 3072, hidden: 300, classes: 10, bias: true, loss: 'softmax-ce' }),
    },
    {
      id: 'ensemble-16', name: 'ensemble: 16 × two-layer 100→100→1, batch 1', inputDim: 100, classes: 1, batch: 1, members: 16,
      arch: new TwoLayerArch({ inputDim: 100, hidden: 100, classes: 1, bias: true, loss: 'bce' }),
    },
  ];
}

/** Parameters, data and an SGD step (the model's lossAndGradients with η folded in, then p − g) of a case. */
function setupModel(c: ModelCase) {
  const K = c.members;
  let params: Params = tf.tidy(() =>
    Object.fromEntries(
      Object.entries(c.arch.shapes).map(([name, s]) => {
        const fanIn = s.length === 4 ? s[0] * s[1] * s[2] : s.length === 2 ? s[1] : 1;
        return [name, tf.mul(tf.randomUniform([K, ...s], -1, 1), 1 / Math.sqrt(fanIn))];
      }),
    ),
  );
  const x = tf.randomNormal([K, c.batch, c.inputDim]) as tf.Tensor3D;
  const y = tf.tidy(() => {
    if (c.classes === 1) return tf.cast(tf.greater(tf.randomNormal([K, c.batch]), 0), 'float32');
    return tf.floor(tf.randomUniform([K, c.batch], 0, c.classes));
  }) as tf.Tensor2D;
  const w = tf.fill([K, c.batch], 1 / c.batch) as tf.Tensor2D;
  const eta = tf.fill([K], 0.01) as tf.Tensor1D;
  const step = () => {
    const next = tf.tidy(() => {
      const { grads } = c.arch.lossAndGradients(params, x, y, w, eta);
      return Object.fromEntries(Object.entries(params).map(([n, p]) => [n, tf.sub(p, grads[n])]));
    });
    tf.dispose(Object.values(params));
    params = next;
  };
  const stats = () => {
    tf.dispose(tf.tidy(() => Object.values(c.arch.perSampleGradientStats(params, x, y)).flatMap((s) => [s.sumSq, s.mean])));
  };
  // the step of the tfjs engine with a `batch-grad-variance` probe due: one pass gives the gradient (ḡ) and
  // the batch's statistics, whose variance is then formed as the probe forms it
  const batchStep = () => {
    let variance: tf.Tensor | null = null;
    const next = tf.tidy(() => {
      const { stats: st } = c.arch.lossAndStats(params, x, y);
      variance = tf.keep(tf.addN(Object.values(st).map((s) => gradientVariance(s, c.batch))));
      return Object.fromEntries(Object.entries(params).map(([n, p]) => [n, tf.sub(p, tf.mul(st[n].mean, 0.01))]));
    });
    tf.dispose([...Object.values(params), variance!]);
    params = next;
  };
  const dispose = () => tf.dispose([...Object.values(params), x, y, w, eta]);
  return { step, stats, batchStep, dispose };
}

/**
 * Training steps of the model cases on wasm with the library's kernels (or `set`): steps/s
 * (network-steps/s for the ensemble) and, for FC6 and CNN6 unless `withStats` is false, the per-sample
 * gradient statistics alone and the step with its batch's statistics.
 */
export async function benchModelSteps(seconds = 1, ids?: string[], set: WasmKernelSet = 'library', withStats = true): Promise<KernelRow[]> {
  await useBackend('wasm');
  setWasmKernels(set);
  const rows: KernelRow[] = [];
  for (const c of modelCases().filter((m) => !ids || ids.includes(m.id))) {
    const m = setupModel(c);
    const ms = medianMs(m.step, seconds);
    const unit = c.members > 1 ? 'network-steps/s' : 'steps/s';
    rows.push({ id: c.id, name: c.name, variant: `step (${set} kernels)`, msPerCall: ms, rate: (1000 * c.members) / ms, unit });
    if (withStats && (c.id === 'fc6-b32' || c.id === 'cnn6-b32')) {
      const st = medianMs(m.stats, seconds);
      const gid = c.id.replace('-b32', '-gradvar');
      // the ratio to the step is the bench's target line (from the medians over rounds)
      rows.push({ id: gid, name: `${c.name}: per-sample gradient statistics`, variant: 'statistics alone', msPerCall: st, rate: 1000 / st, unit: 'calls/s' });
      const bst = medianMs(m.batchStep, seconds);
      const bid = c.id.replace('-b32', '-batchstats');
      rows.push({ id: bid, name: `${c.name}: step with its batch's per-sample statistics`, variant: 'one pass (lossAndStats)', msPerCall: bst, rate: 1000 / bst, unit: 'steps/s' });
    }
    m.dispose();
  }
  setWasmKernels('library');
  return rows;
}

/**
 * A CNN6 conv layer's per-sample statistics (batch 32, 28×28, 10 → 10 channels, 5×5) by perSample.ts's
 * convStats (one depthwise convolution with the batch as channels), ms per call.
 */
export async function benchConvStats(seconds = 1): Promise<KernelRow[]> {
  await useBackend('wasm');
  setWasmKernels('library');
  const x = tf.randomNormal([32, 28, 28, 10]) as tf.Tensor4D;
  const d = tf.randomNormal([32, 28, 28, 10]) as tf.Tensor4D;
  const ms = opMs(() => Object.values(convStats(d, x, 5)).flatMap((s) => [s.sumSq, s.mean]), seconds);
  tf.dispose([x, d]);
  const name = 'CNN6 layer per-sample stats';
  return [{ id: 'cnn6-layer-stats', name, variant: 'one depthwise convolution (perSample.ts)', msPerCall: ms, rate: 1000 / ms, unit: 'calls/s' }];
}

/**
 * A CNN6 conv layer's forward and backward pass (x [32, 28, 28, 10], 5×5, 10 → 10; gradients for x and W)
 * by the models' sameConv (gradients as convolutions on transposed tensors, lib/models/conv.ts) and by
 * tf.conv2d's own gradients (Conv2DBackpropInput and Conv2DBackpropFilter, the library's kernels on wasm).
 */
export async function benchConvGradientRoutes(seconds = 1): Promise<KernelRow[]> {
  await useBackend('wasm');
  setWasmKernels('library');
  const x = tf.randomNormal([32, 28, 28, 10]) as tf.Tensor4D;
  const w = tf.randomNormal([5, 5, 10, 10]) as tf.Tensor4D;
  const dy = tf.randomNormal([32, 28, 28, 10]) as tf.Tensor4D;
  const rows: KernelRow[] = [];
  const routes: [string, (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor4D][] = [
    ['sameConv (conv.ts)', sameConv],
    ['tf.conv2d, its own gradients', (a, b) => tf.conv2d(a, b, 1, 'same')],
  ];
  for (const [variant, conv] of routes) {
    const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), dy));
    const ms = opMs(() => tf.grads(loss)([x, w]), seconds);
    rows.push(flopRow('cnn6-layer-fwd-bwd', 'CNN6 conv layer forward + backward (x and W)', variant, ms, 3 * CONV));
  }
  tf.dispose([x, w, dy]);
  return rows;
}
