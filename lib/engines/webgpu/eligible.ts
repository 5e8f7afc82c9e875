/**
 * Which sets of configs the fused WebGPU engine ('webgpu-fused') can train together, and why not
 * when it cannot.
 */
import { sharedFieldMismatch, type RunConfig } from '../../core/config.js';
import { ConfigError } from '../../core/errors.js';
import { planTwoLayer, type PlanLimits } from './plan.js';

/** The verdict of {@link webgpuFusedEligible}. */
export type WebgpuEligibility = { eligible: true } | { eligible: false; reason: string };

/** Fields every member must share (the architecture and its data); η, seed, |B|, steps, init and divergenceThreshold are per member. */
export const WEBGPU_SHARED_FIELDS = ['model', 'inputDim', 'hidden', 'classes', 'bias', 'loss', 'input', 'trainSize'] as const;

/**
 * Whether the webgpu-fused engine can train these configs as one ensemble: model 'two-layer' on
 * synthetic input ('gaussian' or 'uniform'; online, or a fixed set of n < 2³¹ samples), loss
 * 'bce'/'mse' with one output or 'softmax-ce' with C ≥ 2, plain SGD (no added gradient noise),
 * every member sharing {@link WEBGPU_SHARED_FIELDS}. With a device's `limits`, also whether the
 * kernel's layout fits them (the reason is then the limit error's message).
 */
export function webgpuFusedEligible(configs: readonly RunConfig[], limits?: PlanLimits): WebgpuEligibility {
  const no = (reason: string): WebgpuEligibility => ({ eligible: false, reason });
  if (configs.length === 0) return no('no configs');
  const first = configs[0];
  const differ = sharedFieldMismatch(configs, WEBGPU_SHARED_FIELDS);
  if (differ) {
    const { member, field } = differ;
    return no(`members differ in ${field} (member ${member}: ${String(configs[member][field])}, member 0: ${String(first[field])})`);
  }
  if (first.model !== 'two-layer') return no(`model '${first.model}' (only 'two-layer')`);
  if (first.input !== 'gaussian' && first.input !== 'uniform') return no(`input '${first.input}' (only synthetic 'gaussian' or 'uniform')`);
  if (first.classes === 1 ? first.loss === 'softmax-ce' : first.loss !== 'softmax-ce') {
    return no(`loss '${first.loss}' with classes = ${first.classes} ('bce' or 'mse' with 1 class, 'softmax-ce' with 2 or more)`);
  }
  for (const key of ['inputDim', 'hidden', 'classes'] as const) {
    if (!Number.isInteger(first[key]) || first[key] < 1) return no(`${key} = ${first[key]} (a positive integer)`);
  }
  if (!Number.isInteger(first.trainSize) || first.trainSize < 0 || first.trainSize >= 2 ** 31) {
    return no(`trainSize = ${first.trainSize} (0 or a fixed set of fewer than 2^31 samples)`);
  }
  for (let m = 0; m < configs.length; m++) {
    const c = configs[m];
    const noise = (c as unknown as Record<string, unknown>).gradientNoise;
    if (noise !== undefined && noise !== 'none') return no(`member ${m}: gradientNoise '${String(noise)}' (only plain SGD)`);
    if (!Number.isInteger(c.batchSize) || c.batchSize < 1 || c.batchSize >= 2 ** 31) {
      return no(`member ${m}: batchSize = ${c.batchSize} (a positive integer)`);
    }
    if (c.trainSize > 0 && c.trainSize < c.batchSize) return no(`member ${m}: trainSize ${c.trainSize} < batchSize ${c.batchSize}`);
    if (!Number.isInteger(c.seed) || c.seed < 0 || c.seed >= 2 ** 32) {
      return no(`member ${m}: seed = ${c.seed} (an unsigned 32-bit integer)`);
    }
    if (!(c.eta > 0) || !Number.isFinite(c.eta)) return no(`member ${m}: eta = ${c.eta} (a positive number)`);
    if (!(c.divergenceThreshold > 0)) return no(`member ${m}: divergenceThreshold = ${c.divergenceThreshold} (a positive number)`);
  }
  if (limits) {
    try {
      planTwoLayer({ ...first, members: configs.length, maxBatch: configs.reduce((b, c) => Math.max(b, c.batchSize), 1) }, limits);
    } catch (err) {
      if (err instanceof ConfigError) return no(err.message);
      throw err;
    }
  }
  return { eligible: true };
}
