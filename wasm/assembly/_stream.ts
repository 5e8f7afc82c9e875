/**
 * The data streams of lib/data/stream.ts (the reference, whose file comment is the definition),
 * translated line by line: blocks, uniform and Gaussian inputs (Box–Muller in f64 with AS's Math,
 * rounded to f32 exactly as the reference stores into a Float32Array), labels, the Feistel
 * permutation and the shuffled-epoch order of a fixed set.
 *
 * {@link streamSample} is the fast path the engine uses, with the same f32 results: four Philox
 * blocks at a time in SIMD lanes; both radii r = √(−2 ln u°) of a block by one two-lane log (musl's
 * fdlibm log, < 1 ulp, so r is within ~3 ulp of the reference's); cos/sin of θ = 2π(u − ½) from
 * tables instead of Math.sincos: u = k·2⁻²⁴ with k a 24-bit integer, so θ + π = q·π/2 + α + β
 * exactly, q = k >> 22, α = 2π·((k >> 11) & 2047)·2⁻¹³, β = 2π·(k & 2047)·2⁻²⁴, and (cos, sin)(α + β)
 * comes from two tables of (cos, sin) by the addition formulas (error ≲ 1e-15 against the
 * reference's cos/sin(fl(θ)), itself within ~6e-16 of the exact value). Each value z = r·cos θ
 * (r ≤ 5.8) is then within ε = 2e-14 + 3e-15·|z| of the reference's f64 value (about three times
 * the worst case); when z − ε and z + ε round to the same f32, so does the reference's value, else
 * (about once in 10⁵ blocks) the block is recomputed exactly with Math.log and Math.sincos.
 */
import { philox0, philox1, philox2, philox3, philox4x32, philox4x32x4, philoxV0, philoxV1, philoxV2, philoxV3 } from './_philox';

/** Second key word of every block. */
export const KEY_SALT: u32 = 0x7e57da7a;
/** Stream of online training inputs (the counter's last word, as STREAM.trainX in lib/data/stream.ts). */
export const STREAM_TRAIN_X: u32 = 1;
/** Stream of online training labels. */
export const STREAM_TRAIN_Y: u32 = 2;
/** Stream of a fixed synthetic set's inputs. */
export const STREAM_SET_X: u32 = 3;
/** Stream of a fixed synthetic set's labels. */
export const STREAM_SET_Y: u32 = 4;
/** Stream of the shuffled-epoch order's round keys. */
export const STREAM_ORDER: u32 = 7;

// @ts-ignore: decorator
@inline const TWO_M24: f64 = 5.9604644775390625e-8;
// @ts-ignore: decorator
@inline const TWO_PI: f64 = 2 * Math.PI;

/** u(w) = (w >> 8)·2⁻²⁴ ∈ [0, 1). */
// @ts-ignore: decorator
@inline export function unitFloat(w: u32): f64 {
  return <f64>(w >> 8) * TWO_M24;
}

/** u°(w) = ((w >> 8) + 1)·2⁻²⁴ ∈ (0, 1]. */
// @ts-ignore: decorator
@inline export function unitFloatOpen(w: u32): f64 {
  return <f64>((w >> 8) + 1) * TWO_M24;
}

