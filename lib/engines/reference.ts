/**
 * A naive reference of the two-layer family's SGD step on synthetic data: plain loops, one
 * member, float32 parameters. It states the engine contract (engines/engine.ts) in the
 * simplest code, so that every fast engine (tfjs, WGSL, WASM) is tested against it.
 */
import type { RunConfig } from '../core/config.js';
import { EpochOrder, STREAM, StreamDraw } from '../data/stream.js';

/** One member's two-layer parameters: W [N·M] row-major, b [N] (empty without bias), V [C·N]. */
export interface TwoLayerParams {
  W: Float32Array;
  b: Float32Array;
  V: Float32Array;
}

/** The fields of a config the two-layer step reads. */
export type TwoLayerStepConfig = Pick<RunConfig, 'inputDim' | 'hidden' | 'classes' | 'bias' | 'loss' | 'input' | 'trainSize' | 'eta' | 'batchSize' | 'seed'>;

/** The inputs and label of slot b of step t of a synthetic config. */
export function syntheticSlot(cfg: TwoLayerStepConfig, draw: StreamDraw, order: EpochOrder | null, t: number, b: number, x: Float32Array): number {
  const M = cfg.inputDim;
  if (cfg.trainSize > 0) {
    const k = order!.index(t, b, cfg.batchSize);
    draw.sample(cfg.input, STREAM.setX, 0, k, M, x, 0);
    return draw.label(STREAM.setY, 0, k, cfg.classes);
  }
  draw.sample(cfg.input, STREAM.trainX, t, b, M, x, 0);
  return draw.label(STREAM.trainY, t, b, cfg.classes);
}

/** Loss of logits f [C] with label y, and dL/df into `d`. */
export function lossAndGradient(loss: RunConfig['loss'], f: Float64Array, y: number, d: Float64Array): number {
  if (loss === 'mse') {
    d[0] = 2 * (f[0] - y);
    return (f[0] - y) ** 2;
  }
  if (loss === 'bce') {
    const z = f[0];
    d[0] = 1 / (1 + Math.exp(-z)) - y;
    return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - z * y;
  }
  let max = -Infinity;
  for (let c = 0; c < f.length; c++) max = Math.max(max, f[c]);
  let sum = 0;
  for (let c = 0; c < f.length; c++) sum += Math.exp(f[c] - max);
  for (let c = 0; c < f.length; c++) d[c] = Math.exp(f[c] - max) / sum - (c === y ? 1 : 0);
  return -(f[y] - max - Math.log(sum));
}

/** One SGD step t of one member, in place; returns its batch-mean loss. */
export function referenceStep(cfg: TwoLayerStepConfig, p: TwoLayerParams, t: number): number {
  const M = cfg.inputDim;
  const N = cfg.hidden;
  const C = cfg.classes;
  const B = cfg.batchSize;
  const draw = new StreamDraw(cfg.seed);
  const order = cfg.trainSize > 0 ? new EpochOrder(cfg.seed, cfg.trainSize) : null;
  const gW = new Float64Array(N * M);
  const gb = new Float64Array(N);
  const gV = new Float64Array(C * N);
  const x = new Float32Array(M);
  const h = new Float64Array(N);
  const f = new Float64Array(C);
  const d = new Float64Array(C);
  let lossSum = 0;
  for (let s = 0; s < B; s++) {
    const y = syntheticSlot(cfg, draw, order, t, s, x);
    for (let i = 0; i < N; i++) {
      let acc = cfg.bias ? p.b[i] : 0;
      for (let j = 0; j < M; j++) acc += p.W[i * M + j] * x[j];
      h[i] = acc;
    }
    for (let c = 0; c < C; c++) {
      let acc = 0;
      for (let i = 0; i < N; i++) acc += p.V[c * N + i] * Math.max(h[i], 0);
      f[c] = acc;
    }
    lossSum += lossAndGradient(cfg.loss, f, y, d);
    for (let c = 0; c < C; c++) {
      const dc = d[c] / B;
      for (let i = 0; i < N; i++) gV[c * N + i] += dc * Math.max(h[i], 0);
    }
    for (let i = 0; i < N; i++) {
      if (!(h[i] > 0)) continue;
      let dh = 0;
      for (let c = 0; c < C; c++) dh += (d[c] / B) * p.V[c * N + i];
      gb[i] += dh;
      for (let j = 0; j < M; j++) gW[i * M + j] += dh * x[j];
    }
  }
  for (let k = 0; k < gW.length; k++) p.W[k] -= cfg.eta * gW[k];
  if (cfg.bias) for (let k = 0; k < gb.length; k++) p.b[k] -= cfg.eta * gb[k];
  for (let k = 0; k < gV.length; k++) p.V[k] -= cfg.eta * gV[k];
  return lossSum / B;
}
