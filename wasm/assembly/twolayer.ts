/**
 * The fused CPU engine of the two-layer family f(x) = V·relu(Wx + b) (lib/engines/wasm): one call
 * advances each member of a list K SGD steps, drawing its data from the counter-based streams
 * (_stream.ts) and applying the divergence rule at multiples of checkEvery, all in f32x4 SIMD on
 * a shared memory, so that worker threads can each run their own members at once.
 *
 * Memory (laid out by lib/engines/wasm/layout.ts; every offset 16-byte aligned):
 * - a header (HDR_*): the shared architecture and the addresses of the member records and of the
 *   sin/cos tables of Gaussian inputs (initTables; shared by every thread);
 * - one record per member (REC_*): seed, |B|, η, threshold, loss accumulator, frozen flag and
 *   step, addresses of its parameters;
 * - parameters padded with zeros: W [Np, Mp] row-major, b [Np], V [C, Np] (Mp, Np: M, N rounded
 *   up to 4). Padding stays zero: padded inputs and hidden units have zero gradients;
 * - per thread, a scratch area for |B| slots: inputs X [B, Mp] f32, pre-activations H [B, Np]
 *   f32, hidden coefficients E [B, Np] f32 (η/|B|·∂L/∂h), output gradients D [B, C] f64 and a
 *   list of max(|B| (coefficient, input address) pairs, Np row indices).
 */
import { philox0, philox1, philox2, philox3, philox4x32 } from './_philox';
import {
  epochIndex,
  feistelBits,
  initSinCosTables,
  permuteWithKeys,
  setSinCosMargins,
  sinCosFallbacks,
  SINCOS_TABLE_BYTES,
  streamLabel,
  streamSample,
  streamSampleExact,
  STREAM_SET_X,
  STREAM_SET_Y,
  STREAM_TRAIN_X,
  STREAM_TRAIN_Y,
} from './_stream';

/** Header: input dimension M (i32). */
export const HDR_M: i32 = 0;
/** Header: hidden units N. */
export const HDR_N: i32 = 4;
/** Header: outputs C. */
export const HDR_C: i32 = 8;
/** Header: M rounded up to 4. */
export const HDR_MP: i32 = 12;
/** Header: N rounded up to 4. */
export const HDR_NP: i32 = 16;
/** Header: 1 with hidden bias, else 0. */
export const HDR_BIAS: i32 = 20;
/** Header: loss (LOSS_*). */
export const HDR_LOSS: i32 = 24;
/** Header: input (INPUT_*). */
export const HDR_INPUT: i32 = 28;
/** Header: fixed training set size n, 0 for online SGD. */
export const HDR_TRAIN_SIZE: i32 = 32;
/** Header: apply the divergence rule after step counts that are multiples of this. */
export const HDR_CHECK_EVERY: i32 = 36;
/** Header: address of member record 0. */
export const HDR_RECORDS: i32 = 40;
/** Header: address of the sin/cos tables (initTables). */
export const HDR_TABLES: i32 = 44;
/** Header bytes. */
export const HDR_BYTES: i32 = 64;

/** Record: seed (u32). */
export const REC_SEED: i32 = 0;
/** Record: batch size |B| (i32). */
export const REC_BATCH: i32 = 4;
/** Record: learning rate η (f64). */
export const REC_ETA: i32 = 8;
/** Record: divergence threshold on each parameter's norm (f64). */
export const REC_THRESHOLD: i32 = 16;
/** Record: loss accumulator (f64). */
export const REC_LOSS_SUM: i32 = 24;
/** Record: 1 once frozen by the divergence rule (i32). */
export const REC_FROZEN: i32 = 32;
/** Record: the step count at which it was frozen (u32). */
export const REC_FROZEN_STEP: i32 = 36;
/** Record: address of W (u32). */
export const REC_W: i32 = 40;
/** Record: address of b (u32). */
export const REC_B: i32 = 44;
/** Record: address of V (u32). */
export const REC_V: i32 = 48;
/** Record bytes. */
export const REC_BYTES: i32 = 64;

/** Loss code: BCE with logits (one output). */
export const LOSS_BCE: i32 = 0;
/** Loss code: squared error (one output). */
export const LOSS_MSE: i32 = 1;
/** Loss code: softmax cross-entropy (C ≥ 2 outputs). */
export const LOSS_SOFTMAX_CE: i32 = 2;
/** Input code: standard normal inputs. */
export const INPUT_GAUSSIAN: i32 = 0;
/** Input code: U(0, 1) inputs. */
export const INPUT_UNIFORM: i32 = 1;