/** fmix32, MurmurHash3's finalizer. */
// @ts-ignore: decorator
@inline export function fmix32(x: u32): u32 {
  let h = x;
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

/** block(seed, stream, t, i, j): its words go to philox0 … philox3. */
// @ts-ignore: decorator
@inline export function block(seed: u32, stream: u32, t: u32, i: u32, j: u32): void {
  philox4x32(j, i, t, stream, seed, KEY_SALT);
}

/** The label of sample (t, i) of `stream`: 0/1 for classes ≤ 2, else 0 … classes − 1. */
export function streamLabel(seed: u32, stream: u32, t: u32, i: u32, classes: u32): u32 {
  block(seed, stream, t, i, 0);
  const w = philox0;
  return classes <= 2 ? w >> 31 : <u32>((<u64>w * <u64>classes) >> 32);
}

/**
 * Writes the M inputs of sample (t, i) of `stream` as f32 at `out`, then zeros up to `padded`
 * (≥ M) values. Gaussian (Box–Muller on word pairs) or uniform: the reference, line by line.
 */
export function streamSampleExact(gaussian: bool, seed: u32, stream: u32, t: u32, i: u32, M: i32, padded: i32, out: usize): void {
  for (let j = 0; 4 * j < M; j++) {
    block(seed, stream, t, i, <u32>j);
    const w0 = philox0;
    const w1 = philox1;
    const w2 = philox2;
    const w3 = philox3;
    const p = out + (<usize>j << 4);
    const n = min(4, M - 4 * j);
    if (gaussian) {
      const r0 = Math.sqrt(-2 * Math.log(unitFloatOpen(w0)));
      const a0 = TWO_PI * (unitFloat(w1) - 0.5);
      Math.sincos(a0);
      store<f32>(p, <f32>(r0 * Math.sincos_cos));
      if (n > 1) store<f32>(p, <f32>(r0 * Math.sincos_sin), 4);
      if (n > 2) {
        const r1 = Math.sqrt(-2 * Math.log(unitFloatOpen(w2)));
        const a1 = TWO_PI * (unitFloat(w3) - 0.5);
        Math.sincos(a1);
        store<f32>(p, <f32>(r1 * Math.sincos_cos), 8);
        if (n > 3) store<f32>(p, <f32>(r1 * Math.sincos_sin), 12);
      }
    } else {
      store<f32>(p, <f32>unitFloat(w0));
      if (n > 1) store<f32>(p, <f32>unitFloat(w1), 4);
      if (n > 2) store<f32>(p, <f32>unitFloat(w2), 8);
      if (n > 3) store<f32>(p, <f32>unitFloat(w3), 12);
    }
  }
  for (let e = M; e < padded; e++) store<f32>(out + (<usize>e << 2), 0);
}

/** Half-width h (bits) of the Feistel domain 4ʰ ≥ n, h ≥ 1. */
export function feistelBits(n: u32): u32 {
  let h: u32 = 1;
  while ((<u64>1 << (2 * <u64>h)) < <u64>n) h++;
  return h;
}

/** permute(r, n) with round keys k0 … k3 and half-width h (see the reference). */
export function permuteWithKeys(r: u32, n: u32, k0: u32, k1: u32, k2: u32, k3: u32, h: u32): u32 {
  if (n <= 1) return 0;
  const mask: u32 = (<u32>1 << h) - 1;
  let v = r;
  do {
    let L = v >> h;
    let R = v & mask;
    let next = L ^ (fmix32(R ^ k0) & mask);
    L = R;
    R = next;
    next = L ^ (fmix32(R ^ k1) & mask);
    L = R;
    R = next;
    next = L ^ (fmix32(R ^ k2) & mask);
    L = R;
    R = next;
    next = L ^ (fmix32(R ^ k3) & mask);
    L = R;
    R = next;
    v = (L << h) | R;
  } while (v >= n);
  return v;
}

// The round keys of the last (seed, epoch) asked of epochIndex (per instance, so per thread).
let orderSeed: u32 = 0;
let orderEpoch: u64 = <u64>-1;
let orderKey0: u32 = 0;
let orderKey1: u32 = 0;
let orderKey2: u32 = 0;
let orderKey3: u32 = 0;

/**
 * EpochOrder.index: the sample of a fixed set of n samples (Feistel half-width h) that fills
 * slot b of step t at batch size B, for `seed`. Caches the last epoch's round keys.
 */
export function epochIndex(seed: u32, n: u32, h: u32, t: u32, b: u32, B: u32): u32 {
  const p = <u64>t * <u64>B + <u64>b;
  const epoch = p / <u64>n;
  if (epoch != orderEpoch || seed != orderSeed) {
    philox4x32(0, 0, <u32>epoch, STREAM_ORDER, seed, KEY_SALT);
    orderKey0 = philox0;
    orderKey1 = philox1;
    orderKey2 = philox2;
    orderKey3 = philox3;
    orderEpoch = epoch;
    orderSeed = seed;
  }
  return permuteWithKeys(<u32>(p - epoch * <u64>n), n, orderKey0, orderKey1, orderKey2, orderKey3, h);
}

/** Bytes of the sin/cos tables (see {@link initSinCosTables}). */
export const SINCOS_TABLE_BYTES: i32 = 65536 + 64;
// @ts-ignore: decorator
@inline const FINE: usize = 32768;
// @ts-ignore: decorator
@inline const QSIGN: usize = 65536;

/**
 * Fills the tables at `tables` (16-byte aligned, SINCOS_TABLE_BYTES): (cos, sin)(2π·a·2⁻¹³) for
 * a < 2048, (cos, sin)(2π·b·2⁻²⁴) for b < 2048, and the sign factors of the four quadrants.
 */
export function initSinCosTables(tables: usize): void {
  for (let a = 0; a < 2048; a++) {
    const x = (TWO_PI * <f64>a) / 8192;
    store<f64>(tables + (<usize>a << 4), Math.cos(x));
    store<f64>(tables + (<usize>a << 4), Math.sin(x), 8);
    const y = (TWO_PI * <f64>a) / 16777216;
    store<f64>(tables + FINE + (<usize>a << 4), Math.cos(y));
    store<f64>(tables + FINE + (<usize>a << 4), Math.sin(y), 8);
  }
  // (cos θ, sin θ) = −(cos, sin)(q·π/2 + ψ): (−c, −s), (s, −c), (c, s), (−s, c) for q = 0 … 3, after
  // swapping the lanes of (c, s) for odd q.
  v128.store(tables + QSIGN, f64x2(-1, -1));
  v128.store(tables + QSIGN + 16, f64x2(1, -1));
  v128.store(tables + QSIGN + 32, f64x2(1, 1));
  v128.store(tables + QSIGN + 48, f64x2(-1, 1));
}

/** Margins of the fast path's rounding check (test hooks may widen them to force the exact path). */
let marginAbs: f64 = 2e-14;
let marginRel: f64 = 3e-15;

/** Sets the rounding-check margins ε = abs + rel·|z| (tests only). */
export function setSinCosMargins(abs: f64, rel: f64): void {
  marginAbs = abs;
  marginRel = rel;
}

/** Blocks recomputed exactly because a fast value was too close to a rounding boundary (per thread). */
export let sinCosFallbacks: i32 = 0;

/**
 * ln x in both lanes, for normal positive x: musl's (fdlibm's) log, error < 1 ulp, without its
 * special cases. Used only inside the rounding check of {@link gaussBlock}.
 */
// @ts-ignore: decorator
@inline function logx2(x: v128): v128 {
  const u = i64x2.add(x, i64x2.splat(<i64>(0x3ff00000 - 0x3fe6a09e) << 32));
  const k = i64x2.sub(i64x2.shr_s(u, 52), i64x2.splat(0x3ff));
  const dk = f64x2.convert_low_i32x4_s(v128.shuffle<i32>(k, k, 0, 2, 0, 2));
  const f = f64x2.sub(i64x2.add(v128.and(u, i64x2.splat(0x000fffffffffffff)), i64x2.splat(<i64>0x3fe6a09e << 32)), f64x2.splat(1));
  const hfsq = f64x2.mul(f64x2.mul(f64x2.splat(0.5), f), f);
  const s = f64x2.div(f, f64x2.add(f64x2.splat(2), f));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  const Lg1 = f64x2.splat(reinterpret<f64>(0x3fe5555555555593));
  const Lg2 = f64x2.splat(reinterpret<f64>(0x3fd999999997fa04));
  const Lg3 = f64x2.splat(reinterpret<f64>(0x3fd2492494229359));
  const Lg4 = f64x2.splat(reinterpret<f64>(0x3fcc71c51d8e78af));
  const Lg5 = f64x2.splat(reinterpret<f64>(0x3fc7466496cb03de));
  const Lg6 = f64x2.splat(reinterpret<f64>(0x3fc39a09d078c69f));
  const Lg7 = f64x2.splat(reinterpret<f64>(0x3fc2f112df3e5244));
  const t1 = f64x2.mul(w, f64x2.add(Lg2, f64x2.mul(w, f64x2.add(Lg4, f64x2.mul(w, Lg6)))));
  const t2 = f64x2.mul(z, f64x2.add(Lg1, f64x2.mul(w, f64x2.add(Lg3, f64x2.mul(w, f64x2.add(Lg5, f64x2.mul(w, Lg7)))))));
  const r = f64x2.add(t2, t1);
  const ln2hi = f64x2.splat(reinterpret<f64>(0x3fe62e42fee00000));
  const ln2lo = f64x2.splat(reinterpret<f64>(0x3dea39ef35793c76));
  // s·(hfsq + r) + dk·ln2_lo − hfsq + f + dk·ln2_hi
  const a = f64x2.add(f64x2.mul(s, f64x2.add(hfsq, r)), f64x2.mul(dk, ln2lo));
  return f64x2.add(f64x2.add(f64x2.sub(a, hfsq), f), f64x2.mul(dk, ln2hi));
}

/** (cos θ, sin θ) of θ = 2π(u(w) − ½) from the tables (see the file comment). */
// @ts-ignore: decorator
@inline function cosSin(w: u32, tables: usize): v128 {
  const k = w >> 8;
  const t1 = v128.load(tables + ((<usize>(k >> 11) & 2047) << 4));
  const t2 = v128.load(tables + FINE + ((<usize>k & 2047) << 4));
  const cb = v128.shuffle<f64>(t2, t2, 0, 0);
  const sb = f64x2.mul(v128.shuffle<f64>(t2, t2, 1, 1), f64x2(-1, 1));
  // (cos, sin)(α + β) = (cα·cβ − sα·sβ, sα·cβ + cα·sβ)
  const psi = f64x2.add(f64x2.mul(t1, cb), f64x2.mul(v128.shuffle<f64>(t1, t1, 1, 0), sb));
  const q = <usize>(k >> 22);
  const odd = i64x2.splat(-<i64>(q & 1));
  return f64x2.mul(v128.bitselect(v128.shuffle<f64>(psi, psi, 1, 0), psi, odd), v128.load(tables + QSIGN + (q << 4)));
}

/** z − ε and z + ε, ε = marginAbs + marginRel·|z|, rounded to f32 in lanes 0 and 1 of two vectors. */
// @ts-ignore: decorator
@inline function bounds(z: v128): v128 {
  const eps = f64x2.add(f64x2.splat(marginAbs), f64x2.mul(f64x2.abs(z), f64x2.splat(marginRel)));
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(f64x2.sub(z, eps)), f32x4.demote_f64x2_zero(f64x2.add(z, eps)), 0, 1, 4, 5);
}

