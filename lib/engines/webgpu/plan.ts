/**
 * How the fused two-layer kernel is laid out on a device: workgroup size, hidden units per
 * invocation, whether W rows live in private memory, how many batch slots are processed at once
 * (and whether a gradient scratch buffer is needed), and how members are split into groups whose
 * buffers fit one storage binding. A sweep that cannot fit the device's limits gives a
 * ConfigError naming what to reduce and the limit.
 */
import type { InputName, LossName } from '../../core/config.js';
import { ConfigError } from '../../core/errors.js';
import { feistelBits } from '../../data/stream.js';

/** The device limits the plan depends on (a subset of GPUSupportedLimits). */
export interface PlanLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  maxComputeWorkgroupStorageSize: number;
  maxComputeInvocationsPerWorkgroup: number;
  maxComputeWorkgroupSizeX: number;
  maxComputeWorkgroupsPerDimension: number;
  maxStorageBuffersPerShaderStage: number;
}

/** The limit names of {@link PlanLimits}. */
export const PLAN_LIMIT_NAMES: readonly (keyof PlanLimits)[] = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
];

/** What the members share, plus their count and largest batch. */
export interface PlanShape {
  inputDim: number;
  hidden: number;
  classes: number;
  bias: boolean;
  loss: LossName;
  input: InputName;
  trainSize: number;
  members: number;
  maxBatch: number;
}

/** Tuning knobs (defaults suit NVIDIA GPUs and llvmpipe alike). */
export interface PlanTuning {
  /** Largest workgroup (default 256). */
  maxWorkgroupSize?: number;
  /** Largest W row (floats, per invocation, M rounded up to 4) kept in private memory (default 128; 0: always storage). */
  privateFloats?: number;
  /** Largest number of batch slots processed together (default 32). */
  maxChunk?: number;
  /**
   * Copy each slot's inputs from workgroup memory into private variables before use (with private
   * W rows only). Good on CPU adapters (llvmpipe loads workgroup memory lane by lane), costly in
   * registers on GPUs. Default false.
   */
  xRegisters?: boolean;
}

/** A contiguous range of members that share one set of buffers and one dispatch. */
export interface MemberGroup {
  first: number;
  count: number;
}

/** The kernel's layout. */
export interface KernelPlan {
  M: number;
  /** ⌈M/4⌉: x and private W rows are vec4 arrays, zero-padded. */
  M4: number;
  N: number;
  C: number;
  bias: boolean;
  loss: LossName;
  input: 'gaussian' | 'uniform';
  /** Fixed set size n (0: online). */
  trainSize: number;
  /** Feistel half-width of the fixed set's permutation. */
  feistelBits: number;
  /** Invocations per workgroup (one workgroup per member). */
  WG: number;
  /** Hidden units per invocation, ⌈N/WG⌉ (unit u = lid + q·WG). */
  U: number;
  /** Whether each invocation keeps its W rows in private memory (else it reads and writes W in storage). */
  privateW: boolean;
  /** Whether each slot's inputs are copied into private variables (with privateW only). */
  xRegisters: boolean;
  /** Batch slots processed together. */
  BC: number;
  /** Chunks per step, ⌈maxBatch/BC⌉; with more than one, W's gradient is accumulated over the step (private or in G). */
  chunks: number;
  /** Whether W's gradient is accumulated in the storage scratch buffer G (several chunks, W rows in storage). */
  gradScratch: boolean;
  /** 2: inputs double-buffered in workgroup memory (one barrier less per chunk). */
  xsBuffers: 1 | 2;
  /** Partial sums per segment of the logits' reduction, and segments. */
  SEG: number;
  NSEG: number;
  /** Workgroup memory used, bytes. */
  sharedBytes: number;
  /** Member groups, each within one storage binding and one dispatch's workgroup count. */
  groups: MemberGroup[];
}

const SEGMENT = 16;
/** Words per member of the config buffer (struct Cfg: η, |B|, seed, threshold, active, padding). */
export const CFG_WORDS = 8;
/** Words per member in the state buffer: loss (hi, lo, float part) and status (frozen, step). */
export const STATE_WORDS = 5;

/** Workgroup memory (bytes) of a layout. */
export function sharedBytes(M4: number, C: number, WG: number, BC: number, xsBuffers: number, fixed: boolean): number {
  const nseg = Math.ceil(WG / SEGMENT);
  const words = xsBuffers * BC * M4 * 4 + Math.max(BC * C, 3) * WG + BC * C * nseg + BC * C + BC * (fixed ? 3 : 2) + 2;
  return 4 * words + 64;
}

