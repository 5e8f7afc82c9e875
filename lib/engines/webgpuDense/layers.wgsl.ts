/**
 * The jobs of one SGD step of a dense layer chain, for member `ml` of a group (each a tiled
 * matmul of matmul.wgsl.ts with a fused epilogue), in the index space of plan.ts's buffers:
 * - forward(l): A_l = relu(A_{l−1}·W_lᵀ + b_l) for the member's |B| rows;
 * - output: logits of the last layer (+ bias), then per row the loss (into the per-sample losses)
 *   and dL/df·(1/|B|) (over the logits, as δ_L): σ(f) − y (bce), 2(f − y) (mse), softmax − onehot;
 * - delta(l): δ_{l−1} = (δ_l·W_l) ⊙ [A_{l−1} > 0];
 * - update(l): W_l −= η·δ_lᵀ·A_{l−1}, b_l −= η·Σ_b δ_l (a virtual column of ones), summed over the member's rows;
 * - loss: the step's loss (1/|B|)·Σ_b ℓ_b added to the member's exact loss accumulator.
 */
import { wgSumIterations, type Job, type LoopWalk } from './kernel.wgsl.js';
import { matmulFn, tiledJobFn, type MatmulSpec } from './matmul.wgsl.js';
import { matmulIterations, type DensePlan } from './plan.js';

const u = (x: number) => `${x}u`;
const ceil = (a: number, b: number) => Math.ceil(a / b);

/** Offsets of layer l's parameters and data regions. */
export function regions(plan: DensePlan, l: number) {
  const layer = plan.shape.layers[l];
  const idx = (name: string) => plan.shape.params.findIndex((p) => p.name === name);
  return {
    IN: layer.in,
    OUT: layer.out,
    W: plan.paramOffset[idx(layer.W)],
    b: layer.b ? plan.paramOffset[idx(layer.b)] : -1,
    /** A_{l−1}: the layer's input. */
    Ain: plan.actOffset[l],
    /** δ_l: the layer's output gradient. */
    Dout: plan.deltaOffset[l],
  };
}

/** The config field that sets the width of layer l's input or output (for messages about what to reduce). */
export function widthField(plan: DensePlan, l: number, side: 'in' | 'out'): string {
  const layers = plan.shape.layers;
  if (side === 'out') return l === layers.length - 1 ? 'classes' : layers[l].conv ? 'channels' : 'hidden';
  return l === 0 ? 'inputDim' : layers[l - 1].conv ? 'channels' : 'hidden';
}

/** The walk of a sum over layer l's fan-in (`depth` of its `in` inputs per invocation; the forward pass or its partials). */
export function fanInWalk(plan: DensePlan, l: number, iterations: number, depth: number): LoopWalk {
  const IN = plan.shape.layers[l].in;
  const over = depth < IN ? `${depth} of its fan-in of ${IN} inputs` : `its fan-in of ${IN} inputs`;
  return { iterations, what: `layer ${l + 1}'s forward pass (a sum over ${over})`, field: widthField(plan, l, 'in'), value: IN };
}

/** Loop iterations of lossCode for one row (softmax-ce: its three loops over the classes). */
export function lossIterations(plan: DensePlan): number {
  return plan.shape.loss === 'softmax-ce' ? 3 * plan.shape.classes - 1 : 0;
}

/** The operands of a dense layer's product A_{l−1}·W_lᵀ for member `ml`: rows of its input, rows of W_l. */
export function forwardOperands(r: ReturnType<typeof regions>): Pick<MatmulSpec, 'a' | 'b'> {
  return {
    a: { load: (row, k) => `A[${u(r.Ain)} + (ml * BMAX + ${row}) * ${u(r.IN)} + ${k}]`, fast: 'k' },
    b: { load: (k, c) => `P[${u(r.W)} + ml * ${u(r.OUT * r.IN)} + ${c} * ${u(r.IN)} + ${k}]`, fast: 'k' },
  };
}

/** forward(l) for a hidden layer (l < L − 1). */
export function forwardJob(plan: DensePlan, l: number): Job {
  const r = regions(plan, l);
  const tile = plan.tiles[l].forward;
  const Aout = plan.actOffset[l + 1];
  const cols = ceil(r.OUT, tile.TC);
  const bias = r.b >= 0 ? ` + P[${u(r.b)} + ml * ${u(r.OUT)} + c]` : '';
  const mm = matmulFn({
    name: `fwd${l}`,
    tile,
    cols: r.OUT,
    ...forwardOperands(r),
    epilogue: (row, c, acc) => `A[${u(Aout)} + (ml * BMAX + ${row}) * ${u(r.OUT)} + ${c}] = max(${acc}${bias}, 0.0);`,
  });
  return {
    name: `fwd${l}`,
    tiles: ceil(plan.Bmax, tile.TR) * cols,
    code: `${mm}${tiledJobFn(`fwd${l}`, tile, cols, 'B', r.IN)}`,
    loops: fanInWalk(plan, l, matmulIterations(tile, plan.WG, r.IN), r.IN),
  };
}