/** Whether any of the four values in z0, z1 is too close to an f32 rounding boundary to be sure of its rounding. */
// @ts-ignore: decorator
@inline function tooClose(z0: v128, z1: v128): bool {
  const b0 = bounds(z0);
  const b1 = bounds(z1);
  // lanes (lo, lo, hi, hi) of each: compare lo with hi
  return v128.any_true(v128.xor(v128.shuffle<f32>(b0, b1, 0, 1, 4, 5), v128.shuffle<f32>(b0, b1, 2, 3, 6, 7)));
}

/** One Box–Muller pair exactly as the reference: `count` (1 or 2) f32 values at p. */
// @ts-ignore: decorator
@inline function gaussPairExact(we: u32, wo: u32, p: usize, count: i32): void {
  const r = Math.sqrt(-2 * Math.log(unitFloatOpen(we)));
  Math.sincos(TWO_PI * (unitFloat(wo) - 0.5));
  store<f32>(p, <f32>(r * Math.sincos_cos));
  if (count > 1) store<f32>(p, <f32>(r * Math.sincos_sin), 4);
}

/** Stores lanes 0 … count − 1 (count 1 or 2) of the f32 demotion of z at p. */
// @ts-ignore: decorator
@inline function storePair(p: usize, z: v128, count: i32): void {
  const zf = f32x4.demote_f64x2_zero(z);
  if (count > 1) v128.store64_lane(p, zf, 0);
  else v128.store32_lane(p, zf, 0);
}

