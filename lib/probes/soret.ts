/**
 * The Soret coefficient of eq. (11) for the two-layer net on Gaussian inputs, per hidden unit i,
 * on U = {b_i, V̄_i} (V̄ = |V|, the paper's coordinate change for V < 0), section 5:
 *   g_V = √(S·E[σ(h)²]/|B|),  g_b = |V|·√(S·P(h > 0)/|B|),
 * with h = w·x + b ~ N(b, ‖w‖²) and S = E[(∂L/∂f)²] over the samples SGD draws (the paper takes p − y
 * independent of ∇f early in training): on a fixed training set, its first min(trainSize, probeSamples)
 * samples, as the noise comes from those; in online SGD, the probe set, drawn like the training data. For h ~ N(μ, s²), z = μ/s: P = Φ(z), E[σ(h)] = μΦ + sφ,
 * E[σ(h)²] = (μ² + s²)Φ + μsφ, so the derivatives ∂_j g_i are exact:
 *   ∂_b g_V = √(S/|B|)·E[σ]/√E[σ²], ∂_V̄ g_V = 0, ∂_b g_b = |V|·√(S/|B|)·(φ/s)/(2√P), ∂_V̄ g_b = √(S·P/|B|).
 * c_i = −η²·Σ_{a,c∈U} g_a g_c ∂_c g_a / (2|g|) (≤ 0). Eq. (10) gives the flow J = 2c·ρ along
 * u = g/|g| (the shared ζ direction), so the predicted drift of b_i per step is 2c_i·g_b/|g|.
 * Fields: `soret` (mean over units of c_i) and `soretDriftB` (Σ_i of the predicted drift of b_i per step).
 */
import * as tf from '@tensorflow/tfjs';
import { normalCdf } from '../core/normal.js';
import { lossGradient } from '../models/losses.js';
import { readTensor } from '../backend/read.js';
import type { Probe, ProbeContext, ProbeValues } from './probe.js';

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** c and the predicted drift of b for one unit: b, ‖w‖, V, S = E[(∂L/∂f)²], |B| and η. */
export function soretUnit(b: number, s: number, v: number, S: number, batch: number, eta: number): { c: number; driftB: number } {
  if (!(s > 0)) return { c: 0, driftB: 0 };
  const z = b / s;
  const P = normalCdf(z);
  const phi = INV_SQRT_2PI * Math.exp(-0.5 * z * z);
  const e1 = b * P + s * phi;
  const e2 = (b * b + s * s) * P + b * s * phi;
  const r = Math.sqrt(S / batch);
  const V = Math.abs(v);
  const gV = r * Math.sqrt(e2);
  const gb = V * r * Math.sqrt(P);
  const dbgV = e2 > 0 ? (r * e1) / Math.sqrt(e2) : 0;
  const dbgb = P > 0 ? (V * r * (phi / s)) / (2 * Math.sqrt(P)) : 0;
  const dVgb = r * Math.sqrt(P);
  const norm = Math.hypot(gV, gb);
  if (!(norm > 0)) return { c: 0, driftB: 0 };
  const sum = gV * gb * dbgV + gb * gb * dbgb + gb * gV * dVgb;
  const c = (-eta * eta * sum) / (2 * norm);
  return { c, driftB: (2 * c * gb) / norm };
}

/** The Soret coefficient probe (two-layer, one output, Gaussian inputs). */
export const soretProbe: Probe = {
  name: 'soret',
  async compute(ctx: ProbeContext): Promise<ProbeValues> {
    const { W, b, V } = ctx.model.params;
    const K = W.shape[0];
    const N = W.shape[1] as number;
    const train = await ctx.trainingSample();
    const t = tf.tidy(() => {
      const logits = train ? ctx.model.forward(train.x).logits : ctx.forwardOnProbeSet().logits;
      const d = lossGradient(ctx.config.loss, logits, train ? train.y : ctx.probeY);
      return [tf.sqrt(tf.sum(tf.square(W), 2)), tf.mean(tf.square(d), [1, 2])];
    });
    const norms = await readTensor(t[0]);
    const S = await readTensor(t[1]);
    tf.dispose(t);
    const bias = b ? await readTensor(b) : null;
    const v = await readTensor(V);
    const soret = new Float64Array(K);
    const drift = new Float64Array(K);
    for (let m = 0; m < K; m++) {
      const cfg = ctx.configs[m];
      for (let i = 0; i < N; i++) {
        const u = soretUnit(bias ? bias[m * N + i] : 0, norms[m * N + i], v[m * N + i], S[m], cfg.batchSize, cfg.eta);
        soret[m] += u.c / N;
        drift[m] += u.driftB;
      }
    }
    return { soret, soretDriftB: drift };
  },
};
