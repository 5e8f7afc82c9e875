/**
 * The output layer of a wide fan-in (plan.outputSplit; e.g. CNN6's 7,840 → 10) in two dispatches
 * instead of layers.wgsl.ts's one-workgroup-per-row-tile `output`, so that the sum over inputs is
 * spread over many workgroups:
 * - partial: split s of the logits, Σ over its chunk of inputs of A_{L−1}[r, k]·W_L[c, k];
 * - loss: per row, the logits (Σ_s partials + bias) into δ_L, then the loss and dL/df as `output` does.
 */
import type { Job } from './kernel.wgsl.js';
import { forwardOperands, lossCode, regions } from './layers.wgsl.js';
import { matmulFn } from './matmul.wgsl.js';
import type { DensePlan } from './plan.js';

const u = (x: number) => `${x}u`;
const ceil = (a: number, b: number) => Math.ceil(a / b);

/** The partial logits of every split (the plan must have an outputSplit). */
export function outputPartialJob(plan: DensePlan): Job {
  const l = plan.shape.layers.length - 1;
  const r = regions(plan, l);
  const sp = plan.outputSplit!;
  const tile = plan.tiles[l].forward;
  const colTiles = ceil(r.OUT, tile.TC);
  const perSplit = ceil(plan.Bmax, tile.TR) * colTiles;
  const mm = matmulFn({
    name: 'opt',
    tile,
    cols: r.OUT,
    ...forwardOperands(r),
    epilogue: (row, c, acc) => `D[${u(sp.offset)} + ((ml * ${u(sp.splits)} + kb / ${u(sp.chunk)}) * BMAX + ${row}) * ${u(r.OUT)} + ${c}] = ${acc};`,
  });
  return {
    name: 'opt',
    tiles: perSplit * sp.splits,
    code: `${mm}
fn job_opt(ml: u32, tile: u32, B: u32, lid: u32) {
  let t = tile % ${u(perSplit)};
  let r0 = (t / ${u(colTiles)}) * ${u(tile.TR)};
  if (r0 >= B) {
    return;
  }
  let kb = (tile / ${u(perSplit)}) * ${u(sp.chunk)};
  mm_opt(ml, r0, (t % ${u(colTiles)}) * ${u(tile.TC)}, B, min(kb + ${u(sp.chunk)}, ${u(r.IN)}), lid, 0.0, kb);
}`,
  };
}

/** The logits from the partials, the per-sample losses and δ_L, one row per invocation. */
export function outputLossJob(plan: DensePlan): Job {
  const l = plan.shape.layers.length - 1;
  const r = regions(plan, l);
  const sp = plan.outputSplit!;
  const bias = r.b >= 0 ? ` + P[${u(r.b)} + ml * ${u(r.OUT)} + c]` : '';
  return {
    name: 'olo',
    tiles: ceil(plan.Bmax, plan.WG),
    code: `
fn job_olo(ml: u32, tile: u32, B: u32, lid: u32) {
  let row = tile * WG + lid;
  // per invocation (no barrier may follow): rows past the member's |B| do nothing
  if (row < B) {
    let lg = ${u(r.Dout)} + (ml * BMAX + row) * ${u(r.OUT)};
    for (var c = 0u; c < ${u(r.OUT)}; c++) {
      var z = 0.0;
      for (var s = 0u; s < ${u(sp.splits)}; s++) {
        z += D[${u(sp.offset)} + ((ml * ${u(sp.splits)} + s) * BMAX + row) * ${u(r.OUT)} + c];
      }
      D[lg + c] = z${bias};
    }
    let inv_b = 1.0 / f32(B);
    let y = D[${u(plan.labelOffset)} + ml * BMAX + row];
    var loss = 0.0;
    ${lossCode(plan)}
    D[${u(plan.lossOffset)} + ml * BMAX + row] = loss;
  }
}`,
  };
}
