/**
 * The scaffolding every webgpu-dense kernel shares: the bindings of device.ts's layout, the
 * per-step uniform, member config accessors, the staged-tile workgroup arrays, a workgroup sum,
 * and a `main` that maps a flat workgroup index to (job, member, tile) and runs the job for live
 * members only (active in this advance and not frozen), with the member's |B| made uniform.
 */
import { PHILOX_WGSL } from '../webgpu/philox.wgsl.js';
import { STREAM_WGSL } from '../webgpu/stream.wgsl.js';
import { BINDING, GRID_X } from './device.js';
import { tileFloats, type DensePlan, type Tile } from './plan.js';

/**
 * The longest loop walk of one invocation of a job (loops.ts): its loop iterations, all loops
 * together (an upper bound), what they walk over (for messages, e.g. "layer 1's update (a sum over
 * batchSize = 50000 samples)") and the config field whose value sets their number.
 */
export interface LoopWalk {
  iterations: number;
  what: string;
  field: string;
  value: number;
}

/** One job of a kernel: `tiles` workgroups per member running `fn job_<name>(ml, tile, B, lid)`. */
export interface Job {
  name: string;
  tiles: number;
  /** WGSL: the job function and its helpers. */
  code: string;
  /** Its longest loop walk, counted beside the loops it counts. */
  loops: LoopWalk;
}

/** Loop iterations of wg_sum (a halving loop over WG). */
export const wgSumIterations = (WG: number) => Math.log2(WG);

/** Words per member of the consts buffer's config records: η, |B|, seed, threshold, live. */
export const CFG_WORDS = 8;
/** Fields of the per-step uniform: t, flags (bit 0: apply the divergence rule), base member, member count, K. */
export const STEP_WORDS = 8;

/** The declarations every kernel starts with; `tiles` size the staging arrays. */
export function header(plan: DensePlan, tiles: readonly Tile[], streams: boolean): string {
  const f = tileFloats(tiles, plan.WG);
  const parts = plan.images?.parts ?? 0;
  const image = (i: number) => `@group(0) @binding(${BINDING.image0 + i}) var<storage, read> img${i}: array<u32>;`;
  const images = Array.from({ length: parts }, (_, i) => image(i)).join('\n');
  return `${streams ? `${PHILOX_WGSL}\n${STREAM_WGSL}` : ''}
const WG: u32 = ${plan.WG}u;
const BMAX: u32 = ${plan.Bmax}u;

struct Step { t: u32, flags: u32, base: u32, count: u32, kall: u32, p0: u32, p1: u32, p2: u32 }

@group(0) @binding(${BINDING.step}) var<uniform> S: Step;
@group(0) @binding(${BINDING.consts}) var<storage, read> consts: array<u32>;
@group(0) @binding(${BINDING.state}) var<storage, read_write> st: array<u32>;
@group(0) @binding(${BINDING.params}) var<storage, read_write> P: array<f32>;
@group(0) @binding(${BINDING.acts}) var<storage, read_write> A: array<f32>;
@group(0) @binding(${BINDING.deltas}) var<storage, read_write> D: array<f32>;
${images}

var<workgroup> As: array<f32, ${f.a}u>;
var<workgroup> Bs: array<f32, ${f.b}u>;
var<workgroup> wg_info: vec4<u32>;
var<workgroup> wg_b: u32;

fn cfg_eta(m: u32) -> f32 { return bitcast<f32>(consts[${CFG_WORDS}u * m]); }
fn cfg_batch(m: u32) -> u32 { return consts[${CFG_WORDS}u * m + 1u]; }
fn cfg_seed(m: u32) -> u32 { return consts[${CFG_WORDS}u * m + 2u]; }
fn cfg_thresh(m: u32) -> f32 { return bitcast<f32>(consts[${CFG_WORDS}u * m + 3u]); }
fn cfg_live(m: u32) -> u32 { return consts[${CFG_WORDS}u * m + 4u]; }
fn frozen(m: u32) -> u32 { return st[4u * S.kall + 4u * m]; }

fn finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

// Σ over the workgroup of v (every invocation gets the sum); uses As[0 … WG).
fn wg_sum(lid: u32, v: f32) -> f32 {
  As[lid] = v;
  workgroupBarrier();
  for (var w = WG / 2u; w > 0u; w = w / 2u) {
    if (lid < w) { As[lid] = As[lid] + As[lid + w]; }
    workgroupBarrier();
  }
  let s = As[0];
  workgroupBarrier();
  return s;
}
`;
}

/** A kernel running `jobs` side by side (they must touch disjoint data); `tiles` are the matmul tiles its jobs use. */
export function jobKernel(plan: DensePlan, jobs: readonly Job[], tiles: readonly Tile[], streams = false): string {
  const pick = jobs
    .map((j, i) => `if (job == ${jobs.length}u) {
      let n = S.count * ${j.tiles}u;
      if (f < n) { job = ${i}u; ml = f / ${j.tiles}u; tile = f % ${j.tiles}u; } else { f -= n; }
    }`)
    .join('\n    ');
  const run = jobs.map((j, i) => `if (info.x == ${i}u) { job_${j.name}(info.y, info.z, B, lid); }`).join('\n  else ');
  return `${header(plan, tiles, streams)}
${jobs.map((j) => j.code).join('\n')}

@compute @workgroup_size(${plan.WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  if (lid == 0u) {
    var f = wid.x + wid.y * ${GRID_X}u;
    var job = ${jobs.length}u;
    var ml = 0u;
    var tile = 0u;
    ${pick}
    var live = 0u;
    var b = 0u;
    if (job < ${jobs.length}u) {
      let m = S.base + ml;
      live = select(0u, 1u, cfg_live(m) != 0u && frozen(m) == 0u);
      b = cfg_batch(m);
    }
    wg_info = vec4<u32>(job, ml, tile, live);
    wg_b = b;
  }
  let info = workgroupUniformLoad(&wg_info);
  let B = workgroupUniformLoad(&wg_b);
  if (info.w == 0u) {
    return;
  }
  ${run}
}
`;
}

/** Workgroups of a kernel's dispatch for a group of `count` members. */
export function jobWorkgroups(jobs: readonly Job[], count: number): number {
  return count * jobs.reduce((s, j) => s + j.tiles, 0);
}