/**
 * The n (1 … 4) Gaussian values of one block at p: both radii by one two-lane log, both angles
 * from the tables; if any of its four values is too close to an f32 rounding boundary, the block
 * is redone by the exact path.
 */
// @ts-ignore: decorator
@inline function gaussBlock(w0: u32, w1: u32, w2: u32, w3: u32, tables: usize, p: usize, n: i32): void {
  const u = f64x2.replace_lane(f64x2.splat(unitFloatOpen(w0)), 1, unitFloatOpen(w2));
  const r = f64x2.sqrt(f64x2.mul(f64x2.splat(-2), logx2(u)));
  const z0 = f64x2.mul(cosSin(w1, tables), v128.shuffle<f64>(r, r, 0, 0));
  const z1 = f64x2.mul(cosSin(w3, tables), v128.shuffle<f64>(r, r, 1, 1));
  if (!tooClose(z0, z1)) {
    storePair(p, z0, n > 1 ? 2 : 1);
    if (n > 2) storePair(p + 8, z1, n > 3 ? 2 : 1);
    return;
  }
  sinCosFallbacks++;
  gaussPairExact(w0, w1, p, n > 1 ? 2 : 1);
  if (n > 2) gaussPairExact(w2, w3, p + 8, n > 3 ? 2 : 1);
}

