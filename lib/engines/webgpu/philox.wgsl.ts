/**
 * Philox4x32-10 in WGSL, a line-by-line translation of core/philox.ts. WGSL has no 64-bit
 * multiply: the high word of a 32×32-bit product is assembled from 16-bit halves.
 */

/** WGSL: `mulhi32(a, b)` (high word of the 64-bit product), `mul64(a, b)` (vec2(hi, lo)) and `philox4x32(counter, key)`. */
export const PHILOX_WGSL = /* wgsl */ `
fn mulhi32(a: u32, b: u32) -> u32 {
  let a0 = a & 0xffffu;
  let a1 = a >> 16u;
  let b0 = b & 0xffffu;
  let b1 = b >> 16u;
  let m1 = a1 * b0;
  let m2 = a0 * b1;
  let mid = ((a0 * b0) >> 16u) + (m1 & 0xffffu) + (m2 & 0xffffu);
  return a1 * b1 + (m1 >> 16u) + (m2 >> 16u) + (mid >> 16u);
}

fn mul64(a: u32, b: u32) -> vec2<u32> {
  return vec2<u32>(mulhi32(a, b), a * b);
}

fn philox_round(x: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  let hi0 = mulhi32(0xd2511f53u, x.x);
  let lo0 = 0xd2511f53u * x.x;
  let hi1 = mulhi32(0xcd9e8d57u, x.z);
  let lo1 = 0xcd9e8d57u * x.z;
  return vec4<u32>(hi1 ^ x.y ^ key.x, lo1, hi0 ^ x.w ^ key.y, lo0);
}

fn philox4x32(counter: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var x = counter;
  var k = key;
  for (var round = 0u; round < 10u; round++) {
    x = philox_round(x, k);
    k += vec2<u32>(0x9e3779b9u, 0xbb67ae85u);
  }
  return x;
}
`;
