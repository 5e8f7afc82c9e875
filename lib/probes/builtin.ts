/**
 * The built-in probes: activation rate (eq. 14) on the probe set and its exact Gaussian
 * value, weight norms, and loss on the probe set.
 */
import * as tf from '@tensorflow/tfjs';
import type { ProbeName, RunConfig } from '../core/config.js';
import { normalCdf } from '../core/normal.js';
import { prediction, perSampleLoss } from '../models/losses.js';
import type { Probe, ProbeContext } from './probe.js';

/**
 * Activation rate, eq. 14: the fraction of (unit, input) pairs of the probe set with
 * pre-activation > 0. Field `activationRate` (first hidden layer), and
 * `activationRate_l{k}` per hidden layer when there are several.
 */
export const activationRateProbe: Probe = {
  name: 'activation-rate',
  compute(ctx: ProbeContext): Record<string, number> {
    const hs = ctx.forwardOnProbeSet().preActivations;
    const rates = tf.tidy(() => hs.map((h) => tf.mean(tf.step(h)))).map((t) => {
      const v = t.dataSync()[0];
      t.dispose();
      return v;
    });
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
  compute(ctx: ProbeContext): Record<string, number> {
    const { W, b } = ctx.model.params;
    const w = W.dataSync();
    const bias = b ? b.dataSync() : null;
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
  compute(ctx: ProbeContext): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, p] of Object.entries(ctx.model.params)) {
      const data = p.dataSync();
      let sq = 0;
      for (let i = 0; i < data.length; i++) sq += data[i] * data[i];
      out[`norm_${name}`] = Math.sqrt(sq);
    }
    return out;
  },
};

/** Loss on the probe set (`probeLoss`) and the mean (p − y)² (`probeSqErr`), p = σ(f) for BCE, f for MSE. */
export const lossProbe: Probe = {
  name: 'loss',
  compute(ctx: ProbeContext): Record<string, number> {
    const f = ctx.forwardOnProbeSet().logits;
    const [loss, sq] = tf.tidy(() => [
      tf.mean(perSampleLoss(ctx.config.loss, f, ctx.probeY)),
      tf.mean(tf.square(tf.sub(prediction(ctx.config.loss, f), ctx.probeY))),
    ]);
    const out = { probeLoss: loss.dataSync()[0], probeSqErr: sq.dataSync()[0] };
    loss.dispose();
    sq.dispose();
    return out;
  },
};

const BUILTIN: Record<ProbeName, Probe> = {
  'activation-rate': activationRateProbe,
  'activation-rate-exact': exactActivationRateProbe,
  'weight-norms': weightNormsProbe,
  loss: lossProbe,
};

/** The built-in probes a config names. */
export function probesFor(cfg: RunConfig): Probe[] {
  return cfg.probes.map((name) => BUILTIN[name]);
}
