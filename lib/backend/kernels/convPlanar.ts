/**
 * Stride-1 convolutions on planar copies of NHWC tensors (wasm/assembly/_conv.ts), on the GEMM engine's
 * memory and threads: a tensor [n, h, w, c] is spread into zero-padded planes [n][c][hp][S], where four
 * neighbouring pixels of a row are four contiguous floats, so the SIMD lanes run along the pixels (the long
 * axis) rather than along the channels (10 in CNN6, a poor fit for the GEMM's 12-lane panels).
 * - {@link spread}: the planar copy (optionally dz = dy·[y > 0] with the bias gradient Σ dz);
 * - {@link convPlanar}: y = conv(x, W) (+ bias, ReLU), stored NHWC;
 * - {@link filterPlanar}: dW = Σ x_window·dz, and {@link filterPlanarPerImage} each image's own.
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

/** Bytes of a planar copy with the S + 4 floats after it that the kernels may read (zeros). */
export function planarSpan(p: Omit<Planar, 'addr'>): number {
  return planarBytes(p) + (p.S + 4) * 4;
}

/**
 * Spreads an NHWC tensor (`src`, in any memory) into a planar copy of `layout` (zeros outside the data and in
 * S + 4 floats after it, which the kernels may read): at `dest` (planarSpan bytes), else new in the arena.
 * With `mask` (NHWC like src) it spreads dz = src·[mask > 0]; with `biasGrad` it also returns Σ over pixels of
 * the spread values per channel.
 */
export function spread(
  e: GemmEngine, src: Float32Array, layout: Omit<Planar, 'addr'>, mask?: Float32Array, biasGrad = false, dest?: number,
): { planar: Planar; db: Float32Array | null } {
  const { n, h, w, c, P, S, top, left } = layout;
  const top0 = e.mark();
  const raw = e.put(src);
  const m = mask ? e.put(mask) : 0;
  const bytes = planarBytes(layout);
  const addr = dest ?? e.alloc(bytes + (S + 4) * 4);
  e.f32.fill(0, (addr + bytes) >>> 2, (addr + bytes) / 4 + S + 4);
  // one thread: a spreading moves data at memory speed, and waking a sleeping worker costs about as much
  const T = Math.min(n, threadsFor(e, src.length / 4));
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
  if (dest !== undefined) e.release(top0); // the copies of src and mask were only needed here
  return { planar: { ...layout, addr }, db: sums };
}

/** Vector tables of recent geometries (a step of a network makes the same few again and again). */
const vectorTables = new Map<string, Uint32Array>();

/**
 * The vector table of a convolution of X (4-pixel vectors of the output rows): per vector its origin in X, its
 * first pixel's offset in y (NHWC, co channels), its lanes, and its offsets in the planar copies Z and M.
 */
function vectorTable(X: Planar, win: Window, Z?: Planar, M?: Planar): Uint32Array {
  const { ho, wo, co } = win;
  const { n, c: ci, P, S } = X;
  const dims = (p?: Planar) => (p ? `${p.c},${p.P},${p.S},${p.top},${p.left}` : '-');
  const key = `${n},${ho},${wo},${ci},${P},${S},${co}|${dims(Z)}|${dims(M)}`;
  let t = vectorTables.get(key);
  if (t) return t;
  const perRow = Math.ceil(wo / 4);
  t = new Uint32Array(n * ho * perRow * 5);
  // a pixel's offset in a planar copy (channel 0)
  const at = (p: Planar | undefined, b: number, r: number, x: number) => (p ? (b * p.c * p.P + (p.top + r) * p.S + p.left + x) * 4 : 0);
  let q = 0;
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < ho; r++) {
      const origin = (b * ci * P + r * S) * 4;
      const out = (b * ho + r) * wo;
      for (let v = 0; v < perRow; v++) {
        t[q++] = origin + v * 16;
        t[q++] = (out + 4 * v) * co * 4;
        t[q++] = Math.min(4, wo - 4 * v);
        t[q++] = at(Z, b, r, 4 * v);
        t[q++] = at(M, b, r, 4 * v);
      }
    }
  }
  if (vectorTables.size >= 16) vectorTables.clear();
  vectorTables.set(key, t);
  return t;
}

