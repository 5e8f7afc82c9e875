// Stride-1 convolutions on a planar layout, for the library's conv kernels (lib/backend/kernels/convPlanar.ts),
// compiled into gemm.wasm / gemm-relaxed.wasm through gemm.ts. Activations are NHWC in tfjs; here a tensor
// [n, h, w, c] is spread into zero-padded planes [b][c][rows][S] (S: a row stride, a multiple of 4, with zeros
// beyond the data), so that four neighbouring output pixels of a row read four contiguous floats for every
// filter tap: SIMD lanes run along the pixels, the long axis, instead of along the (often few) channels.
// - convTiles: y[pixels, co] = Σ_taps X[pixels + tap]·W[tap, co] in tiles of 3 channels × 3 pixel vectors
//   (or 2 channels × 4 vectors for the last channels), bias and ReLU in the epilogue, stored NHWC, and also
//   into planes when asked (a planar copy for the next kernel; masked: the layer below's dz = dx·[x > 0]);
// - filterPerImage: dW_b[tap, o] = Σ_{y, x} X[b, c, y + i, x + j]·D[b, o, y, x] for each image b on its own, in
//   tiles of 4 taps × 2 channels (the batch's dW is their sum, added in image order by the caller);
// - toPlanar / gradToPlanar / zeroPadding: the spreading (the second also masking by ReLU's output,
//   dz = dy·[y > 0], and summing the bias gradient); planeSums: sums of planes (a bias gradient).
// Tiles keep 8 or 9 accumulators: with a step's loads they fill the 15 vector registers that V8 allocates on
// x64, and more spill (V8 issues a loop body's loads before its multiply-adds).

/** c + a·b per lane (fused when built with relaxed SIMD). */
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

@inline function word(desc: usize, i: i32): i32 {
  return load<i32>(desc + (<usize>i << 2));
}

/** The sum of the four lanes. */
@inline function hsum(v: v128): f32 {
  const s = f32x4.add(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1);
}

/** Zeroes `bytes` (a multiple of 4) at p. */
@inline function zeroBytes(p: usize, bytes: usize): void {
  const z = i32x4.splat(0);
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) v128.store(p + i, z);
  for (; i < bytes; i += 4) store<i32>(p + i, 0);
}

/**
 * Zeroes everything but the data of images [b0, b1) of a planar copy at `dst` (see {@link toPlanar}): the rows
 * above and below the data, the columns left and right of it, and the rest of each plane.
 */
export function zeroPadding(dst: usize, b0: i32, b1: i32, h: i32, w: i32, c: i32, P: i32, S: i32, top: i32, left: i32): void {
  const plane = <usize>P << 2;
  const rowB = <usize>S << 2;
  const first = <usize>(top * S + left) << 2; // a plane's first datum
  const gap = <usize>(S - w) << 2; // from the end of a data row to the start of the next
  for (let b = b0; b < b1; b++) {
    for (let ch = 0; ch < c; ch++) {
      const pl = dst + <usize>(b * c + ch) * plane;
      if (h == 0) {
        zeroBytes(pl, plane);
        continue;
      }
      zeroBytes(pl, first);
      let p = pl + first + (<usize>w << 2);
      for (let y = 1; y < h; y++) {
        zeroBytes(p, gap);
        p += rowB;
      }
      zeroBytes(p, pl + plane - p);
    }
  }
}

/**
 * Spreads images [b0, b1) of x [n, h, w, c] (NHWC at `src`) into planes of P floats (rows of S floats),
 * dst[b][c] at dst + 4·(b·c + c)·P, with the data at rows top … top+h−1, columns left … left+w−1 and zeros
 * everywhere else (P ≥ rows·S; a plane stride off multiples of 4 KiB keeps the planes in different cache sets).
 * Row by row, 4 pixels × 4 channels at a time (a 4×4 transpose in registers), the rest channel by channel.
 */
