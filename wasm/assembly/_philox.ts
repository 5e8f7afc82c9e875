/**
 * Philox4x32-10, a line-by-line translation of lib/core/philox.ts (the reference): a pure
 * function of a 128-bit counter and a 64-bit key. The high word of each 32×32-bit product comes
 * from one u64 multiply. The four output words are left in the globals philox0 … philox3
 * (per instance, so per thread). {@link philox4x32x4} computes four consecutive blocks at once in
 * SIMD lanes.
 */

// @ts-ignore: decorator
@inline const PHILOX_M0: u64 = 0xd2511f53;
// @ts-ignore: decorator
@inline const PHILOX_M1: u64 = 0xcd9e8d57;
// @ts-ignore: decorator
@inline const PHILOX_W0: u32 = 0x9e3779b9;
// @ts-ignore: decorator
@inline const PHILOX_W1: u32 = 0xbb67ae85;

/** Output word 0 of the last {@link philox4x32}. */
export let philox0: u32 = 0;
/** Output word 1 of the last {@link philox4x32}. */
export let philox1: u32 = 0;
/** Output word 2 of the last {@link philox4x32}. */
export let philox2: u32 = 0;
/** Output word 3 of the last {@link philox4x32}. */
export let philox3: u32 = 0;

/** Philox4x32-10 of counter (c0, c1, c2, c3) and key (k0, k1); the words go to philox0 … philox3. */
// @ts-ignore: decorator
@inline export function philox4x32(c0: u32, c1: u32, c2: u32, c3: u32, k0: u32, k1: u32): void {
  let x0 = c0;
  let x1 = c1;
  let x2 = c2;
  let x3 = c3;
  let key0 = k0;
  let key1 = k1;
  for (let round = 0; round < 10; round++) {
    if (round > 0) {
      key0 += PHILOX_W0;
      key1 += PHILOX_W1;
    }
    const p0 = PHILOX_M0 * <u64>x0;
    const p1 = PHILOX_M1 * <u64>x2;
    const y0 = <u32>(p1 >> 32) ^ x1 ^ key0;
    const y2 = <u32>(p0 >> 32) ^ x3 ^ key1;
    x1 = <u32>p1;
    x3 = <u32>p0;
    x0 = y0;
    x2 = y2;
  }
  philox0 = x0;
  philox1 = x1;
  philox2 = x2;
  philox3 = x3;
}

/** Words 0 … 3 of the four blocks of the last {@link philox4x32x4}: lane l holds block l's word. */
export let philoxV0: v128 = i32x4.splat(0);
/** Word 1 of four blocks. */
export let philoxV1: v128 = i32x4.splat(0);
/** Word 2 of four blocks. */
export let philoxV2: v128 = i32x4.splat(0);
/** Word 3 of four blocks. */
export let philoxV3: v128 = i32x4.splat(0);

/**
 * Philox4x32-10 of the four counters (c0 + l, c1, c2, c3), l = 0 … 3, in the lanes of i32x4 vectors
 * (u32 × u32 → u64 products by i64x2.extmul); the words go to philoxV0 … philoxV3.
 */
// @ts-ignore: decorator
@inline export function philox4x32x4(c0: u32, c1: u32, c2: u32, c3: u32, k0: u32, k1: u32): void {
  let x0 = i32x4.add(i32x4.splat(c0), i32x4(0, 1, 2, 3));
  let x1 = i32x4.splat(c1);
  let x2 = i32x4.splat(c2);
  let x3 = i32x4.splat(c3);
  const m0 = i32x4.splat(<i32>PHILOX_M0);
  const m1 = i32x4.splat(<i32>PHILOX_M1);
  let key0 = k0;
  let key1 = k1;
  for (let round = 0; round < 10; round++) {
    if (round > 0) {
      key0 += PHILOX_W0;
      key1 += PHILOX_W1;
    }
    const p0l = i64x2.extmul_low_i32x4_u(x0, m0);
    const p0h = i64x2.extmul_high_i32x4_u(x0, m0);
    const p1l = i64x2.extmul_low_i32x4_u(x2, m1);
    const p1h = i64x2.extmul_high_i32x4_u(x2, m1);
    const y0 = v128.xor(v128.xor(v128.shuffle<u32>(p1l, p1h, 1, 3, 5, 7), x1), i32x4.splat(key0));
    const y2 = v128.xor(v128.xor(v128.shuffle<u32>(p0l, p0h, 1, 3, 5, 7), x3), i32x4.splat(key1));
    x1 = v128.shuffle<u32>(p1l, p1h, 0, 2, 4, 6);
    x3 = v128.shuffle<u32>(p0l, p0h, 0, 2, 4, 6);
    x0 = y0;
    x2 = y2;
  }
  philoxV0 = x0;
  philoxV1 = x1;
  philoxV2 = x2;
  philoxV3 = x3;
}
