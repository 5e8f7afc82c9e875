/**
 * The built-in probes, on a member axis: activation rate (eq. 14) on the probe set and its exact
 * Gaussian value, weight norms, loss on the probe set, and the per-sample gradient variance.
 * Each reads back only its [K'] results.
 */
import * as tf from '@tensorflow/tfjs';
import type { ProbeName, RunConfig } from '../core/config.js';
import { normalCdf } from '../core/normal.js';
import { perSampleLoss, squaredPredictionError } from '../models/losses.js';
import { gradientVariance } from '../models/perSample.js';
import { readTensor } from '../backend/read.js';
import type { Probe, ProbeContext, ProbeValues } from './probe.js';
import { configSchedule } from './schedule.js';
import { soretProbe } from './soret.js';

/** Reads [L, K'] stacked rows back as L arrays. */
async function readRows(t: tf.Tensor2D): Promise<Float32Array[]> {
  const [L, K] = t.shape;
  const data = (await readTensor(t)) as Float32Array;
  t.dispose();
  return Array.from({ length: L }, (_, l) => data.slice(l * K, (l + 1) * K));
}

/**
 * Activation rate, eq. 14: the fraction of (unit, input) pairs of the probe set with
 * pre-activation > 0. Field `activationRate` (first hidden layer), and `activationRate_l{k}` per
 * hidden layer when there are several.
 */
export const activationRateProbe: Probe = {
  name: 'activation-rate',
  async compute(ctx: ProbeContext): Promise<ProbeValues> {
    const hs = ctx.forwardOnProbeSet().preActivations;
    const rates = await readRows(tf.tidy(() => tf.stack(hs.map((h) => tf.mean(tf.step(h), [1, 2]))) as tf.Tensor2D));
    const out: ProbeValues = { activationRate: rates[0] };
    if (rates.length > 1) rates.forEach((r, k) => (out[`activationRate_l${k + 1}`] = r));
    return out;
  },
};

/**
 * Exact activation rate for x ~ N(0, I): w·x + b ~ N(b, ‖w‖²), so the rate is mean_i Φ(b_i/‖w_i‖).
 * Field `activationRateExact`. Two-layer models only; the row norms are reduced on the device and
 * Φ is evaluated in float64 on the host.
 */
export const exactActivationRateProbe: Probe = {
  name: 'activation-rate-exact',
  async compute(ctx: ProbeContext): Promise<ProbeValues> {
    const { W, b } = ctx.model.params;
    const K = W.shape[0];
    const N = W.shape[1] as number;
    const normsT = tf.tidy(() => tf.sqrt(tf.sum(tf.square(W), 2)));
    const norms = await readTensor(normsT);
    normsT.dispose();
    const bias = b ? await readTensor(b) : null;
    const rate = new Float64Array(K);
    for (let m = 0; m < K; m++) {
      let sum = 0;
      for (let i = 0; i < N; i++) {
        const norm = norms[m * N + i];
        const bi = bias ? bias[m * N + i] : 0;
        // a broken (diverged) member reads NaN whether its state is NaN or ±Inf
        if (!Number.isFinite(norm) || !Number.isFinite(bi)) sum = NaN;
        else sum += norm > 0 ? normalCdf(bi / norm) : bi > 0 ? 1 : 0;
      }
      rate[m] = sum / N;
    }
    return { activationRateExact: rate };
  },
};

/**
 * L2 (Frobenius) norm of every parameter, fields `norm_<param>` (e.g. `norm_V`, `norm_W`, `norm_b`),
 * and the sum of every bias vector, `sum_<param>` (e.g. `sum_b`: the paper predicts biases pushed negative).
 */
export const weightNormsProbe: Probe = {
  name: 'weight-norms',
  async compute(ctx: ProbeContext): Promise<ProbeValues> {
    const names = Object.keys(ctx.model.params);
    const biases = names.filter((n) => /^b\d*$/.test(n));
    const rows = await readRows(
      tf.tidy(() => {
        const flat = (n: string) => tf.reshape(ctx.model.params[n], [ctx.size, -1]);
        return tf.stack([...names.map((n) => tf.sqrt(tf.sum(tf.square(flat(n)), 1))), ...biases.map((n) => tf.sum(flat(n), 1))]) as tf.Tensor2D;
      }),
    );
    const out: ProbeValues = Object.fromEntries(names.map((n, i) => [`norm_${n}`, rows[i]]));
    biases.forEach((n, i) => (out[`sum_${n}`] = rows[names.length + i]));
    return out;
  },
};

/** Loss on the probe set (`probeLoss`) and the mean Σ_c (p_c − y_c)² (`probeSqErr`): p = σ(f) for BCE, f for MSE, softmax for CE. */
export const lossProbe: Probe = {
  name: 'loss',
  async compute(ctx: ProbeContext): Promise<ProbeValues> {
    const f = ctx.forwardOnProbeSet().logits;
    const loss = ctx.config.loss;
    const [probeLoss, probeSqErr] = await readRows(
      tf.tidy(() => tf.stack([tf.mean(perSampleLoss(loss, f, ctx.probeY), 1), tf.mean(squaredPredictionError(loss, f, ctx.probeY), 1)]) as tf.Tensor2D),
    );
    return { probeLoss, probeSqErr };
  },
};

