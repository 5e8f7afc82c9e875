/**
 * The data streams, defined once as pure functions of (seed, stream, step, index) on top of
 * Philox4x32-10, so that every engine (tfjs on any backend, the fused WebGPU kernel, the fused
 * WASM kernel) draws the same inputs, labels, probe sets and batch orders. This file is the
 * reference; `engines/webgpu/stream.wgsl.ts` and `wasm/stream.ts` are line-by-line translations,
 * tested against it.
 *
 * Definitions (all integers unsigned 32-bit):
 * - block(seed, stream, t, i, j) = philox4x32(counter [j, i, t, stream], key [seed, KEY_SALT]).
 * - Inputs of sample (t, i), M values: element e comes from block(…, j = ⌊e/4⌋), word e mod 4.
 *   Uniform inputs: u(w) = (w >> 8)·2⁻²⁴ ∈ [0, 1). Gaussian inputs: Box–Muller on word pairs
 *   (0, 1) and (2, 3): r = √(−2 ln u°(w₀)), θ = 2π(u(w₁) − ½), z₀ = r cos θ, z₁ = r sin θ, with
 *   u°(w) = ((w >> 8) + 1)·2⁻²⁴ ∈ (0, 1]. Values are computed in float64 and rounded to float32
 *   (WGSL computes them in float32: they agree to a few ulp).
 * - Label of sample (t, i): word 0 of block(…, j = 0) in the label stream: w >> 31 for one or two
 *   classes, else mulhi(w, C) (⌊w·C/2³²⌋).
 * - Online SGD: step t, batch slot b draws sample (t, b) of streams TRAIN_X / TRAIN_Y.
 * - A fixed set of n samples (synthetic `trainSize`, or a dataset's training split) is visited in
 *   shuffled epochs: slot b of step t is position p = t·|B| + b, epoch ⌊p/n⌋, and the sample is
 *   permute(p mod n, n, seed, ORDER, epoch). Synthetic set sample k is sample (0, k) of SET_X / SET_Y.
 * - Probe set sample k: sample (0, k) of PROBE_X / PROBE_Y (synthetic), or test image
 *   permute(k, n_test, seed, PROBE_ORDER, 0) (datasets).
 * - permute: a 4-round balanced Feistel network on 2h bits (the least h ≥ 1 with 4ʰ ≥ n), round
 *   function fmix32(R ⊕ k_r) & (2ʰ − 1) with round keys k₀…k₃ = block(seed, stream, epoch, 0, 0),
 *   cycle-walked into [0, n): a bijection of [0, n) for every (seed, epoch).
 */
import { mulhi32, philox4x32 } from '../core/philox.js';
import type { InputName } from '../core/config.js';

/** The version of these definitions: part of every run's identity and recorded with it. */
export const DATA_STREAM_VERSION = 'philox4x32-10/v2';

/** Second key word of every block (a fixed salt: changing it changes every stream). */
export const KEY_SALT = 0x7e57da7a;

/** Stream numbers (the counter's last word). */
export const STREAM = {
  trainX: 1,
  trainY: 2,
  setX: 3,
  setY: 4,
  probeX: 5,
  probeY: 6,
  order: 7,
  probeOrder: 8,
  noise: 9,
} as const;

const TWO_M24 = 2 ** -24;
const TWO_PI = 2 * Math.PI;

/** u(w) = (w >> 8)·2⁻²⁴ ∈ [0, 1). */
export function unitFloat(w: number): number {
  return (w >>> 8) * TWO_M24;
}

/** u°(w) = ((w >> 8) + 1)·2⁻²⁴ ∈ (0, 1]. */
export function unitFloatOpen(w: number): number {
  return ((w >>> 8) + 1) * TWO_M24;
}

/** fmix32, MurmurHash3's finalizer. */
export function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** A reusable generator of one seed's blocks (avoids allocation in hot loops). */
export class StreamDraw {
  readonly seed: number;
  private readonly w = new Uint32Array(4);

  constructor(seed: number) {
    this.seed = seed >>> 0;
  }

  /** The four words of block(seed, stream, t, i, j). */
  block(stream: number, t: number, i: number, j: number): Uint32Array {
    return philox4x32(j, i, t, stream, this.seed, KEY_SALT, this.w);
  }