/** The loss and dL/df·inv_b of row `r`, logits at D[lg + c], label y (a float). */
export function lossCode(plan: DensePlan): string {
  const C = plan.shape.classes;
  switch (plan.shape.loss) {
    case 'mse':
      return `let e = D[lg] - y;
      loss = e * e;
      D[lg] = 2.0 * e * inv_b;`;
    case 'bce':
      return `let z = D[lg];
      let ez = exp(-abs(z));
      loss = max(z, 0.0) + two_atanh(ez / (2.0 + ez)) - z * y;
      D[lg] = (1.0 / (1.0 + exp(-z)) - y) * inv_b;`;
    default:
      return `let yc = u32(y);
      var mx = D[lg];
      for (var c = 1u; c < ${u(C)}; c++) { mx = max(mx, D[lg + c]); }
      var se = 0.0;
      for (var c = 0u; c < ${u(C)}; c++) { se += exp(D[lg + c] - mx); }
      loss = mx + log(se) - D[lg + yc];
      for (var c = 0u; c < ${u(C)}; c++) {
        D[lg + c] = (exp(D[lg + c] - mx) / se - select(0.0, 1.0, c == yc)) * inv_b;
      }`;
  }
}

/** output: the last layer's logits, the per-sample losses and δ_L. */
export function outputJob(plan: DensePlan): Job {
  const l = plan.shape.layers.length - 1;
  const r = regions(plan, l);
  const tile = plan.tiles[l].forward;
  const bias = r.b >= 0 ? ` + P[${u(r.b)} + ml * ${u(r.OUT)} + c]` : '';
  const mm = matmulFn({
    name: 'out',
    tile,
    cols: r.OUT,
    ...forwardOperands(r),
    epilogue: (row, c, acc) => `D[${u(r.Dout)} + (ml * BMAX + ${row}) * ${u(r.OUT)} + ${c}] = ${acc}${bias};`,
  });
  // a walk over the fan-in for each tile across the classes, then per row of the tile the loss's loops
  const across = ceil(r.OUT, tile.TC);
  const perTile = matmulIterations(tile, plan.WG, r.IN);
  const losses = ceil(tile.TR, plan.WG) * (1 + lossIterations(plan));
  const iterations = across * (1 + perTile) + losses;
  const what = `the output layer (${across} sums over its ${r.IN} inputs, then the loss over ${r.OUT} classes)`;
  return {
    name: 'out',
    tiles: ceil(plan.Bmax, tile.TR),
    loops: across > 1 || losses > perTile ? { iterations, what, field: 'classes', value: r.OUT } : fanInWalk(plan, l, iterations, r.IN),
    code: `${mm}
fn job_out(ml: u32, tile: u32, B: u32, lid: u32) {
  let r0 = tile * ${u(tile.TR)};
  if (r0 >= B) {
    return;
  }
  for (var c0 = 0u; c0 < ${u(r.OUT)}; c0 += ${u(tile.TC)}) {
    mm_out(ml, r0, c0, B, ${u(r.IN)}, lid, 0.0, 0u);
  }
  storageBarrier();
  let inv_b = 1.0 / f32(B);
  for (var rr = lid; rr < ${u(tile.TR)}; rr += WG) {
    let r = r0 + rr;
    if (r < B) {
      let lg = ${u(r.Dout)} + (ml * BMAX + r) * ${u(r.OUT)};
      let y = D[${u(plan.labelOffset)} + ml * BMAX + r];
      var loss = 0.0;
      ${lossCode(plan)}
      D[${u(plan.lossOffset)} + ml * BMAX + r] = loss;
    }
  }
}`,
  };
}

/** delta(l), l ≥ 1: δ of layer l − 1's output from δ_l and W_l. */
export function deltaJob(plan: DensePlan, l: number): Job {
  const r = regions(plan, l);
  const tile = plan.tiles[l].delta;
  const Dprev = plan.deltaOffset[l - 1];
  const cols = ceil(r.IN, tile.TC);
  const mm = matmulFn({
    name: `dlt${l}`,
    tile,
    cols: r.IN,
    a: { load: (row, k) => `D[${u(r.Dout)} + (ml * BMAX + ${row}) * ${u(r.OUT)} + ${k}]`, fast: 'k' },
    b: { load: (k, c) => `P[${u(r.W)} + ml * ${u(r.OUT * r.IN)} + ${k} * ${u(r.IN)} + ${c}]`, fast: 'c' },
    epilogue: (row, c, acc) => `let h = A[${u(r.Ain)} + (ml * BMAX + ${row}) * ${u(r.IN)} + ${c}];
      D[${u(Dprev)} + (ml * BMAX + ${row}) * ${u(r.IN)} + ${c}] = select(0.0, ${acc}, h > 0.0);`,
  });
  return {
    name: `dlt${l}`,
    tiles: ceil(plan.Bmax, tile.TR) * cols,
    code: `${mm}${tiledJobFn(`dlt${l}`, tile, cols, 'B', r.OUT)}`,
    loops: {
      iterations: matmulIterations(tile, plan.WG, r.OUT),
      what: `layer ${l + 1}'s backward pass (a sum over its ${r.OUT} outputs)`,
      field: widthField(plan, l, 'out'),
      value: r.OUT,
    },
  };
}

