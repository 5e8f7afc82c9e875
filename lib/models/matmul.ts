/**
 * Matrix product that avoids a tfjs-backend-wasm 4.22 defect: a matMul whose inner
 * dimension is 1 (an outer product, e.g. batch-1 gradients) can return uninitialized
 * memory on wasm (XNNPACK). With inner dimension 1 the product is computed as a
 * broadcast multiply, which is exact on every backend.
 */
import * as tf from '@tensorflow/tfjs';

/** a·b (optionally transposed), [m, k]·[k, n] → [m, n]. */
export function matMul(a: tf.Tensor2D, b: tf.Tensor2D, transposeA = false, transposeB = false): tf.Tensor2D {
  const k = transposeA ? a.shape[0] : a.shape[1];
  if (k !== 1) return tf.matMul(a, b, transposeA, transposeB);
  return tf.tidy(() => {
    const col = tf.reshape(a, [-1, 1]); // [m, 1]
    const row = tf.reshape(b, [1, -1]); // [1, n]
    return tf.mul(col, row) as tf.Tensor2D;
  });
}
