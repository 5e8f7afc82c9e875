/**
 * A tiled batched matmul in WGSL, specialized per job: out[r, c] = Σ_k a(r, k)·b(k, c) for one
 * member (its operands are read through the job's load expressions, which index by `ml`), a
 * TR × TC tile per workgroup staged through workgroup memory in chunks of TK, each invocation
 * holding an RR × RC block of accumulators (rows ty + i·TY, columns tx + j·TX: conflict-free
 * reads of the staged tiles and coalesced stores), then the job's epilogue per valid output.
 * An operand read along k (neighbouring invocations stage neighbouring k of one row) is staged
 * with a padded row stride (plan.ts's stagedStride), so that those stores fall in different banks
 * of workgroup memory.
 */
import { stagedStride, type Tile } from './plan.js';

/** A matmul job's operands and epilogue (WGSL expressions and statements; `ml`, `eta` are in scope). */
export interface MatmulSpec {
  /** The function is `mm_<name>`. */
  name: string;
  tile: Tile;
  /** Number of columns (compile time); rows and depth are arguments. */
  cols: number;
  /** a(r, k), and which of its indices runs along memory. */
  a: { load: (r: string, k: string) => string; fast: 'r' | 'k' };
  /** b(k, c), and which of its indices runs along memory. */
  b: { load: (k: string, c: string) => string; fast: 'k' | 'c' };
  /** Statements for one output (r < rows, c < cols), the sum in `acc`. */
  epilogue: (r: string, c: string, acc: string) => string;
}

const u = (x: number) => `${x}u`;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Staging loop of one operand tile [TK × T] into workgroup array `arr` (index kk·stride + x). */
function stage(arr: string, T: number, TK: number, fastX: boolean, x0: string, bound: string, load: (x: string, k: string) => string):
  string {
  const n = TK * T;
  const split = fastX ? `let xx = e % ${u(T)}; let kk = e / ${u(T)};` : `let kk = e % ${u(TK)}; let xx = e / ${u(TK)};`;
  return `for (var e = lid; e < ${u(n)}; e += WG) {
      ${split}
      let x = ${x0} + xx;
      let k = k0 + kk;
      var v = 0.0;
      if (x < ${bound} && k < depth) { v = ${load('x', 'k')}; }
      ${arr}[kk * ${u(stagedStride(T, TK, fastX))} + xx] = v;
    }`;
}

/** `fn mm_<name>(ml, r0, c0, rows, depth, lid, eta, kb)`: one output tile at (r0, c0), summed over k in [kb, depth). */
export function matmulFn(spec: MatmulSpec): string {
  const { TX, TY, RR, RC, TR, TC, TK } = spec.tile;
  const acc = (i: number, j: number) => `acc_${i}_${j}`;
  const decl = range(RR).map((i) => range(RC).map((j) => `var ${acc(i, j)} = 0.0;`).join(' ')).join('\n  ');
  const loadA = range(RR).map((i) => `let a${i} = As[base_a + ${u(i * TY)}];`).join(' ');
  const loadB = range(RC).map((j) => `let b${j} = Bs[base_b + ${u(j * TX)}];`).join(' ');
  const fma = range(RR).map((i) => range(RC).map((j) => `${acc(i, j)} += a${i} * b${j};`).join(' ')).join('\n      ');
  const outs = range(RR)
    .flatMap((i) => range(RC).map((j) => `{
    let r = r0 + ty + ${u(i * TY)};
    let c = c0 + tx + ${u(j * TX)};
    if (r < rows && c < ${u(spec.cols)}) {
      let acc = ${acc(i, j)};
      ${spec.epilogue('r', 'c', 'acc')}
    }
  }`))
    .join('\n  ');
  return `
fn mm_${spec.name}(ml: u32, r0: u32, c0: u32, rows: u32, depth: u32, lid: u32, eta: f32, kb: u32) {
  let tx = lid % ${u(TX)};
  let ty = lid / ${u(TX)};
  ${decl}
  for (var k0 = kb; k0 < depth; k0 += ${u(TK)}) {
    ${stage('As', TR, TK, spec.a.fast === 'r', 'r0', 'rows', (x, k) => spec.a.load(x, k))}
    ${stage('Bs', TC, TK, spec.b.fast === 'c', 'c0', u(spec.cols), (x, k) => spec.b.load(k, x))}
    workgroupBarrier();
    for (var kk = 0u; kk < ${u(TK)}; kk++) {
      let base_a = kk * ${u(stagedStride(TR, TK, spec.a.fast === 'r'))} + ty;
      let base_b = kk * ${u(stagedStride(TC, TK, spec.b.fast === 'c'))} + tx;
      ${loadA}
      ${loadB}
      ${fma}
    }
    workgroupBarrier();
  }
  ${outs}
}
`;
}

/**
 * `fn job_<name>(ml, tile, B, lid)` of a job whose workgroups each compute one output tile of
 * `mm_<name>` over the whole depth: `rows` (a WGSL expression of B) rows, `colTiles` tiles across.
 * Tiles past the member's rows return at once (a workgroup-uniform condition).
 */
export function tiledJobFn(name: string, tile: Tile, colTiles: number, rows: string, depth: number): string {
  return `
fn job_${name}(ml: u32, tile: u32, B: u32, lid: u32) {
  let rows = ${rows};
  let r0 = (tile / ${u(colTiles)}) * ${u(tile.TR)};
  if (r0 >= rows) {
    return;
  }
  mm_${name}(ml, r0, (tile % ${u(colTiles)}) * ${u(tile.TC)}, rows, ${u(depth)}, lid, 0.0, 0u);
}`;
}