/** A planar copy that {@link convPlanar} writes as well: Z (its data at [b, o, Z.top + y, Z.left + x]), masked by M > 0. */
export interface PlanarOut {
  Z: Planar;
  /** Planes with M.c = co and the same pixels as y (at M.top + y, M.left + x): Z = y·[M > 0]. */
  M?: Planar;
}

/**
 * y = conv(X, W) for W [kh, kw, X.c, co] (the filter, row-major), stride 1, the window's top-left tap reading
 * X's element [y, x] (padding as laid out in X), plus `bias` and ReLU when given; y written NHWC
 * [n, ho, wo, co] at byte address `y`, and into `planar` when given (its padding left as it is).
 */
export function convPlanar(
  e: GemmEngine, X: Planar, win: Window, filter: Float32Array, bias: Float32Array | null, relu: boolean, y: number, planar?: PlanarOut,
): void {
  const { kh, kw, dh, dw, ho, wo, co } = win;
  const { n, c: ci, P, S } = X;
  const K = kh * kw * ci;
  // taps in (c, i, j) order (neighbouring taps read neighbouring floats); the filter's row of tap (c, i, j)
  const order: number[] = [];
  for (let ch = 0; ch < ci; ch++) for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) order.push((i * kw + j) * ci + ch);
  // the filter in panels of 3 channels, then of 2 (one when co mod 3 is 2 or co = 1, two when co mod 3 is 1):
  // panel p holds filter[k, c0 + r] at W + (start_p + k·width + r)·4, zeros beyond co (wasm/assembly/_conv.ts)
  const twos = co % 3 === 0 ? 0 : co % 3 === 2 || co === 1 ? 1 : 2;
  const widths = [...new Array<number>(Math.max(0, (co - 2 * twos) / 3)).fill(3), ...new Array<number>(twos).fill(2)];
  const total = widths.reduce((a, b) => a + b, 0) * K;
  const perRow = Math.ceil(wo / 4);
  const nVecs = n * ho * perRow;
  // every allocation first (the memory may grow, which leaves older views behind)
  const W = e.alloc(total * 4);
  const tapTable = e.alloc(K * 4);
  const vecs = e.alloc(nVecs * 20);
  const biasAddr = bias ? e.alloc(co * 4) : 0;
  const f = e.f32;
  const u = e.u32;
  f.fill(0, W >>> 2, (W >>> 2) + total);
  let start = W >>> 2;
  let c0 = 0;
  for (const width of widths) {
    for (let k = 0; k < K; k++) {
      for (let r = 0; r < width && c0 + r < co; r++) f[start + k * width + r] = filter[order[k] * co + c0 + r];
    }
    start += K * width;
    c0 += width;
  }
  let q = tapTable >>> 2;
  for (let ch = 0; ch < ci; ch++) for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) u[q++] = (ch * P + i * dh * S + j * dw) * 4;
  const Z = planar?.Z;
  const M = planar?.M;
  u.set(vectorTable(X, win, Z, M), vecs >>> 2);
  if (bias) f.set(bias, biasAddr >>> 2);
  const desc = e.table([X.addr, tapTable, K, W, co, vecs, y, biasAddr, relu ? 1 : 0, Z?.addr ?? 0, (Z?.P ?? 0) * 4, M?.addr ?? 0, (M?.P ?? 0) * 4]);
  const units = Math.ceil(nVecs / 12);
  const T = threadsFor(e, n * ho * wo * co * K);
  const chunks = sharedChunks(units, T);
  const counter = e.counter();
  e.parallel('convShared', Array.from({ length: T }, (_, t) => [desc, counter, chunks, units, nVecs, e.scratch(t)]));
}

/**
 * The filter-gradient job of `filterPerImage` for the window `win` (stride 1; X laid out as the forward
 * convolution reads it, D [n, ho, wo, co] with zeros in its rows up to a multiple of 4 pixels): its tap table,
 * a descriptor for images from given addresses, and the mapping of its output (tiles of taps in (c, i, j)
 * order) to dW's [kh, kw, ci, co] order.
 */
