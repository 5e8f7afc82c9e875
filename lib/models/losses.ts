/**
 * Losses on a scalar output f and their derivative dL/df, written with tfjs ops.
 * - `bce`: binary cross-entropy with logits, L = max(f,0) − f·y + log(1 + e^{−|f|}); dL/df = σ(f) − y.
 * - `mse`: squared error L = (f − y)²; dL/df = 2(f − y).
 */
import * as tf from '@tensorflow/tfjs';
import type { LossName } from '../core/config.js';

/** Per-sample losses for logits `f` and labels `y` (both [B]). */
export function perSampleLoss(loss: LossName, f: tf.Tensor1D, y: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy((): tf.Tensor1D => {
    if (loss === 'mse') return tf.square(tf.sub(f, y)) as tf.Tensor1D;
    return tf.add(tf.sub(tf.relu(f), tf.mul(f, y)), tf.log1p(tf.exp(tf.neg(tf.abs(f))))) as tf.Tensor1D;
  });
}

/** dL/df per sample. */
export function lossGradient(loss: LossName, f: tf.Tensor1D, y: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => (loss === 'mse' ? tf.mul(tf.sub(f, y), 2) : tf.sub(tf.sigmoid(f), y)) as tf.Tensor1D);
}

/** The model's prediction p: σ(f) for BCE, f itself for MSE. */
export function prediction(loss: LossName, f: tf.Tensor1D): tf.Tensor1D {
  return loss === 'mse' ? f.clone() : tf.sigmoid(f);
}
