/**
 * Deep ReLU networks built from dense and conv layers, member-axis:
 * - `fc` (FC6 with depth 6): inputDim → hidden × (depth − 1) → classes, ReLU between layers;
 * - `cnn` (CNN6): convLayers × [conv k×k, `channels` channels, stride 1, 'same', ReLU], then one
 *   dense layer to `classes` outputs.
 * Dense layers run batched over members; conv layers run member by member (tfjs has no grouped
 * convolution). Gradients by tfjs autodiff (conv gradients: see models/conv.ts's convSame);
 * per-sample gradient statistics from one forward and one backward pass: the backward pass gives δ
 * of every weight layer through zero "taps" added to the layer outputs. A cnn on wasm with the
 * library's kernels runs that pass on its conv-layer kernels instead, which give every sample's
 * filter and bias gradients directly (convLayerPerSample).
 */
import * as tf from '@tensorflow/tfjs';
import type { LossName } from '../core/config.js';
import { statsOnly, type Architecture, type BatchedForward, type MemberStats, type Params } from './arch.js';
import { convLayer, convLayerPerSample, convSame, perSampleConvKernels } from './conv.js';
import { perSampleLoss } from './losses.js';
import { convStats, denseStats, sampleStats } from './perSample.js';
import { memberMatMul } from './matmul.js';

/** A weight layer: dense weights are [out, in] per member, conv filters [k, k, C_in, C_out]. */
export interface LayerSpec {
  kind: 'dense' | 'conv';
  /** Parameter names, e.g. `W1`, `b1` (null without bias). */
  W: string;
  b: string | null;
  /** Conv kernel size. */
  k?: number;
}

/** The sizes of a sequential architecture. */
export interface SequentialShape {
  family: 'fc' | 'cnn';
  inputDim: number;
  /** [H, W, C] of the input image (cnn). */
  image: [number, number, number];
  hidden: number;
  depth: number;
  convLayers: number;
  channels: number;
  kernel: number;
  classes: number;
  bias: boolean;
  loss: LossName;
}

/** What a forward pass saw: every weight layer's input and output (conv stages member by member). */
interface Trace {
  inputs: (tf.Tensor3D | tf.Tensor4D[])[];
  outputs: (tf.Tensor3D | tf.Tensor4D[])[];
  logits: tf.Tensor3D;
}

/** FC and CNN families. */
export class SequentialArch implements Architecture {
  readonly family: 'fc' | 'cnn';
  readonly shapes: Readonly<Record<string, readonly number[]>>;
  readonly layers: readonly LayerSpec[];
  private readonly s: SequentialShape;

  constructor(shape: SequentialShape) {
    this.s = shape;
    this.family = shape.family;
    const layers: LayerSpec[] = [];
    const shapes: Record<string, number[]> = {};
    const add = (kind: 'dense' | 'conv', wShape: number[], out: number, k?: number) => {
      const i = layers.length + 1;
      layers.push({ kind, W: `W${i}`, b: shape.bias ? `b${i}` : null, k });
      shapes[`W${i}`] = wShape;
      if (shape.bias) shapes[`b${i}`] = [out];
    };
    if (shape.family === 'fc') {
      add('dense', [shape.hidden, shape.inputDim], shape.hidden);
      for (let l = 1; l < shape.depth - 1; l++) add('dense', [shape.hidden, shape.hidden], shape.hidden);
      add('dense', [shape.classes, shape.hidden], shape.classes);
    } else {
      const [h, w, c0] = shape.image;
      let cin = c0;
      for (let l = 0; l < shape.convLayers; l++) {
        add('conv', [shape.kernel, shape.kernel, cin, shape.channels], shape.channels, shape.kernel);
        cin = shape.channels;
      }
      add('dense', [shape.classes, h * w * cin], shape.classes);
    }
    this.layers = layers;
    this.shapes = shapes;
  }

  /**
   * Member k's slice of a parameter (a reshape when there is one member). The slice is taken of
   * the [K, size] view, so that its gradient is a 2-D pad: tfjs-webgpu 4.22 cannot pad rank 5
   * (a conv filter [K, k, k, C_in, C_out]); its WGSL fails to compile and the step would be lost.
   */
  private member(t: tf.Tensor, k: number): tf.Tensor {
    if (t.shape[0] === 1) return tf.reshape(t, t.shape.slice(1));
    return tf.reshape(tf.slice(tf.reshape(t, [t.shape[0], -1]), [k, 0], [1, -1]), t.shape.slice(1));
  }

  /** The shape of every weight layer's output for K members on n samples. */
  private outputShapes(K: number, n: number): number[][] {
    const [h, w] = this.s.image;
    return this.layers.map((layer) => (layer.kind === 'conv' ? [K, n, h, w, this.shapes[layer.W][3]] : [K, n, this.shapes[layer.W][0]]));
  }

