// A single-precision GEMM for the library's tfjs kernels (lib/backend/kernels): C = A·B for a batch
// of products, each thread computing its share (a range of batches × rows × columns × reduction) on
// one shared memory. Register-blocked f32x4 micro-kernels (4×8 and 3×12: rows × columns), B packed
// into zero-padded panels of NR columns per block of KC reductions, A read in place through two
// offset tables (row addresses, column offsets), so that the same code multiplies plain matrices in
// any layout (transposes are strides) and convolutions (the column table walks a receptive field:
// an implicit im2col). A is never copied and B is packed once per block, so there is no penalty
// for transposed operands beyond the O(K·N) packing.
// Exports: gemm (a given share), gemmShared (shares taken on demand through an atomic counter),
// gemmDot / gemmDotShared (one or two columns, vectors along the reduction), addInto (sums split
// reductions), padInPlace (zero padding of a convolution's input), heapBase.
// Built twice from this source: wasm/build/gemm.wasm (SIMD) and wasm/build/gemm-relaxed.wasm (with
// --enable relaxed-simd: every multiply-add fused, see madd).
//
// A job descriptor (i32 words at `desc`, byte addresses and offsets):
//   M, N, K            the product's shape
//   aRows              table of M byte offsets: row m of A starts at aBatch[b] + aRows[m]
//   aCols              table of K byte offsets: A[m, k] = aBatch[b] + aRows[m] + aCols[k]
//   aBatch, bBatch     tables of byte addresses of A's and B's origin for each batch b
//   rsB, csB           B[k, n] = bBatch[b] + 4·(k·rsB + n·csB)
//   cBatch, ldc        table of byte offsets of C's origin per batch: C[b, m, n] = c + cBatch[b] + 4·(m·ldc + n)
//   nr                 8 (4×8 kernel) or 12 (3×12 kernel)
//   kc, nc             block sizes of the reduction and of the columns packed at once
// The caller passes the pack buffer of its thread: 256 bytes of scratch, then kc·(nc rounded up to nr) floats.

const D_N = 1;
const D_K = 2;
const D_AROWS = 3;
const D_ACOLS = 4;
const D_ABATCH = 5;
const D_BBATCH = 6;
const D_RSB = 7;
const D_CSB = 8;
const D_LDC = 9;
const D_NR = 10;
const D_KC = 11;
const D_NC = 12;
const D_CBATCH = 13;

/** Where memory that static data does not use begins (buffers go above it). */
export function heapBase(): usize {
  return __heap_base;
}

/**
 * c + a·b per lane: one fused multiply-add (f32x4.relaxed_madd) when built with relaxed SIMD
 * (wasm/build/gemm-relaxed.wasm), else a multiply and an add (wasm/build/gemm.wasm).
 */
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

@inline function word(desc: usize, i: i32): i32 {
  return load<i32>(desc + (<usize>i << 2));
}

