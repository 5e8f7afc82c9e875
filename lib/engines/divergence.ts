/**
 * The divergence rule, written once: a run has diverged when its training-loss accumulator is
 * non-finite, or a parameter's norm is non-finite or above the config's `divergenceThreshold`; at a
 * record, also when a measured value is non-finite. The loop applies it at every record; engines
 * apply it every `checkEvery` steps: the tfjs engine through {@link divergedOnDevice} (the same rule
 * as tfjs ops), the fused kernels through line-by-line WGSL and AssemblyScript translations.
 */
import * as tf from '@tensorflow/tfjs';

/** Why a member diverged, from Σp² of each parameter and its loss accumulator (null: not checked), or null. */
export function divergenceReason(sumSquares: Record<string, number>, lossSum: number | null, threshold: number): string | null {
  if (lossSum !== null && !Number.isFinite(lossSum)) return `non-finite training loss (${lossSum})`;
  for (const [name, sq] of Object.entries(sumSquares)) {
    const norm = Math.sqrt(sq);
    if (!Number.isFinite(norm)) return `non-finite parameter ${name}`;
    if (norm > threshold) return `‖${name}‖ = ${norm.toExponential(3)} exceeds divergenceThreshold ${threshold}`;
  }
  return null;
}

/** Why a record marks its run diverged, or null: a non-finite value of any field. */
export function recordReason(record: Record<string, number>): string | null {
  const bad = Object.entries(record).find(([, v]) => !Number.isFinite(v));
  return bad ? `non-finite ${bad[0]}` : null;
}

/**
 * The same rule on the device, for K members at once: true where the loss accumulator [K] is
 * non-finite or a parameter [K, …] has a non-finite norm or one above the member's threshold [K].
 */
export function divergedOnDevice(params: Record<string, tf.Tensor>, lossSum: tf.Tensor1D, thresholds: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const K = lossSum.shape[0];
    let ok: tf.Tensor = tf.isFinite(lossSum);
    for (const p of Object.values(params)) {
      const norm = tf.sqrt(tf.sum(tf.square(tf.reshape(p, [K, -1])), 1));
      ok = tf.logicalAnd(ok, tf.logicalAnd(tf.isFinite(norm), tf.lessEqual(norm, thresholds)));
    }
    return tf.logicalNot(ok) as tf.Tensor1D;
  });
}
