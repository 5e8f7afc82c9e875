/**
 * Losses on logits f [B, C] and labels y [B] (0/1 for C = 1, class indices for C ≥ 2), and
 * their derivative dL/df [B, C], written with tfjs ops.
 * - `bce` (C = 1): binary cross-entropy with logits, L = softplus(f) − f·y = max(f,0) − f·y + log(1 + e^{−|f|}); dL/df = σ(f) − y.
 * - `mse` (C = 1): squared error L = (f − y)²; dL/df = 2(f − y).
 * - `softmax-ce` (C ≥ 2): L = −log softmax(f)_y; dL/df = softmax(f) − onehot(y).
 */
import * as tf from '@tensorflow/tfjs';
import type { LossName } from '../core/config.js';

/** One-hot targets [B, C] for a loss: y itself as a column for C = 1. */
function targets(loss: LossName, logits: tf.Tensor2D, y: tf.Tensor1D): tf.Tensor2D {
  if (loss === 'softmax-ce') return tf.oneHot(tf.cast(y, 'int32'), logits.shape[1]).toFloat() as tf.Tensor2D;
  return tf.reshape(y, [-1, 1]) as tf.Tensor2D;
}

/** Per-sample losses [B]. */
export function perSampleLoss(loss: LossName, logits: tf.Tensor2D, y: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy((): tf.Tensor1D => {
    const t = targets(loss, logits, y);
    if (loss === 'softmax-ce') return tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), t), 1)) as tf.Tensor1D;
    const f = logits;
    if (loss === 'mse') return tf.reshape(tf.square(tf.sub(f, t)), [-1]) as tf.Tensor1D;
    return tf.reshape(tf.sub(tf.softplus(f), tf.mul(f, t)), [-1]) as tf.Tensor1D; // softplus(f) = max(f,0) + log(1 + e^{−|f|}), computed stably by tfjs
  });
}

/** dL/df per sample, [B, C]. */
export function lossGradient(loss: LossName, logits: tf.Tensor2D, y: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy((): tf.Tensor2D => {
    const t = targets(loss, logits, y);
    if (loss === 'mse') return tf.mul(tf.sub(logits, t), 2) as tf.Tensor2D;
    if (loss === 'softmax-ce') return tf.sub(tf.softmax(logits), t) as tf.Tensor2D;
    return tf.sub(tf.sigmoid(logits), t) as tf.Tensor2D;
  });
}

/** Mean over samples of Σ_c (p_c − t_c)²: p = σ(f) for BCE, f for MSE, softmax(f) for CE (the Brier score). */
export function meanSquaredPredictionError(loss: LossName, logits: tf.Tensor2D, y: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const t = targets(loss, logits, y);
    const p = loss === 'mse' ? logits : loss === 'softmax-ce' ? tf.softmax(logits) : tf.sigmoid(logits);
    return tf.mean(tf.sum(tf.square(tf.sub(p, t)), 1)) as tf.Scalar;
  });
}
