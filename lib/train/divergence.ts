/** Divergence checks: NaN/Inf in the loss or parameters, or a parameter norm above the config's threshold. */
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../models/model.js';
import { readTensor } from '../backend/read.js';

/** Returns a reason string if the model has diverged, else null. Reads one small tensor from the device. */
export async function divergenceReason(model: Model, lossSum: tf.Tensor | null, threshold: number): Promise<string | null> {
  const names = Object.keys(model.params);
  const values = tf.tidy(() => {
    const parts = names.map((n) => tf.sum(tf.square(model.params[n])));
    if (lossSum) parts.push(tf.reshape(lossSum, []));
    return tf.stack(parts);
  });
  const v = await readTensor(values);
  values.dispose();
  if (lossSum && !Number.isFinite(v[names.length])) return `non-finite training loss (${v[names.length]})`;
  for (let i = 0; i < names.length; i++) {
    const norm = Math.sqrt(v[i]);
    if (!Number.isFinite(norm)) return `non-finite parameter ${names[i]}`;
    if (norm > threshold) return `‖${names[i]}‖ = ${norm.toExponential(3)} exceeds divergenceThreshold ${threshold}`;
  }
  return null;
}