/** Packs B[k0 .. k0+kc, n0 .. n0+nc] into panels of nr columns: dst[(p·kc + k)·nr + lane], zero beyond column N. */
function packB(dst: usize, b: usize, rsB: i32, csB: i32, k0: i32, kc: i32, n0: i32, nc: i32, nr: i32, N: i32): void {
  for (let p = 0; p < nc; p += nr) {
    const n = n0 + p;
    const valid = min(nr, N - n);
    let out = dst + <usize>(p * kc) * 4;
    if (csB == 1 && valid == nr) {
      let src = b + (<usize>k0 * <usize>rsB + <usize>n) * 4;
      const step = <usize>rsB * 4;
      if (nr == 8) {
        for (let k = 0; k < kc; k++) {
          v128.store(out, v128.load(src));
          v128.store(out, v128.load(src, 16), 16);
          src += step;
          out += 32;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          v128.store(out, v128.load(src));
          v128.store(out, v128.load(src, 16), 16);
          v128.store(out, v128.load(src, 32), 32);
          src += step;
          out += 48;
        }
      }
    } else if (rsB == 1 && valid == nr) {
      // columns contiguous in k (a transposed B): 4×4 blocks transposed in registers
      const col = <usize>csB * 4;
      const src = b + (<usize>k0 + <usize>n * <usize>csB) * 4;
      const rowB = <usize>nr * 4;
      let k = 0;
      for (; k + 4 <= kc; k += 4) {
        for (let g = 0; g < nr; g += 4) {
          const s0 = src + <usize>k * 4 + <usize>g * col;
          const v0 = v128.load(s0);
          const v1 = v128.load(s0 + col);
          const v2 = v128.load(s0 + 2 * col);
          const v3 = v128.load(s0 + 3 * col);
          const t0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5);
          const t1 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
          const t2 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5);
          const t3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
          const d = out + <usize>k * rowB + (<usize>g << 2);
          v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
          v128.store(d + rowB, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
          v128.store(d + 2 * rowB, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
          v128.store(d + 3 * rowB, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
        }
      }
      for (; k < kc; k++) {
        let s = src + <usize>k * 4;
        const d = out + <usize>k * rowB;
        for (let l = 0; l < nr; l++) {
          store<f32>(d + (<usize>l << 2), load<f32>(s));
          s += col;
        }
      }
    } else if (csB == 1) {
      // the last, partial panel of a row-major B (e.g. 10 channels in 12 lanes): vectors, then scalars, then zeros
      let src = b + (<usize>k0 * <usize>rsB + <usize>n) * 4;
      const step = <usize>rsB * 4;
      for (let k = 0; k < kc; k++) {
        let l = 0;
        for (; l + 4 <= valid; l += 4) v128.store(out + (<usize>l << 2), v128.load(src + (<usize>l << 2)));
        for (; l < valid; l++) store<f32>(out + (<usize>l << 2), load<f32>(src + (<usize>l << 2)));
        for (; l < nr; l++) store<f32>(out + (<usize>l << 2), 0);
        src += step;
        out += <usize>nr * 4;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        const row = b + <usize>(k0 + k) * <usize>rsB * 4;
        for (let l = 0; l < nr; l++) {
          store<f32>(out + (<usize>l << 2), l < valid ? load<f32>(row + <usize>(n + l) * <usize>csB * 4) : 0);
        }
        out += <usize>nr * 4;
      }
    }
  }
}

/** Adds (or writes, when !acc) the rows × cols corner of a tile kept at `tmp` (row stride nr floats) into C. */
function storeTail(tmp: usize, nr: i32, c: usize, ldcB: usize, rows: i32, cols: i32, acc: bool): void {
  for (let r = 0; r < rows; r++) {
    const src = tmp + <usize>(r * nr) * 4;
    const dst = c + <usize>r * ldcB;
    for (let l = 0; l < cols; l++) {
      const o = <usize>l << 2;
      const v = load<f32>(src + o);
      store<f32>(dst + o, acc ? load<f32>(dst + o) + v : v);
    }
  }
}

@inline function put(ptr: usize, v: v128, acc: bool): void {
  v128.store(ptr, acc ? f32x4.add(v128.load(ptr), v) : v);
}

/** C[4 rows, 8 columns] (+)= Σ_k A[r, k]·panel[k, ·]: A rows at r0..r3 plus the column offsets at `cols`. */
function kernel4x8(kc: i32, cols: usize, r0: usize, r1: usize, r2: usize, r3: usize, bp: usize, c: usize, ldcB: usize,
  rows: i32, valid: i32, acc: bool, tmp: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const end = cols + (<usize>kc << 2);
  while (cols < end) {
    const off = <usize>load<u32>(cols);
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(r0 + off);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(r1 + off);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(r2 + off);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(r3 + off);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    bp += 32;
    cols += 4;
  }
  if (rows == 4 && valid == 8) {
    put(c, c00, acc);
    put(c + 16, c01, acc);
    c += ldcB;
    put(c, c10, acc);
    put(c + 16, c11, acc);
    c += ldcB;
    put(c, c20, acc);
    put(c + 16, c21, acc);
    c += ldcB;
    put(c, c30, acc);
    put(c + 16, c31, acc);
  } else {
    v128.store(tmp, c00);
    v128.store(tmp, c01, 16);
    v128.store(tmp, c10, 32);
    v128.store(tmp, c11, 48);
    v128.store(tmp, c20, 64);
    v128.store(tmp, c21, 80);
    v128.store(tmp, c30, 96);
    v128.store(tmp, c31, 112);
    storeTail(tmp, 8, c, ldcB, rows, valid, acc);
  }
}

/** C[3 rows, 12 columns] (+)= Σ_k A[r, k]·panel[k, ·] (for N = 9 … 12, e.g. 10 channels). */
function kernel3x12(kc: i32, cols: usize, r0: usize, r1: usize, r2: usize, bp: usize, c: usize, ldcB: usize,
  rows: i32, valid: i32, acc: bool, tmp: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c22 = f32x4.splat(0);
  const end = cols + (<usize>kc << 2);
  while (cols < end) {
    const off = <usize>load<u32>(cols);
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    const b2 = v128.load(bp, 32);
    let a = v128.load32_splat(r0 + off);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    c02 = madd(a, b2, c02);
    a = v128.load32_splat(r1 + off);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    c12 = madd(a, b2, c12);
    a = v128.load32_splat(r2 + off);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    c22 = madd(a, b2, c22);
    bp += 48;
    cols += 4;
  }
  if (rows == 3 && valid == 12) {
    put(c, c00, acc);
    put(c + 16, c01, acc);
    put(c + 32, c02, acc);
    c += ldcB;
    put(c, c10, acc);
    put(c + 16, c11, acc);
    put(c + 32, c12, acc);
    c += ldcB;
    put(c, c20, acc);
    put(c + 16, c21, acc);
    put(c + 32, c22, acc);
  } else {
    v128.store(tmp, c00);
    v128.store(tmp, c01, 16);
    v128.store(tmp, c02, 32);
    v128.store(tmp, c10, 48);
    v128.store(tmp, c11, 64);
    v128.store(tmp, c12, 80);
    v128.store(tmp, c20, 96);
    v128.store(tmp, c21, 112);
    v128.store(tmp, c22, 128);
    storeTail(tmp, 12, c, ldcB, rows, valid, acc);
  }
}

/**
 * This thread's share of the job at `desc`: batches [b0, b1) × rows [m0, m1) × columns [n0, n1) of C,
 * summed over reductions [k0, k1), written to the C at `c` (overwritten: a split reduction gives each
 * share its own C, summed by the caller). `pack`: this thread's buffer (see the header).
 */
export function gemm(desc: usize, b0: i32, b1: i32, m0: i32, m1: i32, n0: i32, n1: i32, k0: i32, k1: i32, c: usize, pack: usize): void {
  const N = word(desc, D_N);
  const aRows = <usize>word(desc, D_AROWS);
  const aCols = <usize>word(desc, D_ACOLS);
  const aBatch = <usize>word(desc, D_ABATCH);
  const bBatch = <usize>word(desc, D_BBATCH);
  const rsB = word(desc, D_RSB);
  const csB = word(desc, D_CSB);
  const ldc = word(desc, D_LDC);
  const nr = word(desc, D_NR);
  const KC = word(desc, D_KC);
  const NC = word(desc, D_NC);
  const cBatch = <usize>word(desc, D_CBATCH);
  const mr = nr == 8 ? 4 : 3;
  const ldcB = <usize>ldc * 4;
  const tmp = pack;
  const panels = pack + 256;
  for (let bi = b0; bi < b1; bi++) {
    const aBase = <usize>load<u32>(aBatch + (<usize>bi << 2));
    const bBase = <usize>load<u32>(bBatch + (<usize>bi << 2));
    const cBase = c + <usize>load<u32>(cBatch + (<usize>bi << 2));
    for (let nb = n0; nb < n1; nb += NC) {
      const nc = min(NC, n1 - nb);
      const ncPad = (nc + nr - 1) / nr * nr;
      for (let kb = k0; kb < k1; kb += KC) {
        const kc = min(KC, k1 - kb);
        const acc = kb > k0;
        packB(panels, bBase, rsB, csB, kb, kc, nb, ncPad, nr, min(N, n1));
        const cols = aCols + (<usize>kb << 2);
        for (let m = m0; m < m1; m += mr) {
          const rows = min(mr, m1 - m);
          const r0 = aBase + <usize>load<u32>(aRows + (<usize>m << 2));
          const r1 = rows > 1 ? aBase + <usize>load<u32>(aRows + (<usize>(m + 1) << 2)) : r0;
          const r2 = rows > 2 ? aBase + <usize>load<u32>(aRows + (<usize>(m + 2) << 2)) : r0;
          const crow = cBase + <usize>m * ldcB;
          if (mr == 4) {
            const r3 = rows > 3 ? aBase + <usize>load<u32>(aRows + (<usize>(m + 3) << 2)) : r0;
            for (let p = 0; p < ncPad; p += 8) {
              const valid = min(8, min(N, n1) - nb - p);
              kernel4x8(kc, cols, r0, r1, r2, r3, panels + <usize>(p * kc) * 4, crow + <usize>(nb + p) * 4, ldcB, rows, valid, acc, tmp);
            }
          } else {
            for (let p = 0; p < ncPad; p += 12) {
              const valid = min(12, min(N, n1) - nb - p);
              kernel3x12(kc, cols, r0, r1, r2, panels + <usize>(p * kc) * 4, crow + <usize>(nb + p) * 4, ldcB, rows, valid, acc, tmp);
            }
          }
        }
      }
    }
  }
}

/**
 * Shares taken on demand: the range [lo, hi) of dimension `dim` (0 batches, 1 rows, 2 columns) is cut
 * into `chunks` pieces (whole units of `unit`), and each thread computes the next piece not yet taken
 * (an atomic counter at `counter`) until none is left, so a thread that the OS keeps waiting does
 * less of the work instead of delaying the whole job. Returns the number of pieces this thread did.
 */
export function gemmShared(desc: usize, counter: usize, chunks: i32, dim: i32, unit: i32, lo: i32, hi: i32,
  b1: i32, m1: i32, n1: i32, k1: i32, c: usize, pack: usize): i32 {
  const per = ((hi - lo + unit - 1) / unit + chunks - 1) / chunks * unit;
  let done = 0;
  for (;;) {
    const i = atomic.add<i32>(counter, 1);
    if (i >= chunks) break;
    const a = lo + i * per;
    const b = min(hi, a + per);
    if (a >= b) continue;
    if (dim == 0) gemm(desc, a, b, 0, m1, 0, n1, 0, k1, c, pack);
    else if (dim == 1) gemm(desc, 0, b1, a, b, 0, n1, 0, k1, c, pack);
    else gemm(desc, 0, b1, 0, m1, a, b, 0, k1, c, pack);
    done++;
  }
  return done;
}

/** dst[i] += src[i] for i < n (summing the shares of a split reduction). */
export function addInto(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

// ---------------------------------------------------------------------------------------------
// Dot-product form for products with one or two columns (N ≤ 2), where the panel kernels above
// would waste most of their lanes (e.g. a convolution's input gradient to one channel): vectors
// along the reduction, A's rows read in place as contiguous runs (a row-major matrix: one run; a
// convolution patch: kh runs of kw·C_in values), B's columns contiguous along k.
// Descriptor (i32 words):
//   M, N            the product's shape
//   aRows           table of M byte offsets of A's rows (from the batch origin)
//   runs            table of byte offsets of the contiguous runs of a row (from the row's start)
//   nRuns, R        the number of runs and their length in floats
//   aBatch, bBatch  tables of byte addresses of A's and B's origin per batch
//   ldb             bytes between columns of B; column n's run r starts at 4·r·R
//   ldc             C[b, m, n] = c + cBatch[b] + 4·(m·ldc + n)
//   cBatch          table of byte offsets of C's origin per batch

const E_AROWS = 2;
const E_RUNS = 3;
const E_NRUNS = 4;
const E_R = 5;
const E_ABATCH = 6;
const E_BBATCH = 7;
const E_LDB = 8;
const E_LDC = 9;
const E_CBATCH = 10;

@inline function hsum(v: v128): f32 {
  const s = f32x4.add(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1);
}

/** The mask keeping the first `n` (1 … 3) lanes. */
@inline function laneMask(n: i32): v128 {
  return i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(n));
}

/** C[4 rows, one column] = Σ_runs Σ_t A[r, run, t]·b[run, t]; rows at a0 … a3, C's rows ldcB bytes apart. */
function dot4x1(a0: usize, a1: usize, a2: usize, a3: usize, b: usize, runs: usize, nRuns: i32, R: i32,
  c: usize, ldcB: usize, rows: i32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  const full = <usize>(R & ~3) << 2;
  const tail = R & 3;
  const mask = laneMask(tail);
  for (let q = 0; q < nRuns; q++) {
    const off = <usize>load<u32>(runs + (<usize>q << 2));
    let p0 = a0 + off, p1 = a1 + off, p2 = a2 + off, p3 = a3 + off;
    let pb = b + <usize>q * <usize>R * 4;
    const end = pb + full;
    while (pb < end) {
      const w = v128.load(pb);
      c0 = madd(v128.load(p0), w, c0);
      c1 = madd(v128.load(p1), w, c1);
      c2 = madd(v128.load(p2), w, c2);
      c3 = madd(v128.load(p3), w, c3);
      p0 += 16;
      p1 += 16;
      p2 += 16;
      p3 += 16;
      pb += 16;
    }
    if (tail) {
      // lanes beyond the run are cleared in both operands (whatever lies there, even NaN, gives 0)
      const w = v128.and(v128.load(pb), mask);
      c0 = madd(v128.and(v128.load(p0), mask), w, c0);
      c1 = madd(v128.and(v128.load(p1), mask), w, c1);
      c2 = madd(v128.and(v128.load(p2), mask), w, c2);
      c3 = madd(v128.and(v128.load(p3), mask), w, c3);
    }
  }
  store<f32>(c, hsum(c0));
  if (rows > 1) store<f32>(c + ldcB, hsum(c1));
  if (rows > 2) store<f32>(c + 2 * ldcB, hsum(c2));
  if (rows > 3) store<f32>(c + 3 * ldcB, hsum(c3));
}

/** Like {@link gemmShared} for the dot form: pieces of rows (dim 1) or of batches (dim 0), taken on demand. */
export function gemmDotShared(desc: usize, counter: usize, chunks: i32, dim: i32, unit: i32, lo: i32, hi: i32,
  b1: i32, m1: i32, n1: i32, c: usize): i32 {
  const per = ((hi - lo + unit - 1) / unit + chunks - 1) / chunks * unit;
  let done = 0;
  for (;;) {
    const i = atomic.add<i32>(counter, 1);
    if (i >= chunks) break;
    const a = lo + i * per;
    const b = min(hi, a + per);
    if (a >= b) continue;
    if (dim == 0) gemmDot(desc, a, b, 0, m1, 0, n1, c);
    else gemmDot(desc, 0, b1, a, b, 0, n1, c);
    done++;
  }
  return done;
}

/** This thread's share of the dot-form job at `desc`: batches [b0, b1) × rows [m0, m1) × columns [n0, n1), into the C at `c`. */
export function gemmDot(desc: usize, b0: i32, b1: i32, m0: i32, m1: i32, n0: i32, n1: i32, c: usize): void {
  const aRows = <usize>word(desc, E_AROWS);
  const runs = <usize>word(desc, E_RUNS);
  const nRuns = word(desc, E_NRUNS);
  const R = word(desc, E_R);
  const aBatch = <usize>word(desc, E_ABATCH);
  const bBatch = <usize>word(desc, E_BBATCH);
  const ldb = <usize>word(desc, E_LDB);
  const ldcB = <usize>word(desc, E_LDC) * 4;
  const cBatch = <usize>word(desc, E_CBATCH);
  for (let bi = b0; bi < b1; bi++) {
    const aBase = <usize>load<u32>(aBatch + (<usize>bi << 2));
    const bBase = <usize>load<u32>(bBatch + (<usize>bi << 2));
    const cBase = c + <usize>load<u32>(cBatch + (<usize>bi << 2));
    for (let n = n0; n < n1; n++) {
      const bn = bBase + <usize>n * ldb;
      for (let m = m0; m < m1; m += 4) {
        const rows = min(4, m1 - m);
        const a0 = aBase + <usize>load<u32>(aRows + (<usize>m << 2));
        const a1 = rows > 1 ? aBase + <usize>load<u32>(aRows + (<usize>(m + 1) << 2)) : a0;
        const a2 = rows > 2 ? aBase + <usize>load<u32>(aRows + (<usize>(m + 2) << 2)) : a0;
        const a3 = rows > 3 ? aBase + <usize>load<u32>(aRows + (<usize>(m + 3) << 2)) : a0;
        dot4x1(a0, a1, a2, a3, bn, runs, nRuns, R, cBase + <usize>m * ldcB + (<usize>n << 2), ldcB, rows);
      }
    }
  }
}

/** Copies `bytes` (a multiple of 4) from src to dst ≥ src, last bytes first (memmove for an upward move). */
@inline function moveUp(dst: usize, src: usize, bytes: usize): void {
  let i = bytes;
  for (; i >= 16; i -= 16) v128.store(dst + i - 16, v128.load(src + i - 16));
  for (; i >= 4; i -= 4) store<f32>(dst + i - 4, load<f32>(src + i - 4));
}

/** Zeroes `bytes` (a multiple of 4) at p. */
@inline function zero(p: usize, bytes: usize): void {
  const z = i32x4.splat(0);
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) v128.store(p + i, z);
  for (; i < bytes; i += 4) store<i32>(p + i, 0);
}

