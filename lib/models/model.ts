/**
 * The interface every model family implements, so that the trainer and probes need no
 * change when a family is added.
 */
import type * as tf from '@tensorflow/tfjs';

/** A model's forward pass on a batch, with what probes need from it. */
export interface ForwardPass {
  /** Pre-activations of each hidden layer, [B, units]. */
  preActivations: tf.Tensor2D[];
  /** Scalar outputs (logits), [B]. */
  logits: tf.Tensor1D;
}

/** A trainable model with hand-written gradients. */
export interface Model {
  /** Family name. */
  readonly family: string;
  /** Parameters by name (e.g. `W`, `b`, `V`). */
  readonly params: Readonly<Record<string, tf.Variable>>;
  /** Forward pass. Tensors returned belong to the caller (use inside tf.tidy). */
  forward(x: tf.Tensor2D): ForwardPass;
  /** Batch-mean loss and its gradients w.r.t. every parameter (caller disposes; use in tf.tidy). */
  lossAndGradients(x: tf.Tensor2D, y: tf.Tensor1D): { loss: tf.Scalar; grads: Record<string, tf.Tensor> };
  /** Frees the parameters. */
  dispose(): void;
}
