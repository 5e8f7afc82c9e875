/**
 * The jobs of one SGD step of a stride-1 'same' conv layer (shape.ts's ConvGeometry), as implicit
 * GEMMs on matmul.wgsl.ts's tiles: rows are sample-pixels r = b·H·W + y·W + x of the member's |B|
 * samples, maps are NHWC, filters W[i, j, c, o] at ((i·k + j)·C_in + c)·C_out + o, and patch
 * entries q = (i·k + j)·C_in + c are read from the input through the padding (no unfolded copy):
 * - forward(l): A_l[r, o] = relu(Σ_q patch(r, q)·W[q, o] + b[o]);
 * - delta(l): δ_{l−1}[r, c] = (Σ_{i,j,o} δ_l[r shifted by (p − i, p − j), o]·W[i, j, c, o]) ⊙ [A_{l−1}[r, c] > 0];
 * - partial(l): split s of the weight gradient, Σ over its chunk of rows of δ_l[r, o]·patch(r, q)
 *   (and δ_l[r, o] for the bias, a virtual column of ones), into plan.splitK's region;
 * - reduce(l): W[q, o] −= η·Σ_s partial_s[o, q] (b likewise), once every partial is written.
 */
import type { Job } from './kernel.wgsl.js';
import { batchWalk, regions, widthField } from './layers.wgsl.js';
import { matmulFn, tiledJobFn } from './matmul.wgsl.js';
import { matmulIterations, type DensePlan } from './plan.js';
import type { ConvGeometry } from './shape.js';

const u = (x: number) => `${x}u`;
const ceil = (a: number, b: number) => Math.ceil(a / b);

/** Layer l's regions and geometry (throws for a dense layer). */
function convRegions(plan: DensePlan, l: number) {
  const c = plan.shape.layers[l].conv as ConvGeometry;
  if (!c) throw new Error(`webgpu-dense: layer ${l + 1} is not a conv layer`);
  const HW = c.H * c.W;
  // the geometry stays apart: its W (the maps' width) would shadow the filter's offset W
  return { ...regions(plan, l), geo: c, Cin: c.Cin, Cout: c.Cout, k: c.k, HW, KK: c.k * c.k * c.Cin, size: c.k * c.k * c.Cin * c.Cout };
}

/**
 * `fn <name>(ml, r, q) -> f32`: entry q of row r's patch of the maps at word `base` of `arr`
 * with `C` channels (0 in the padding). With `flip`, the patch of the transposed convolution
 * (offsets p − i, p − j: δ_{l−1}'s sum over δ_l).
 */
function patchFn(name: string, arr: string, base: number, c: ConvGeometry, C: number, flip: boolean): string {
  const p = (c.k - 1) / 2;
  const off = (v: string) => (flip ? `${p} - ${v}` : `${v} - ${p}`);
  return `
fn ${name}(ml: u32, r: u32, q: u32) -> f32 {
  let pix = r % ${u(c.H * c.W)};
  let y = i32(pix / ${u(c.W)});
  let x = i32(pix % ${u(c.W)});
  let i = i32(q / ${u(c.k * C)});
  let j = i32((q / ${u(C)}) % ${u(c.k)});
  let yy = y + ${off('i')};
  let xx = x + ${off('j')};
  if (yy < 0 || yy >= ${c.H} || xx < 0 || xx >= ${c.W}) {
    return 0.0;
  }
  return ${arr}[${u(base)} + (ml * BMAX * ${u(c.H * c.W)} + r - pix + u32(yy * ${c.W} + xx)) * ${u(C)} + q % ${u(C)}];
}`;
}

