/**
 * Per-sample gradient statistics of dense and convolution layers from δ (the gradient of each
 * sample's loss w.r.t. the layer's output) and a (the layer's input), without a loop over samples.
 * - dense y = W a + b: gᵢ(W) = δᵢ aᵢᵀ, so ‖gᵢ(W)‖² = ‖δᵢ‖²‖aᵢ‖²; gᵢ(b) = δᵢ.
 * - conv: gᵢ(W) = Pᵢᵀ Δᵢ with Pᵢ the unfolded input patches [positions, k·k·C_in] and Δᵢ the
 *   output gradients [positions, C_out]; gᵢ(b) = Σ_positions Δᵢ. tfjs has no unfold op: the
 *   patches are the k·k shifted windows of the padded input ({@link unfold}; a convolution with
 *   one-hot filters gives the same, {@link unfoldByConv}, at k·k·C_in times the cost); {@link convStats}
 *   takes every Pᵢᵀ Δᵢ at once as one depthwise convolution, without materializing them.
 * Dense statistics take a leading member axis: δ [K, n, out], a [K, n, in].
 */
import * as tf from '@tensorflow/tfjs';
import type { MemberStats } from './arch.js';
import { memberMatMul } from './matmul.js';

/** a·b over a member axis, [K, m, k]·[K, k, n]; an inner dimension of 1 is a broadcast multiply (see models/matmul.ts). */
export function batchMatMul(a: tf.Tensor3D, b: tf.Tensor3D, transposeA = false, transposeB = false): tf.Tensor3D {
  const inner = transposeA ? a.shape[1] : a.shape[2];
  if (inner !== 1) return memberMatMul(a, b, transposeA, transposeB);
  return tf.tidy(() => {
    const col = transposeA ? tf.transpose(a, [0, 2, 1]) : a; // [K, m, 1]
    const row = transposeB ? tf.transpose(b, [0, 2, 1]) : b; // [K, 1, n]
    return tf.mul(col, row) as tf.Tensor3D;
  });
}

/** Stats of a dense layer's weight [out, in] and bias [out], per member, from δ [K, n, out] and a [K, n, in]. */
export function denseStats(delta: tf.Tensor3D, input: tf.Tensor3D, withBias: boolean): { W: MemberStats; b?: MemberStats } {
  return tf.tidy(() => {
    const n = delta.shape[1];
    const dSq = tf.sum(tf.square(delta), 2);
    const aSq = tf.sum(tf.square(input), 2);
    const W = { sumSq: tf.sum(tf.mul(dSq, aSq), 1) as tf.Tensor1D, mean: tf.div(batchMatMul(delta, input, true, false), n) };
    if (!withBias) return { W };
    return { W, b: { sumSq: tf.sum(dSq, 1) as tf.Tensor1D, mean: tf.div(tf.sum(delta, 1), n) } };
  });
}

/** One-hot filters [k, k, C, k·k·C] mapping each (dy, dx, c) of a patch to its own output channel. */
export function unfoldFilters(k: number, channels: number): tf.Tensor4D {
  const size = k * k * channels;
  const data = new Float32Array(size * size);
  for (let i = 0; i < size; i++) data[i * size + i] = 1;
  return tf.tensor4d(data, [k, k, channels, size]);
}

/** Unfolded 'same'-padded patches of x [n, H, W, C]: [n, H·W, k·k·C], ordered as a [k, k, C, ·] filter flattens. */
export function unfold(x: tf.Tensor4D, k: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const p = (k - 1) / 2;
    const xp = tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]]);
    const windows: tf.Tensor[] = [];
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) windows.push(tf.slice(xp, [0, i, j, 0], [n, h, w, c]));
    return tf.reshape(tf.stack(windows, 3), [n, h * w, k * k * c]) as tf.Tensor3D; // [n, H, W, k·k, C] → (i, j, c) order
  });
}