/** The first address above this module's static data. */
export function heapBase(): usize {
  return __heap_base;
}

/** Bytes of the sin/cos tables of the Gaussian inputs. */
export const TABLE_BYTES: i32 = SINCOS_TABLE_BYTES;

/** Fills the sin/cos tables at `tables` (16-byte aligned, TABLE_BYTES), once, before any advance. */
export function initTables(tables: usize): void {
  initSinCosTables(tables);
}

/** a + w·x, four lanes. */
// @ts-ignore: decorator
@inline function madd(a: v128, w: v128, x: v128): v128 {
  return f32x4.add(a, f32x4.mul(w, x));
}

/** Hidden pre-activations h = W·x + b for all Np rows, four rows at a time, two input vectors per iteration. */
// @ts-ignore: decorator
@inline function forward(W: usize, bp: usize, bias: bool, x: usize, h: usize, Mp: i32, Np: i32): void {
  const rowBytes = <usize>Mp << 2;
  for (let i = 0; i < Np; i += 4) {
    const w0 = W + <usize>i * rowBytes;
    const w1 = w0 + rowBytes;
    const w2 = w1 + rowBytes;
    const w3 = w2 + rowBytes;
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    let a2 = f32x4.splat(0);
    let a3 = f32x4.splat(0);
    let j: usize = 0;
    for (; j + 32 <= rowBytes; j += 32) {
      const xv = v128.load(x + j);
      const xw = v128.load(x + j, 16);
      a0 = madd(a0, v128.load(w0 + j), xv);
      a1 = madd(a1, v128.load(w1 + j), xv);
      a2 = madd(a2, v128.load(w2 + j), xv);
      a3 = madd(a3, v128.load(w3 + j), xv);
      a0 = madd(a0, v128.load(w0 + j, 16), xw);
      a1 = madd(a1, v128.load(w1 + j, 16), xw);
      a2 = madd(a2, v128.load(w2 + j, 16), xw);
      a3 = madd(a3, v128.load(w3 + j, 16), xw);
    }
    if (j < rowBytes) {
      const xv = v128.load(x + j);
      a0 = madd(a0, v128.load(w0 + j), xv);
      a1 = madd(a1, v128.load(w1 + j), xv);
      a2 = madd(a2, v128.load(w2 + j), xv);
      a3 = madd(a3, v128.load(w3 + j), xv);
    }
    // Transpose-add: lane r of the result is the sum of the lanes of a_r.
    const p01 = f32x4.add(v128.shuffle<f32>(a0, a1, 0, 4, 1, 5), v128.shuffle<f32>(a0, a1, 2, 6, 3, 7));
    const p23 = f32x4.add(v128.shuffle<f32>(a2, a3, 0, 4, 1, 5), v128.shuffle<f32>(a2, a3, 2, 6, 3, 7));
    let hv = f32x4.add(v128.shuffle<f32>(p01, p23, 0, 1, 4, 5), v128.shuffle<f32>(p01, p23, 2, 3, 6, 7));
    if (bias) hv = f32x4.add(hv, v128.load(bp + (<usize>i << 2)));
    v128.store(h + (<usize>i << 2), hv);
  }
}

/** Σ_i v_i·relu(h_i) over Np values, the lanes summed in f64. */
// @ts-ignore: decorator
@inline function dotRelu(v: usize, h: usize, Np: i32): f64 {
  const zero = f32x4.splat(0);
  let acc = f32x4.splat(0);
  const bytes = <usize>Np << 2;
  for (let i: usize = 0; i < bytes; i += 16) {
    acc = f32x4.add(acc, f32x4.mul(v128.load(v + i), f32x4.pmax(zero, v128.load(h + i))));
  }
  const lo = <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1);
  return lo + (<f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3));
}

/**
 * Loss of the logits d[0 … C) (f64) for label y; overwrites d with ∂loss/∂f (the reference's
 * lossAndGradient in engines/reference.ts).
 */
