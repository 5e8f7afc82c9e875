/**
 * Conv2D and its gradients (Conv2DBackpropInput, Conv2DBackpropFilter) on tfjs-backend-wasm as
 * implicit-im2col products of the GEMM engine, NHWC: the input is copied once into a zero-padded
 * buffer and the patch matrix exists only as two offset tables (output pixel → its window's
 * origin, patch column (i, j, c) → its offset in the window). Any stride, dilation and padding.
 */
import * as tf from '@tensorflow/tfjs';
import { convPlanar, filterPlanar, planarLayout, spread } from './convPlanar.js';
import { gemmEngine, type GemmEngine } from './gemmEngine.js';
import { heapF32, output, runOriginal, type KernelArgs } from './heap.js';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;
type Shape4 = [number, number, number, number];

/** x [n, h, w, c] copied into the arena with `top`/`left` zero rows/columns before and enough after for hp × wp. */
function putPadded(e: GemmEngine, x: Float32Array, [n, h, w, c]: number[], top: number, left: number, hp: number, wp: number): number {
  if (top === 0 && left === 0 && hp === h && wp === w) return e.put(x);
  const p = e.alloc(n * hp * wp * c * 4);
  const f = e.f32;
  const base = p >>> 2;
  if (hp >= top + h && wp >= left + w) {
    // one copy, then the rows spread out in place by the module
    f.set(x, base);
    e.padInPlace(p, n, h, w, c, hp, wp, top, left);
    return p;
  }
  // a window that leaves input rows or columns unused ('valid' with a stride): row by row
  f.fill(0, base, base + n * hp * wp * c);
  const cols = Math.max(0, Math.min(w, wp - left));
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      const yp = y + top;
      if (yp >= hp || cols === 0) continue;
      const src = ((b * h + y) * w) * c;
      f.set(x.subarray(src, src + cols * c), base + ((b * hp + yp) * wp + left) * c);
    }
  }
  return p;
}

/** Row table of output pixels (b, yo, xo) → byte offset of their window in the padded input. */
function pixelRows(e: GemmEngine, n: number, ho: number, wo: number, hp: number, wp: number, c: number, sh: number, sw: number): number {
  const p = e.alloc(n * ho * wo * 4);
  const u = e.u32;
  let o = p >>> 2;
  for (let b = 0; b < n; b++) for (let y = 0; y < ho; y++) for (let x = 0; x < wo; x++) u[o++] = ((b * hp + y * sh) * wp + x * sw) * c * 4;
  return p;
}

/** Column table of patch entries (i, j, c) → byte offset within a window. */
function windowCols(e: GemmEngine, kh: number, kw: number, c: number, wp: number, dh: number, dw: number): number {
  const p = e.alloc(kh * kw * c * 4);
  const u = e.u32;
  let o = p >>> 2;
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let ch = 0; ch < c; ch++) u[o++] = ((i * dh * wp + j * dw) * c + ch) * 4;
  return p;
}

/** The geometry of a convolution: input n × h × w × ci, output n × ho × wo × co, kh × kw window, strides, dilations, top/left padding. */
export interface ConvGeometry {
  n: number;
  h: number;
  w: number;
  ci: number;
  ho: number;
  wo: number;
  co: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  top: number;
  left: number;
}

/** The geometry of tfjs's convolution info. */
export function geometry(info: tf.backend_util.Conv2DInfo): ConvGeometry {
  return {
    n: info.batchSize, h: info.inHeight, w: info.inWidth, ci: info.inChannels, ho: info.outHeight, wo: info.outWidth, co: info.outChannels,
    kh: info.filterHeight, kw: info.filterWidth, sh: info.strideHeight, sw: info.strideWidth,
    dh: info.dilationHeight, dw: info.dilationWidth,
    top: info.padInfo.top, left: info.padInfo.left,
  };
}

/** The padded input's height and width that the output needs. */
export function paddedSize(g: ConvGeometry): [number, number] {
  return [Math.max(1, (g.ho - 1) * g.sh + (g.kh - 1) * g.dh + 1), Math.max(1, (g.wo - 1) * g.sw + (g.kw - 1) * g.dw + 1)];
}

/** Stride-1 convolutions run on planar copies (kernels/convPlanar.ts). */
export function planarFits(g: ConvGeometry): boolean {
  return g.sh === 1 && g.sw === 1;
}

/** y = conv2d(x, W) (+ bias, ReLU) by the planar kernels (stride 1). */
export function convForwardPlanar(
  backend: KernelArgs['backend'], x: Float32Array, filter: Float32Array, g: ConvGeometry, bias: Float32Array | null, relu: boolean,
): tf.TensorInfo {
  const [hp, wp] = paddedSize(g);
  const e = gemmEngine();
  e.reset();
  const { planar } = spread(e, x, planarLayout(g.n, g.h, g.w, g.ci, g.top, g.left, hp, wp));
  const size = g.n * g.ho * g.wo * g.co;
  const y = e.alloc(size * 4);
  convPlanar(e, planar, { kh: g.kh, kw: g.kw, dh: g.dh, dw: g.dw, ho: g.ho, wo: g.wo, co: g.co }, filter, bias, relu, y);
  return output(backend, [g.n, g.ho, g.wo, g.co], e.f32.subarray(y >>> 2, (y >>> 2) + size));
}

