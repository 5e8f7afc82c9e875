/**
 * The built-in probes: activation rate (eq. 14) on the probe set and its exact Gaussian
 * value, weight norms, and loss on the probe set.
 */
import * as tf from '@tensorflow/tfjs';
import type { ProbeName, RunConfig } from '../core/config.js';
import { normalCdf } from '../core/normal.js';
import { meanSquaredPredictionError, perSampleLoss } from '../models/losses.js';
import type { Probe, ProbeContext } from './probe.js';
import { readTensor } from '../backend/read.js';

/**
 * Activation rate, eq. 14: the fraction of (unit, input) pairs of the probe set with
 * pre-activation > 0. Field `activationRate` (first hidden layer), and
 * `activationRate_l{k}` per hidden layer when there are several.
 */
export const activationRateProbe: Probe = {
  name: 'activation-rate',
  async compute(ctx: ProbeContext): Promise<Record<string, number>> {
    const hs = ctx.forwardOnProbeSet().preActivations;
    const stacked = tf.tidy(() => tf.stack(hs.map((h) => tf.mean(tf.step(h)))));
    const rates = Array.from(await readTensor(stacked));
    stacked.dispose();
    const out: Record<string, number> = { activationRate: rates[0] };
    if (rates.length > 1) rates.forEach((r, k) => (out[`activationRate_l${k + 1}`] = r));
    return out;
  },
};

/**
 * Exact activation rate for x ~ N(0, I): w·x + b ~ N(b, ‖w‖²), so the rate is
 * mean_i Φ(b_i/‖w_i‖). Field `activationRateExact`. Two-layer models only.
 */
export const exactActivationRateProbe: Probe = {
  name: 'activation-rate-exact',
  async compute(ctx: ProbeContext): Promise<Record<string, number>> {
    const { W, b } = ctx.model.params;
    const w = await readTensor(W);
    const bias = b ? await readTensor(b) : null;
    const [N, M] = W.shape;
    let sum = 0;
    for (let i = 0; i < N; i++) {
      let sq = 0;
      for (let j = 0; j < M; j++) sq += w[i * M + j] * w[i * M + j];
      const bi = bias ? bias[i] : 0;
      const norm = Math.sqrt(sq);
      sum += norm > 0 ? normalCdf(bi / norm) : bi > 0 ? 1 : 0;
    }
    return { activationRateExact: sum / N };
  },
};

/** L2 (Frobenius) norm of every parameter: fields `norm_<param>`, e.g. `norm_V`, `norm_W`, `norm_b`. */
export const weightNormsProbe: Probe = {
  name: 'weight-norms',
  async compute(ctx: ProbeContext): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const [name, p] of Object.entries(ctx.model.params)) {
      const data = await readTensor(p);
      let sq = 0;
      for (let i = 0; i < data.length; i++) sq += data[i] * data[i];
      out[`norm_${name}`] = Math.sqrt(sq);
    }
    return out;
  },
};

/** Loss on the probe set (`probeLoss`) and the mean (p − y)² (`probeSqErr`): p = σ(f) for BCE, f for MSE; Σ_c (softmax_c − onehot_c)² for CE. */
export const lossProbe: Probe = {
  name: 'loss',
  async compute(ctx: ProbeContext): Promise<Record<string, number>> {
    const f = ctx.forwardOnProbeSet().logits;
    const both = tf.tidy(() => tf.stack([tf.mean(perSampleLoss(ctx.config.loss, f, ctx.probeY)), meanSquaredPredictionError(ctx.config.loss, f, ctx.probeY)]));
    const [probeLoss, probeSqErr] = await readTensor(both);
    both.dispose();
    return { probeLoss, probeSqErr };
  },
};

/**
 * Per-sample gradient variance: tr Cov of the per-sample gradients gᵢ of the per-sample losses
 * on the first `gradVarSamples` inputs of the probe set (drawn apart from the training order),
 * (1/n)Σᵢ‖gᵢ‖² − ‖ḡ‖² (times n/(n − 1) with `gradVarUnbiased`). Fields `gradVar` (all
 * parameters) and `gradVar_<param>` per parameter. One forward and one backward pass (see
 * Model.perSampleGradientStats).
 */
export const gradVarianceProbe: Probe = {
  name: 'grad-variance',
  async compute(ctx: ProbeContext): Promise<Record<string, number>> {
    const n = Math.min(ctx.config.gradVarSamples, ctx.probeX.shape[0]);
    const names: string[] = [];
    const values = tf.tidy(() => {
      const x = n === ctx.probeX.shape[0] ? ctx.probeX : (tf.slice(ctx.probeX, [0, 0], [n, -1]) as tf.Tensor2D);
      const y = n === ctx.probeY.shape[0] ? ctx.probeY : (tf.slice(ctx.probeY, [0], [n]) as tf.Tensor1D);
      const stats = ctx.model.perSampleGradientStats(x, y);
      const parts: tf.Tensor[] = [];
      for (const [name, st] of Object.entries(stats)) {
        names.push(name);
        parts.push(tf.sub(tf.div(st.sumSq, n), tf.sum(tf.square(st.mean))));
      }
      return tf.stack(parts);
    });
    const v = await readTensor(values);
    values.dispose();
    const scale = ctx.config.gradVarUnbiased && n > 1 ? n / (n - 1) : 1;
    const out: Record<string, number> = {};
    let total = 0;
    names.forEach((name, i) => {
      out[`gradVar_${name}`] = v[i] * scale;
      total += v[i] * scale;
    });
    out.gradVar = total;
    return out;
  },
};

const BUILTIN: Record<ProbeName, Probe> = {
  'grad-variance': gradVarianceProbe,
  'activation-rate': activationRateProbe,
  'activation-rate-exact': exactActivationRateProbe,
  'weight-norms': weightNormsProbe,
  loss: lossProbe,
};

/** The built-in probes a config names. */
export function probesFor(cfg: RunConfig): Probe[] {
  return cfg.probes.map((name) => BUILTIN[name]);
}
