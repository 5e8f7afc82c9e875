/**
 * Stride-1 'same' convolutions for the models: convSame (on the cpu backend with its filter gradient as
 * an ordinary Conv2D on transposed tensors, much faster there than tfjs's Conv2DBackpropFilter) and
 * convLayer, a whole conv layer (bias, ReLU) fused on the library's wasm kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { CONV_LAYER, CONV_LAYER_GRAD } from '../backend/kernels/convLayer.js';
import { wasmKernelSet } from '../backend/wasmKernels.js';

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

/** How {@link convLayer} ends and what its gradient needs. */
export interface ConvLayerOptions {
  /** relu(conv + b) (true) or conv + b. */
  relu: boolean;
  /** Whether x's gradient is needed (false for a network's first layer, whose input is data). */
  inputGradient: boolean;
}

/** Whether {@link convLayer} runs fused on the library's wasm kernels. */
function fusedOnWasm(): boolean {
  return tf.getBackend() === 'wasm' && wasmKernelSet() === 'library' && tf.getKernel(CONV_LAYER_GRAD, 'wasm') !== undefined;
}

/**
 * A training network's conv layer, relu(conv2d(x, W, 1, 'same') + b) (b: [C_out] or null; ReLU optional). On
 * wasm with the library's kernels it is one ThermoConvLayer call (bias and ReLU in the convolution's epilogue)
 * and its gradient one ThermoConvLayerGrad call (the ReLU mask, dW, db and, only when asked, dx), planar copies
 * passing from one to the next (lib/backend/kernels/convLayer.ts); elsewhere convSame, add and relu, as before.
 * Only the layer's output is kept, not z.
 */
export function convLayer(x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor | null, opts: ConvLayerOptions): tf.Tensor4D {
  if (!fusedOnWasm()) {
    let z = convSame(x, w);
    if (b) z = tf.add(z, b);
    return opts.relu ? tf.relu(z) : z;
  }
  const { relu, inputGradient } = opts;
  const forward = (save: tf.GradSaveFunc) => {
    const inputs: tf.NamedTensorMap = b ? { x, filter: w, bias: b } : { x, filter: w };
    const y = tf.engine().runKernel(CONV_LAYER, inputs, { pad: 'same', relu }) as tf.Tensor4D;
    save(relu ? [x, w, y] : [x, w]);
    const gradFunc = (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const inputs: tf.NamedTensorMap = { x: saved[0], filter: saved[1], dy: dy as tf.Tensor };
      if (relu) inputs.y = saved[2];
      const attrs = { pad: 'same', relu, inputGrad: inputGradient, biasGrad: b !== null };
      return tf.engine().runKernel(CONV_LAYER_GRAD, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    };
    return { value: y, gradFunc };
  };
  // the customGrad's inputs are exactly the tensors whose gradients the kernel returns: [x,] W[, b]
  const inputs = [...(inputGradient ? [x] : []), w, ...(b ? [b] : [])];
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => forward(args[args.length - 1] as tf.GradSaveFunc));
  return op(...inputs) as tf.Tensor4D;
}

/** Whether {@link convLayerPerSample} can run: wasm with the library's kernels. */
export function perSampleConvKernels(): boolean {
  return fusedOnWasm();
}

/** A conv layer's per-sample gradients from {@link convLayerPerSample}. */
export interface ConvLayerSampleGrads {
  /** dL/dx [n, H, W, C_in], or null when not asked. */
  dx: tf.Tensor4D | null;
  /** Each sample's filter gradient [n, k, k, C_in, C_out]. */
  W: tf.Tensor;
  /** Each sample's bias gradient [n, C_out], or null without a bias. */
  b: tf.Tensor2D | null;
}

/**
 * One conv layer y = relu(conv2d(x, W, 1, 'same') + b) run forward for per-sample statistics, and its
 * per-sample gradients from dy (the gradient of the per-sample losses' sum at y): `forward` is one
 * ThermoConvLayer call, `backward` one ThermoConvLayerGrad call with `perSample` (the ReLU mask, every
 * sample's dW and db, and dx when asked), planar copies passing between them as in training. No tape:
 * the caller chains the layers. Only where {@link perSampleConvKernels} holds.
 */
export const convLayerPerSample = {
  forward(x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor | null): tf.Tensor4D {
    if (!fusedOnWasm()) throw new Error('convLayerPerSample needs the library\'s wasm kernels');
    const inputs: tf.NamedTensorMap = b ? { x, filter: w, bias: b } : { x, filter: w };
    return tf.engine().runKernel(CONV_LAYER, inputs, { pad: 'same', relu: true }) as tf.Tensor4D;
  },
  backward(x: tf.Tensor4D, w: tf.Tensor4D, y: tf.Tensor4D, dy: tf.Tensor4D, inputGradient: boolean, bias: boolean): ConvLayerSampleGrads {
    if (!fusedOnWasm()) throw new Error('convLayerPerSample needs the library\'s wasm kernels');
    const attrs = { pad: 'same', relu: true, inputGrad: inputGradient, biasGrad: bias, perSample: true };
    const outs = tf.engine().runKernel(CONV_LAYER_GRAD, { x, filter: w, dy, y }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    const dx = inputGradient ? (outs.shift() as tf.Tensor4D) : null;
    return { dx, W: outs[0], b: bias ? (outs[1] as tf.Tensor2D) : null };
  },
};