/** Stores the first n (1 … 4) lanes of v at p. */
// @ts-ignore: decorator
@inline function storeFirst(p: usize, v: v128, n: i32): void {
  if (n >= 4) v128.store(p, v);
  else if (n == 3) {
    v128.store64_lane(p, v, 0);
    v128.store32_lane(p, v, 2, 8);
  } else if (n == 2) v128.store64_lane(p, v, 0);
  else v128.store32_lane(p, v, 0);
}

/**
 * Writes the M inputs of sample (t, i) of `stream` as f32 at `out`, then zeros up to `padded`
 * (≥ M) values: the same values as {@link streamSampleExact}, fast (Gaussian inputs need the
 * tables of {@link initSinCosTables} at `tables`; with tables = 0 this is the exact path).
 */
export function streamSample(gaussian: bool, seed: u32, stream: u32, t: u32, i: u32, M: i32, padded: i32, out: usize, tables: usize): void {
  if (gaussian && tables == 0) {
    streamSampleExact(gaussian, seed, stream, t, i, M, padded, out);
    return;
  }
  const blocks = (M + 3) >> 2;
  for (let j = 0; j < blocks; j += 4) {
    philox4x32x4(<u32>j, i, t, stream, seed, KEY_SALT);
    const p = out + (<usize>j << 4);
    const left = M - 4 * j;
    if (gaussian) {
      const x0 = philoxV0;
      const x1 = philoxV1;
      const x2 = philoxV2;
      const x3 = philoxV3;
      const w0 = i32x4.extract_lane(x0, 0);
      gaussBlock(w0, i32x4.extract_lane(x1, 0), i32x4.extract_lane(x2, 0), i32x4.extract_lane(x3, 0), tables, p, left);
      if (left > 4) {
        const w0 = i32x4.extract_lane(x0, 1);
        gaussBlock(w0, i32x4.extract_lane(x1, 1), i32x4.extract_lane(x2, 1), i32x4.extract_lane(x3, 1), tables, p + 16, left - 4);
      }
      if (left > 8) {
        const w0 = i32x4.extract_lane(x0, 2);
        gaussBlock(w0, i32x4.extract_lane(x1, 2), i32x4.extract_lane(x2, 2), i32x4.extract_lane(x3, 2), tables, p + 32, left - 8);
      }
      if (left > 12) {
        const w0 = i32x4.extract_lane(x0, 3);
        gaussBlock(w0, i32x4.extract_lane(x1, 3), i32x4.extract_lane(x2, 3), i32x4.extract_lane(x3, 3), tables, p + 48, left - 12);
      }
    } else {
      const s = f32x4.splat(<f32>TWO_M24);
      const u0 = f32x4.mul(f32x4.convert_i32x4_u(i32x4.shr_u(philoxV0, 8)), s);
      const u1 = f32x4.mul(f32x4.convert_i32x4_u(i32x4.shr_u(philoxV1, 8)), s);
      const u2 = f32x4.mul(f32x4.convert_i32x4_u(i32x4.shr_u(philoxV2, 8)), s);
      const u3 = f32x4.mul(f32x4.convert_i32x4_u(i32x4.shr_u(philoxV3, 8)), s);
      // Transpose: lane l of u_e is word e of block l; block l's four words become one vector.
      const a0 = v128.shuffle<f32>(u0, u1, 0, 4, 1, 5);
      const a1 = v128.shuffle<f32>(u0, u1, 2, 6, 3, 7);
      const a2 = v128.shuffle<f32>(u2, u3, 0, 4, 1, 5);
      const a3 = v128.shuffle<f32>(u2, u3, 2, 6, 3, 7);
      storeFirst(p, v128.shuffle<f32>(a0, a2, 0, 1, 4, 5), left);
      if (left > 4) storeFirst(p + 16, v128.shuffle<f32>(a0, a2, 2, 3, 6, 7), left - 4);
      if (left > 8) storeFirst(p + 32, v128.shuffle<f32>(a1, a3, 0, 1, 4, 5), left - 8);
      if (left > 12) storeFirst(p + 48, v128.shuffle<f32>(a1, a3, 2, 3, 6, 7), left - 12);
    }
  }
  for (let e = M; e < padded; e++) store<f32>(out + (<usize>e << 2), 0);
}