export function toPlanar(src: usize, dst: usize, b0: i32, b1: i32, h: i32, w: i32, c: i32, P: i32, S: i32, top: i32, left: i32): void {
  zeroPadding(dst, b0, b1, h, w, c, P, S, top, left);
  const plane = <usize>P << 2;
  const rowB = <usize>S << 2;
  const leftB = <usize>left << 2;
  const pixB = <usize>c << 2;
  for (let b = b0; b < b1; b++) {
    const img = dst + <usize>(b * c) * plane;
    for (let y = 0; y < h; y++) {
      const s = src + (<usize>((b * h + y) * w * c) << 2);
      const row = img + <usize>(top + y) * rowB;
      // blocks of 4 pixels × 4 channels, transposed in registers
      let ch = 0;
      for (; ch + 4 <= c; ch += 4) {
        const r0 = row + <usize>ch * plane + leftB;
        let x = 0;
        for (; x + 4 <= w; x += 4) {
          const sp = s + (<usize>(x * c + ch) << 2);
          const v0 = v128.load(sp);
          const v1 = v128.load(sp + pixB);
          const v2 = v128.load(sp + 2 * pixB);
          const v3 = v128.load(sp + 3 * pixB);
          const t0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5);
          const t1 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
          const t2 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5);
          const t3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
          const d = r0 + (<usize>x << 2);
          v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
          v128.store(d + plane, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
          v128.store(d + 2 * plane, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
          v128.store(d + 3 * plane, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
        }
        for (; x < w; x++) {
          const sp = s + (<usize>(x * c + ch) << 2);
          const d = r0 + (<usize>x << 2);
          store<f32>(d, load<f32>(sp));
          store<f32>(d + plane, load<f32>(sp, 4));
          store<f32>(d + 2 * plane, load<f32>(sp, 8));
          store<f32>(d + 3 * plane, load<f32>(sp, 12));
        }
      }
      for (; ch < c; ch++) {
        let d = row + <usize>ch * plane + leftB;
        let sp = s + (<usize>ch << 2);
        const end = d + (<usize>w << 2);
        while (d < end) {
          store<f32>(d, load<f32>(sp));
          sp += pixB;
          d += 4;
        }
      }
    }
  }
}

/**
 * Like {@link toPlanar} for an output gradient: with `mask` (ReLU's output y, NHWC like dy), first dy·[y > 0]
 * in place at `dy` (the caller's copy), then the spreading; with `db` ≠ 0, adds each channel's sum over these
 * images (their planes, zeros included) to db[c].
 */
export function gradToPlanar(dy: usize, mask: usize, dst: usize, db: usize, b0: i32, b1: i32, h: i32, w: i32, c: i32,
  P: i32, S: i32, top: i32, left: i32): void {
  if (mask != 0) {
    const z = f32x4.splat(0);
    const lo = <usize>(b0 * h * w * c) << 2;
    const hi = <usize>(b1 * h * w * c) << 2;
    let i = lo;
    for (; i + 16 <= hi; i += 16) v128.store(dy + i, v128.and(v128.load(dy + i), f32x4.gt(v128.load(mask + i), z)));
    for (; i < hi; i += 4) store<f32>(dy + i, load<f32>(mask + i) > 0 ? load<f32>(dy + i) : 0);
  }
  toPlanar(dy, dst, b0, b1, h, w, c, P, S, top, left);
  if (db != 0) planeSums(dst, db, b0, b1, c, P);
}

/** Adds to db[ch] the sum of the planes [b][ch] of `src` (planes of P floats, c per image) for b in [b0, b1). */
export function planeSums(src: usize, db: usize, b0: i32, b1: i32, c: i32, P: i32): void {
  const plane = <usize>P << 2;
  for (let ch = 0; ch < c; ch++) {
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
    for (let b = b0; b < b1; b++) {
      let p = src + <usize>(b * c + ch) * plane;
      const end = p + (plane & ~31);
      while (p < end) {
        s0 = f32x4.add(s0, v128.load(p));
        s1 = f32x4.add(s1, v128.load(p, 16));
        p += 32;
      }
      const tail = src + <usize>(b * c + ch) * plane + plane;
      while (p < tail) {
        s0 = f32x4.replace_lane(s0, 0, f32x4.extract_lane(s0, 0) + load<f32>(p));
        p += 4;
      }
    }
    const d = db + (<usize>ch << 2);
    store<f32>(d, load<f32>(d) + hsum(f32x4.add(s0, s1)));
  }
}

// convTiles descriptor (i32 words; addresses and offsets in bytes):
const F_X = 0; //      planar input origin
const F_TAPS = 1; //   table of K offsets of the taps (from a pixel vector's origin)
const F_K = 2;
const F_W = 3; //      packed filter: panels of 4 channels (then one of 2 when co mod 4 is 1 or 2), each [K][width] floats
const F_CO = 4; //     output channels (y's pixel stride)
const F_VECS = 5; //   per pixel vector 5 words: its origin in X, its first pixel's offset in y, its lanes (1 … 4),
//                     its offset in Z, its offset in M
const F_Y = 6; //      output origin (NHWC)
const F_BIAS = 7; //   co floats, or 0
const F_RELU = 8; //   1: max(0, ·)
const F_Z = 9; //      a planar copy of y to write too (0: none), at vector offsets + channel·zPlane
const F_ZPLANE = 10;
const F_M = 11; //     mask planes (0: none): the planar copy is y·[m > 0], m at vector offsets + channel·mPlane
const F_MPLANE = 12;

/** The vector table's bytes per entry. */
const VEC = 20;

/** Bias and ReLU of a channel vector (lanes = pixels) of channel `ch` (bias 0: none). */
@inline function finish(a: v128, bias: usize, ch: i32, relu: bool): v128 {
  if (bias != 0) a = f32x4.add(a, v128.load32_splat(bias + (<usize>ch << 2)));
  if (relu) a = f32x4.pmax(f32x4.splat(0), a);
  return a;
}

/**
 * Stores channel vectors a0, a1 (channels c0, c0+1, lanes = 4 pixels; a1 dropped when c0+1 = co) of one pixel
 * vector into y (NHWC, pixel stride co floats, `y` at channel 0 of its first pixel): `lanes` pixels.
 */
@inline function store2(a0: v128, a1: v128, y: usize, co: i32, c0: i32, lanes: i32, tmp: usize): void {
  const pix = <usize>co << 2;
  const base = y + (<usize>c0 << 2);
  if (c0 + 2 <= co && lanes == 4) {
    const lo = v128.shuffle<f32>(a0, a1, 0, 4, 1, 5);
    const hi = v128.shuffle<f32>(a0, a1, 2, 6, 3, 7);
    v128.store64_lane(base, lo, 0);
    v128.store64_lane(base + pix, lo, 1);
    v128.store64_lane(base + 2 * pix, hi, 0);
    v128.store64_lane(base + 3 * pix, hi, 1);
    return;
  }
  v128.store(tmp, a0);
  v128.store(tmp, a1, 16);
  const two = c0 + 1 < co;
  for (let l = 0; l < lanes; l++) {
    const d = base + <usize>l * pix;
    store<f32>(d, load<f32>(tmp + (<usize>l << 2)));
    if (two) store<f32>(d + 4, load<f32>(tmp + (<usize>(4 + l) << 2)));
  }
}

/** Writes channel vector `a` (channel ch of the vector table entry e) into the planar copy, masked when there is a mask. */
@inline function storePlanar(desc: usize, e: usize, a: v128, ch: i32, lanes: i32, tmp: usize): void {
  const M = <usize>word(desc, F_M);
  if (M != 0) {
    const m = v128.load(M + <usize>load<u32>(e, 16) + <usize>ch * <usize>word(desc, F_MPLANE));
    a = v128.and(a, f32x4.gt(m, f32x4.splat(0)));
  }
  const z = <usize>word(desc, F_Z) + <usize>load<u32>(e, 12) + <usize>ch * <usize>word(desc, F_ZPLANE);
  if (lanes == 4) {
    v128.store(z, a);
    return;
  }
  v128.store(tmp, a);
  for (let l = 0; l < lanes; l++) store<f32>(z + (<usize>l << 2), load<f32>(tmp + (<usize>l << 2)));
}

/** Bias, ReLU and the stores (NHWC, and planar when asked) of 2 channel vectors (c0, c0+1) of vector table entry e. */
function emit2(desc: usize, e: usize, a0: v128, a1: v128, c0: i32, tmp: usize): void {
  const co = word(desc, F_CO);
  const bias = <usize>word(desc, F_BIAS);
  const relu = word(desc, F_RELU) != 0;
  const lanes = load<i32>(e, 8);
  a0 = finish(a0, bias, c0, relu);
  a1 = finish(a1, bias, c0 + 1, relu);
  store2(a0, a1, <usize>word(desc, F_Y) + <usize>load<u32>(e, 4), co, c0, lanes, tmp);
  if (word(desc, F_Z) == 0) return;
  storePlanar(desc, e, a0, c0, lanes, tmp);
  if (c0 + 1 < co) storePlanar(desc, e, a1, c0 + 1, lanes, tmp);
}

/** Stores channel vectors a0 … a2 (channels c0 … c0+2, those below co) of one pixel vector, as {@link store2}. */
@inline function store3(a0: v128, a1: v128, a2: v128, y: usize, co: i32, c0: i32, lanes: i32, tmp: usize): void {
  const pix = <usize>co << 2;
  const base = y + (<usize>c0 << 2);
  const z = f32x4.splat(0);
  const t0 = v128.shuffle<f32>(a0, a1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(a0, a1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(a2, z, 0, 4, 1, 5);
  const t3 = v128.shuffle<f32>(a2, z, 2, 6, 3, 7);
  const p0 = v128.shuffle<f32>(t0, t2, 0, 1, 4, 5);
  const p1 = v128.shuffle<f32>(t0, t2, 2, 3, 6, 7);
  const p2 = v128.shuffle<f32>(t1, t3, 0, 1, 4, 5);
  const p3 = v128.shuffle<f32>(t1, t3, 2, 3, 6, 7);
  if (c0 + 3 <= co && lanes == 4) {
    // three floats a pixel: 8 bytes, then 4
    v128.store64_lane(base, p0, 0);
    v128.store32_lane(base + 8, p0, 2);
    v128.store64_lane(base + pix, p1, 0);
    v128.store32_lane(base + pix + 8, p1, 2);
    v128.store64_lane(base + 2 * pix, p2, 0);
    v128.store32_lane(base + 2 * pix + 8, p2, 2);
    v128.store64_lane(base + 3 * pix, p3, 0);
    v128.store32_lane(base + 3 * pix + 8, p3, 2);
    return;
  }
  v128.store(tmp, p0);
  v128.store(tmp, p1, 16);
  v128.store(tmp, p2, 32);
  v128.store(tmp, p3, 48);
  const nc = min(3, co - c0);
  for (let l = 0; l < lanes; l++) {
    for (let r = 0; r < nc; r++) store<f32>(base + <usize>l * pix + (<usize>r << 2), load<f32>(tmp + (<usize>(l * 4 + r) << 2)));
  }
}

/** {@link emit2} for 3 channel vectors (c0 … c0+2). */
function emit3(desc: usize, e: usize, a0: v128, a1: v128, a2: v128, c0: i32, tmp: usize): void {
  const co = word(desc, F_CO);
  const bias = <usize>word(desc, F_BIAS);
  const relu = word(desc, F_RELU) != 0;
  const lanes = load<i32>(e, 8);
  a0 = finish(a0, bias, c0, relu);
  a1 = finish(a1, bias, c0 + 1, relu);
  a2 = finish(a2, bias, c0 + 2, relu);
  store3(a0, a1, a2, <usize>word(desc, F_Y) + <usize>load<u32>(e, 4), co, c0, lanes, tmp);
  if (word(desc, F_Z) == 0) return;
  storePlanar(desc, e, a0, c0, lanes, tmp);
  if (c0 + 1 < co) storePlanar(desc, e, a1, c0 + 1, lanes, tmp);
  if (c0 + 2 < co) storePlanar(desc, e, a2, c0 + 2, lanes, tmp);
}

/**
 * One tile of 3 channels (c0 …) × the 3 pixel vectors of table entries e … (`count` of them valid): 9 accumulators,
 * 3 vectors and 3 broadcasts a tap, the 15 vector registers V8 allocates on x64 (9 multiply-adds for 7 loads).
 */
function tile3x3(desc: usize, wp: usize, e: usize, count: i32, c0: i32, tmp: usize): void {
  const X = <usize>word(desc, F_X);
  let taps = <usize>word(desc, F_TAPS);
  const p0 = X + <usize>load<u32>(e);
  const p1 = count > 1 ? X + <usize>load<u32>(e, VEC) : p0;
  const p2 = count > 2 ? X + <usize>load<u32>(e, 2 * VEC) : p0;
  let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a02 = f32x4.splat(0);
  let a10 = f32x4.splat(0), a11 = f32x4.splat(0), a12 = f32x4.splat(0);
  let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a22 = f32x4.splat(0);
  const end = taps + (<usize>word(desc, F_K) << 2);
  while (taps < end) {
    const off = <usize>load<u32>(taps);
    const x0 = v128.load(p0 + off);
    const x1 = v128.load(p1 + off);
    const x2 = v128.load(p2 + off);
    let s = v128.load32_splat(wp);
    a00 = madd(x0, s, a00);
    a10 = madd(x1, s, a10);
    a20 = madd(x2, s, a20);
    s = v128.load32_splat(wp, 4);
    a01 = madd(x0, s, a01);
    a11 = madd(x1, s, a11);
    a21 = madd(x2, s, a21);
    s = v128.load32_splat(wp, 8);
    a02 = madd(x0, s, a02);
    a12 = madd(x1, s, a12);
    a22 = madd(x2, s, a22);
    taps += 4;
    wp += 12;
  }
  emit3(desc, e, a00, a01, a02, c0, tmp);
  if (count > 1) emit3(desc, e + VEC, a10, a11, a12, c0, tmp);
  if (count > 2) emit3(desc, e + 2 * VEC, a20, a21, a22, c0, tmp);
}

/** One tile of 2 channels (c0, c0+1) × the 4 pixel vectors of table entries e … (`count` of them valid). */
function tile2x4(desc: usize, wp: usize, e: usize, count: i32, c0: i32, tmp: usize): void {
  const X = <usize>word(desc, F_X);
  let taps = <usize>word(desc, F_TAPS);
  const p0 = X + <usize>load<u32>(e);
  const p1 = count > 1 ? X + <usize>load<u32>(e, VEC) : p0;
  const p2 = count > 2 ? X + <usize>load<u32>(e, 2 * VEC) : p0;
  const p3 = count > 3 ? X + <usize>load<u32>(e, 3 * VEC) : p0;
  let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
  let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
  const end = taps + (<usize>word(desc, F_K) << 2);
  while (taps < end) {
    const off = <usize>load<u32>(taps);
    const x0 = v128.load(p0 + off);
    const x1 = v128.load(p1 + off);
    const x2 = v128.load(p2 + off);
    const x3 = v128.load(p3 + off);
    let s = v128.load32_splat(wp);
    a00 = madd(x0, s, a00);
    a10 = madd(x1, s, a10);
    a20 = madd(x2, s, a20);
    a30 = madd(x3, s, a30);
    s = v128.load32_splat(wp, 4);
    a01 = madd(x0, s, a01);
    a11 = madd(x1, s, a11);
    a21 = madd(x2, s, a21);
    a31 = madd(x3, s, a31);
    taps += 4;
    wp += 8;
  }
  emit2(desc, e, a00, a01, c0, tmp);
  if (count > 1) emit2(desc, e + VEC, a10, a11, c0, tmp);
  if (count > 2) emit2(desc, e + 2 * VEC, a20, a21, c0, tmp);
  if (count > 3) emit2(desc, e + 3 * VEC, a30, a31, c0, tmp);
}

/**
 * Tiles of the pixel-vector units [u0, u1) (12 consecutive entries of the vector table each) × every channel
 * panel of the job at `desc`: panels of 3 channels (tiles of 3 vectors), then `twos` panels of 2 (tiles of 4
 * vectors, the last padded when co is 1); `tmp`: 64 bytes of this thread's scratch.
 */
export function convTiles(desc: usize, u0: i32, u1: i32, nVecs: i32, tmp: usize): void {
  const K = word(desc, F_K);
  const W = <usize>word(desc, F_W);
  const co = word(desc, F_CO);
  const vecs = <usize>word(desc, F_VECS);
  const twos = co % 3 == 0 ? 0 : co % 3 == 2 || co == 1 ? 1 : 2;
  const threes = max(0, co - 2 * twos) / 3;
  for (let u = u0; u < u1; u++) {
    const v = u * 12;
    const count = min(12, nVecs - v);
    const e = vecs + <usize>v * VEC;
    for (let h = 0; h < count; h += 3) {
      for (let p = 0; p < threes; p++) tile3x3(desc, W + <usize>(p * K * 3) * 4, e + <usize>h * VEC, min(3, count - h), p * 3, tmp);
    }
    for (let h = 0; h < count; h += 4) {
      for (let p = 0; p < twos; p++) {
        tile2x4(desc, W + <usize>((threes * 3 + p * 2) * K) * 4, e + <usize>h * VEC, min(4, count - h), threes * 3 + p * 2, tmp);
      }
    }
  }
}

/**
 * Pieces of the pixel-vector units [0, units) taken on demand (an atomic counter at `counter`, `chunks`
 * pieces), as in gemmShared; `tmp`: this thread's scratch. Returns the pieces this thread did.
 */
export function convShared(desc: usize, counter: usize, chunks: i32, units: i32, nVecs: i32, tmp: usize): i32 {
  const per = (units + chunks - 1) / chunks;
  let done = 0;
  for (;;) {
    const i = atomic.add<i32>(counter, 1);
    if (i >= chunks) break;
    const a = i * per;
    const b = min(units, a + per);
    if (a >= b) continue;
    convTiles(desc, a, b, nVecs, tmp);
    done++;
  }
  return done;
}

// filterTiles descriptor (i32 words; addresses and offsets in bytes):
const G_X = 0; //      planar input origin
const G_D = 1; //      address of the planar output gradient's first datum D[0, 0, 0, 0] (its padding left behind)
const G_TAPS = 2; //   table of 4·groups tap offsets in X (from a row's origin)
const G_GROUPS = 3;
const G_N = 4; //      images
const G_HO = 5; //     output rows
const G_NXV = 6; //    pixel vectors per output row (D is zero beyond the row's pixels)
const G_XIMG = 7; //   X's bytes per image
const G_XROW = 8; //   X's bytes per row
const G_DIMG = 9; //   D's bytes per image
const G_DPLANE = 10; // D's bytes per channel plane
const G_DROW = 11; //  D's bytes per row
const G_CO = 12; //    output channels
const G_OUT = 13; //   dW in table order: out[(tap of the table)·co + o]

/**
 * One tile on images [b0, b1): taps 4g … 4g+3 of the table × channels o0, o0+1 (o0+1 dropped when ≥ co),
 * summed over the images' pixels and added to out (the thread's dW in table order).
 */
function filterTile(desc: usize, g: i32, o0: i32, b0: i32, b1: i32, out: usize): void {
  const X = <usize>word(desc, G_X);
  const tp = <usize>word(desc, G_TAPS) + <usize>g * 16;
  const t0 = <usize>load<u32>(tp);
  const t1 = <usize>load<u32>(tp, 4);
  const t2 = <usize>load<u32>(tp, 8);
  const t3 = <usize>load<u32>(tp, 12);
  const ho = word(desc, G_HO);
  const rowBytes = <usize>word(desc, G_NXV) << 4;
  const xImg = <usize>word(desc, G_XIMG);
  const xRow = <usize>word(desc, G_XROW);
  const dImg = <usize>word(desc, G_DIMG);
  const dPlane = <usize>word(desc, G_DPLANE);
  const dRow = <usize>word(desc, G_DROW);
  const co = word(desc, G_CO);
  const two = o0 + 1 < co;
  const d1off = two ? dPlane : 0;
  let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
  let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
  for (let b = b0; b < b1; b++) {
    let xr = X + <usize>b * xImg;
    let d0 = <usize>word(desc, G_D) + <usize>b * dImg + <usize>o0 * dPlane;
    for (let y = 0; y < ho; y++) {
      let x = xr;
      let d = d0;
      const end = d0 + rowBytes;
      while (d < end) {
        const z0 = v128.load(d);
        const z1 = v128.load(d + d1off);
        let v = v128.load(x + t0);
        a00 = madd(v, z0, a00);
        a01 = madd(v, z1, a01);
        v = v128.load(x + t1);
        a10 = madd(v, z0, a10);
        a11 = madd(v, z1, a11);
        v = v128.load(x + t2);
        a20 = madd(v, z0, a20);
        a21 = madd(v, z1, a21);
        v = v128.load(x + t3);
        a30 = madd(v, z0, a30);
        a31 = madd(v, z1, a31);
        x += 16;
        d += 16;
      }
      xr += xRow;
      d0 += dRow;
    }
  }
  const o = out + (<usize>(g * 4 * co + o0) << 2);
  const tap = <usize>co << 2;
  store<f32>(o, load<f32>(o) + hsum(a00));
  store<f32>(o + tap, load<f32>(o + tap) + hsum(a10));
  store<f32>(o + 2 * tap, load<f32>(o + 2 * tap) + hsum(a20));
  store<f32>(o + 3 * tap, load<f32>(o + 3 * tap) + hsum(a30));
  if (two) {
    store<f32>(o + 4, load<f32>(o + 4) + hsum(a01));
    store<f32>(o + tap + 4, load<f32>(o + tap + 4) + hsum(a11));
    store<f32>(o + 2 * tap + 4, load<f32>(o + 2 * tap + 4) + hsum(a21));
    store<f32>(o + 3 * tap + 4, load<f32>(o + 3 * tap + 4) + hsum(a31));
  }
}

/** Adds image b's filter gradient (every tile) into `out`. */
@inline function filterImage(desc: usize, b: i32, out: usize): void {
  const groups = word(desc, G_GROUPS);
  const co = word(desc, G_CO);
  for (let o0 = 0; o0 < co; o0 += 2) {
    for (let g = 0; g < groups; g++) filterTile(desc, g, o0, b, b + 1, out);
  }
}

/**
 * Every image's own filter gradient: the threads take images b from the shared `counter` and write
 * dW_b = Σ_{y, x} X[b]·D[b] (every tile of {@link filterImage}) at `outBase` + b·`outStride` (zeroed by the caller).
 */
export function filterPerImage(desc: usize, counter: usize, outBase: usize, outStride: i32): i32 {
  const n = word(desc, G_N);
  let done = 0;
  for (;;) {
    const b = atomic.add<i32>(counter, 1);
    if (b >= n) break;
    filterImage(desc, b, outBase + <usize>b * <usize>outStride);
    done++;
  }
  return done;
}

/** Runs `toPlanar` (kind 0) or `gradToPlanar` (kind 1) on images [b0, b1): the threads' share of a spreading. */
export function planarShare(kind: i32, src: usize, mask: usize, dst: usize, db: usize, b0: i32, b1: i32, h: i32, w: i32, c: i32,
  P: i32, S: i32, top: i32, left: i32): void {
  if (kind == 0) toPlanar(src, dst, b0, b1, h, w, c, P, S, top, left);
  else gradToPlanar(src, mask, dst, db, b0, b1, h, w, c, P, S, top, left);
}