function filterJob(e: GemmEngine, X: Planar, D: Planar, win: Window) {
  const { kh, kw, dh, dw, ho, wo, co } = win;
  const { c: ci, P, S } = X;
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
  // with equal row strides, an image's rows are one run of ho·S pixels (D is zero beyond each row's wo):
  // no per-row overhead for 4/S more pixels
  const flat = D.S === S && D.left + wo <= S;
  const [rows, vecs] = flat ? [1, (ho * S) / 4] : [ho, perRow];
  const xImage = ci * P * 4;
  const dImage = D.c * D.P * 4;
  return {
    taps,
    /** Floats of one output (whole tiles). */
    size: groups * TAP_GROUP * co,
    /** Multiply-adds of all images. */
    work: X.n * ho * wo * co * taps,
    /** The descriptor of images first … first + n − 1, summed into `out`. */
    desc: (first: number, n: number, out: number) =>
      e.table([X.addr + first * xImage, D.addr + first * dImage + (D.top * D.S + D.left) * 4, tapTable, groups, n, rows, vecs, xImage, S * 4, dImage, D.P * 4, D.S * 4, co, out]),
    /** Adds the outputs at `outs` into dW [kh, kw, ci, co] at float offset `at`. */
    gather: (outs: readonly number[], dW: Float32Array, at = 0) => {
      const f = e.f32;
      for (let t = 0; t < taps; t++) {
        const row = at + order[t] * co;
        for (const o of outs) for (let c = 0; c < co; c++) dW[row + c] += f[(o >>> 2) + t * co + c];
      }
    },
  };
}

/**
 * Every image's own filter gradient in the engine's memory, [n] outputs of `job.size` floats (tap-table
 * order): the threads take images from a shared counter, each written to its own output.
 */
function filterEachImage(e: GemmEngine, X: Planar, D: Planar, win: Window) {
  const job = filterJob(e, X, D, win);
  const n = X.n;
  const T = Math.min(n, threadsFor(e, job.work));
  const outs = e.alloc(n * job.size * 4);
  const desc = job.desc(0, n, outs);
  e.f32.fill(0, outs >>> 2, (outs >>> 2) + n * job.size);
  const counter = e.counter();
  e.parallel('filterPerImage', Array.from({ length: T }, () => [desc, counter, outs, job.size * 4]));
  return { job, image: (b: number) => outs + b * job.size * 4 };
}

/**
 * dW[i, j, c, o] = Σ_{b, y, x} X[b, c, y + i·dh, x + j·dw]·D[b, o, y, x] for the window `win` (stride 1; X laid
 * out as the forward convolution reads it, D [n, ho, wo, co] with zeros in its rows up to a multiple of 4
 * pixels), returned as a new array [kh, kw, ci, co]. Each image's gradient is taken on its own and they are
 * added image by image in order, so the sum (and its float32 rounding) is the same whichever thread took
 * which image and however many threads took part (before, each thread summed the images it happened to take,
 * and runs of one config differed in their last bits from one run to the next).
 */
export function filterPlanar(e: GemmEngine, X: Planar, D: Planar, win: Window): Float32Array {
  const { job, image } = filterEachImage(e, X, D, win);
  const dW = new Float32Array(job.taps * win.co);
  job.gather(Array.from({ length: X.n }, (_, b) => image(b)), dW);
  return dW;
}

/**
 * Every image's own filter gradient, dW_b[i, j, c, o] = Σ_{y, x} X[b, c, y + i·dh, x + j·dw]·D[b, o, y, x] (the
 * per-sample gradients of {@link filterPlanar}'s sum), returned as a new array [n, kh, kw, ci, co].
 */
export function filterPlanarPerImage(e: GemmEngine, X: Planar, D: Planar, win: Window): Float32Array {
  const { job, image } = filterEachImage(e, X, D, win);
  const dW = new Float32Array(X.n * job.taps * win.co);
  for (let b = 0; b < X.n; b++) job.gather([image(b)], dW, b * job.taps * win.co);
  return dW;
}
