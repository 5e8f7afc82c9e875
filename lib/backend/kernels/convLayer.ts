/**
 * A conv layer's kernels on tfjs-backend-wasm, on the planar convolutions (kernels/convPlanar.ts):
 * - FusedConv2D (tf.fused.conv2d): the convolution with bias and ReLU in its epilogue;
 * - {@link CONV_LAYER} and {@link CONV_LAYER_GRAD}, the library's own, for a network's stride-1 conv layers
 *   (lib/models/conv.ts convLayer): y = relu(conv(x, W) + b) (or without ReLU), then all of the layer's gradients
 *   in one call: dz = dy·[y > 0], dW (filter-gradient tiles), db = Σ dz and, when asked, dx (a convolution of dz
 *   with the rotated filter). Planar copies pass between them through kernels/planarCache.ts: the forward keeps
 *   x's (read again by the gradient) and writes y's (the next layer's x), the gradient writes the layer below's
 *   dz = dx·[x > 0]; a kernel that finds no copy makes it.
 * Stride 1 only (anything else goes to the backend's own FusedConv2D; the layer kernels throw).
 */
import * as tf from '@tensorflow/tfjs';
import { convForwardPlanar, geometry, paddedSize, planarFits, type ConvGeometry } from './conv2d.js';
import { convPlanar, filterPlanar, filterPlanarPerImage, planarLayout, spread, type Planar, type PlanarOut } from './convPlanar.js';
import { gemmEngine } from './gemmEngine.js';
import { heapF32, output, runOriginal, type KernelArgs } from './heap.js';
import { planarCache } from './planarCache.js';

type Shape4 = [number, number, number, number];

/** The name of the library's conv-layer kernel (registered on wasm by lib/backend/wasmKernels.ts). */
export const CONV_LAYER = 'ThermoConvLayer';

/** The name of the library's layer-gradient kernel. */
export const CONV_LAYER_GRAD = 'ThermoConvLayerGrad';

/** Attributes of {@link CONV_LAYER}. */
export interface ConvLayerAttrs {
  pad: 'same' | 'valid' | number;
  /** y = relu(conv + b), else conv + b. */
  relu: boolean;
}

