/**
 * A naive reference for per-sample gradient statistics: one backward pass per sample (tests of the
 * one-pass statistics and of the isotropic-noise control).
 */
import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../core/config.js';
import { memberData } from '../data/source.js';
import { createArchitecture } from '../models/create.js';

/** Σᵢ‖gᵢ‖² and ḡ of each parameter of member m over its batch of step t at `params` ([1, …] tensors), one backward pass per sample. */
export async function naiveStats(cfg: RunConfig, params: Record<string, Float32Array>, t: number) {
  const arch = createArchitecture(cfg);
  const B = cfg.batchSize;
  const x = new Float32Array(B * cfg.inputDim);
  const y = new Float32Array(B);
  (await memberData(cfg)).batch(t, B, B, x, y, 0);
  const p = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, tf.tensor(v, [1, ...arch.shapes[k]])]));
  const sumSq: Record<string, number> = {};
  const mean: Record<string, Float32Array> = {};
  for (let i = 0; i < B; i++) {
    const grads = tf.tidy(() => {
      const xi = tf.tensor3d(x.slice(i * cfg.inputDim, (i + 1) * cfg.inputDim), [1, 1, cfg.inputDim]);
      const r = arch.lossAndGradients(p, xi, tf.tensor2d([y[i]], [1, 1]), tf.tensor2d([1], [1, 1]));
      return Object.fromEntries(Object.entries(r.grads).map(([k, g]) => [k, g.dataSync() as Float32Array]));
    });
    for (const [k, v] of Object.entries(grads)) {
      sumSq[k] = (sumSq[k] ?? 0) + v.reduce((s, a) => s + a * a, 0);
      mean[k] ??= new Float32Array(v.length);
      v.forEach((a, j) => (mean[k][j] += a / B));
    }
  }
  tf.dispose(Object.values(p));
  return { sumSq, mean };
}
