/**
 * The norm kernel of the webgpu-fused engine: Σp² of each parameter of each member, for
 * `sumSquares()`.
 */
import { u } from './codegen.js';
import type { KernelPlan } from './plan.js';

/**
 * WGSL of the norm kernel: out[3·km + (0, 1, 2)] = Σ W², Σ b², Σ V² of member km of a group (one
 * workgroup per member). Bindings: 3 W, 4 V, 5 b (with bias), 7 out.
 */
export function normsKernel(p: KernelPlan): string {
  return `
const M: u32 = ${u(p.M)};
const N: u32 = ${u(p.N)};
const C: u32 = ${u(p.C)};
const WG: u32 = 64u;
@group(0) @binding(3) var<storage, read_write> Wb: array<f32>;
@group(0) @binding(4) var<storage, read_write> Vb: array<f32>;
${p.bias ? '@group(0) @binding(5) var<storage, read_write> Bb: array<f32>;' : ''}
@group(0) @binding(7) var<storage, read_write> out: array<f32>;
var<workgroup> red: array<f32, 192>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let km = wid.x;
  var sw = 0.0;
  var sb = 0.0;
  var sv = 0.0;
  for (var i = lid; i < N * M; i += WG) { let x = Wb[km * N * M + i]; sw += x * x; }
  for (var i = lid; i < N; i += WG) {
    ${p.bias ? 'let x = Bb[km * N + i]; sb += x * x;' : ''}
  }
  for (var i = lid; i < C * N; i += WG) { let x = Vb[km * C * N + i]; sv += x * x; }
  red[lid] = sw;
  red[WG + lid] = sb;
  red[2u * WG + lid] = sv;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) {
      for (var k = 0u; k < 3u; k++) { red[k * WG + lid] += red[k * WG + lid + stride]; }
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    out[3u * km] = red[0];
    out[3u * km + 1u] = red[WG];
    out[3u * km + 2u] = red[2u * WG];
  }
}
`;
}
