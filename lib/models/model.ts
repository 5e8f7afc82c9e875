/**
 * The interface every model family implements, so that the trainer and probes need no
 * change when a family is added.
 */
import type * as tf from '@tensorflow/tfjs';

/** A model's forward pass on a batch, with what probes need from it. */
export interface ForwardPass {
  /** Pre-activations of each hidden layer, flattened to [B, units]. */
  preActivations: tf.Tensor2D[];
  /** Outputs (logits), [B, C]. */
  logits: tf.Tensor2D;
}

/** Σᵢ‖gᵢ‖² over a batch of per-sample gradients gᵢ of one parameter, and their mean ḡ. */
export type PerSampleStats = {
  sumSq: tf.Scalar;
  mean: tf.Tensor;
};

/** A trainable model. */
export interface Model {
  /** Family name. */
  readonly family: string;
  /** Parameters by name (e.g. `W`, `b`, `V`, or `W1`, `b1`, …). */
  readonly params: Readonly<Record<string, tf.Variable>>;
  /** Forward pass on flat inputs [B, M]. Tensors returned belong to the caller (use inside tf.tidy). */
  forward(x: tf.Tensor2D): ForwardPass;
  /** Batch-mean loss and its gradients w.r.t. every parameter (caller disposes; use in tf.tidy). */
  lossAndGradients(x: tf.Tensor2D, y: tf.Tensor1D): { loss: tf.Scalar; grads: Record<string, tf.Tensor> };
  /**
   * Per-parameter statistics of the per-sample gradients of the per-sample losses on a batch,
   * from one forward and one backward pass (BackPACK-style: for a dense layer
   * Σᵢ‖gᵢ‖² = Σᵢ‖δᵢ‖²‖aᵢ‖², convolutions via unfolded patches). Caller disposes.
   */
  perSampleGradientStats(x: tf.Tensor2D, y: tf.Tensor1D): Record<string, PerSampleStats>;
  /** Frees the parameters. */
  dispose(): void;
}