  /**
   * Runs the layers; `taps[l]` (zeros, [K, …output]) is added to layer l's output so that its gradient is δ_l.
   * With `fused` (training: only the logits are read), each conv layer is one models/conv.ts convLayer (conv,
   * bias and ReLU fused on wasm) and its trace output is its activation.
   */
  private run(p: Params, x: tf.Tensor3D, taps?: tf.Tensor[], fused = false): Trace {
    const [K, n] = x.shape;
    const inputs: Trace['inputs'] = [];
    const outputs: Trace['outputs'] = [];
    const last = this.layers.length - 1;
    let dense: tf.Tensor3D | null = this.family === 'fc' ? x : null;
    let maps: tf.Tensor4D[] = this.family === 'cnn' ? Array.from({ length: K }, (_, k) => tf.reshape(this.member(x, k), [n, ...this.s.image])) : [];
    this.layers.forEach((layer, l) => {
      if (layer.kind === 'conv' && fused && !taps) {
        inputs.push(maps);
        maps = maps.map((a, k) =>
          convLayer(a, this.member(p[layer.W], k) as tf.Tensor4D, layer.b ? this.member(p[layer.b], k) : null, { relu: true, inputGradient: l > 0 }),
        );
        outputs.push(maps);
        return;
      }
      if (layer.kind === 'conv') {
        inputs.push(maps);
        const zs = maps.map((a, k) => {
          let z: tf.Tensor4D = convSame(a, this.member(p[layer.W], k) as tf.Tensor4D);
          if (layer.b) z = tf.add(z, this.member(p[layer.b], k));
          if (taps) z = tf.add(z, this.member(taps[l], k));
          return z;
        });
        outputs.push(zs);
        maps = zs.map((z) => tf.relu(z));
        return;
      }
      // the conv stages flattened and stacked over members (one member: a reshape, no copy forward or back)
      if (dense === null) dense = (K === 1 ? tf.reshape(maps[0], [1, n, -1]) : tf.stack(maps.map((a) => tf.reshape(a, [n, -1])))) as tf.Tensor3D;
      inputs.push(dense);
      let z: tf.Tensor3D = memberMatMul(dense, p[layer.W] as tf.Tensor3D, false, true);
      if (layer.b) z = tf.add(z, tf.expandDims(p[layer.b], 1)) as tf.Tensor3D;
      if (taps) z = tf.add(z, taps[l]) as tf.Tensor3D;
      outputs.push(z);
      dense = l < last ? tf.relu(z) : z;
    });
    return { inputs, outputs, logits: dense as unknown as tf.Tensor3D };
  }

  forward(p: Params, x: tf.Tensor3D): BatchedForward {
    return tf.tidy(() => {
      const t = this.run(p, x);
      const n = x.shape[1];
      const hidden = t.outputs.slice(0, -1).map((z) =>
        Array.isArray(z) ? (tf.stack(z.map((m) => tf.reshape(m, [n, -1]))) as tf.Tensor3D) : (z as tf.Tensor3D),
      );
      return { preActivations: hidden, logits: t.logits };
    });
  }

  lossAndGradients(p: Params, x: tf.Tensor3D, y: tf.Tensor2D, w: tf.Tensor2D, scale?: tf.Tensor1D): { loss: tf.Tensor1D; grads: Params } {
    return tf.tidy(() => {
      const names = Object.keys(this.shapes);
      let perMember: tf.Tensor1D | null = null;
      const gs = tf.grads((...ts: tf.Tensor[]) => {
        const q: Params = Object.fromEntries(names.map((name, i) => [name, ts[i]]));
        // tf.grads disposes what its function made: keep the per-member losses, then hand them to this tidy
        perMember = tf.keep(tf.sum(tf.mul(perSampleLoss(this.s.loss, this.run(q, x, undefined, true).logits, y), w), 1) as tf.Tensor1D);
        return tf.sum(perMember) as tf.Scalar;
      })(names.map((name) => p[name]));
      const grads: Params = {};
      names.forEach((name, i) => {
        const g = gs[i];
        grads[name] = scale ? tf.mul(g, tf.reshape(scale, [scale.shape[0], ...g.shape.slice(1).map(() => 1)])) : g;
      });
      const kept = perMember as unknown as tf.Tensor1D;
      const loss = tf.clone(kept);
      kept.dispose();
      return { loss, grads };
    });
  }

  perSampleGradientStats(p: Params, x: tf.Tensor3D, y: tf.Tensor2D): Record<string, MemberStats> {
    return statsOnly(this, p, x, y);
  }

