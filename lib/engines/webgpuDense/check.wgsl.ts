/**
 * The norms kernel: Σp² of every parameter of every member of a group into the state's norm
 * region (one workgroup per member). With flag bit 0 set (after a step count that is a multiple
 * of checkEvery) it is the divergence rule of engines/divergence.ts for the live members: a
 * non-finite loss accumulator, or a parameter with √(Σp²) non-finite or above the member's
 * threshold, freezes the member at step S.t + 1.
 */
import { GRID_X } from './device.js';
import { header, wgSumIterations, type LoopWalk } from './kernel.wgsl.js';
import type { DensePlan } from './plan.js';

const u = (x: number) => `${x}u`;

/** The norms kernel's walk (loops.ts): per parameter, a strided loop over its values and a workgroup sum. */
export function checkKernelLoops(plan: DensePlan): LoopWalk {
  const s = plan.shape;
  const iterations = s.params.reduce((n, p) => n + Math.ceil(p.size / plan.WG) + wgSumIterations(plan.WG), 0);
  const P = s.params.reduce((n, p) => n + p.size, 0);
  // what sets the largest parameters: the conv layers' channels, else the hidden width, else the input
  const conv = s.layers[0].conv;
  const hidden = s.layers.length > 1 && !conv;
  const [field, value] = conv ? ['channels', conv.Cout] : hidden ? ['hidden', s.layers[0].out] : ['inputDim', s.inputDim];
  return { iterations, what: `the parameter norms (${P} values per member)`, field, value };
}

/** The WGSL of the norms / divergence kernel. */
export function checkKernel(plan: DensePlan): string {
  const NP = plan.shape.params.length;
  const perParam = plan.shape.params.map((p, i) => `{
    var s = 0.0;
    for (var i = lid; i < ${u(p.size)}; i += WG) {
      let v = P[${u(plan.paramOffset[i])} + ml * ${u(p.size)} + i];
      s += v * v;
    }
    let sq = wg_sum(lid, s);
    if (lid == 0u) {
      st[8u * S.kall + m * ${u(NP)} + ${u(i)}] = bitcast<u32>(sq);
      ok = ok && finite(sq) && sqrt(sq) <= cfg_thresh(m);
    }
  }`);
  return `${header(plan, [], false)}
@compute @workgroup_size(${plan.WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let ml = wid.x + wid.y * ${GRID_X}u;
  if (ml >= S.count) {
    return;
  }
  let m = S.base + ml;
  let check = (S.flags & 1u) != 0u;
  if (lid == 0u) {
    wg_b = select(0u, 1u, !check || (cfg_live(m) != 0u && frozen(m) == 0u));
  }
  if (workgroupUniformLoad(&wg_b) == 0u) {
    return;
  }
  var ok = true;
  ${perParam.join('\n  ')}
  if (check && lid == 0u) {
    if (!finite(bitcast<f32>(st[4u * m + 2u])) || !ok) {
      st[4u * S.kall + 4u * m] = 1u;
      st[4u * S.kall + 4u * m + 1u] = S.t + 1u;
    }
  }
}
`;
}
