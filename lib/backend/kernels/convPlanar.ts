/**
 * Stride-1 convolutions on planar copies of NHWC tensors (wasm/assembly/_conv.ts), on the GEMM engine's
 * memory and threads: a tensor [n, h, w, c] is spread into zero-padded planes [n][c][hp][S], where four
 * neighbouring pixels of a row are four contiguous floats, so the SIMD lanes run along the pixels (the long
 * axis) rather than along the channels (10 in CNN6, a poor fit for the GEMM's 12-lane panels).
 * - {@link spread}: the planar copy (optionally dz = dy·[y > 0] with the bias gradient Σ dz);
 * - {@link convPlanar}: y = conv(x, W) (+ bias, ReLU), stored NHWC;
 * - {@link filterPlanar}: dW = Σ x_window·dz.
 */
import type { GemmEngine } from './gemmEngine.js';
import { sharedChunks } from './gemmPlan.js';

/** A planar, zero-padded copy [n][c][hp][S] in the engine's memory of an NHWC tensor [n, h, w, c]. */
export interface Planar {
  /** Byte address of element [0][0][0][0] (padding included). */
  addr: number;
  n: number;
  c: number;
  h: number;
  w: number;
  /** Rows per plane, floats per row (a multiple of 4) and floats per plane (≥ hp·S). */
  hp: number;
  S: number;
  P: number;
  /** Zero rows above and columns left of the data. */
  top: number;
  left: number;
}

/** The window of a stride-1 convolution: kh × kw taps, dilations, output size and channels. */
export interface Window {
  kh: number;
  kw: number;
  dh: number;
  dw: number;
  ho: number;
  wo: number;
  co: number;
}

/** Taps per tile of the filter-gradient kernel. */
const TAP_GROUP = 4;

const ceil4 = (x: number) => Math.ceil(x / 4) * 4;

/** Threads for `work` multiply-adds (the engine's threshold below which one thread is faster). */
function threadsFor(e: GemmEngine, work: number): number {
  return work < e.minParallelWork ? 1 : e.threads;
}

/**
 * The layout for [n, h, w, c] with `top`/`left` zeros before the data, at least `hp` rows (≥ top + h) and
 * rows of at least `minS` floats.
 */
export function planarLayout(n: number, h: number, w: number, c: number, top: number, left: number, hp: number, minS: number): Omit<Planar, 'addr'> {
  const rows = Math.max(hp, top + h);
  const S = ceil4(Math.max(minS, left + w));
  return { n, c, h, w, top, left, hp: rows, S, P: planeStride(rows * S) };
}

/**
 * Floats per plane for planes of `size` floats: the kernels read the same row of several planes in turn, so
 * planes a multiple of 4 KiB apart (28×28 images padded to 32×32) would share L1 sets and evict each other;
 * the stride is moved at least 512 bytes off such multiples.
 */
export function planeStride(size: number): number {
  let P = ceil4(size);
  const off = (p: number) => (p * 4) % 4096;
  while (off(P) < 512 || off(P) > 4096 - 512) P += 16;
  return P;
}

/** Bytes of a planar copy (data only). */
function planarBytes(p: Omit<Planar, 'addr'>): number {
  return p.n * p.c * p.P * 4;
}

/**
 * Spreads an NHWC tensor (`src`, in any memory) into a new planar copy of `layout` (zeros outside the data and
 * in S + 4 floats after it, which the kernels may read). With `mask` (NHWC like src) it spreads dz = src·[mask > 0];
 * with `biasGrad` it also returns Σ over pixels of the spread values per channel.
 */
export function spread(
  e: GemmEngine, src: Float32Array, layout: Omit<Planar, 'addr'>, mask?: Float32Array, biasGrad = false,
): { planar: Planar; db: Float32Array | null } {
  const { n, h, w, c, P, S, top, left } = layout;
  const raw = e.put(src);
  const m = mask ? e.put(mask) : 0;
  const bytes = planarBytes(layout);
  const addr = e.alloc(bytes + (S + 4) * 4);
  e.f32.fill(0, (addr + bytes) >>> 2, (addr + bytes) / 4 + S + 4);
  const T = Math.min(n, threadsFor(e, 4 * src.length));
  const db = biasGrad ? e.alloc(T * c * 4) : 0;
  if (db) e.f32.fill(0, db >>> 2, (db >>> 2) + T * c);
  const kind = mask || biasGrad ? 1 : 0;
  const per = Math.ceil(n / T);
  const args: number[][] = [];
  for (let t = 0; t < T && t * per < n; t++) {
    const b0 = t * per;
    args.push([kind, raw, m, addr, db ? db + t * c * 4 : 0, b0, Math.min(n, b0 + per), h, w, c, P, S, top, left]);
  }
  e.parallel('planarShare', args);
  let sums: Float32Array | null = null;
  if (db) {
    sums = new Float32Array(c);
    const f = e.f32;
    for (let t = 0; t < args.length; t++) for (let ch = 0; ch < c; ch++) sums[ch] += f[(db >>> 2) + t * c + ch];
  }
  return { planar: { ...layout, addr }, db: sums };
}

/**
 * y = conv(X, W) for W [kh, kw, X.c, co] (the filter, row-major), stride 1, the window's top-left tap reading
 * X's element [y, x] (padding as laid out in X), plus `bias` and ReLU when given; y written NHWC
 * [n, ho, wo, co] at byte address `y`.
 */
