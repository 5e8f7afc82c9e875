/**
 * The probe interface (after tfjs-layers callbacks and Cockpit's quantities): a probe is a small
 * object with a name, an optional schedule and a compute step that returns plain numbers, one per
 * member. Probes work on a member axis, so every engine (single model, ensemble, fused kernels)
 * gets every probe, custom ones included. The training loop asks the probes due at a step for
 * their values and builds what they need (the forward pass on the probe set) lazily, only then.
 * Adding a probe needs no change to the loop.
 */
import type * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../core/config.js';
import type { Architecture, BatchedForward, MemberStats, Params } from '../models/arch.js';
import type { Schedule } from './schedule.js';

/** The members being measured, as one model with a leading member axis. */
export interface MemberModel {
  /** The architecture (family, per-member parameter shapes). */
  readonly arch: Architecture;
  /** Parameters [K', …shape] of the K' members measured. */
  readonly params: Params;
  /** Forward pass of each member on its own inputs x [K', n, M]. */
  forward(x: tf.Tensor3D): BatchedForward;
  /** Per-sample gradient statistics of each member on x [K', n, M], y [K', n]. */
  perSampleGradientStats(x: tf.Tensor3D, y: tf.Tensor2D): Record<string, MemberStats>;
}

/** What a probe may read at a step. Tensors it gets are owned by the loop (do not dispose them). */
export interface ProbeContext {
  /** SGD updates done so far. */
  readonly step: number;
  /** Number of members measured (K'). */
  readonly size: number;
  /** Their configs, in member order. */
  readonly configs: readonly RunConfig[];
  /** The first member's config (the members share everything but η, seed, |B| and steps). */
  readonly config: RunConfig;
  /** The members' model. */
  readonly model: MemberModel;
  /** Each member's fixed probe set: inputs [K', n, M] and labels [K', n]. */
  readonly probeX: tf.Tensor3D;
  readonly probeY: tf.Tensor2D;
  /** The forward pass on the probe sets, computed on first call and shared by all probes due at this step. */
  forwardOnProbeSet(): BatchedForward;
  /**
   * The first min(size, probeSamples) samples, in index order, of each member's training set: the fixed set of
   * a run with `trainSize` > 0, or an image dataset's training split (which SGD samples); null for online SGD on
   * synthetic data. Inputs [K', n, M] and labels [K', n]; built on first call, owned by the loop.
   */
  trainingSample(): Promise<{ x: tf.Tensor3D; y: tf.Tensor2D } | null>;
  /**
   * The per-sample gradient statistics of the training batch of the step that led to this one (step − 1, at
   * the parameters before it), from that step's own forward and backward pass, for the members measured, with
   * each one's |B|; null where there is none (step 0, the first record after a resume, a record forced by
   * divergence at a step other than the last advance's end, an engine without `advanceWithBatchStats`). Only for probes with `batchStats`.
   */
  batchStats(): { stats: Record<string, MemberStats>; n: number[] } | null;
}

/** A probe's values: per record field, one number per member (or one number for all of them; NaN marks divergence). */
export type ProbeValues = Record<string, number | ArrayLike<number>>;

/** A measured quantity. */
export interface Probe {
  /** Unique name. */
  readonly name: string;
  /** When it runs; the run's default schedule if omitted. */
  readonly schedule?: Schedule;
  /** Whether it reads {@link ProbeContext.batchStats}: the loop then runs the step before each due step with statistics. */
  readonly batchStats?: boolean;
  /**
   * Computes the values at `ctx.step`, keyed by record field. May return a promise: read tensors
   * with `await t.data()` (GPU backends have no synchronous reads in Node).
   */
  compute(ctx: ProbeContext): ProbeValues | Promise<ProbeValues>;
}

/** Value of field values for member i: arrays are indexed, single numbers apply to every member. */
export function memberValue(v: number | ArrayLike<number>, i: number): number {
  return typeof v === 'number' ? v : Number(v[i]);
}