  lossAndStats(p: Params, x: tf.Tensor3D, y: tf.Tensor2D): { loss: tf.Tensor1D; stats: Record<string, MemberStats> } {
    if (this.family === 'cnn' && perSampleConvKernels()) return this.cnnStatsOnKernels(p, x, y);
    return tf.tidy(() => {
      const taps = this.outputShapes(x.shape[0], x.shape[1]).map((s) => tf.zeros(s));
      let inputs: Trace['inputs'] = [];
      let losses: tf.Tensor2D | null = null;
      const deltas = tf.grads((...ts: tf.Tensor[]) => {
        const trace = this.run(p, x, ts);
        // tf.grads disposes intermediates; the layer inputs and the per-sample losses are needed below
        inputs = trace.inputs.map((a) => (Array.isArray(a) ? a.map((m) => tf.keep(m)) : a === x ? a : tf.keep(a)));
        const per = perSampleLoss(this.s.loss, trace.logits, y);
        losses = tf.keep(per);
        return tf.sum(per) as tf.Scalar;
      })(taps);
      const out: Record<string, MemberStats> = {};
      this.layers.forEach((layer, l) => {
        const a = inputs[l];
        if (layer.kind === 'dense') {
          const s = denseStats(deltas[l] as tf.Tensor3D, a as tf.Tensor3D, layer.b !== null);
          out[layer.W] = s.W;
          if (layer.b && s.b) out[layer.b] = s.b;
          return;
        }
        const per = (a as tf.Tensor4D[]).map((m, k) => convStats(this.member(deltas[l], k) as tf.Tensor4D, m, layer.k!));
        out[layer.W] = { sumSq: tf.stack(per.map((s) => s.W.sumSq)) as tf.Tensor1D, mean: tf.stack(per.map((s) => s.W.mean)) };
        if (layer.b) out[layer.b] = { sumSq: tf.stack(per.map((s) => s.b.sumSq)) as tf.Tensor1D, mean: tf.stack(per.map((s) => s.b.mean)) };
      });
      for (const a of inputs) tf.dispose(Array.isArray(a) ? a : a === x ? [] : [a]);
      const loss = tf.mean(losses!, 1) as tf.Tensor1D;
      tf.dispose(losses!);
      return { loss, stats: out };
    });
  }

  /**
   * {@link perSampleGradientStats} of a cnn on the library's wasm conv-layer kernels: the conv stages
   * forward (ThermoConvLayer), the dense head's δ and input gradient by autodiff, then the conv stages
   * backward (ThermoConvLayerGrad with `perSample`), member by member. Tested against the tap route.
   */
  private cnnStatsOnKernels(p: Params, x: tf.Tensor3D, y: tf.Tensor2D): { loss: tf.Tensor1D; stats: Record<string, MemberStats> } {
    return tf.tidy(() => {
      const [K, n] = x.shape;
      const convs = this.layers.slice(0, -1);
      const head = this.layers[this.layers.length - 1];
      // forward: every member's conv stages, keeping each layer's input and output
      const trace = Array.from({ length: K }, (_, k) => {
        let a = tf.reshape(this.member(x, k), [n, ...this.s.image]) as tf.Tensor4D;
        return convs.map((layer) => {
          const W = this.member(p[layer.W], k) as tf.Tensor4D;
          const out = convLayerPerSample.forward(a, W, layer.b ? this.member(p[layer.b], k) : null);
          const io = { a, W, y: out };
          a = out;
          return io;
        });
      });
      const last = (k: number) => trace[k][convs.length - 1].y;
      const A = (K === 1 ? tf.reshape(last(0), [1, n, -1]) : tf.stack(trace.map((_, k) => tf.reshape(last(k), [n, -1])))) as tf.Tensor3D;
      // the dense head: δ at its output (through a tap) and the gradient at its input
      const tap = tf.zeros([K, n, this.s.classes]);
      let losses: tf.Tensor2D | null = null;
      const [dA, delta] = tf.grads((a: tf.Tensor, t: tf.Tensor) => {
        let z = memberMatMul(a as tf.Tensor3D, p[head.W] as tf.Tensor3D, false, true);
        if (head.b) z = tf.add(z, tf.expandDims(p[head.b], 1)) as tf.Tensor3D;
        const per = perSampleLoss(this.s.loss, tf.add(z, t) as tf.Tensor3D, y);
        losses = tf.keep(per);
        return tf.sum(per) as tf.Scalar;
      })([A, tap]);
      const out: Record<string, MemberStats> = {};
      const hs = denseStats(delta as tf.Tensor3D, A, head.b !== null);
      out[head.W] = hs.W;
      if (head.b && hs.b) out[head.b] = hs.b;
      // backward through the conv stages, member by member
      const per = trace.map((layers, k) => {
        let dy = tf.reshape(this.member(dA, k), last(k).shape) as tf.Tensor4D;
        const stats: { W: ReturnType<typeof sampleStats>; b: ReturnType<typeof sampleStats> | null }[] = [];
        for (let l = layers.length - 1; l >= 0; l--) {
          const { a, W, y: yl } = layers[l];
          const g = convLayerPerSample.backward(a, W, yl, dy, l > 0, convs[l].b !== null);
          stats[l] = { W: sampleStats(g.W), b: g.b ? sampleStats(g.b) : null };
          if (g.dx) dy = g.dx;
        }
        return stats;
      });
      convs.forEach((layer, l) => {
        out[layer.W] = { sumSq: tf.stack(per.map((s) => s[l].W.sumSq)) as tf.Tensor1D, mean: tf.stack(per.map((s) => s[l].W.mean)) };
        if (layer.b) out[layer.b] = { sumSq: tf.stack(per.map((s) => s[l].b!.sumSq)) as tf.Tensor1D, mean: tf.stack(per.map((s) => s[l].b!.mean)) };
      });
      const loss = tf.mean(losses!, 1) as tf.Tensor1D;
      tf.dispose(losses!);
      return { loss, stats: out };
    });
  }
}
