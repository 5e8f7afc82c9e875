/**
 * The data streams of data/stream.ts in WGSL, line by line: blocks, uniform and Gaussian inputs
 * (Box–Muller in float32), labels, fmix32, the Feistel permutation with cycle walking, and the
 * 64-by-32-bit division that places step t of a member in its shuffled epochs. Needs
 * {@link PHILOX_WGSL}.
 */
import { KEY_SALT, STREAM } from '../../data/stream.js';

const hex = (x: number) => `0x${(x >>> 0).toString(16)}u`;

/** WGSL constants for the stream numbers: STREAM_TRAIN_X, STREAM_SET_Y, … */
export const STREAM_CONSTANTS_WGSL = Object.entries(STREAM)
  .map(([name, v]) => `const STREAM_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}: u32 = ${v}u;`)
  .join('\n');

/**
 * WGSL: `stream_block(seed, stream, t, i, j)`, `unit_float(w)`, `unit_float_open(w)`,
 * `gaussian4(w)` (four normals from one block, Box–Muller on word pairs (0, 1), (2, 3), with `ln_unit` and
 * `sincos_2pi` accurate to a few float32 ulp on every GPU),
 * `uniform4(w)`, `stream_label(seed, stream, t, i, classes)`, `fmix32(x)`,
 * `perm_keys(seed, stream, epoch)`, `permute_with_keys(r, n, keys, h)` (h = feistelBits(n)) and
 * `divmod64(v, n)` (vec2(⌊v/n⌋, v mod n) of the 64-bit v = vec2(hi, lo); needs hi < n ≤ 2³¹).
 */
export const STREAM_WGSL = /* wgsl */ `
${STREAM_CONSTANTS_WGSL}
const KEY_SALT: u32 = ${hex(KEY_SALT)};
const TWO_M24: f32 = 5.9604644775390625e-8;

fn stream_block(seed: u32, stream: u32, t: u32, i: u32, j: u32) -> vec4<u32> {
  return philox4x32(vec4<u32>(j, i, t, stream), vec2<u32>(seed, KEY_SALT));
}

fn unit_float(w: u32) -> f32 {
  return f32(w >> 8u) * TWO_M24;
}

fn unit_float_open(w: u32) -> f32 {
  return f32((w >> 8u) + 1u) * TWO_M24;
}

// 2·atanh(s) for |s| ≤ 1/3, as a series: ln(u) = 2·atanh((u − 1)/(u + 1)), ln(1 + e) = 2·atanh(e/(2 + e)).
fn two_atanh(s: f32) -> f32 {
  let z = s * s;
  let p = 1.0 + z * (0.3333333333 + z * (0.2 + z * (0.1428571429 + z * (0.1111111111 + z * (0.0909090909
    + z * (0.0769230769 + z * (0.0666666667 + z * 0.0588235294)))))));
  return 2.0 * s * p;
}

// ln(u) for u in (0, 1]: the series on [1/2, 1] (a few ulp of ln u, where the builtin log is only accurate to an
// absolute 2^-21), the builtin (3 ulp) below 1/2.
fn ln_unit(u: f32) -> f32 {
  if (u < 0.5) {
    return log(u);
  }
  return two_atanh((u - 1.0) / (u + 1.0));
}

// (cos 2πv, sin 2πv) for v in [-1/2, 1/2]: exact quadrant reduction of 4v, Taylor polynomials on [-π/4, π/4].
fn sincos_2pi(v: f32) -> vec2<f32> {
  let w = 4.0 * v;
  let q = round(w);
  let r = w - q;
  let z = r * r;
  let sn = r * (1.5707963267948966 + z * (-0.6459640975062462 + z * (0.07969262624616703
    + z * (-0.004681754135318687 + z * 0.00016044118478735975))));
  let cs = 1.0 + z * (-1.2337005501361697 + z * (0.253669507901048 + z * (-0.020863480763352957
    + z * (0.0009192602748394263 + z * -2.5202042373060596e-05))));
  let k = (i32(q) + 4) & 3;
  if (k == 0) {
    return vec2<f32>(cs, sn);
  }
  if (k == 1) {
    return vec2<f32>(-sn, cs);
  }
  if (k == 2) {
    return vec2<f32>(-cs, -sn);
  }
  return vec2<f32>(sn, -cs);
}

fn gaussian4(w: vec4<u32>) -> vec4<f32> {
  let r0 = sqrt(-2.0 * ln_unit(unit_float_open(w.x)));
  let a0 = sincos_2pi(unit_float(w.y) - 0.5);
  let r1 = sqrt(-2.0 * ln_unit(unit_float_open(w.z)));
  let a1 = sincos_2pi(unit_float(w.w) - 0.5);
  return vec4<f32>(r0 * a0.x, r0 * a0.y, r1 * a1.x, r1 * a1.y);
}

fn uniform4(w: vec4<u32>) -> vec4<f32> {
  return vec4<f32>(f32(w.x >> 8u), f32(w.y >> 8u), f32(w.z >> 8u), f32(w.w >> 8u)) * TWO_M24;
}

fn stream_label(seed: u32, stream: u32, t: u32, i: u32, classes: u32) -> u32 {
  let w = stream_block(seed, stream, t, i, 0u).x;
  if (classes <= 2u) {
    return w >> 31u;
  }
  return mulhi32(w, classes);
}

fn fmix32(x: u32) -> u32 {
  var h = x;
  h ^= h >> 16u;
  h *= 0x85ebca6bu;
  h ^= h >> 13u;
  h *= 0xc2b2ae35u;
  h ^= h >> 16u;
  return h;
}

fn perm_keys(seed: u32, stream: u32, epoch: u32) -> vec4<u32> {
  return philox4x32(vec4<u32>(0u, 0u, epoch, stream), vec2<u32>(seed, KEY_SALT));
}

fn permute_with_keys(r: u32, n: u32, keys: vec4<u32>, h: u32) -> u32 {
  if (n <= 1u) {
    return 0u;
  }
  let mask = (1u << h) - 1u;
  var v = r;
  loop {
    var L = v >> h;
    var R = v & mask;
    for (var k = 0u; k < 4u; k++) {
      let next = L ^ (fmix32(R ^ keys[k]) & mask);
      L = R;
      R = next;
    }
    v = (L << h) | R;
    if (v < n) {
      break;
    }
  }
  return v;
}

fn divmod64(v: vec2<u32>, n: u32) -> vec2<u32> {
  var r = v.x;
  var q = 0u;
  for (var i = 0u; i < 32u; i++) {
    r = (r << 1u) | ((v.y >> (31u - i)) & 1u);
    q = q << 1u;
    if (r >= n) {
      r -= n;
      q |= 1u;
    }
  }
  return vec2<u32>(q, r);
}
`;
