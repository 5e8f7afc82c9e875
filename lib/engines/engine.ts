/**
 * The engine interface: the arithmetic of training behind the one training loop
 * (train/loop.ts). An engine holds K members (runs that share an architecture; each has its own
 * η, seed, |B| and step budget) and advances them in lockstep. The loop owns everything else:
 * the probe schedule, records, divergence verdicts, checkpoints and cancellation.
 *
 * Engines: `tfjs` (any tfjs backend; K = 1 is the single-model path), `webgpu-fused` (one WGSL
 * dispatch advances every two-layer member many steps, data drawn on the device), `webgpu-dense`
 * (tiled WGSL kernels for FC, two-layer and CNN nets on any data, datasets uploaded once) and
 * `wasm-fused` (one WASM SIMD call per worker thread advances its two-layer members many steps). Every engine draws its data
 * from the counter-based streams of data/stream.ts, so a config gives the same records on every
 * engine (to float32 tolerance).
 *
 * The contract of one SGD step t (t = 0, 1, …) of an active member (η, |B|, loss of its config):
 * - its batch is slots b = 0 … |B|−1 of step t (data/stream.ts);
 * - every parameter p ← p − η·∂L/∂p, where L = (1/|B|)·Σ_b loss_b and every gradient is taken
 *   at the parameters before the step;
 * - its loss accumulator grows by L.
 * After the step the member has done s = t + 1 steps. When s is a multiple of `checkEvery`, the
 * divergence rule (engines/divergence.ts: a non-finite loss accumulator, or a parameter whose norm
 * is non-finite or above the member's `divergenceThreshold`) is applied; a member it flags is
 * frozen: it takes no further steps, keeps its parameters and loss accumulator as they are, and
 * is reported once by {@link Engine.takeFrozen} with step s.
 */
import type * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../core/config.js';

/** What an engine keeps of one member, for checkpoints. */
export interface MemberState {
  /** Parameters by name, float32, in the per-member shapes of {@link Engine.paramShapes}. */
  params: Record<string, Float32Array>;
  /** The member's loss accumulator (sum of batch-mean training losses since it was last reset). */
  lossSum: number;
}

/** A member the divergence rule froze, and the step count at which it did. */
export interface FrozenMember {
  member: number;
  step: number;
}

/** Options every engine takes. */
export interface EngineOptions {
  /** Apply the divergence rule after every step count that is a multiple of this. Default 100. */
  checkEvery?: number;
}

/** The engine names, recorded with every run as provenance. */
export const ENGINE_NAMES = ['tfjs', 'webgpu-fused', 'webgpu-dense', 'wasm-fused'] as const;
/** An engine name. */
export type EngineName = (typeof ENGINE_NAMES)[number];

/**
 * The per-sample gradient statistics of one step's batch, per parameter ([K] sums Σᵢ‖gᵢ‖² and [K, …] means ḡ,
 * owned by the caller), and each member's |B| (the n of the statistics).
 */
export interface BatchStats {
  stats: Record<string, { sumSq: tf.Tensor1D; mean: tf.Tensor }>;
  n: number[];
}

/** K members trained in lockstep. */
export interface Engine {
  /** Which engine this is. */
  readonly name: EngineName;
  /** The members' configs (same architecture; own η, seed, |B|, steps). */
  readonly configs: readonly RunConfig[];
  /** Parameter names and their per-member shapes, e.g. { W: [N, M], b: [N], V: [C, N] }. */
  readonly paramShapes: Readonly<Record<string, readonly number[]>>;
  /**
   * Runs steps `from` … `from + k − 1` for every member with `active[m]` (and not frozen).
   * Inactive and frozen members are untouched. Resolves when the work is done (on a GPU: when the
   * device has finished it), so that the loop can size its chunks and answer signals in time.
   */
  advance(from: number, k: number, active: readonly boolean[]): Promise<void>;
  /**
   * {@link advance}, and the per-sample gradient statistics of the batch of its last step (from + k − 1), at
   * the parameters before that step, taken from that step's own forward and backward pass (Cockpit's and
   * BackPACK's setting; the step applies their mean ḡ). Null when no member moved. Optional: the tfjs engine
   * has it, and configs whose probes need it are given that engine (engines/create.ts).
   */
  advanceWithBatchStats?(from: number, k: number, active: readonly boolean[]): Promise<BatchStats | null>;
  /** Members frozen by the divergence rule since the last call, each with its step count. */
  takeFrozen(): Promise<FrozenMember[]>;
  /** Each member's loss accumulator. */
  lossSums(): Promise<Float64Array>;
  /** Sets the loss accumulators of `members` to 0. */
  resetLoss(members: readonly number[]): Promise<void>;
  /** Σ p² of every parameter of every member: result[m][name]. */
  sumSquares(): Promise<Record<string, number>[]>;
  /**
   * Parameters as tensors on the active tfjs backend with a leading member axis: [K', …shape] for
   * `members` (default: all K, in order). An engine that cannot select returns all K (the caller
   * then gathers). Owned by the engine (do not dispose); valid until the next paramTensors,
   * advance, load or dispose. Probes read them through models/arch.ts.
   */
  paramTensors(members?: readonly number[]): Promise<Record<string, tf.Tensor>>;
  /** One member's state, for a checkpoint. */
  save(member: number): Promise<MemberState>;
  /** Restores one member's state (its next step is the loop's current step). */
  load(member: number, state: MemberState): Promise<void>;
  /** Frees everything the engine holds. */
  dispose(): void;
}

/** A fused engine: whether it covers a group of configs on a backend, and how to create it (engines/create.ts chooses). */
export interface FusedEngineFactory {
  name: EngineName;
  /** Null when it covers the configs on the active backend, else why not. */
  unsupported(cfgs: readonly RunConfig[], backend: string): string | null;
  create(cfgs: readonly RunConfig[], opts: EngineOptions): Promise<Engine>;
}
