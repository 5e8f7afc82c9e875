/**
 * The probe interface (after tfjs-layers callbacks and Cockpit's quantities): a probe is a
 * small object with a name, an optional schedule and a compute step that returns plain
 * numbers. The trainer asks the probes due at a step for their values and builds what they
 * need (e.g. the forward pass on the probe set) lazily, only then. Adding a probe needs no
 * change to the trainer.
 */
import type * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../core/config.js';
import type { ForwardPass, Model } from '../models/model.js';
import type { Schedule } from './schedule.js';

/** What a probe may read at a step. Tensors it gets are owned by the trainer (do not dispose). */
export interface ProbeContext {
  /** SGD updates done so far. */
  readonly step: number;
  /** The run's config. */
  readonly config: RunConfig;
  /** The model being trained. */
  readonly model: Model;
  /** The fixed probe set: inputs [n, M] and labels [n]. */
  readonly probeX: tf.Tensor2D;
  readonly probeY: tf.Tensor1D;
  /** The forward pass on the probe set, computed on first call and shared by all probes due at this step. */
  forwardOnProbeSet(): ForwardPass;
}

/** A measured quantity. Values must be plain numbers (NaN allowed: it marks divergence). */
export interface Probe {
  /** Unique name. */
  readonly name: string;
  /** When it runs; the run's default schedule if omitted. */
  readonly schedule?: Schedule;
  /**
   * Computes the probe's values at `ctx.step`, keyed by record field. May return a promise:
   * read tensors with `await readTensor(t)` or `await t.data()` (GPU backends such as webgpu have
   * no synchronous reads in Node).
   */
  compute(ctx: ProbeContext): Record<string, number> | Promise<Record<string, number>>;
}
