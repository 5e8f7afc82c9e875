/**
 * A stride-1 'same' convolution whose filter gradient is computed as an ordinary Conv2D on
 * transposed tensors, so training conv nets works on backends without a Conv2DBackpropFilter
 * kernel (tfjs-backend-wasm 4.22) and is much faster on the cpu backend.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * dL/dW for y = conv2d(x, W, 1, 'same') with an odd k×k filter:
 * dW[i, j, c, o] = Σ_{n,y,x} x_pad[n, y+i, x+j, c] · dy[n, y, x, o], i.e. a 'valid' convolution of
 * the padded input (channels as batch, batch as channels) with dy as the filter.
 */
export function convFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, k: number): tf.Tensor4D {
  return tf.tidy(() => {
    const p = (k - 1) / 2;
    const xp = tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]]);
    const xt = tf.transpose(xp, [3, 1, 2, 0]) as tf.Tensor4D; // [C_in, H+2p, W+2p, N]
    const f = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [H, W, N, C_out]
    const g = tf.conv2d(xt, f, 1, 'valid'); // [C_in, k, k, C_out]
    return tf.transpose(g, [1, 2, 0, 3]) as tf.Tensor4D; // [k, k, C_in, C_out]
  });
}

/**
 * dL/dx for y = conv2d(x, W, 1, 'same') with an odd k×k filter: a 'same' convolution of dy with
 * the filter rotated by 180° and its in/out channels swapped (faster than Conv2DBackpropInput on wasm).
 */
export function convInputGradient(dy: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.conv2d(dy, tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D, 1, 'same'));
}

/** conv2d(x, W, stride 1, 'same') with the gradients above for W and x. */
export const sameConv = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x4, w4, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
  save([x4, w4]);
  return {
    value: tf.conv2d(x4, w4, 1, 'same'),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
      const d = dy as tf.Tensor4D;
      return [convInputGradient(d, ws), convFilterGradient(xs, d, ws.shape[0])];
    },
  };
}) as (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D;

/**
 * conv2d(x, W, stride 1, 'same') for training and probes: on the cpu backend with the gradients above
 * (45× faster there than tfjs's Conv2DBackpropFilter); elsewhere tfjs's own op, whose gradients are
 * the backend's kernels (the library's GEMM kernels on wasm) and are computed only for what needs them.
 */
export function convSame(x: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor4D {
  return tf.getBackend() === 'cpu' ? sameConv(x, w) : tf.conv2d(x, w, 1, 'same');
}
