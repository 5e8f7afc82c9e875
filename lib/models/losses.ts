/**
 * Losses on logits f [..., C] and labels y [...] (0/1 for C = 1, class indices for C ≥ 2), and
 * their derivative dL/df [..., C], written with tfjs ops; any leading axes (samples, or members
 * and samples) are kept.
 * - `bce` (C = 1): binary cross-entropy with logits, L = softplus(f) − f·y = max(f,0) − f·y + log(1 + e^{−|f|}); dL/df = σ(f) − y.
 * - `mse` (C = 1): squared error L = (f − y)²; dL/df = 2(f − y).
 * - `softmax-ce` (C ≥ 2): L = −log softmax(f)_y; dL/df = softmax(f) − onehot(y).
 */
import * as tf from '@tensorflow/tfjs';
import type { LossName } from '../core/config.js';

/** Targets shaped like the logits: y itself on a last axis of 1 for C = 1, one-hot rows for C ≥ 2. */
function targets(loss: LossName, logits: tf.Tensor, y: tf.Tensor): tf.Tensor {
  if (loss !== 'softmax-ce') return tf.expandDims(y, -1);
  const C = logits.shape[logits.rank - 1];
  return tf.reshape(tf.oneHot(tf.cast(tf.reshape(y, [-1]), 'int32'), C).toFloat(), logits.shape);
}

/** Per-sample losses, shaped like y. */
export function perSampleLoss<T extends tf.Tensor>(loss: LossName, logits: tf.Tensor, y: T): T {
  return tf.tidy(() => {
    const t = targets(loss, logits, y);
    if (loss === 'softmax-ce') return tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), t), -1)) as T;
    if (loss === 'mse') return tf.squeeze(tf.square(tf.sub(logits, t)), [-1]) as T;
    // softplus(f) = max(f,0) + log(1 + e^{−|f|}), computed stably by tfjs
    return tf.squeeze(tf.sub(tf.softplus(logits), tf.mul(logits, t)), [-1]) as T;
  });
}

/** dL/df per sample, shaped like the logits. */
export function lossGradient<T extends tf.Tensor>(loss: LossName, logits: T, y: tf.Tensor): T {
  return tf.tidy(() => {
    const t = targets(loss, logits, y);
    if (loss === 'mse') return tf.mul(tf.sub(logits, t), 2) as T;
    if (loss === 'softmax-ce') return tf.sub(tf.softmax(logits), t) as T;
    return tf.sub(tf.sigmoid(logits), t) as T;
  });
}

/** Σ_c (p_c − t_c)² per sample, shaped like y: p = σ(f) for BCE, f for MSE, softmax(f) for CE (the Brier score). */
export function squaredPredictionError<T extends tf.Tensor>(loss: LossName, logits: tf.Tensor, y: T): T {
  return tf.tidy(() => {
    const t = targets(loss, logits, y);
    const p = loss === 'mse' ? logits : loss === 'softmax-ce' ? tf.softmax(logits) : tf.sigmoid(logits);
    return tf.sum(tf.square(tf.sub(p, t)), -1) as T;
  });
}

/** Mean over samples of {@link squaredPredictionError} (logits [B, C], labels [B]). */
export function meanSquaredPredictionError(loss: LossName, logits: tf.Tensor2D, y: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.mean(squaredPredictionError(loss, logits, y)) as tf.Scalar);
}