/** forward(l) of a conv layer (always followed by ReLU: a conv layer is never the last). */
export function convForwardJob(plan: DensePlan, l: number): Job {
  const r = convRegions(plan, l);
  const tile = plan.tiles[l].forward;
  const Aout = plan.actOffset[l + 1];
  const cols = ceil(r.Cout, tile.TC);
  const bias = r.b >= 0 ? ` + P[${u(r.b)} + ml * ${u(r.Cout)} + c]` : '';
  const mm = matmulFn({
    name: `cfw${l}`,
    tile,
    cols: r.Cout,
    a: { load: (row, k) => `patch_cfw${l}(ml, ${row}, ${k})`, fast: 'k' },
    b: { load: (k, c) => `P[${u(r.W)} + ml * ${u(r.size)} + ${k} * ${u(r.Cout)} + ${c}]`, fast: 'c' },
    epilogue: (row, c, acc) => `A[${u(Aout)} + (ml * BMAX * ${u(r.HW)} + ${row}) * ${u(r.Cout)} + ${c}] = max(${acc}${bias}, 0.0);`,
  });
  return {
    name: `cfw${l}`,
    tiles: ceil(plan.Bmax * r.HW, tile.TR) * cols,
    loops: {
      iterations: matmulIterations(tile, plan.WG, r.KK),
      what: `layer ${l + 1}'s forward pass (a sum over its ${r.KK} patch entries)`,
      field: widthField(plan, l, 'in') === 'inputDim' ? 'kernel' : 'channels',
      value: r.KK,
    },
    code: `${patchFn(`patch_cfw${l}`, 'A', r.Ain, r.geo, r.Cin, false)}${mm}${tiledJobFn(`cfw${l}`, tile, cols, `B * ${u(r.HW)}`, r.KK)}`,
  };
}

/** delta(l), l ≥ 1, of a conv layer: δ of its input maps (layer l − 1's output, masked by its ReLU). */
export function convDeltaJob(plan: DensePlan, l: number): Job {
  const r = convRegions(plan, l);
  const tile = plan.tiles[l].delta;
  const Dprev = plan.deltaOffset[l - 1];
  const cols = ceil(r.Cin, tile.TC);
  const KO = r.k * r.k * r.Cout;
  const mm = matmulFn({
    name: `cdl${l}`,
    tile,
    cols: r.Cin,
    a: { load: (row, k) => `patch_cdl${l}(ml, ${row}, ${k})`, fast: 'k' },
    b: { load: (k, c) => `filter_cdl${l}(ml, ${k}, ${c})`, fast: 'k' },
    epilogue: (row, c, acc) => `let at = (ml * BMAX * ${u(r.HW)} + ${row}) * ${u(r.Cin)} + ${c};
      D[${u(Dprev)} + at] = select(0.0, ${acc}, A[${u(r.Ain)} + at] > 0.0);`,
  });
  return {
    name: `cdl${l}`,
    tiles: ceil(plan.Bmax * r.HW, tile.TR) * cols,
    loops: {
      iterations: matmulIterations(tile, plan.WG, KO),
      what: `layer ${l + 1}'s backward pass (a sum over ${KO} filter entries)`,
      field: 'channels',
      value: KO,
    },
    code: `${patchFn(`patch_cdl${l}`, 'D', r.Dout, r.geo, r.Cout, true)}
// W[i, j, c, o] for entry q = (i·k + j)·C_out + o of the transposed patch
fn filter_cdl${l}(ml: u32, q: u32, c: u32) -> f32 {
  let ij = q / ${u(r.Cout)};
  return P[${u(r.W)} + ml * ${u(r.size)} + (ij * ${u(r.Cin)} + c) * ${u(r.Cout)} + q % ${u(r.Cout)}];
}${mm}${tiledJobFn(`cdl${l}`, tile, cols, `B * ${u(r.HW)}`, KO)}`,
  };
}

/**
 * partial(l): every split of a conv layer's weight (and bias) gradient, into plan.splitK[l]'s
 * region ([splits, C_out, cols] per member), computed as the matmul [q, o] = Σ_r patch(r, q)·δ_l[r, o].
 */
