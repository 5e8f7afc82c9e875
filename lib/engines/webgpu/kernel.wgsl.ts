/**
 * The fused two-layer SGD kernel in WGSL, specialized per {@link KernelPlan}. One workgroup per
 * member; invocation `lid` owns hidden units u = lid + q·WG (q < U): its rows of W (in private
 * memory, or read and written in storage when they are too long), its b_u and its column V[·, u].
 * Per step and chunk of batch slots: labels (and fixed-set sample indices) and inputs are drawn
 * into workgroup memory from the counter-based streams; each invocation computes its units'
 * pre-activations and partial logits; the logits are summed through workgroup memory in two
 * levels; one invocation per slot computes the loss and dL/df; each invocation then forms its
 * units' gradients. W is updated in place when the batch fits one chunk (the gradient is taken at
 * the parameters before the step: every slot's forward pass is done by then), else its gradient is
 * accumulated over the chunks (in private variables, or in the scratch buffer G with W in storage).
 * b and V are updated at the end of the step. The divergence rule of
 * engines/divergence.ts is applied after every step count that is a multiple of `check`.
 *
 * Bindings: 0 uniform Params {t0, steps, check, base, kall}; 1 configs (read), 2 state (u32 words:
 * 3 per member of loss, then 2 per member of status), 3 W, 4 V, 5 b (with bias), 6 G (several chunks, W in storage).
 * The loss accumulator is exact: a 32.32 fixed-point sum (hi, lo) of the step losses below 2²⁰,
 * plus a float32 part for larger or non-finite ones.
 */
import { range, u, unitCode, vec4Access } from './codegen.js';
import { backwardPass, forwardPass, lossCode } from './passes.wgsl.js';
import { PHILOX_WGSL } from './philox.wgsl.js';
import type { KernelPlan } from './plan.js';
import { STREAM_WGSL } from './stream.wgsl.js';

/** Binding numbers of the kernel (and of the norm kernel's W, V, b and out). */
export const BINDING = { params: 0, cfg: 1, state: 2, W: 3, V: 4, b: 5, G: 6, out: 7 } as const;