/** y = conv2d(x, W) for W [kh, kw, ci, co]: rows = output pixels, columns = output channels, reduction over the window. */
function convForward(backend: KernelArgs['backend'], x: tf.TensorInfo, filter: Float32Array, g: ConvGeometry): tf.TensorInfo {
  if (planarFits(g)) return convForwardPlanar(backend, heapF32(backend, x), filter, g, null, false);
  const [hp, wp] = paddedSize(g);
  const e = gemmEngine();
  e.reset();
  const X = putPadded(e, heapF32(backend, x), [g.n, g.h, g.w, g.ci], g.top, g.left, hp, wp);
  const M = g.n * g.ho * g.wo;
  const C = e.alloc(M * g.co * 4);
  if (g.co <= 2) {
    // one or two output channels: the dot form over the window's rows (runs of kw·ci values when dw = 1)
    const wt = new Float32Array(filter.length); // [co, taps]
    const taps = g.kh * g.kw * g.ci;
    for (let t = 0; t < taps; t++) for (let o = 0; o < g.co; o++) wt[o * taps + t] = filter[t * g.co + o];
    const runs: number[] = [];
    for (let i = 0; i < g.kh; i++) for (let j = 0; j < (g.dw === 1 ? 1 : g.kw); j++) runs.push((i * g.dh * wp + j * g.dw) * g.ci * 4);
    e.runDot({
      M, N: g.co, batches: 1, aRows: pixelRows(e, g.n, g.ho, g.wo, hp, wp, g.ci, g.sh, g.sw), runs: e.table(runs), nRuns: runs.length,
      R: g.dw === 1 ? g.kw * g.ci : g.ci, aBatch: e.table([X]), bBatch: e.table([e.put(wt)]), ldb: taps * 4, c: C, ldc: g.co,
    });
    return output(backend, [g.n, g.ho, g.wo, g.co], e.f32.subarray(C >>> 2, (C >>> 2) + M * g.co));
  }
  const W = e.put(filter);
  e.run({
    M, N: g.co, K: g.kh * g.kw * g.ci, batches: 1,
    aRows: pixelRows(e, g.n, g.ho, g.wo, hp, wp, g.ci, g.sh, g.sw), aCols: windowCols(e, g.kh, g.kw, g.ci, wp, g.dh, g.dw),
    aBatch: e.table([X]), bBatch: e.table([W]), rsB: g.co, csB: 1, c: C, ldc: g.co,
  });
  return output(backend, [g.n, g.ho, g.wo, g.co], e.f32.subarray(C >>> 2, (C >>> 2) + M * g.co));
}

interface ConvAttrs {
  strides: number | [number, number];
  pad: Pad;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: number | [number, number];
  dimRoundingMode?: Rounding;
}

/** The Conv2D kernel (NHWC float32; anything else goes to the backend's own kernel). */
export function conv2d(args: KernelArgs): tf.TensorInfo {
  const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = args.attrs as unknown as ConvAttrs;
  if (dataFormat === 'NCHW' || x.dtype !== 'float32' || filter.dtype !== 'float32') return runOriginal('Conv2D', args);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4, filter.shape as Shape4, strides, dilations, pad, dimRoundingMode, false, 'channelsLast',
  );
  return convForward(args.backend, x, heapF32(args.backend, filter), geometry(info));
}

/**
 * The Conv2DBackpropInput kernel, stride 1: dx = conv2d(dy, W rotated by 180° with in/out channels
 * swapped), padded so that dx has x's shape. Strides > 1 go to the backend's own kernel.
 */
export function conv2dBackpropInput(args: KernelArgs): tf.TensorInfo {
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as unknown as ConvAttrs & { inputShape: Shape4 };
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as Shape4, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const { top, left } = info.padInfo;
  const [kh, kw, ci, co] = filter.shape;
  const unsupported = info.strideHeight !== 1 || info.strideWidth !== 1 || top > kh - 1 || left > kw - 1;
  if (dataFormat === 'NCHW' || unsupported || dy.dtype !== 'float32') return runOriginal('Conv2DBackpropInput', args);
  const w = heapF32(args.backend, filter);
  const rot = new Float32Array(w.length); // [kh, kw, co, ci]
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const src = ((kh - 1 - i) * kw + (kw - 1 - j)) * ci * co;
      const dst = (i * kw + j) * co * ci;
      for (let c = 0; c < ci; c++) for (let o = 0; o < co; o++) rot[dst + o * ci + c] = w[src + c * co + o];
    }
  }
  const [n, h, wd] = inputShape;
  const g: ConvGeometry = {
    n, h: dy.shape[1], w: dy.shape[2], ci: co, ho: h, wo: wd, co: ci, kh, kw, sh: 1, sw: 1, dh: 1, dw: 1, top: kh - 1 - top, left: kw - 1 - left,
  };
  return convForward(args.backend, dy, rot, g);
}