/** Plans the kernel for `shape` on a device with `limits`; throws a ConfigError when it cannot fit. */
export function planTwoLayer(shape: PlanShape, limits: PlanLimits, tuning: PlanTuning = {}): KernelPlan {
  const { inputDim: M, hidden: N, classes: C, members: K } = shape;
  if (shape.input !== 'gaussian' && shape.input !== 'uniform') {
    throw new ConfigError('config.input', shape.input, "'gaussian' or 'uniform'");
  }
  const M4 = Math.ceil(M / 4);
  const fixed = shape.trainSize > 0;
  const wgLimit = Math.min(limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX);
  const wgCap = Math.max(1, Math.min(tuning.maxWorkgroupSize ?? 256, wgLimit));
  const maxChunk = Math.max(1, Math.min(tuning.maxChunk ?? 32, shape.maxBatch));
  const sizes: number[] = [];
  for (let wg = Math.min(N, wgCap); ; wg = Math.ceil(wg / 2)) {
    sizes.push(wg);
    if (wg === 1) break;
  }
  let chosen: { WG: number; BC: number } | null = null;
  for (const WG of sizes) {
    for (let bc = maxChunk; bc >= 1 && !chosen; bc--) {
      if (sharedBytes(M4, C, WG, bc, 1, fixed) <= limits.maxComputeWorkgroupStorageSize) chosen = { WG, BC: bc };
    }
    if (chosen) break;
  }
  if (!chosen) {
    const maxM = Math.floor((limits.maxComputeWorkgroupStorageSize - sharedBytes(0, C, 1, 1, 1, fixed)) / 4);
    const size = limits.maxComputeWorkgroupStorageSize;
    const why = `one input of inputDim floats, with classes = ${C}, must fit maxComputeWorkgroupStorageSize = ${size} bytes`;
    throw new ConfigError('config.inputDim', M, `at most about ${maxM} on this device (${why}): reduce inputDim or classes`);
  }
  const { WG } = chosen;
  const chunks = Math.ceil(shape.maxBatch / chosen.BC);
  const BC = Math.ceil(shape.maxBatch / chunks);
  const U = Math.ceil(N / WG);
  const xsBuffers: 1 | 2 = sharedBytes(M4, C, WG, BC, 2, fixed) <= limits.maxComputeWorkgroupStorageSize ? 2 : 1;
  const privateLimit = tuning.privateFloats ?? (WG > 128 ? 64 : 128);
  const privateW = U * M4 * 4 <= privateLimit;
  const gradScratch = chunks > 1 && !privateW;
  const storageNeeded = 4 + (shape.bias ? 1 : 0) + (gradScratch ? 1 : 0);
  if (limits.maxStorageBuffersPerShaderStage < storageNeeded) {
    const allowed = `>= ${storageNeeded} (W, b, V, configs, state and gradient scratch buffers)`;
    throw new ConfigError('webgpu.maxStorageBuffersPerShaderStage', limits.maxStorageBuffersPerShaderStage, allowed);
  }
  const groups = memberGroups(M, N, C, K, limits);
  return {
    M,
    M4,
    N,
    C,
    bias: shape.bias,
    loss: shape.loss,
    input: shape.input,
    trainSize: shape.trainSize,
    feistelBits: fixed ? feistelBits(shape.trainSize) : 1,
    WG,
    U,
    privateW,
    xRegisters: privateW && (tuning.xRegisters ?? false),
    BC,
    chunks,
    gradScratch,
    xsBuffers,
    SEG: SEGMENT,
    NSEG: Math.ceil(WG / SEGMENT),
    sharedBytes: sharedBytes(M4, C, WG, BC, xsBuffers, fixed),
    groups,
  };
}

/** Splits K members into groups whose W (and gradient scratch), V and state fit one binding and one dispatch. */
function memberGroups(M: number, N: number, C: number, K: number, limits: PlanLimits): MemberGroup[] {
  const binding = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const wBytes = N * M * 4;
  if (wBytes > binding) {
    const what = `hidden·inputDim·4 bytes (one member's W: ${N}·${M}·4 = ${wBytes})`;
    const limit = `${binding} (maxStorageBufferBindingSize of this device)`;
    throw new ConfigError('config.hidden', N, `${what} <= ${limit}: reduce hidden or inputDim`);
  }
  const perGroup = Math.min(Math.floor(binding / wBytes), Math.floor(binding / (C * N * 4)), limits.maxComputeWorkgroupsPerDimension);
  if (K * Math.max(CFG_WORDS, STATE_WORDS) * 4 > binding) {
    const most = `at most ${Math.floor(binding / (CFG_WORDS * 4))} members on this device (maxStorageBufferBindingSize = ${binding})`;
    throw new ConfigError('members', K, `${most}: reduce the number of members (seeds × learning rates)`);
  }
  const groups: MemberGroup[] = [];
  for (let first = 0; first < K; first += perGroup) groups.push({ first, count: Math.min(perGroup, K - first) });
  return groups;
}

/** The limits of a device as {@link PlanLimits}, optionally lowered (never raised) by `override`. */
export function planLimits(deviceLimits: Readonly<Record<string, number>>, override: Partial<PlanLimits> = {}): PlanLimits {
  const out = {} as PlanLimits;
  for (const name of PLAN_LIMIT_NAMES) {
    const have = Number(deviceLimits[name]);
    const want = override[name];
    out[name] = want !== undefined ? Math.min(have, want) : have;
  }
  return out;
}
