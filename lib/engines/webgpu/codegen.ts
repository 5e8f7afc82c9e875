/**
 * Helpers of the WGSL code generation: literals, vec4 access to row-major storage, and the
 * per-unit and per-chunk-of-4-inputs loops (unrolled with private W rows).
 */
import type { KernelPlan } from './plan.js';

/** A u32 literal. */
export const u = (x: number) => `${x >>> 0}u`;

/** 0 … n − 1. */
export const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Loads and stores of a row-major [rows, M] f32 storage buffer as vec4 chunks j4 (zero-padded past M). */
export function vec4Access(name: string, buf: string, M: number): string {
  const full = M % 4 === 0;
  const guard = (e: number) => (full ? '' : `if (4u * j4 + ${u(e)} < M) `);
  return `
fn ${name}_ld(row: u32, j4: u32) -> vec4<f32> {
  let i = row * M + 4u * j4;
  var v = vec4<f32>(${buf}[i], 0.0, 0.0, 0.0);
  ${guard(1)}{ v.y = ${buf}[i + 1u]; }
  ${guard(2)}{ v.z = ${buf}[i + 2u]; }
  ${guard(3)}{ v.w = ${buf}[i + 3u]; }
  return v;
}

fn ${name}_st(row: u32, j4: u32, v: vec4<f32>) {
  let i = row * M + 4u * j4;
  ${buf}[i] = v.x;
  ${guard(1)}{ ${buf}[i + 1u] = v.y; }
  ${guard(2)}{ ${buf}[i + 2u] = v.z; }
  ${guard(3)}{ ${buf}[i + 3u] = v.w; }
}
`;
}

/**
 * Code generation of the per-unit and per-chunk-of-4-inputs loops. With private W rows both are
 * unrolled here, so that every row chunk is its own variable w_q_j (registers on a GPU; plain
 * spills rather than scatters on llvmpipe, whose indirectly indexed private arrays are slow);
 * otherwise they are WGSL loops over W in storage.
 */
export function unitCode(p: KernelPlan) {
  const unrolled = p.privateW;
  /** `body(q)` for each unit slot q of this invocation whose unit is < N, with `unit` and `row` defined. */
  const perUnit = (body: (q: string) => string): string => {
    const block = (q: string) => `{
      let unit = lid + ${q} * WG;
      if (unit < N) {
        let row = km * N + unit;
        ${body(q)}
      }
    }`;
    return unrolled ? range(p.U).map((q) => block(`${q}u`)).join('\n') : `for (var q = 0u; q < U; q++) ${block('q')}`;
  };
  /** `body(j)` for each chunk j of 4 inputs. */
  const perJ = (body: (j: string) => string): string =>
    unrolled ? range(p.M4).map((j) => body(`${j}u`)).join('\n') : `for (var j4 = 0u; j4 < M4; j4++) { ${body('j4')} }`;
  /** W[q, j] as an expression, and a statement setting it. */
  const W = (q: string, j: string) => (unrolled ? `w_${parseInt(q)}_${parseInt(j)}` : `w_ld(row, ${j})`);
  const setW = (q: string, j: string, v: string) => (unrolled ? `${W(q, j)} = ${v};` : `w_st(row, ${j}, ${v});`);
  /** W's private gradient accumulator [q, j] (several chunks per step). */
  const G = (q: string, j: string) => `gw_${parseInt(q)}_${parseInt(j)}`;
  const vars = (prefix: string) =>
    range(p.U).map((q) => range(p.M4).map((j) => `var ${prefix}_${q}_${j}: vec4<f32>;`).join(' ')).join('\n  ');
  const decl = unrolled ? `${vars('w')}\n  ${p.chunks > 1 ? vars('gw') : ''}` : '';
  return { perUnit, perJ, W, setW, G, decl };
}

/** x chunk j of the current slot: a private copy (xRegisters) or workgroup memory. */
export const xAt = (p: KernelPlan, j: number) => (p.xRegisters ? `x_${j}` : `xs[xb + ${j}u]`);
/** Loads the current slot's inputs into the private copies. */
export const xLoad = (p: KernelPlan) => (p.xRegisters ? range(p.M4).map((j) => `x_${j} = xs[xb + ${j}u];`).join(' ') : '');
