/**
 * A layer's sum over a wide fan-in in two dispatches instead of one workgroup per output tile
 * walking all of it, so that the sum is spread over many workgroups (and no invocation runs past
 * llvmpipe's loop cap, loops.ts):
 * - the output layer (plan.outputSplit; e.g. CNN6's 7,840 → 10), instead of layers.wgsl.ts's `output`:
 *   partial: split s of the logits, Σ over its chunk of inputs of A_{L−1}[r, k]·W_L[c, k];
 *   loss: per row, the logits (Σ_s partials + bias) into δ_L, then the loss and dL/df as `output` does;
 * - a hidden dense layer l (plan.forwardSplit[l]; e.g. 300,000 inputs → 2 units), instead of `forward(l)`:
 *   partial: split s of A_{l−1}·W_lᵀ likewise; reduce: A_l = relu(Σ_s partials + b_l), one output per invocation.
 */
import type { Job } from './kernel.wgsl.js';
import { fanInWalk, forwardOperands, lossCode, lossIterations, regions } from './layers.wgsl.js';
import { matmulFn } from './matmul.wgsl.js';
import { matmulIterations, type DensePlan } from './plan.js';

const u = (x: number) => `${x}u`;
const ceil = (a: number, b: number) => Math.ceil(a / b);

/** The partial sums of every split of layer l's product with its input, into the region of `sp` ([GC, splits, Bmax, out]). */
function partialJob(plan: DensePlan, l: number, sp: { splits: number; chunk: number; offset: number }, name: string): Job {
  const r = regions(plan, l);
  const tile = plan.tiles[l].forward;
  const colTiles = ceil(r.OUT, tile.TC);
  const perSplit = ceil(plan.Bmax, tile.TR) * colTiles;
  const mm = matmulFn({
    name,
    tile,
    cols: r.OUT,
    ...forwardOperands(r),
    epilogue: (row, c, acc) => `D[${u(sp.offset)} + ((ml * ${u(sp.splits)} + kb / ${u(sp.chunk)}) * BMAX + ${row}) * ${u(r.OUT)} + ${c}] = ${acc};`,
  });
  return {
    name,
    tiles: perSplit * sp.splits,
    loops: fanInWalk(plan, l, matmulIterations(tile, plan.WG, sp.chunk), Math.min(sp.chunk, r.IN)),
    code: `${mm}
fn job_${name}(ml: u32, tile: u32, B: u32, lid: u32) {
  let t = tile % ${u(perSplit)};
  let r0 = (t / ${u(colTiles)}) * ${u(tile.TR)};
  if (r0 >= B) {
    return;
  }
  let kb = (tile / ${u(perSplit)}) * ${u(sp.chunk)};
  mm_${name}(ml, r0, (t % ${u(colTiles)}) * ${u(tile.TC)}, B, min(kb + ${u(sp.chunk)}, ${u(r.IN)}), lid, 0.0, kb);
}`,
  };
}

/** The partial logits of every split (the plan must have an outputSplit). */
export function outputPartialJob(plan: DensePlan): Job {
  return partialJob(plan, plan.shape.layers.length - 1, plan.outputSplit!, 'opt');
}

/** The partial outputs of every split of hidden layer l (plan.forwardSplit[l] must be set). */
export function forwardPartialJob(plan: DensePlan, l: number): Job {
  return partialJob(plan, l, plan.forwardSplit[l]!, `fpt${l}`);
}

/** A_l = relu(Σ_s partials + b_l) of hidden layer l, one output (row, unit) per invocation. */
export function forwardReduceJob(plan: DensePlan, l: number): Job {
  const r = regions(plan, l);
  const sp = plan.forwardSplit[l]!;
  const Aout = plan.actOffset[l + 1];
  const bias = r.b >= 0 ? ` + P[${u(r.b)} + ml * ${u(r.OUT)} + c]` : '';
  return {
    name: `frd${l}`,
    tiles: ceil(plan.Bmax * r.OUT, plan.WG),
    loops: fanInWalk(plan, l, sp.splits, r.IN),
    code: `
fn job_frd${l}(ml: u32, tile: u32, B: u32, lid: u32) {
  let e = tile * WG + lid;
  let row = e / ${u(r.OUT)};
  let c = e % ${u(r.OUT)};
  // per invocation (no barrier may follow): outputs past the member's |B| rows do nothing
  if (row < B) {
    var z = 0.0;
    for (var s = 0u; s < ${u(sp.splits)}; s++) {
      z += D[${u(sp.offset)} + ((ml * ${u(sp.splits)} + s) * BMAX + row) * ${u(r.OUT)} + c];
    }
    A[${u(Aout)} + (ml * BMAX + row) * ${u(r.OUT)} + c] = max(z${bias}, 0.0);
  }
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
    loops: {
      iterations: r.OUT * (1 + sp.splits) + lossIterations(plan),
      what: `the output layer's loss (${r.OUT} classes, each a sum of ${sp.splits} partial logits)`,
      field: 'classes',
      value: r.OUT,
    },
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
