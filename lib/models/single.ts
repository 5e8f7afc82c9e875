/**
 * Single models: the {@link Model} interface as a view of an architecture with one member.
 * `TwoLayerModel` and `SequentialNet` name the families and give their layers; all arithmetic is
 * the architecture's (models/arch.ts), so nothing is written twice.
 */
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_CONFIG, type RunConfig } from '../core/config.js';
import type { Architecture, Params } from './arch.js';
import { createArchitecture } from './create.js';
import { initMember } from './init.js';
import type { ForwardPass, Model, PerSampleStats } from './model.js';
import type { SequentialArch, LayerSpec } from './sequential.js';

/** A model of one member: its parameters as variables, its passes through the architecture. */
export class ArchModel implements Model {
  readonly family: string;
  readonly params: Readonly<Record<string, tf.Variable>>;
  readonly arch: Architecture;

  /** Initializes the parameters from the config's seed and init (or takes `initial`). */
  constructor(cfg: RunConfig, initial?: Record<string, Float32Array>) {
    this.arch = createArchitecture(cfg);
    this.family = cfg.model;
    const values = initial ?? initMember(cfg, this.arch);
    const params: Record<string, tf.Variable> = {};
    for (const [name, shape] of Object.entries(this.arch.shapes)) {
      // tf.variable keeps a reference to its initial tensor: create both in tidy so the initial one is freed
      params[name] = tf.tidy(() => tf.variable(tf.tensor(values[name], [...shape], 'float32'), true));
    }
    this.params = params;
  }

  /** The parameters with a member axis of 1 (caller disposes; use inside tf.tidy). */
  protected batched(): Params {
    return Object.fromEntries(Object.entries(this.params).map(([n, p]) => [n, tf.expandDims(p, 0)]));
  }

  forward(x: tf.Tensor2D): ForwardPass {
    return tf.tidy(() => {
      const f = this.arch.forward(this.batched(), tf.expandDims(x, 0) as tf.Tensor3D);
      return { preActivations: f.preActivations.map((h) => tf.squeeze(h, [0]) as tf.Tensor2D), logits: tf.squeeze(f.logits, [0]) as tf.Tensor2D };
    });
  }

  lossAndGradients(x: tf.Tensor2D, y: tf.Tensor1D): { loss: tf.Scalar; grads: Record<string, tf.Tensor> } {
    return tf.tidy(() => {
      const B = x.shape[0];
      const w = tf.fill([1, B], 1 / B) as tf.Tensor2D;
      const r = this.arch.lossAndGradients(this.batched(), tf.expandDims(x, 0) as tf.Tensor3D, tf.expandDims(y, 0) as tf.Tensor2D, w);
      const grads = Object.fromEntries(Object.entries(r.grads).map(([n, g]) => [n, tf.squeeze(g, [0])]));
      return { loss: tf.reshape(r.loss, []) as tf.Scalar, grads };
    });
  }

  perSampleGradientStats(x: tf.Tensor2D, y: tf.Tensor1D): Record<string, PerSampleStats> {
    return tf.tidy(() => {
      const s = this.arch.perSampleGradientStats(this.batched(), tf.expandDims(x, 0) as tf.Tensor3D, tf.expandDims(y, 0) as tf.Tensor2D);
      return Object.fromEntries(
        Object.entries(s).map(([n, st]) => [n, { sumSq: tf.reshape(st.sumSq, []) as tf.Scalar, mean: tf.squeeze(st.mean, [0]) }]),
      );
    });
  }

  dispose(): void {
    for (const p of Object.values(this.params)) p.dispose();
  }
}

/** Options of {@link TwoLayerModel}: any config fields; the rest take their defaults. */
export type TwoLayerOptions = Partial<RunConfig> & Pick<RunConfig, 'inputDim' | 'hidden'>;

/** f(x) = V·relu(Wx + b) with W [N, M], b [N] (optional), V [C, N]. */
export class TwoLayerModel extends ArchModel {
  constructor(opts: TwoLayerOptions) {
    super({ ...DEFAULT_CONFIG, probes: [], ...opts, model: 'two-layer' } as RunConfig);
  }
  /** First-layer weights [N, M]. */
  get W(): tf.Variable<tf.Rank.R2> {
    return this.params.W as tf.Variable<tf.Rank.R2>;
  }
  /** Hidden biases [N], or null. */
  get b(): tf.Variable<tf.Rank.R1> | null {
    return (this.params.b as tf.Variable<tf.Rank.R1> | undefined) ?? null;
  }
  /** Output weights [C, N]. */
  get V(): tf.Variable<tf.Rank.R2> {
    return this.params.V as tf.Variable<tf.Rank.R2>;
  }
}

/** A weight layer of a {@link SequentialNet}: its kind, variables and kernel size. */
export interface Layer {
  kind: 'dense' | 'conv';
  W: tf.Variable;
  b: tf.Variable | null;
  k?: number;
}

/** FC and CNN models (see models/sequential.ts). */
export class SequentialNet extends ArchModel {
  /** The weight layers in order. */
  get layers(): Layer[] {
    return (this.arch as SequentialArch).layers.map((l: LayerSpec) => ({ kind: l.kind, W: this.params[l.W], b: l.b ? this.params[l.b] : null, k: l.k }));
  }
}

/** The single model of a run's config. */
export function createModel(cfg: RunConfig): Model {
  return cfg.model === 'two-layer' ? new TwoLayerModel(cfg) : new SequentialNet(cfg);
}