function lossAndGradient(loss: i32, d: usize, C: i32, y: u32): f64 {
  if (loss == LOSS_MSE) {
    const r = load<f64>(d) - <f64>y;
    store<f64>(d, 2 * r);
    return r * r;
  }
  if (loss == LOSS_BCE) {
    const z = load<f64>(d);
    store<f64>(d, 1 / (1 + Math.exp(-z)) - <f64>y);
    return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - z * <f64>y;
  }
  let max = -Infinity;
  for (let c = 0; c < C; c++) max = Math.max(max, load<f64>(d + (<usize>c << 3)));
  let sum: f64 = 0;
  for (let c = 0; c < C; c++) sum += Math.exp(load<f64>(d + (<usize>c << 3)) - max);
  const fy = load<f64>(d + (<usize>y << 3));
  for (let c = 0; c < C; c++) {
    const p = d + (<usize>c << 3);
    store<f64>(p, Math.exp(load<f64>(p) - max) / sum - (<u32>c == y ? 1 : 0));
  }
  return -(fy - max - Math.log(sum));
}

/** e = scale·step(h)·Σ_c d_c·V_c (Np values): η/|B| times ∂L/∂h of one slot, at the parameters before the step. */
// @ts-ignore: decorator
@inline function hiddenCoefficients(V: usize, d: usize, C: i32, h: usize, e: usize, Np: i32, scale: f64): void {
  const zero = f32x4.splat(0);
  const rowBytes = <usize>Np << 2;
  if (C == 1) {
    const s = f32x4.splat(<f32>(scale * load<f64>(d)));
    for (let i: usize = 0; i < rowBytes; i += 16) {
      const mask = f32x4.gt(v128.load(h + i), zero);
      v128.store(e + i, v128.and(f32x4.mul(s, v128.load(V + i)), mask));
    }
    return;
  }
  for (let i: usize = 0; i < rowBytes; i += 16) {
    let acc = f32x4.splat(0);
    for (let c = 0; c < C; c++) {
      const s = f32x4.splat(<f32>(scale * load<f64>(d + (<usize>c << 3))));
      acc = f32x4.add(acc, f32x4.mul(s, v128.load(V + <usize>c * rowBytes + i)));
    }
    v128.store(e + i, v128.and(acc, f32x4.gt(v128.load(h + i), zero)));
  }
}

/** w −= c·x over rowBytes bytes (a multiple of 16), two vectors per iteration. */
// @ts-ignore: decorator
@inline function axpyRow(w: usize, x: usize, c: f32, rowBytes: usize): void {
  const cv = f32x4.splat(c);
  let j: usize = 0;
  for (; j + 32 <= rowBytes; j += 32) {
    v128.store(w + j, f32x4.sub(v128.load(w + j), f32x4.mul(cv, v128.load(x + j))));
    v128.store(w + j, f32x4.sub(v128.load(w + j, 16), f32x4.mul(cv, v128.load(x + j, 16))), 16);
  }
  if (j < rowBytes) v128.store(w + j, f32x4.sub(v128.load(w + j), f32x4.mul(cv, v128.load(x + j))));
}

/**
 * W[i, ·] −= Σ_s e_s[i]·x_s for every row i, skipping zero coefficients (rows of inactive hidden
 * units). |B| = 1: the rows to update are listed first, without branches, then updated; |B| > 1:
 * per row, the nonzero (coefficient, input) pairs are listed, then summed and subtracted once.
 */
// @ts-ignore: decorator
@inline function updateW(W: usize, X: usize, E: usize, pairs: usize, B: i32, Mp: i32, Np: i32): void {
  const rowBytes = <usize>Mp << 2;
  const hiddenBytes = <usize>Np << 2;
  if (B == 1) {
    let n = 0;
    for (let i = 0; i < Np; i++) {
      store<i32>(pairs + (<usize>n << 2), i);
      n += i32(load<f32>(E + (<usize>i << 2)) != 0);
    }
    for (let l = 0; l < n; l++) {
      const i = <usize>load<i32>(pairs + (<usize>l << 2));
      axpyRow(W + i * rowBytes, X, load<f32>(E + (i << 2)), rowBytes);
    }
    return;
  }
  for (let i = 0; i < Np; i++) {
    const w = W + <usize>i * rowBytes;
    const off = <usize>i << 2;
    let n = 0;
    for (let s = 0; s < B; s++) {
      const c = load<f32>(E + <usize>s * hiddenBytes + off);
      if (c == 0) continue;
      const q = pairs + (<usize>n << 3);
      store<f32>(q, c);
      store<u32>(q, <u32>(X + <usize>s * rowBytes), 4);
      n++;
    }
    if (n == 0) continue;
    for (let j: usize = 0; j < rowBytes; j += 16) {
      let g = f32x4.splat(0);
      for (let l = 0; l < n; l++) {
        const q = pairs + (<usize>l << 3);
        g = madd(g, f32x4.splat(load<f32>(q)), v128.load(<usize>load<u32>(q, 4) + j));
      }
      v128.store(w + j, f32x4.sub(v128.load(w + j), g));
    }
  }
}

