/**
 * The two-layer ReLU network of the paper (eq. 63/64): f(x) = V·relu(Wx + b), M inputs,
 * N hidden units, C outputs (C = 1: the paper's scalar output; C = 10: CIFAR-10's one-hidden-
 * layer net), hidden bias optional, no output bias. Gradients are written by hand (one forward,
 * one backward pass) and tested against tfjs autodiff.
 */
import * as tf from '@tensorflow/tfjs';
import type { LossName, RunConfig } from '../core/config.js';
import { Rng } from '../core/rng.js';
import { initDense } from './init.js';
import { lossGradient, perSampleLoss } from './losses.js';
import { matMul } from './matmul.js';
import type { ForwardPass, Model, PerSampleStats } from './model.js';
import { denseStats } from './perSample.js';

/** Options of {@link TwoLayerModel}. */
export type TwoLayerOptions = Pick<RunConfig, 'inputDim' | 'hidden' | 'bias' | 'init' | 'loss' | 'seed'> & { classes?: number };

/** f(x) = V·relu(Wx + b) with W [N, M], b [N] (optional), V [C, N]. */
export class TwoLayerModel implements Model {
  readonly family = 'two-layer';
  readonly params: Readonly<Record<string, tf.Variable>>;
  readonly W: tf.Variable<tf.Rank.R2>;
  readonly b: tf.Variable<tf.Rank.R1> | null;
  readonly V: tf.Variable<tf.Rank.R2>;
  private readonly loss: LossName;

  /** Initializes W, b from the layer's fan-in M and V from fan-in N, using the seed's `init` stream. */
  constructor(opts: TwoLayerOptions) {
    const { inputDim: M, hidden: N } = opts;
    const C = opts.classes ?? 1;
    const rng = new Rng(opts.seed, 'init');
    const first = initDense(opts.init, M, N, rng);
    const second = initDense(opts.init, N, C, rng);
    this.loss = opts.loss;
    // tf.variable keeps a reference to its initial tensor: create both in tidy so the initial one is freed.
    this.W = tf.tidy(() => tf.variable(tf.tensor2d(first.weight, [N, M]), true));
    this.b = opts.bias ? tf.tidy(() => tf.variable(tf.tensor1d(first.bias), true)) : null;
    this.V = tf.tidy(() => tf.variable(tf.tensor2d(second.weight, [C, N]), true));
    const params: Record<string, tf.Variable> = { W: this.W, V: this.V };
    if (this.b) params.b = this.b;
    this.params = params;
  }

  /** Hidden pre-activations Wx + b, [B, N]. */
  preActivation(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const h = tf.matMul(x, this.W, false, true);
      return (this.b ? tf.add(h, this.b) : h) as tf.Tensor2D;
    });
  }

  forward(x: tf.Tensor2D): ForwardPass {
    return tf.tidy(() => {
      const h = this.preActivation(x);
      return { preActivations: [h], logits: matMul(tf.relu(h), this.V, false, true) };
    });
  }

  /** Hidden pre-activations, activations and logits, and δ of the hidden layer for output gradients D [B, C]. */
  private backward(x: tf.Tensor2D, y: tf.Tensor1D, scale: number) {
    const h = this.preActivation(x);
    const a = tf.relu(h) as tf.Tensor2D;
    const logits = matMul(a, this.V, false, true);
    const D = tf.div(lossGradient(this.loss, logits, y), scale) as tf.Tensor2D; // dL/df, [B, C]
    const dh = tf.mul(matMul(D, this.V), tf.step(h)) as tf.Tensor2D; // dL/dh, [B, N]
    return { h, a, logits, D, dh };
  }

  lossAndGradients(x: tf.Tensor2D, y: tf.Tensor1D): { loss: tf.Scalar; grads: Record<string, tf.Tensor> } {
    return tf.tidy(() => {
      const { a, logits, D, dh } = this.backward(x, y, x.shape[0]);
      const loss = tf.mean(perSampleLoss(this.loss, logits, y)) as tf.Scalar;
      const grads: Record<string, tf.Tensor> = { W: matMul(dh, x, true, false), V: matMul(D, a, true, false) };
      if (this.b) grads.b = tf.sum(dh, 0);
      return { loss, grads };
    });
  }

  perSampleGradientStats(x: tf.Tensor2D, y: tf.Tensor1D): Record<string, PerSampleStats> {
    return tf.tidy(() => {
      const { a, D, dh } = this.backward(x, y, 1);
      const first = denseStats(dh, x, this.b !== null);
      const second = denseStats(D, a, false);
      const out: Record<string, PerSampleStats> = { W: first.W, V: second.W };
      if (first.b) out.b = first.b;
      return out;
    });
  }

  dispose(): void {
    for (const p of Object.values(this.params)) p.dispose();
  }
}