/**
 * The Conv2DBackpropFilter kernel (missing from tfjs-backend-wasm 4.22):
 * dW[i, j, c, o] = Σ_{b, y, x} x_pad[b, y·sh + i·dh, x·sw + j·dw, c] · dy[b, y, x, o], one product with
 * rows = filter taps (i, j, c), reduction over output pixels, columns = output channels.
 */
export function conv2dBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape, dilations } = args.attrs as unknown as ConvAttrs & {
    filterShape: Shape4;
  };
  if (dataFormat === 'NCHW') throw new Error(`Conv2DBackpropFilter on wasm supports NHWC only, got ${dataFormat}`);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4, filterShape, strides, dilations ?? 1, pad, dimRoundingMode, false, 'channelsLast',
  );
  const g = geometry(info);
  const { n, ci, ho, wo, co, kh, kw } = g;
  const [hp, wp] = paddedSize(g);
  const e = gemmEngine();
  e.reset();
  if (planarFits(g)) {
    const { planar: X } = spread(e, heapF32(args.backend, x), planarLayout(n, g.h, g.w, ci, g.top, g.left, hp, wp));
    // dy with x's row stride (≥ wo): the filter gradient runs over whole images (kernels/convPlanar.ts)
    const { planar: D } = spread(e, heapF32(args.backend, dy), planarLayout(n, ho, wo, co, 0, 0, ho, Math.max(X.S, 4 * Math.ceil(wo / 4))));
    const dW = filterPlanar(e, X, D, { kh, kw, dh: g.dh, dw: g.dw, ho, wo, co });
    return output(args.backend, [kh, kw, ci, co], dW);
  }
  const X = putPadded(e, heapF32(args.backend, x), [n, g.h, g.w, ci], g.top, g.left, hp, wp);
  const D = e.put(heapF32(args.backend, dy));
  const M = kh * kw * ci;
  const C = e.alloc(M * co * 4);
  e.run({
    M, N: co, K: n * ho * wo, batches: 1,
    aRows: windowCols(e, kh, kw, ci, wp, g.dh, g.dw), aCols: pixelRows(e, n, ho, wo, hp, wp, ci, g.sh, g.sw),
    aBatch: e.table([X]), bBatch: e.table([D]), rsB: co, csB: 1, c: C, ldc: co,
  });
  return output(args.backend, [kh, kw, ci, co], e.f32.subarray(C >>> 2, (C >>> 2) + M * co));
}

/**
 * The DepthwiseConv2dNative kernel (NHWC float32, channel multiplier ≥ 4; otherwise the backend's
 * own): one product per input channel ch, out[·, ch·mult + q] = Σ_(i, j) x_pad[·, window + (i, j), ch]·f[i, j, ch, q],
 * rows = output pixels, columns = the channel's multiplier. With the batch as channels and the output
 * gradient as the filter it gives per-sample filter gradients in one call (see lib/models/perSample.ts).
 */
export function depthwiseConv2d(args: KernelArgs): tf.TensorInfo {
  const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
  const { strides, pad, dilations, dimRoundingMode, dataFormat } = args.attrs as unknown as ConvAttrs;
  const mult = filter.shape[3];
  const covered = dataFormat !== 'NCHW' && mult >= 4 && x.dtype === 'float32' && filter.dtype === 'float32';
  if (!covered) return runOriginal('DepthwiseConv2dNative', args);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4, filter.shape as Shape4, strides, dilations ?? 1, pad, dimRoundingMode, true, 'channelsLast',
  );
  const g = geometry(info);
  const ci = g.ci;
  const [hp, wp] = paddedSize(g);
  const e = gemmEngine();
  e.reset();
  const X = putPadded(e, heapF32(args.backend, x), [g.n, g.h, g.w, ci], g.top, g.left, hp, wp);
  const F = e.put(heapF32(args.backend, filter));
  const M = g.n * g.ho * g.wo;
  const C = e.alloc(M * ci * mult * 4);
  const taps = e.alloc(g.kh * g.kw * 4);
  const u = e.u32;
  for (let i = 0, o = taps >>> 2; i < g.kh; i++) for (let j = 0; j < g.kw; j++) u[o++] = (i * g.dh * wp + j * g.dw) * ci * 4;
  e.run({
    M, N: mult, K: g.kh * g.kw, batches: ci,
    aRows: pixelRows(e, g.n, g.ho, g.wo, hp, wp, ci, g.sh, g.sw), aCols: taps,
    aBatch: e.table(Array.from({ length: ci }, (_, ch) => X + ch * 4)),
    bBatch: e.table(Array.from({ length: ci }, (_, ch) => F + ch * mult * 4)),
    rsB: ci * mult, csB: 1, c: C, ldc: ci * mult, cOffsets: Array.from({ length: ci }, (_, ch) => ch * mult * 4),
  });
  return output(args.backend, [g.n, g.ho, g.wo, ci * mult], e.f32.subarray(C >>> 2, (C >>> 2) + M * ci * mult));
}