/** V[c, ·] −= Σ_s (scale·d_s[c])·relu(h_s) and b −= Σ_s e_s. */
// @ts-ignore: decorator
@inline function updateVb(V: usize, bp: usize, bias: bool, H: usize, E: usize, D: usize, B: i32, C: i32, Np: i32, scale: f64): void {
  const zero = f32x4.splat(0);
  const rowBytes = <usize>Np << 2;
  for (let c = 0; c < C; c++) {
    const v = V + <usize>c * rowBytes;
    for (let s = 0; s < B; s++) {
      const coef = <f32>(scale * load<f64>(D + ((<usize>s * <usize>C + <usize>c) << 3)));
      if (coef == 0) continue;
      const cv = f32x4.splat(coef);
      const h = H + <usize>s * rowBytes;
      for (let i: usize = 0; i < rowBytes; i += 16) {
        v128.store(v + i, f32x4.sub(v128.load(v + i), f32x4.mul(cv, f32x4.pmax(zero, v128.load(h + i)))));
      }
    }
  }
  if (!bias) return;
  for (let i: usize = 0; i < rowBytes; i += 16) {
    let g = f32x4.splat(0);
    for (let s = 0; s < B; s++) g = f32x4.add(g, v128.load(E + <usize>s * rowBytes + i));
    v128.store(bp + i, f32x4.sub(v128.load(bp + i), g));
  }
}

/** Σ p² over `count` f32 values (a multiple of 4), in f64. */
function sumSquares(p: usize, count: i32): f64 {
  let acc = f64x2.splat(0);
  const bytes = <usize>count << 2;
  for (let i: usize = 0; i < bytes; i += 16) {
    const v = v128.load(p + i);
    const lo = f64x2.promote_low_f32x4(v);
    const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
    acc = f64x2.add(acc, f64x2.add(f64x2.mul(lo, lo), f64x2.mul(hi, hi)));
  }
  return f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
}

/** Whether a squared norm is non-finite or its root exceeds the threshold. */
// @ts-ignore: decorator
@inline function tooLarge(sq: f64, threshold: f64): bool {
  const norm = Math.sqrt(sq);
  return !isFinite(norm) || norm > threshold;
}

/**
 * Advances each member listed at `list` (`count` i32 member indices) through steps
 * from … from + k − 1, skipping frozen members; `scratch` is this thread's scratch area.
 * Returns how many members it froze.
 */
