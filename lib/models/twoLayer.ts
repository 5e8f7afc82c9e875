/**
 * The two-layer ReLU network of the paper (eq. 63/64): f(x) = V·relu(Wx + b), M inputs,
 * N hidden units, C outputs (C = 1: the paper's scalar output; C = 10: CIFAR-10's one-hidden-
 * layer net), hidden bias optional, no output bias. Written once with a leading member axis;
 * gradients by hand (one forward, one backward pass), tested against tfjs autodiff.
 */
import * as tf from '@tensorflow/tfjs';
import type { LossName } from '../core/config.js';
import { statsOnly, type Architecture, type BatchedForward, type MemberStats, type Params } from './arch.js';
import { lossGradient, perSampleLoss } from './losses.js';
import { batchMatMul, denseStats } from './perSample.js';
import { memberMatMul } from './matmul.js';

/** The sizes of a two-layer architecture. */
export interface TwoLayerShape {
  inputDim: number;
  hidden: number;
  classes: number;
  bias: boolean;
  loss: LossName;
}

/** f(x) = V·relu(Wx + b) per member: W [K, N, M], b [K, N] (optional), V [K, C, N]. */
export class TwoLayerArch implements Architecture {
  readonly family = 'two-layer' as const;
  readonly shapes: Readonly<Record<string, readonly number[]>>;
  private readonly s: TwoLayerShape;

  constructor(shape: TwoLayerShape) {
    this.s = shape;
    const { inputDim: M, hidden: N, classes: C } = shape;
    this.shapes = shape.bias ? { W: [N, M], b: [N], V: [C, N] } : { W: [N, M], V: [C, N] };
  }

  /** Hidden pre-activations Wx + b, [K, n, N]. */
  private pre(p: Params, x: tf.Tensor3D): tf.Tensor3D {
    const h: tf.Tensor3D = memberMatMul(x, p.W as tf.Tensor3D, false, true);
    if (!p.b) return h;
    const [K, N] = p.b.shape;
    return tf.add(h, tf.reshape(p.b, [K, 1, N])) as tf.Tensor3D;
  }

  /** Logits of activations a [K, n, N]: a broadcast product for one output (no inner-dimension-1 matMul). */
  private logits(p: Params, a: tf.Tensor3D): tf.Tensor3D {
    return this.s.classes === 1 ? (tf.sum(tf.mul(a, p.V), 2, true) as tf.Tensor3D) : memberMatMul(a, p.V as tf.Tensor3D, false, true);
  }

  /** δ of the hidden layer for output gradients D [K, n, C]: (D·V) ⊙ step(h). */
  private hiddenDelta(p: Params, D: tf.Tensor3D, h: tf.Tensor3D): tf.Tensor3D {
    const back = this.s.classes === 1 ? tf.mul(D, p.V) : memberMatMul(D, p.V as tf.Tensor3D);
    return tf.mul(back, tf.step(h));
  }

  forward(p: Params, x: tf.Tensor3D): BatchedForward {
    return tf.tidy(() => {
      const h = this.pre(p, x);
      return { preActivations: [h], logits: this.logits(p, tf.relu(h)) };
    });
  }

  lossAndGradients(p: Params, x: tf.Tensor3D, y: tf.Tensor2D, w: tf.Tensor2D, scale?: tf.Tensor1D): { loss: tf.Tensor1D; grads: Params } {
    return tf.tidy(() => {
      const [K, B] = y.shape;
      const { hidden: N, classes: C } = this.s;
      const h = this.pre(p, x);
      const a = tf.relu(h);
      const f = this.logits(p, a);
      const w3 = tf.reshape(w, [K, B, 1]);
      const loss = tf.sum(tf.mul(perSampleLoss(this.s.loss, f, y), w), 1) as tf.Tensor1D;
      // the step's scale (η) is folded into the small output gradients before the outer products
      let D = tf.mul(lossGradient(this.s.loss, f, y), w3) as tf.Tensor3D; // dL/df, [K, B, C]
      if (scale) D = tf.mul(D, tf.reshape(scale, [K, 1, 1]));
      const dh = this.hiddenDelta(p, D, h); // [K, B, N]
      const grads: Params = {
        W: B === 1 ? tf.mul(tf.reshape(dh, [K, N, 1]), x) : batchMatMul(dh, x, true, false),
        V: B === 1 ? tf.mul(tf.reshape(D, [K, C, 1]), a) : batchMatMul(D, a, true, false),
      };
      if (p.b) grads.b = tf.sum(dh, 1);
      return { loss, grads };
    });
  }

  perSampleGradientStats(p: Params, x: tf.Tensor3D, y: tf.Tensor2D): Record<string, MemberStats> {
    return statsOnly(this, p, x, y);
  }

  lossAndStats(p: Params, x: tf.Tensor3D, y: tf.Tensor2D): { loss: tf.Tensor1D; stats: Record<string, MemberStats> } {
    return tf.tidy(() => {
      const h = this.pre(p, x);
      const a = tf.relu(h);
      const z = this.logits(p, a);
      const D = lossGradient(this.s.loss, z, y);
      const dh = this.hiddenDelta(p, D, h);
      const first = denseStats(dh, x, p.b !== undefined);
      const second = denseStats(D, a, false);
      const stats: Record<string, MemberStats> = { W: first.W, V: second.W };
      if (first.b) stats.b = first.b;
      return { loss: tf.mean(perSampleLoss(this.s.loss, z, y), 1) as tf.Tensor1D, stats };
    });
  }
}