/** The same patches as {@link unfold}, by a convolution with one-hot filters (reference implementation). */
export function unfoldByConv(x: tf.Tensor4D, k: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    return tf.reshape(tf.conv2d(x, unfoldFilters(k, c), 1, 'same'), [n, h * w, k * k * c]) as tf.Tensor3D;
  });
}

/** Stats of one member's conv layer: Σᵢ‖gᵢ‖² as a scalar and the mean gradient. */
export interface ConvStats {
  W: { sumSq: tf.Scalar; mean: tf.Tensor4D };
  b: { sumSq: tf.Scalar; mean: tf.Tensor1D };
}

/**
 * Stats of one member's conv layer filter [k, k, C_in, C_out] and bias [C_out] from its output
 * gradients δ [n, H, W, C_out] and input a [n, H, W, C_in] ('same' padding, stride 1), as one
 * depthwise convolution with the batch as channels: depthwiseConv2d(a_padᵀ [C_in, H+2p, W+2p, n],
 * δᵀ [H, W, n, C_out], 'valid') is [C_in, k, k, n·C_out], every sample's filter gradient
 * gᵢ = Pᵢᵀ Δᵢ at once (the unfolded patches Pᵢ are never materialized), from which Σᵢ‖gᵢ‖² and the
 * mean follow; gᵢ(b) = Σ_positions Δᵢ.
 */
export function convStats(delta: tf.Tensor4D, input: tf.Tensor4D, k: number): ConvStats {
  return tf.tidy(() => {
    const [n, h, w, cout] = delta.shape;
    const cin = input.shape[3];
    const p = (k - 1) / 2;
    const xp = tf.pad(input, [[0, 0], [p, p], [p, p], [0, 0]]);
    const xt = tf.transpose(xp, [3, 1, 2, 0]) as tf.Tensor4D; // [C_in, H+2p, W+2p, n]
    const f = tf.transpose(delta, [1, 2, 0, 3]) as tf.Tensor4D; // [H, W, n, C_out]
    const G = tf.depthwiseConv2d(xt, f, 1, 'valid'); // [C_in, k, k, n·C_out]: G[c, i, j, s·C_out + o] = g_s[i, j, c, o]
    const mean = tf.transpose(tf.div(tf.sum(tf.reshape(G, [cin, k, k, n, cout]), 3), n), [1, 2, 0, 3]) as tf.Tensor4D;
    const bias = tf.sum(tf.reshape(delta, [n, h * w, cout]), 1); // [n, C_out]
    return {
      W: { sumSq: tf.sum(tf.square(G)) as tf.Scalar, mean },
      b: { sumSq: tf.sum(tf.square(bias)) as tf.Scalar, mean: tf.div(tf.sum(bias, 0), n) as tf.Tensor1D },
    };
  });
}

/**
 * Σᵢ‖gᵢ‖² (a scalar) and the mean ḡ of one member's per-sample gradients g [n, …shape] of one parameter.
 * The mean is a product with a row of 1/n: tfjs-wasm 4.22 reduces over a leading axis by transposing
 * first, 20× slower for CNN6's filters.
 */
export function sampleStats(g: tf.Tensor): { sumSq: tf.Scalar; mean: tf.Tensor } {
  return tf.tidy(() => {
    const n = g.shape[0];
    const mean = tf.reshape(tf.matMul(tf.fill([1, n], 1 / n), tf.reshape(g, [n, -1])), g.shape.slice(1));
    return { sumSq: tf.sum(tf.square(g)) as tf.Scalar, mean };
  });
}

/**
 * tr Cov of each member's per-sample gradients of one parameter, from its statistics over n samples:
 * (1/n)Σᵢ‖gᵢ‖² − ‖ḡ‖², [K]. Summed over parameters, it is the gradient-variance probe and the
 * variance the isotropic-noise control matches.
 */
export function gradientVariance(stats: MemberStats, n: number): tf.Tensor1D {
  return tf.tidy(() => {
    const K = stats.sumSq.shape[0];
    return tf.sub(tf.div(stats.sumSq, n), tf.sum(tf.reshape(tf.square(stats.mean), [K, -1]), 1)) as tf.Tensor1D;
  });
}