  /** Writes the M inputs of sample (t, i) of `stream` into out[offset …]. */
  sample(input: InputName, stream: number, t: number, i: number, M: number, out: Float32Array, offset: number): void {
    const gaussian = input === 'gaussian';
    if (!gaussian && input !== 'uniform') throw new Error(`input '${input}' is a dataset, not a synthetic distribution`);
    for (let j = 0; 4 * j < M; j++) {
      const w = this.block(stream, t, i, j);
      const base = offset + 4 * j;
      const n = Math.min(4, M - 4 * j);
      if (gaussian) {
        const r0 = Math.sqrt(-2 * Math.log(unitFloatOpen(w[0])));
        const a0 = TWO_PI * (unitFloat(w[1]) - 0.5);
        out[base] = r0 * Math.cos(a0);
        if (n > 1) out[base + 1] = r0 * Math.sin(a0);
        if (n > 2) {
          const r1 = Math.sqrt(-2 * Math.log(unitFloatOpen(w[2])));
          const a1 = TWO_PI * (unitFloat(w[3]) - 0.5);
          out[base + 2] = r1 * Math.cos(a1);
          if (n > 3) out[base + 3] = r1 * Math.sin(a1);
        }
      } else {
        for (let e = 0; e < n; e++) out[base + e] = unitFloat(w[e]);
      }
    }
  }

  /** The label of sample (t, i) of `stream`: 0/1 for classes ≤ 2, else 0 … classes − 1. */
  label(stream: number, t: number, i: number, classes: number): number {
    const w = this.block(stream, t, i, 0)[0];
    return classes <= 2 ? w >>> 31 : mulhi32(w, classes);
  }

  /** Standard normals for elements [0, count) of (t, i) of `stream` (the Gaussian rule above). */
  normals(stream: number, t: number, i: number, count: number, out: Float32Array, offset = 0): void {
    this.sample('gaussian', stream, t, i, count, out, offset);
  }
}

/** Half-width h (bits) of the Feistel domain 4ʰ ≥ n, h ≥ 1. */
export function feistelBits(n: number): number {
  let h = 1;
  while (4 ** h < n) h++;
  return h;
}

/** The round keys of the permutation of (seed, stream, epoch). */
export function permutationKeys(seed: number, stream: number, epoch: number): Uint32Array {
  return philox4x32(0, 0, epoch, stream, seed, KEY_SALT);
}

/** permute(r, n): the image of r ∈ [0, n) under the seeded bijection of [0, n) (see the file comment). */
export function permuteWithKeys(r: number, n: number, keys: Uint32Array, h = feistelBits(n)): number {
  if (n <= 1) return 0;
  const mask = (1 << h) - 1;
  let v = r >>> 0;
  do {
    let L = v >>> h;
    let R = v & mask;
    for (let k = 0; k < 4; k++) {
      const nextR = (L ^ (fmix32((R ^ keys[k]) >>> 0) & mask)) >>> 0;
      L = R;
      R = nextR;
    }
    v = ((L << h) | R) >>> 0;
  } while (v >= n);
  return v;
}

/** permute(r, n, seed, stream, epoch). */
export function permute(r: number, n: number, seed: number, stream: number, epoch: number): number {
  return permuteWithKeys(r, n, permutationKeys(seed, stream, epoch));
}

/**
 * Which sample of a fixed set of n samples fills slot b of step t at batch size B (shuffled
 * epochs without replacement). Caches the round keys of the last epoch asked for.
 */
export class EpochOrder {
  private readonly seed: number;
  private readonly n: number;
  private readonly h: number;
  private epoch = -1;
  private keys: Uint32Array = new Uint32Array(4);

  constructor(seed: number, n: number) {
    this.seed = seed;
    this.n = n;
    this.h = feistelBits(n);
  }

  /** The sample index of slot b of step t. */
  index(t: number, b: number, batchSize: number): number {
    const p = t * batchSize + b;
    const epoch = Math.floor(p / this.n);
    if (epoch !== this.epoch) {
      this.keys = permutationKeys(this.seed, STREAM.order, epoch);
      this.epoch = epoch;
    }
    return permuteWithKeys(p - epoch * this.n, this.n, this.keys, this.h);
  }
}