export function convPlanar(e: GemmEngine, X: Planar, win: Window, filter: Float32Array, bias: Float32Array | null, relu: boolean, y: number): void {
  const { kh, kw, dh, dw, ho, wo, co } = win;
  const { n, c: ci, P, S } = X;
  const K = kh * kw * ci;
  // taps in (c, i, j) order (neighbouring taps read neighbouring floats); the filter's row of tap (c, i, j)
  const order: number[] = [];
  for (let ch = 0; ch < ci; ch++) for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) order.push((i * kw + j) * ci + ch);
  // the filter in panels of 4 channels (the last padded when co mod 4 = 3), then one of 2 when co mod 4 is 1 or 2:
  // panel p holds filter[k, c0 + r] at W + (start_p + k·width + r)·4, zeros beyond co
  const widths: number[] = [];
  for (let c0 = 0; c0 < co; c0 += 4) widths.push(co - c0 === 1 || co - c0 === 2 ? 2 : 4);
  const total = widths.reduce((a, b) => a + b, 0) * K;
  const W = e.alloc(total * 4);
  const f = e.f32;
  f.fill(0, W >>> 2, (W >>> 2) + total);
  let start = W >>> 2;
  widths.forEach((width, p) => {
    for (let k = 0; k < K; k++) {
      for (let r = 0; r < width && 4 * p + r < co; r++) f[start + k * width + r] = filter[order[k] * co + 4 * p + r];
    }
    start += K * width;
  });
  const tapTable = e.alloc(K * 4);
  const u = e.u32;
  let q = tapTable >>> 2;
  for (let ch = 0; ch < ci; ch++) for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) u[q++] = (ch * P + i * dh * S + j * dw) * 4;
  const perRow = Math.ceil(wo / 4);
  const nVecs = n * ho * perRow;
  const vecs = e.alloc(nVecs * 12);
  q = vecs >>> 2;
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < ho; r++) {
      const origin = (b * ci * P + r * S) * 4;
      const out = (b * ho + r) * wo;
      for (let v = 0; v < perRow; v++) {
        u[q++] = origin + v * 16;
        u[q++] = (out + 4 * v) * co * 4;
        u[q++] = Math.min(4, wo - 4 * v);
      }
    }
  }
  let biasAddr = 0;
  if (bias) {
    biasAddr = e.alloc(co * 4);
    f.set(bias, biasAddr >>> 2);
  }
  const desc = e.table([X.addr, tapTable, K, W, co, vecs, y, biasAddr, relu ? 1 : 0]);
  const quads = Math.ceil(nVecs / 4);
  const T = threadsFor(e, n * ho * wo * co * K);
  const chunks = sharedChunks(quads, T);
  const counter = e.counter();
  e.parallel('convShared', Array.from({ length: T }, (_, t) => [desc, counter, chunks, quads, nVecs, e.scratch(t)]));
}

/**
 * dW[i, j, c, o] = Σ_{b, y, x} X[b, c, y + i·dh, x + j·dw]·D[b, o, y, x] for the window `win` (stride 1; X laid
 * out as the forward convolution reads it, D [n, ho, wo, co] with zeros in its rows up to a multiple of 4
 * pixels), returned as a new array [kh, kw, ci, co].
 */
export function filterPlanar(e: GemmEngine, X: Planar, D: Planar, win: Window): Float32Array {
  const { kh, kw, dh, dw, ho, wo, co } = win;
  const { n, c: ci, P, S } = X;
  const perRow = Math.ceil(wo / 4);
  if (D.S < D.left + 4 * perRow) throw new Error('filterPlanar: D needs zeros up to a multiple of 4 pixels per row');
  const taps = kh * kw * ci;
  const groups = Math.ceil(taps / TAP_GROUP);
  // taps in (c, i, j) order (a group's taps mostly share one row of X); extra taps read offset 0 and are dropped
  const order: number[] = [];
  for (let ch = 0; ch < ci; ch++) for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) order.push((i * kw + j) * ci + ch);
  const tapTable = e.alloc(groups * TAP_GROUP * 4);
  const u = e.u32;
  for (let t = 0; t < groups * TAP_GROUP; t++) {
    if (t >= taps) {
      u[(tapTable >>> 2) + t] = 0;
      continue;
    }
    const k = order[t];
    const ch = k % ci;
    const ij = (k - ch) / ci;
    const i = Math.floor(ij / kw);
    const j = ij % kw;
    u[(tapTable >>> 2) + t] = (ch * P + i * dh * S + j * dw) * 4;
  }
  const out = e.alloc(groups * TAP_GROUP * co * 4);
  const dOrigin = D.addr + (D.top * D.S + D.left) * 4;
  const desc = e.table([
    X.addr, dOrigin, tapTable, groups, n, ho, perRow, ci * P * 4, S * 4, D.c * D.P * 4, D.P * 4, D.S * 4, co, out,
  ]);
  const tiles = groups * Math.ceil(co / 2);
  const T = threadsFor(e, n * ho * wo * co * taps);
  const per = Math.max(1, Math.floor(tiles / (4 * T)));
  const counter = e.counter();
  e.parallel('filterShared', Array.from({ length: T }, () => [desc, counter, tiles, per]));
  const dW = new Float32Array(taps * co);
  const f = e.f32;
  for (let t = 0; t < taps; t++) {
    const src = (out >>> 2) + t * co;
    dW.set(f.subarray(src, src + co), order[t] * co);
  }
  return dW;
}
