/**
 * A conv layer's kernels on tfjs-backend-wasm, on the planar convolutions (kernels/convPlanar.ts):
 * - FusedConv2D (tf.fused.conv2d): the convolution with bias and ReLU in its epilogue;
 * - {@link CONV_LAYER_GRAD}, the library's own kernel: all of a layer's gradients in one call, from the
 *   layer's input x, filter W, output y = relu(conv(x, W) + b) (or without ReLU) and the output's gradient:
 *   dz = dy·[y > 0] spread once into planes, then dW (filter-gradient tiles), db = Σ dz (summed while
 *   spreading) and, when asked, dx (a convolution of dz with the rotated filter).
 * Stride 1 only (anything else goes to the backend's own FusedConv2D; the gradient kernel throws).
 */
import * as tf from '@tensorflow/tfjs';
import { convForwardPlanar, geometry, paddedSize, planarFits } from './conv2d.js';
import { convPlanar, filterPlanar, planarLayout, spread } from './convPlanar.js';
import { gemmEngine } from './gemmEngine.js';
import { heapF32, output, runOriginal, type KernelArgs } from './heap.js';

type Shape4 = [number, number, number, number];

/** The name of the library's layer-gradient kernel (registered on wasm by lib/backend/wasmKernels.ts). */
export const CONV_LAYER_GRAD = 'ThermoConvLayerGrad';

/** Attributes of {@link CONV_LAYER_GRAD}. */
export interface ConvLayerGradAttrs {
  pad: 'same' | 'valid' | number;
  /** dz = dy·[y > 0] (the layer ends in ReLU; input `y` is its output), else dz = dy. */
  relu: boolean;
  /** Whether to return dx (a network's first layer needs none). */
  inputGrad: boolean;
  /** Whether to return db. */
  biasGrad: boolean;
}

interface FusedAttrs {
  strides: number | [number, number];
  pad: 'same' | 'valid' | number;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation: string;
}

/** The FusedConv2D kernel: NHWC float32, stride 1, a bias of one value per channel (or none), linear or ReLU. */
export function fusedConv2d(args: KernelArgs): tf.TensorInfo {
  const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const { strides, pad, dataFormat, dilations, dimRoundingMode, activation } = args.attrs as unknown as FusedAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    x!.shape as Shape4, filter!.shape as Shape4, strides, dilations, pad, dimRoundingMode, false, 'channelsLast',
  );
  const g = geometry(info);
  const covered = dataFormat !== 'NCHW' && x!.dtype === 'float32' && filter!.dtype === 'float32' && planarFits(g) &&
    (activation === 'linear' || activation === 'relu') && !preluActivationWeights &&
    (!bias || (bias.dtype === 'float32' && tf.util.sizeFromShape(bias.shape) === g.co && bias.shape[bias.shape.length - 1] === g.co));
  if (!covered) return runOriginal('FusedConv2D', args);
  const b = bias ? heapF32(args.backend, bias).slice() : null;
  return convForwardPlanar(args.backend, heapF32(args.backend, x!), heapF32(args.backend, filter!), g, b, activation === 'relu');
}

/**
 * The {@link CONV_LAYER_GRAD} kernel: inputs x [n, h, w, ci], filter [kh, kw, ci, co], dy [n, ho, wo, co] and,
 * with `relu`, y (the layer's output); outputs [dx (with inputGrad), dW, db (with biasGrad)].
 */
export function convLayerGrad(args: KernelArgs): tf.TensorInfo[] {
  const { x, filter, dy, y } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const { pad, relu, inputGrad, biasGrad } = args.attrs as unknown as ConvLayerGradAttrs;
  const info = tf.backend_util.computeConv2DInfo(x!.shape as Shape4, filter!.shape as Shape4, 1, 1, pad, undefined, false, 'channelsLast');
  const g = geometry(info);
  const { n, h, w, ci, ho, wo, co, kh, kw, top, left } = g;
  if (inputGrad && (top > kh - 1 || left > kw - 1)) throw new Error(`${CONV_LAYER_GRAD}: padding beyond the window is not supported`);
  const { backend } = args;
  const e = gemmEngine();
  e.reset();
  const perRow = Math.ceil(wo / 4);
  // dz in planes laid out for the input gradient's convolution (padded by the window less the forward padding)
  // and for the filter gradient (zeros up to a multiple of 4 pixels per row)
  const dTop = inputGrad ? kh - 1 - top : 0;
  const dLeft = inputGrad ? kw - 1 - left : 0;
  const dRows = inputGrad ? h + kh - 1 : ho;
  const dCols = Math.max(inputGrad ? w + kw - 1 : 0, dLeft + 4 * perRow);
  const mask = relu ? heapF32(backend, y!) : undefined;
  const { planar: D, db } = spread(e, heapF32(backend, dy!), planarLayout(n, ho, wo, co, dTop, dLeft, dRows, dCols), mask, biasGrad);
  const [hp, wp] = paddedSize(g);
  const { planar: X } = spread(e, heapF32(backend, x!), planarLayout(n, h, w, ci, top, left, hp, wp));
  const W = heapF32(backend, filter!).slice();
  const dW = filterPlanar(e, X, D, { kh, kw, dh: 1, dw: 1, ho, wo, co });
  const outs: tf.TensorInfo[] = [];
  if (inputGrad) {
    const rot = new Float32Array(W.length); // [kh, kw, co, ci]: rotated by 180°, channels swapped
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const src = ((kh - 1 - i) * kw + (kw - 1 - j)) * ci * co;
        const dst = (i * kw + j) * co * ci;
        for (let c = 0; c < ci; c++) for (let o = 0; o < co; o++) rot[dst + o * ci + c] = W[src + c * co + o];
      }
    }
    const size = n * h * w * ci;
    const dx = e.alloc(size * 4);
    convPlanar(e, D, { kh, kw, dh: 1, dw: 1, ho: h, wo: w, co: ci }, rot, null, false, dx);
    outs.push(output(backend, [n, h, w, ci], e.f32.subarray(dx >>> 2, (dx >>> 2) + size)));
  }
  outs.push(output(backend, [kh, kw, ci, co], dW));
  if (biasGrad) outs.push(output(backend, [co], db!));
  return outs;
}