export function convPartialJob(plan: DensePlan, l: number): Job {
  const r = convRegions(plan, l);
  const sk = plan.splitK[l]!;
  const tile = plan.tiles[l].update;
  const colTiles = ceil(r.Cout, tile.TC);
  const perSplit = ceil(sk.cols, tile.TR) * colTiles;
  const input = r.b >= 0 ? `in_cup${l}` : `patch_cup${l}`;
  const mm = matmulFn({
    name: `cup${l}`,
    tile,
    cols: r.Cout,
    a: { load: (q, k) => `${input}(ml, ${k}, ${q})`, fast: 'r' },
    b: { load: (k, o) => `D[${u(r.Dout)} + (ml * BMAX * ${u(r.HW)} + ${k}) * ${u(r.Cout)} + ${o}]`, fast: 'c' },
    epilogue: (q, o, acc) =>
      `D[${u(sk.offset)} + ((ml * ${u(sk.splits)} + kb / ${u(sk.chunk)}) * ${u(r.Cout)} + ${o}) * ${u(sk.cols)} + ${q}] = ${acc};`,
  });
  const withBias = r.b >= 0
    ? `
fn in_cup${l}(ml: u32, k: u32, c: u32) -> f32 {
  if (c < ${u(r.KK)}) {
    return patch_cup${l}(ml, k, c);
  }
  return 1.0;
}`
    : '';
  return {
    name: `cup${l}`,
    tiles: perSplit * sk.splits,
    loops: batchWalk(plan, `layer ${l + 1}'s filter gradient`, matmulIterations(tile, plan.WG, sk.chunk),
      `partial sums over ${sk.chunk} of the ${plan.Bmax * r.HW} sample-pixels of batchSize = ${plan.Bmax} samples`),
    code: `${patchFn(`patch_cup${l}`, 'A', r.Ain, r.geo, r.Cin, false)}${withBias}${mm}
fn job_cup${l}(ml: u32, tile: u32, B: u32, lid: u32) {
  let t = tile % ${u(perSplit)};
  let kb = (tile / ${u(perSplit)}) * ${u(sk.chunk)};
  let ke = min(kb + ${u(sk.chunk)}, B * ${u(r.HW)});
  mm_cup${l}(ml, (t / ${u(colTiles)}) * ${u(tile.TR)}, (t % ${u(colTiles)}) * ${u(tile.TC)}, ${u(sk.cols)}, ke, lid, 0.0, kb);
}`,
  };
}

/** reduce(l): the SGD step of a conv layer's W (and b) from the sum of its partial gradients. */
export function convReduceJob(plan: DensePlan, l: number): Job {
  const r = convRegions(plan, l);
  const sk = plan.splitK[l]!;
  const n = r.Cout * sk.cols;
  return {
    name: `crd${l}`,
    tiles: ceil(n, plan.WG),
    loops: batchWalk(plan, `layer ${l + 1}'s filter update`, sk.splits, `a sum of ${sk.splits} partials over batchSize = ${plan.Bmax} samples`),
    code: `
fn job_crd${l}(ml: u32, tile: u32, B: u32, lid: u32) {
  let e = tile * WG + lid;
  // per invocation (no barrier may follow): entries past the layer's do nothing
  if (e < ${u(n)}) {
    var g = 0.0;
    for (var s = 0u; s < ${u(sk.splits)}; s++) {
      g += D[${u(sk.offset)} + (ml * ${u(sk.splits)} + s) * ${u(n)} + e];
    }
    let o = e / ${u(sk.cols)};
    let q = e % ${u(sk.cols)};
    var i = ${u(r.W)} + ml * ${u(r.size)} + q * ${u(r.Cout)} + o;${r.b >= 0 ? `
    if (q >= ${u(r.KK)}) {
      i = ${u(r.b)} + ml * ${u(r.Cout)} + o;
    }` : ''}
    P[i] = P[i] - cfg_eta(S.base + ml) * g;
  }
}`,
  };
}
