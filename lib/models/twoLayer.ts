/**
 * The two-layer ReLU network of the paper (eq. 63/64): f(x) = V·relu(Wx + b), M inputs,
 * N hidden units, scalar output, bias optional, no output bias. Gradients are written by
 * hand (one forward, one backward pass) and tested against tfjs autodiff.
 */
import * as tf from '@tensorflow/tfjs';
import type { LossName, RunConfig } from '../core/config.js';
import { Rng } from '../core/rng.js';
import { initDense } from './init.js';
import { lossGradient, perSampleLoss } from './losses.js';
import { matMul } from './matmul.js';
import type { ForwardPass, Model } from './model.js';

/** Options of {@link TwoLayerModel}. */
export type TwoLayerOptions = Pick<RunConfig, 'inputDim' | 'hidden' | 'bias' | 'init' | 'loss' | 'seed'>;

/** f(x) = V·relu(Wx + b) with W [N, M], b [N] (optional), V [N]. */
export class TwoLayerModel implements Model {
  readonly family = 'two-layer';
  readonly params: Readonly<Record<string, tf.Variable>>;
  readonly W: tf.Variable<tf.Rank.R2>;
  readonly b: tf.Variable<tf.Rank.R1> | null;
  readonly V: tf.Variable<tf.Rank.R1>;
  private readonly loss: LossName;

  /** Initializes W, b from the layer's fan-in M and V from fan-in N, using the seed's `init` stream. */
  constructor(opts: TwoLayerOptions) {
    const { inputDim: M, hidden: N } = opts;
    const rng = new Rng(opts.seed, 'init');
    const first = initDense(opts.init, M, N, rng);
    const second = initDense(opts.init, N, 1, rng);
    this.loss = opts.loss;
    // tf.variable keeps a reference to its initial tensor: create both in tidy so the initial one is freed.
    this.W = tf.tidy(() => tf.variable(tf.tensor2d(first.weight, [N, M]), true));
    this.b = opts.bias ? tf.tidy(() => tf.variable(tf.tensor1d(first.bias), true)) : null;
    this.V = tf.tidy(() => tf.variable(tf.tensor1d(second.weight), true));
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
      const logits = tf.reshape(tf.matMul(tf.relu(h), tf.reshape(this.V, [-1, 1])), [-1]) as tf.Tensor1D;
      return { preActivations: [h], logits };
    });
  }

  lossAndGradients(x: tf.Tensor2D, y: tf.Tensor1D): { loss: tf.Scalar; grads: Record<string, tf.Tensor> } {
    return tf.tidy(() => {
      const batch = x.shape[0];
      const h = this.preActivation(x);
      const a = tf.relu(h);
      const f = tf.reshape(tf.matMul(a, tf.reshape(this.V, [-1, 1])), [-1]) as tf.Tensor1D;
      const loss = tf.mean(perSampleLoss(this.loss, f, y)) as tf.Scalar;
      const d = tf.div(lossGradient(this.loss, f, y), batch); // dL/df of the batch mean, [B]
      const gV = tf.reshape(matMul(tf.reshape(d, [1, -1]) as tf.Tensor2D, a), [-1]);
      const dh = tf.mul(tf.mul(tf.reshape(d, [-1, 1]), tf.reshape(this.V, [1, -1])), tf.step(h)) as tf.Tensor2D; // [B, N]
      const grads: Record<string, tf.Tensor> = { W: matMul(dh, x, true, false), V: gV };
      if (this.b) grads.b = tf.sum(dh, 0);
      return { loss, grads };
    });
  }

  dispose(): void {
    for (const p of Object.values(this.params)) p.dispose();
  }
}

/** Builds the model a config names. */
export function createModel(cfg: RunConfig): Model {
  switch (cfg.model) {
    case 'two-layer':
      return new TwoLayerModel(cfg);
  }
}