/** update(l): the SGD step of W_l (and b_l) from δ_l and A_{l−1}, reduced over the member's |B| rows. */
export function updateJob(plan: DensePlan, l: number): Job {
  const r = regions(plan, l);
  const tile = plan.tiles[l].update;
  const width = r.IN + (r.b >= 0 ? 1 : 0);
  const cols = ceil(width, tile.TC);
  const input = (k: string, c: string) => `A[${u(r.Ain)} + (ml * BMAX + ${k}) * ${u(r.IN)} + ${c}]`;
  const step = (index: string) => `let i = ${index};
        P[i] = P[i] - eta * acc;`;
  const mm = matmulFn({
    name: `upd${l}`,
    tile,
    cols: width,
    a: { load: (o, k) => `D[${u(r.Dout)} + (ml * BMAX + ${k}) * ${u(r.OUT)} + ${o}]`, fast: 'r' },
    b: { load: (k, c) => (r.b >= 0 ? `in_upd${l}(ml, ${k}, ${c})` : input(k, c)), fast: 'c' },
    epilogue: (o, c) =>
      r.b >= 0
        ? `if (${c} < ${u(r.IN)}) {
        ${step(`${u(r.W)} + ml * ${u(r.OUT * r.IN)} + ${o} * ${u(r.IN)} + ${c}`)}
      } else {
        ${step(`${u(r.b)} + ml * ${u(r.OUT)} + ${o}`)}
      }`
        : step(`${u(r.W)} + ml * ${u(r.OUT * r.IN)} + ${o} * ${u(r.IN)} + ${c}`),
  });
  const helper = r.b >= 0
    ? `
fn in_upd${l}(ml: u32, k: u32, c: u32) -> f32 {
  if (c < ${u(r.IN)}) {
    return ${input('k', 'c')};
  }
  return 1.0;
}`
    : '';
  return {
    name: `upd${l}`,
    tiles: ceil(r.OUT, tile.TR) * cols,
    loops: batchWalk(plan, `layer ${l + 1}'s update`, matmulIterations(tile, plan.WG, plan.Bmax)),
    code: `${helper}${mm}
fn job_upd${l}(ml: u32, tile: u32, B: u32, lid: u32) {
  let eta = cfg_eta(S.base + ml);
  mm_upd${l}(ml, (tile / ${u(cols)}) * ${u(tile.TR)}, (tile % ${u(cols)}) * ${u(tile.TC)}, ${u(r.OUT)}, B, lid, eta, 0u);
}`,
  };
}

/** The walk of a sum over the batch (`iterations` for a batch of plan.Bmax samples; `over` says how, for messages). */
export function batchWalk(plan: DensePlan, job: string, iterations: number, over = `a sum over batchSize = ${plan.Bmax} samples`): LoopWalk {
  return { iterations, what: `${job} (${over})`, field: 'batchSize', value: plan.Bmax };
}

/**
 * loss: adds the step's loss to the member's accumulator, exactly: a 32.32 fixed-point sum (hi,
 * lo) of step losses below 2²⁰, plus a float part for larger or non-finite ones (as webgpu-fused).
 */
export function lossJob(plan: DensePlan): Job {
  return {
    name: 'loss',
    tiles: 1,
    loops: batchWalk(plan, "the step's loss", ceil(plan.Bmax, plan.WG) + wgSumIterations(plan.WG)),
    code: `
fn job_loss(ml: u32, tile: u32, B: u32, lid: u32) {
  var s = 0.0;
  for (var b = lid; b < B; b += WG) { s += D[${u(plan.lossOffset)} + ml * BMAX + b]; }
  let total = wg_sum(lid, s);
  if (lid == 0u) {
    let m = S.base + ml;
    let x = total * (1.0 / f32(B));
    let bits = bitcast<u32>(x);
    var lhi = st[4u * m];
    var llo = st[4u * m + 1u];
    if (bits < 0x49800000u && lhi < 0x80000000u) {
      let ip = floor(x);
      let add = u32((x - ip) * 4294967296.0);
      let lo = llo + add;
      lhi += u32(ip) + select(0u, 1u, lo < llo);
      st[4u * m] = lhi;
      st[4u * m + 1u] = lo;
    } else {
      st[4u * m + 2u] = bitcast<u32>(bitcast<f32>(st[4u * m + 2u]) + x);
    }
  }
}`,
  };
}