/** Attributes of {@link CONV_LAYER_GRAD}. */
export interface ConvLayerGradAttrs extends ConvLayerAttrs {
  /** Whether to return dx (a network's first layer needs none). */
  inputGrad: boolean;
  /** Whether to return db. */
  biasGrad: boolean;
  /**
   * Return every sample's own dW [n, kh, kw, ci, co] and db [n, co] instead of their sums (the per-sample
   * gradients of lib/models/perSample.ts; default false).
   */
  perSample?: boolean;
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

/** A layer's geometry (stride 1) from its input and filter shapes. */
function layerGeometry(x: tf.TensorInfo, filter: tf.TensorInfo, pad: ConvLayerAttrs['pad']): ConvGeometry {
  const info = tf.backend_util.computeConv2DInfo(x.shape as Shape4, filter.shape as Shape4, 1, 1, pad, undefined, false, 'channelsLast');
  const g = geometry(info);
  if (g.top > g.kh - 1 || g.left > g.kw - 1) throw new Error('conv layer kernels: padding beyond the window is not supported');
  return g;
}

/**
 * The planar layouts of a layer: x's as the forward convolution reads it, and dz's as the input gradient's
 * convolution reads it (padded by the window less the forward padding), with one row stride (the filter
 * gradient then runs over whole images). A layer below of the same geometry lays out its output (this layer's
 * x) and its dz the same way but for the channel count, so copies made for it by this layer fit.
 */
function layerLayouts(g: ConvGeometry): { x: Omit<Planar, 'addr'>; d: Omit<Planar, 'addr'> } {
  const { n, h, w, ci, ho, wo, co, kh, kw, top, left } = g;
  const [hp, wp] = paddedSize(g);
  const dTop = kh - 1 - top;
  const dLeft = kw - 1 - left;
  const dRows = h + kh - 1;
  const dCols = Math.max(w + kw - 1, dLeft + 4 * Math.ceil(wo / 4));
  const S = Math.max(planarLayout(n, h, w, ci, top, left, hp, wp).S, planarLayout(n, ho, wo, co, dTop, dLeft, dRows, dCols).S);
  return { x: planarLayout(n, h, w, ci, top, left, hp, S), d: planarLayout(n, ho, wo, co, dTop, dLeft, dRows, S) };
}

/** The {@link CONV_LAYER} kernel: inputs x [n, h, w, ci], filter [kh, kw, ci, co] and optional bias [co]; output y. */
export function convLayer(args: KernelArgs): tf.TensorInfo {
  const { x, filter, bias } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const { pad, relu } = args.attrs as unknown as ConvLayerAttrs;
  const g = layerGeometry(x!, filter!, pad);
  const { backend } = args;
  const e = gemmEngine();
  const cache = planarCache(e);
  e.reset();
  const lay = layerLayouts(g);
  let X = cache.find(x!.dataId, lay.x);
  if (!X) {
    const room = cache.alloc(lay.x);
    X = spread(e, heapF32(backend, x!), lay.x, undefined, false, room?.addr).planar;
    if (room) cache.add(x!.dataId, X);
  }
  // y's copy as the next layer's x, if it has this layer's geometry
  const Z = g.ho === g.h && g.wo === g.w ? cache.alloc({ ...lay.x, c: g.co }, [X]) : null;
  const size = g.n * g.ho * g.wo * g.co;
  const y = e.alloc(size * 4);
  const b = bias ? heapF32(backend, bias).slice() : null;
  const win = { kh: g.kh, kw: g.kw, dh: 1, dw: 1, ho: g.ho, wo: g.wo, co: g.co };
  convPlanar(e, X, win, heapF32(backend, filter!), b, relu, y, Z ? { Z } : undefined);
  const out = output(backend, [g.n, g.ho, g.wo, g.co], e.f32.subarray(y >>> 2, (y >>> 2) + size));
  if (Z) cache.add(out.dataId, Z);
  return out;
}

/**
 * The {@link CONV_LAYER_GRAD} kernel: inputs x [n, h, w, ci], filter [kh, kw, ci, co], dy [n, ho, wo, co] and,
 * with `relu`, y (the layer's output); outputs [dx (with inputGrad), dW, db (with biasGrad)], dW and db per
 * sample with `perSample`.
 */
export function convLayerGrad(args: KernelArgs): tf.TensorInfo[] {
  const { x, filter, dy, y } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const { pad, relu, inputGrad, biasGrad, perSample = false } = args.attrs as unknown as ConvLayerGradAttrs;
  const g = layerGeometry(x!, filter!, pad);
  const { n, h, w, ci, ho, wo, co, kh, kw } = g;
  const { backend } = args;
  const e = gemmEngine();
  const cache = planarCache(e);
  e.reset();
  const lay = layerLayouts(g);
  const mask = relu ? y!.dataId : null;
  let D = cache.find(dy!.dataId, lay.d, mask);
  let db: Float32Array | null = null;
  if (!D) ({ planar: D, db } = spread(e, heapF32(backend, dy!), lay.d, relu ? heapF32(backend, y!) : undefined, biasGrad && !perSample));
  if (biasGrad && !db) {
    // Σ dz over each image's planes: one sum per image (perSample) or one in all
    const images = perSample ? n : 1;
    const sums = e.alloc(images * co * 4);
    e.f32.fill(0, sums >>> 2, (sums >>> 2) + images * co);
    if (perSample) for (let b = 0; b < n; b++) e.planeSums(D.addr + b * co * D.P * 4, sums + b * co * 4, 1, co, D.P);
    else e.planeSums(D.addr, sums, n, co, D.P);
    db = e.f32.slice(sums >>> 2, (sums >>> 2) + images * co);
  }
  const X = cache.find(x!.dataId, lay.x) ?? spread(e, heapF32(backend, x!), lay.x).planar;
  const W = heapF32(backend, filter!).slice();
  const win = { kh, kw, dh: 1, dw: 1, ho, wo, co };
  const dW = perSample ? filterPlanarPerImage(e, X, D, win) : filterPlanar(e, X, D, win);
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
    // the layer below's dz = dx·[x > 0] (x: its ReLU output), for a layer below of this layer's geometry
    const Z = ho === h && wo === w ? cache.alloc({ ...lay.d, c: ci }, [X, D]) : null;
    const planar: PlanarOut | undefined = Z ? { Z, M: X } : undefined;
    const size = n * h * w * ci;
    const dx = e.alloc(size * 4);
    convPlanar(e, D, { kh, kw, dh: 1, dw: 1, ho: h, wo: w, co: ci }, rot, null, false, dx, planar);
    const out = output(backend, [n, h, w, ci], e.f32.subarray(dx >>> 2, (dx >>> 2) + size));
    if (Z) cache.add(out.dataId, Z, x!.dataId);
    outs.push(out);
  }
  outs.push(output(backend, perSample ? [n, kh, kw, ci, co] : [kh, kw, ci, co], dW));
  if (biasGrad) outs.push(output(backend, perSample ? [n, co] : [co], db!));
  return outs;
}