/**
 * Spreads the rows of x [n, h, w, c], stored at `base`, into the zero-padded layout [n, hp, wp, c]
 * at the same address, `top` rows and `left` columns of zeros before each image's rows and columns
 * (needs hp ≥ top + h and wp ≥ left + w). Rows move last first, so none is overwritten before it moves.
 */
export function padInPlace(base: usize, n: i32, h: i32, w: i32, c: i32, hp: i32, wp: i32, top: i32, left: i32): void {
  const row = <usize>(w * c) << 2;
  for (let b = n - 1; b >= 0; b--) {
    for (let y = h - 1; y >= 0; y--) {
      const src = base + (<usize>((b * h + y) * w * c) << 2);
      const dst = base + (<usize>(((b * hp + y + top) * wp + left) * c) << 2);
      if (dst != src) moveUp(dst, src, row);
    }
  }
  const line = <usize>(wp * c) << 2;
  const before = <usize>(left * c) << 2;
  const after = <usize>((wp - left - w) * c) << 2;
  for (let b = 0; b < n; b++) {
    for (let yp = 0; yp < hp; yp++) {
      const start = base + <usize>(b * hp + yp) * line;
      const y = yp - top;
      if (y < 0 || y >= h) {
        zero(start, line);
      } else {
        zero(start, before);
        zero(start + before + row, after);
      }
    }
  }
}

export { convTiles, convShared, filterPerImage, planarShare, planeSums, toPlanar, gradToPlanar, zeroPadding } from './_conv';
