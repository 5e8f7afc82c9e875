/**
 * Architectures: each model family written once, as functions of parameter tensors with a
 * leading member axis K (an ensemble of K runs; K = 1 is a single model). Engines train with
 * them, probes measure with them, and the single-model {@link Model} classes are views of them.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ModelName } from '../core/config.js';

/** Parameters by name, each [K, …per-member shape]. */
export type Params = Record<string, tf.Tensor>;

/** A batched forward pass: what probes need from it. */
export interface BatchedForward {
  /** Pre-activations of each hidden layer, flattened to [K, n, units]. */
  preActivations: tf.Tensor3D[];
  /** Outputs (logits), [K, n, C]. */
  logits: tf.Tensor3D;
}

/** Σᵢ‖gᵢ‖² over a batch of per-sample gradients gᵢ of one parameter ([K]), and their mean ḡ ([K, …shape]). */
export type MemberStats = {
  sumSq: tf.Tensor1D;
  mean: tf.Tensor;
};

/** One model family, member-axis. All methods return tensors the caller owns (use inside tf.tidy). */
export interface Architecture {
  /** Family name. */
  readonly family: ModelName;
  /** Per-member parameter shapes by name, in layer order. */
  readonly shapes: Readonly<Record<string, readonly number[]>>;
  /** Forward pass of K members on their own inputs x [K, n, M]. */
  forward(p: Params, x: tf.Tensor3D): BatchedForward;
  /**
   * Each member's weighted loss L_k = Σ_b w[k, b]·ℓ(x[k, b], y[k, b]) ([K]) and its gradients, each
   * multiplied by scale[k] when `scale` ([K]) is given (η: the SGD step itself). Samples of weight 0
   * (padding, inactive members) contribute nothing.
   */
  lossAndGradients(p: Params, x: tf.Tensor3D, y: tf.Tensor2D, w: tf.Tensor2D, scale?: tf.Tensor1D): { loss: tf.Tensor1D; grads: Params };
  /**
   * Statistics of the per-sample gradients of the per-sample losses on x [K, n, M], y [K, n], from one
   * forward and one backward pass (BackPACK's trick: Σᵢ‖δᵢ‖²‖aᵢ‖² for dense layers, unfolded patches for convolutions).
   */
  perSampleGradientStats(p: Params, x: tf.Tensor3D, y: tf.Tensor2D): Record<string, MemberStats>;
  /**
   * {@link perSampleGradientStats} with each member's mean loss over the n samples ([K]), from the same
   * forward and backward pass: all that one SGD step on that batch needs (ḡ is its gradient), and
   * the statistics of that batch besides.
   */
  lossAndStats(p: Params, x: tf.Tensor3D, y: tf.Tensor2D): { loss: tf.Tensor1D; stats: Record<string, MemberStats> };
}

/** {@link Architecture.perSampleGradientStats} from {@link Architecture.lossAndStats}: the statistics alone. */
export function statsOnly(arch: Pick<Architecture, 'lossAndStats'>, p: Params, x: tf.Tensor3D, y: tf.Tensor2D): Record<string, MemberStats> {
  const { loss, stats } = arch.lossAndStats(p, x, y);
  loss.dispose();
  return stats;
}

/** The number of parameters of one member. */
export function parameterCount(arch: Pick<Architecture, 'shapes'>): number {
  return Object.values(arch.shapes).reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
}
