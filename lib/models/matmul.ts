/**
 * Matrix products that avoid two backend defects. tfjs-backend-wasm 4.22: a matMul whose inner
 * dimension is 1 (an outer product, e.g. batch-1 gradients) can return uninitialized
 * memory on wasm (XNNPACK). With inner dimension 1 the product is computed as a
 * broadcast multiply, which is exact on every backend. tfjs-backend-webgpu 4.22: a batched matMul
 * reads past the end of one batch entry's inner dimension into the next entry's data (multiplied by
 * zero padding), so a NaN or ±Inf in one member's parameters turns other members' products into NaN
 * ({@link memberMatMul}).
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

// tf.isFinite, not x − x == 0: a shader compiler allowed to assume finite math may fold x − x to 0

/** Per batch entry, whether every value of t [K, …] is finite: [K, 1, 1]. */
function finiteEntries(t: tf.Tensor3D): tf.Tensor3D {
  return tf.reshape(tf.all(tf.reshape(tf.isFinite(t), [t.shape[0], -1]), 1), [-1, 1, 1]);
}

/** t with its non-finite values set to 0. */
const clean = (t: tf.Tensor3D): tf.Tensor3D => tf.where(tf.isFinite(t), t, tf.zerosLike(t));

/** The guarded product on webgpu, with BatchMatMul's gradients taken between cleaned operands. */
function guardedMatMul(transposeA: boolean, transposeB: boolean) {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [a, b, save] = args as [tf.Tensor3D, tf.Tensor3D, tf.GradSaveFunc];
    const [ca, cb] = [clean(a), clean(b)];
    const out = tf.matMul(ca, cb, transposeA, transposeB);
    const ok = tf.broadcastTo(tf.logicalAnd(finiteEntries(a), finiteEntries(b)), out.shape);
    save([ca, cb, ok]);
    return {
      value: tf.where(ok, out, tf.fill(out.shape, NaN)) as tf.Tensor3D,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [A, B, keep] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
        const d = clean(tf.where(keep, dy as tf.Tensor3D, tf.zerosLike(dy as tf.Tensor3D)) as tf.Tensor3D);
        const mm = (x: tf.Tensor3D, y: tf.Tensor3D, tx: boolean, ty: boolean) => tf.matMul(x, y, tx, ty);
        if (!transposeA && !transposeB) return [mm(d, B, false, true), mm(A, d, true, false)];
        if (!transposeA && transposeB) return [mm(d, B, false, false), mm(d, A, true, false)];
        if (transposeA && !transposeB) return [mm(B, d, false, true), mm(A, d, false, false)];
        return [mm(B, d, true, true), mm(d, A, true, true)];
      },
    };
  }) as (a: tf.Tensor3D, b: tf.Tensor3D) => tf.Tensor3D;
}

/**
 * Batched a·b over a leading member axis, [K, m, k]·[K, k, n] → [K, m, n] (optionally transposed).
 * On webgpu, members whose operands hold NaN or ±Inf are multiplied as zeros and their products set
 * to NaN, so that they cannot spill into the other members' products (see above); the gradient of
 * such a member is 0, and the gradients' own products are taken between cleaned operands. Elsewhere,
 * and for one member (no other member to spill into), it is tf.matMul.
 */
export function memberMatMul(a: tf.Tensor3D, b: tf.Tensor3D, transposeA = false, transposeB = false): tf.Tensor3D {
  // (broadcast member axes are not guarded: every caller passes K entries on both sides)
  if (tf.getBackend() !== 'webgpu' || a.shape[0] !== b.shape[0] || a.shape[0] === 1) return tf.matMul(a, b, transposeA, transposeB);
  return guardedMatMul(transposeA, transposeB)(a, b);
}