/** The WGSL of the fused SGD kernel for `p`. */
export function twoLayerKernel(p: KernelPlan): string {
  const fixed = p.trainSize > 0;
  const multi = p.chunks > 1;
  const { perUnit, perJ, W, setW, G, decl } = unitCode(p);
  const tail = p.M % 4;
  const mask = tail === 0 ? '' : `
          if (j4 == M4 - 1u) { v = v * vec4<f32>(${[0, 1, 2, 3].map((e) => (e < tail ? '1.0' : '0.0')).join(', ')}); }`;
  const xoff = p.xsBuffers === 2 ? 'par * (BC * M4)' : '0u';
  return `${PHILOX_WGSL}
${STREAM_WGSL}
const M: u32 = ${u(p.M)};
const M4: u32 = ${u(p.M4)};
const N: u32 = ${u(p.N)};
const C: u32 = ${u(p.C)};
const WG: u32 = ${u(p.WG)};
const U: u32 = ${u(p.U)};
const BC: u32 = ${u(p.BC)};
const NCH: u32 = ${u(p.chunks)};
const SEG: u32 = ${u(p.SEG)};
const NSEG: u32 = ${u(p.NSEG)};
const NSET: u32 = ${u(p.trainSize)};
const HBITS: u32 = ${u(p.feistelBits)};

struct Cfg { eta: f32, batch: u32, seed: u32, thresh: f32, live: u32, p0: u32, p1: u32, p2: u32 }
struct Params { t0: u32, steps: u32, check: u32, base: u32, kall: u32, p0: u32, p1: u32, p2: u32 }

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> cfgs: array<Cfg>;
@group(0) @binding(2) var<storage, read_write> st: array<u32>;
@group(0) @binding(3) var<storage, read_write> Wb: array<f32>;
@group(0) @binding(4) var<storage, read_write> Vb: array<f32>;
${p.bias ? '@group(0) @binding(5) var<storage, read_write> Bb: array<f32>;' : ''}
${p.gradScratch ? '@group(0) @binding(6) var<storage, read_write> Gb: array<f32>;' : ''}

var<workgroup> xs: array<vec4<f32>, ${u(p.xsBuffers * p.BC * p.M4)}>;
var<workgroup> red: array<f32, ${u(Math.max(p.BC * p.C, 3) * p.WG)}>;
var<workgroup> red2: array<f32, ${u(p.BC * p.C * p.NSEG)}>;
var<workgroup> dd: array<f32, ${u(p.BC * p.C)}>;
var<workgroup> lossw: array<f32, BC>;
var<workgroup> ys: array<u32, BC>;
${fixed ? 'var<workgroup> ks: array<u32, BC>;' : ''}
var<workgroup> wg_flag: u32;
var<workgroup> wg_batch: u32;
${vec4Access('w', 'Wb', p.M)}
${p.gradScratch ? vec4Access('g', 'Gb', p.M) : ''}
fn finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

// the divergence rule for one parameter: Σp² finite and √(Σp²) ≤ threshold
fn norm_ok(sq: f32, thresh: f32) -> bool {
  return finite(sq) && sqrt(sq) <= thresh;
}

@compute @workgroup_size(${p.WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let km = wid.x;
  let m = P.base + km;
  let cf = cfgs[m];
  let sidx = 3u * P.kall + 2u * m;
  if (lid == 0u) {
    wg_flag = select(0u, 1u, cf.live == 0u || st[sidx] != 0u);
    wg_batch = cf.batch;
  }
  if (workgroupUniformLoad(&wg_flag) != 0u) {
    return;
  }
  let B = workgroupUniformLoad(&wg_batch);
  let eta = cf.eta;
  let seed = cf.seed;
  let inv_b = 1.0 / f32(B);

  ${decl}
  ${p.xRegisters ? range(p.M4).map((j) => `var x_${j}: vec4<f32>;`).join(' ') : ''}
  var bq: array<f32, U>;
  var vq: array<f32, U * C>;
  var gb: array<f32, U>;
  var gv: array<f32, U * C>;
  // Declared here, not in the loops that use them: a variable without initializer declared inside
  // a loop must read as zero on every pass, but on NVIDIA's Vulkan driver (H200, Dawn/Tint's SPIR-V)
  // it was zeroed once, at function entry, so the partial logits of step s carried into step s + 1
  // of a dispatch (measured: every fig2 run diverged; one step per dispatch agreed with the
  // reference). Each is zeroed explicitly or fully written where it is used; wgslLint.test.ts checks
  // the generated code for declarations without initializer inside loops.
  var hq: array<f32, U * BC>;
  var part: array<f32, BC * C>;
  var fl: array<f32, C>;
  ${p.privateW ? '' : 'var coef: array<f32, BC>;'}
  ${perUnit((q) => `${p.privateW ? perJ((j) => setW(q, j, `w_ld(row, ${j})`)) : ''}
        ${p.bias ? `bq[${q}] = Bb[row];` : ''}
        for (var c = 0u; c < C; c++) { vq[${q} * C + c] = Vb[(km * C + c) * N + unit]; }`)}
  var lhi = 0u;
  var llo = 0u;
  var lf = 0.0;
  if (lid == 0u) {
    lhi = st[3u * m];
    llo = st[3u * m + 1u];
    lf = bitcast<f32>(st[3u * m + 2u]);
  }
  ${fixed ? 'let qr = divmod64(mul64(P.t0, B), NSET);\n  var pe = qr.x;\n  var pr = qr.y;' : ''}
  var par = 0u;
  for (var s = 0u; s < P.steps; s++) {
    let t = P.t0 + s;
    var lstep = 0.0;
    for (var ch = 0u; ch < NCH; ch++) {
      let b0 = ch * BC;
      if (b0 >= B) {
        break;
      }
      let xo = ${xoff};
      ${p.xsBuffers === 1 ? 'workgroupBarrier();' : ''}
      // labels${fixed ? ' and fixed-set samples' : ''} of the chunk's slots (by the last invocations: the first ones draw inputs)
      for (var sb = (WG - 1u) - lid; sb < BC; sb += WG) {
        let b = b0 + sb;
        if (b < B) {
          ${fixed ? `var r = pr + b;
          var e = pe;
          if (r >= NSET) {
            r -= NSET;
            e += 1u;
          }
          let k = permute_with_keys(r, NSET, perm_keys(seed, STREAM_ORDER, e), HBITS);
          ks[sb] = k;
          ys[sb] = stream_label(seed, STREAM_SET_Y, 0u, k, C);` : 'ys[sb] = stream_label(seed, STREAM_TRAIN_Y, t, b, C);'}
        }
      }
      ${fixed ? 'workgroupBarrier();' : ''}
      // inputs
      for (var it = lid; it < BC * M4; it += WG) {
        let sb = it / M4;
        let j4 = it - sb * M4;
        let b = b0 + sb;
        var v = vec4<f32>(0.0);
        if (b < B) {
          let wd = ${fixed ? 'stream_block(seed, STREAM_SET_X, 0u, ks[sb], j4)' : 'stream_block(seed, STREAM_TRAIN_X, t, b, j4)'};
          v = ${p.input === 'gaussian' ? 'gaussian4(wd)' : 'uniform4(wd)'};${mask}
        }
        xs[xo + it] = v;
      }
      workgroupBarrier();
      // forward: pre-activations and partial logits of this invocation's units
      for (var i = 0u; i < BC * C; i++) { part[i] = 0.0; }
      for (var i = 0u; i < U * BC; i++) { hq[i] = 0.0; }
      ${forwardPass(p)}
      for (var i = 0u; i < BC * C; i++) { red[i * WG + lid] = part[i]; }
      workgroupBarrier();
      for (var it = lid; it < BC * C * NSEG; it += WG) {
        let i = it / NSEG;
        let g0 = (it - i * NSEG) * SEG;
        var acc = 0.0;
        for (var e = 0u; e < SEG; e++) {
          if (g0 + e < WG) { acc += red[i * WG + g0 + e]; }
        }
        red2[it] = acc;
      }
      workgroupBarrier();
      // logits, loss and dL/df · 1/|B| of each slot
      for (var sb = lid; sb < BC; sb += WG) {
        var lossv = 0.0;
        for (var c = 0u; c < C; c++) {
          var acc = 0.0;
          for (var g = 0u; g < NSEG; g++) { acc += red2[(sb * C + c) * NSEG + g]; }
          fl[c] = acc;
        }
        if (b0 + sb < B) {${lossCode(p)}
        } else {
          for (var c = 0u; c < C; c++) { dd[sb * C + c] = 0.0; }
        }
        lossw[sb] = lossv;
      }
      workgroupBarrier();
      // backward
      ${backwardPass(p)}
      if (lid == 0u) {
        for (var sb = 0u; sb < BC; sb++) { lstep += lossw[sb]; }
      }
      ${p.xsBuffers === 2 ? 'par = 1u - par;' : ''}
    }
    // the step's updates of b and V${multi ? ' (and of W, from its accumulated gradient)' : ''}
    for (var q = 0u; q < U; q++) {
      ${p.bias ? 'bq[q] -= eta * gb[q];' : ''}
      gb[q] = 0.0;
      for (var c = 0u; c < C; c++) {
        vq[q * C + c] -= eta * gv[q * C + c];
        gv[q * C + c] = 0.0;
      }
    }
    ${p.gradScratch ? perUnit((q) => perJ((j) => `${setW(q, j, `${W(q, j)} - eta * g_ld(row, ${j})`)}
          g_st(row, ${j}, vec4<f32>(0.0));`)) : ''}
    ${multi && p.privateW ? perUnit((q) => perJ((j) => `${W(q, j)} -= eta * ${G(q, j)}; ${G(q, j)} = vec4<f32>(0.0);`)) : ''}
    if (lid == 0u) {
      let x = lstep * inv_b;
      let bits = bitcast<u32>(x);
      if (bits < 0x49800000u && lhi < 0x80000000u) {
        let ip = floor(x);
        let add = u32((x - ip) * 4294967296.0);
        let lo = llo + add;
        lhi += u32(ip) + select(0u, 1u, lo < llo);
        llo = lo;
      } else {
        lf += x;
      }
    }
    ${fixed ? `pr += B;
    if (pr >= NSET) {
      pr -= NSET;
      pe += 1u;
    }` : ''}
    // the divergence rule
    if ((t + 1u) % P.check == 0u) {
      var sw = 0.0;
      var sbias = 0.0;
      var sv = 0.0;
      ${perUnit((q) => `${perJ((j) => `sw += dot(${W(q, j)}, ${W(q, j)});`)}
          sbias += bq[${q}] * bq[${q}];
          for (var c = 0u; c < C; c++) { sv += vq[${q} * C + c] * vq[${q} * C + c]; }`)}
      red[lid] = sw;
      red[WG + lid] = sbias;
      red[2u * WG + lid] = sv;
      workgroupBarrier();
      if (lid == 0u) {
        var tw = 0.0;
        var tb = 0.0;
        var tv = 0.0;
        for (var l = 0u; l < WG; l++) {
          tw += red[l];
          tb += red[WG + l];
          tv += red[2u * WG + l];
        }
        let th = cf.thresh;
        if (!finite(lf) || !norm_ok(tw, th) || !norm_ok(tb, th) || !norm_ok(tv, th)) {
          st[sidx] = 1u;
          st[sidx + 1u] = t + 1u;
          wg_flag = 1u;
        }
      }
      if (workgroupUniformLoad(&wg_flag) != 0u) {
        break;
      }
    }
  }
  ${perUnit((q) => `${p.privateW ? perJ((j) => `w_st(row, ${j}, ${W(q, j)});`) : ''}
      ${p.bias ? `Bb[row] = bq[${q}];` : ''}
      for (var c = 0u; c < C; c++) { Vb[(km * C + c) * N + unit] = vq[${q} * C + c]; }`)}
  if (lid == 0u) {
    st[3u * m] = lhi;
    st[3u * m + 1u] = llo;
    st[3u * m + 2u] = bitcast<u32>(lf);
  }
}
`;
}