/**
 * Per-sample gradient variance: tr Cov of the per-sample gradients gᵢ of the per-sample losses on
 * the first `gradVarSamples` inputs of the probe set (drawn apart from the training stream),
 * (1/n)Σᵢ‖gᵢ‖² − ‖ḡ‖² (times n/(n − 1) with `gradVarUnbiased`). Fields `gradVar` (all
 * parameters) and `gradVar_<param>`. One forward and one backward pass (Architecture.perSampleGradientStats).
 */
export const gradVarianceProbe: Probe = {
  name: 'grad-variance',
  async compute(ctx: ProbeContext): Promise<ProbeValues> {
    const total = ctx.probeX.shape[1];
    const n = Math.min(ctx.config.gradVarSamples, total);
    const names: string[] = [];
    const rows = await readRows(
      tf.tidy(() => {
        const x = n === total ? ctx.probeX : (tf.slice(ctx.probeX, [0, 0, 0], [-1, n, -1]) as tf.Tensor3D);
        const y = n === total ? ctx.probeY : (tf.slice(ctx.probeY, [0, 0], [-1, n]) as tf.Tensor2D);
        const stats = ctx.model.perSampleGradientStats(x, y);
        const parts: tf.Tensor[] = [];
        for (const [name, st] of Object.entries(stats)) {
          names.push(name);
          parts.push(gradientVariance(st, n));
        }
        return tf.stack(parts) as tf.Tensor2D;
      }),
    );
    const scale = ctx.config.gradVarUnbiased && n > 1 ? n / (n - 1) : 1;
    const out: ProbeValues = {};
    const sum = new Float64Array(ctx.size);
    names.forEach((name, i) => {
      const v = Float64Array.from(rows[i], (x) => x * scale);
      out[`gradVar_${name}`] = v;
      v.forEach((x, m) => (sum[m] += x));
    });
    out.gradVar = sum;
    return out;
  },
};

/**
 * Per-sample gradient variance of the training batch (Cockpit's setting): tr Cov of the per-sample gradients
 * of the batch of the step that led to this one, at the parameters before it, (1/|B|)Σᵢ‖gᵢ‖² − ‖ḡ‖² (times
 * |B|/(|B| − 1) with `gradVarUnbiased`), from that step's own forward and backward pass, so it costs a
 * fraction of a step (`grad-variance` measures on a fixed set of its own, with a pass of its own). Fields
 * `batchGradVar` and `batchGradVar_<param>`, absent at step 0, after a resume and where the step had no statistics
 * (ProbeContext.batchStats). Needs the tfjs engine (engines/create.ts picks it).
 */
export const batchGradVarianceProbe: Probe = {
  name: 'batch-grad-variance',
  batchStats: true,
  async compute(ctx: ProbeContext): Promise<ProbeValues> {
    const bs = ctx.batchStats();
    if (!bs) return {};
    const names = Object.keys(bs.stats);
    const rows = await readRows(
      tf.tidy(() => {
        const n = tf.tensor1d(bs.n);
        return tf.stack(names.map((name) => {
          const st = bs.stats[name];
          const K = st.sumSq.shape[0];
          return tf.sub(tf.div(st.sumSq, n), tf.sum(tf.reshape(tf.square(st.mean), [K, -1]), 1));
        })) as tf.Tensor2D;
      }),
    );
    const out: ProbeValues = {};
    const sum = new Float64Array(ctx.size);
    names.forEach((name, i) => {
      const v = Float64Array.from(rows[i], (x, m) => x * (ctx.configs[m].gradVarUnbiased && bs.n[m] > 1 ? bs.n[m] / (bs.n[m] - 1) : 1));
      out[`batchGradVar_${name}`] = v;
      v.forEach((x, m) => (sum[m] += x));
    });
    out.batchGradVar = sum;
    return out;
  },
};

const BUILTIN: Record<ProbeName, Probe> = {
  'grad-variance': gradVarianceProbe,
  'batch-grad-variance': batchGradVarianceProbe,
  'activation-rate': activationRateProbe,
  'activation-rate-exact': exactActivationRateProbe,
  'weight-norms': weightNormsProbe,
  loss: lossProbe,
  soret: soretProbe,
};

/** The built-in probes a config names; the gradient variance on its own, thinner log-spaced schedule (`gradVarLogPoints`). */
export function probesFor(cfg: RunConfig): Probe[] {
  return cfg.probes.map((name) => {
    if (name !== 'grad-variance' || cfg.gradVarLogPoints === cfg.probeLogPoints) return BUILTIN[name];
    return { ...gradVarianceProbe, schedule: configSchedule({ ...cfg, probeLogPoints: cfg.gradVarLogPoints }) };
  });
}