export function advance(hdr: usize, list: usize, count: i32, from: u32, k: i32, scratch: usize): i32 {
  const M = load<i32>(hdr + HDR_M);
  const C = load<i32>(hdr + HDR_C);
  const Mp = load<i32>(hdr + HDR_MP);
  const Np = load<i32>(hdr + HDR_NP);
  const bias = load<i32>(hdr + HDR_BIAS) != 0;
  const loss = load<i32>(hdr + HDR_LOSS);
  const gaussian = load<i32>(hdr + HDR_INPUT) == INPUT_GAUSSIAN;
  const n = load<u32>(hdr + HDR_TRAIN_SIZE);
  const hbits = n > 0 ? feistelBits(n) : 0;
  const checkEvery = load<u32>(hdr + HDR_CHECK_EVERY);
  const records = <usize>load<u32>(hdr + HDR_RECORDS);
  const tables = <usize>load<u32>(hdr + HDR_TABLES);
  let frozen = 0;
  for (let l = 0; l < count; l++) {
    const rec = records + <usize>load<i32>(list + (<usize>l << 2)) * <usize>REC_BYTES;
    if (load<i32>(rec + REC_FROZEN) != 0) continue;
    const seed = load<u32>(rec + REC_SEED);
    const B = load<i32>(rec + REC_BATCH);
    const eta = load<f64>(rec + REC_ETA);
    const threshold = load<f64>(rec + REC_THRESHOLD);
    const W = <usize>load<u32>(rec + REC_W);
    const bp = <usize>load<u32>(rec + REC_B);
    const V = <usize>load<u32>(rec + REC_V);
    const X = scratch;
    const H = X + ((<usize>B * <usize>Mp) << 2);
    const E = H + ((<usize>B * <usize>Np) << 2);
    const D = E + ((<usize>B * <usize>Np) << 2);
    const pairs = D + ((<usize>B * <usize>C) << 3);
    const scale = eta / <f64>B;
    let lossSum = load<f64>(rec + REC_LOSS_SUM);
    for (let s = 0; s < k; s++) {
      const t = from + <u32>s;
      let batchLoss: f64 = 0;
      for (let slot = 0; slot < B; slot++) {
        const x = X + ((<usize>slot * <usize>Mp) << 2);
        const h = H + ((<usize>slot * <usize>Np) << 2);
        const e = E + ((<usize>slot * <usize>Np) << 2);
        const d = D + ((<usize>slot * <usize>C) << 3);
        let y: u32;
        if (n > 0) {
          const sample = epochIndex(seed, n, hbits, t, <u32>slot, <u32>B);
          streamSample(gaussian, seed, STREAM_SET_X, 0, sample, M, Mp, x, tables);
          y = streamLabel(seed, STREAM_SET_Y, 0, sample, <u32>C);
        } else {
          streamSample(gaussian, seed, STREAM_TRAIN_X, t, <u32>slot, M, Mp, x, tables);
          y = streamLabel(seed, STREAM_TRAIN_Y, t, <u32>slot, <u32>C);
        }
        forward(W, bp, bias, x, h, Mp, Np);
        for (let c = 0; c < C; c++) store<f64>(d + (<usize>c << 3), dotRelu(V + ((<usize>c * <usize>Np) << 2), h, Np));
        batchLoss += lossAndGradient(loss, d, C, y);
        hiddenCoefficients(V, d, C, h, e, Np, scale);
      }
      updateVb(V, bp, bias, H, E, D, B, C, Np, scale);
      updateW(W, X, E, pairs, B, Mp, Np);
      lossSum += batchLoss / <f64>B;
      const done = t + 1;
      if (done % checkEvery == 0) {
        if (
          !isFinite(lossSum) ||
          tooLarge(sumSquares(W, Np * Mp), threshold) ||
          (bias && tooLarge(sumSquares(bp, Np), threshold)) ||
          tooLarge(sumSquares(V, C * Np), threshold)
        ) {
          store<i32>(rec + REC_FROZEN, 1);
          store<u32>(rec + REC_FROZEN_STEP, done);
          frozen++;
          break;
        }
      }
    }
    store<f64>(rec + REC_LOSS_SUM, lossSum);
  }
  return frozen;
}

// Test hooks: the stream functions, called from lib/engines/wasm/stream.test.ts against data/stream.ts.

/** Philox4x32-10 of (c, k): four u32 words at `out`. */
export function testPhilox(c0: u32, c1: u32, c2: u32, c3: u32, k0: u32, k1: u32, out: usize): void {
  philox4x32(c0, c1, c2, c3, k0, k1);
  store<u32>(out, philox0);
  store<u32>(out, philox1, 4);
  store<u32>(out, philox2, 8);
  store<u32>(out, philox3, 12);
}

/**
 * StreamDraw.sample: M f32 inputs of sample (t, i) of `stream` at `out` (gaussian: 1, uniform: 0),
 * by the fast path with the tables at `tables`, or the exact one-to-one translation when tables = 0.
 */
export function testSample(gaussian: i32, seed: u32, stream: u32, t: u32, i: u32, M: i32, out: usize, tables: usize): void {
  if (tables == 0) streamSampleExact(gaussian != 0, seed, stream, t, i, M, M, out);
  else streamSample(gaussian != 0, seed, stream, t, i, M, M, out, tables);
}

/** Sets the margins of the fast Gaussian path's rounding check (tests: force or forbid the exact fallback). */
export function testSetMargins(abs: f64, rel: f64): void {
  setSinCosMargins(abs, rel);
}

/** How many Box–Muller pairs this instance recomputed exactly. */
export function testFallbacks(): i32 {
  return sinCosFallbacks;
}

/** StreamDraw.label. */
export function testLabel(seed: u32, stream: u32, t: u32, i: u32, classes: u32): u32 {
  return streamLabel(seed, stream, t, i, classes);
}

/** permute(r, n, seed, stream, epoch). */
export function testPermute(r: u32, n: u32, seed: u32, stream: u32, epoch: u32): u32 {
  philox4x32(0, 0, epoch, stream, seed, 0x7e57da7a);
  return permuteWithKeys(r, n, philox0, philox1, philox2, philox3, feistelBits(n));
}

/** EpochOrder(seed, n).index(t, b, B). */
export function testEpochIndex(seed: u32, n: u32, t: u32, b: u32, B: u32): u32 {
  return epochIndex(seed, n, feistelBits(n), t, b, B);
}
