/**
 * The forward and backward passes of the fused kernel and the loss of one slot, in WGSL, for
 * private (unrolled) or storage W rows.
 */
import { range, unitCode, xAt, xLoad } from './codegen.js';
import type { KernelPlan } from './plan.js';

/** The loss of logits fl (private array) for label y, and dL/df · inv_b into dd[sb·C + c]. */
export function lossCode(p: KernelPlan): string {
  if (p.loss === 'mse') {
    return `
        let e = fl[0] - f32(ys[sb]);
        lossv = e * e;
        dd[sb] = 2.0 * e * inv_b;`;
  }
  if (p.loss === 'bce') {
    return `
        let z = fl[0];
        let y = f32(ys[sb]);
        let ez = exp(-abs(z));
        lossv = max(z, 0.0) + two_atanh(ez / (2.0 + ez)) - z * y;
        dd[sb] = (1.0 / (1.0 + exp(-z)) - y) * inv_b;`;
  }
  return `
        let y = ys[sb];
        var mx = fl[0];
        for (var c = 1u; c < C; c++) { mx = max(mx, fl[c]); }
        var se = 0.0;
        for (var c = 0u; c < C; c++) { se += exp(fl[c] - mx); }
        for (var c = 0u; c < C; c++) {
          dd[sb * C + c] = (exp(fl[c] - mx) / se - select(0.0, 1.0, c == y)) * inv_b;
        }
        lossv = mx + log(se) - fl[y];`;
}

/** Gradient of unit q's pre-activation for slot sb: dh, with gb and gv accumulated. */
const unitDelta = (q: string) => `let h = hq[${q} * BC + sb];
            let a = max(h, 0.0);
            var dh = 0.0;
            for (var c = 0u; c < C; c++) {
              let d = dd[sb * C + c];
              dh += d * vq[${q} * C + c];
              gv[${q} * C + c] += d * a;
            }
            dh = select(0.0, dh, h > 0.0);
            gb[${q}] += dh;`;

/** Forward pass with private (unrolled) W rows: slots outside, units inside. */
function forwardPrivate(p: KernelPlan): string {
  const units = unitCode(p);
  return `for (var sb = 0u; sb < BC; sb++) {
        if (b0 + sb < B) {
          let xb = xo + sb * M4;
          ${xLoad(p)}
          ${units.perUnit((q) => `var hv = vec4<f32>(0.0);
            ${range(p.M4).map((j) => `hv += ${units.W(q, `${j}u`)} * ${xAt(p, j)};`).join(' ')}
            let h = bq[${q}] + ((hv.x + hv.y) + (hv.z + hv.w));
            hq[${q} * BC + sb] = h;
            let a = max(h, 0.0);
            for (var c = 0u; c < C; c++) { part[sb * C + c] += vq[${q} * C + c] * a; }`)}
        }
      }`;
}

/** Backward pass with private (unrolled) W rows: W updated in place per slot, or its private gradient accumulated (several chunks). */
function backwardPrivate(p: KernelPlan): string {
  const multi = p.chunks > 1;
  const units = unitCode(p);
  return `for (var sb = 0u; sb < BC; sb++) {
        if (b0 + sb < B) {
          let xb = xo + sb * M4;
          ${p.BC > 1 ? xLoad(p) : ''}
          ${units.perUnit((q) => `${unitDelta(q)}
            ${multi
              ? range(p.M4).map((j) => `${units.G(q, `${j}u`)} += dh * ${xAt(p, j)};`).join(' ')
              : `let cs = eta * dh;\n            ${range(p.M4).map((j) => `${units.W(q, `${j}u`)} -= cs * ${xAt(p, j)};`).join(' ')}`}`)}
        }
      }`;
}

/** Forward pass with W rows in storage: units outside, slots inside. */
function forwardStorage(): string {
  return `for (var q = 0u; q < U; q++) {
        let unit = lid + q * WG;
        if (unit < N) {
          let row = km * N + unit;
          for (var sb = 0u; sb < BC; sb++) {
            if (b0 + sb < B) {
              let xb = xo + sb * M4;
              var hv = vec4<f32>(0.0);
              for (var j4 = 0u; j4 < M4; j4++) { hv += w_ld(row, j4) * xs[xb + j4]; }
              let h = bq[q] + ((hv.x + hv.y) + (hv.z + hv.w));
              hq[q * BC + sb] = h;
              let a = max(h, 0.0);
              for (var c = 0u; c < C; c++) { part[sb * C + c] += vq[q * C + c] * a; }
            }
          }
        }
      }`;
}

/** Backward pass with W rows in storage: each W (or G) chunk read and written once per chunk of slots. */
function backwardStorage(p: KernelPlan): string {
  const multi = p.chunks > 1;
  return `for (var q = 0u; q < U; q++) {
        let unit = lid + q * WG;
        if (unit < N) {
          let row = km * N + unit;
          for (var sb = 0u; sb < BC; sb++) {
            ${unitDelta('q')}
            coef[sb] = ${multi ? 'dh' : 'eta * dh'};
          }
          for (var j4 = 0u; j4 < M4; j4++) {
            var g = vec4<f32>(0.0);
            for (var sb = 0u; sb < BC; sb++) { g += coef[sb] * xs[xo + sb * M4 + j4]; }
            ${multi ? 'g_st(row, j4, g_ld(row, j4) + g);' : 'w_st(row, j4, w_ld(row, j4) - g);'}
          }
        }
      }`;
}

/** The forward pass (pre-activations hq and partial logits part of the chunk's slots). */
export function forwardPass(p: KernelPlan): string {
  return p.privateW ? forwardPrivate(p) : forwardStorage();
}

/** The backward pass (W or G updated, gb and gv accumulated). */
export function backwardPass(p: KernelPlan): string {
  return p.privateW ? backwardPrivate(p) : backwardStorage(p);
}
