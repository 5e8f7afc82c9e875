/**
 * Which sets of configs the webgpu-dense engine can train together, and why not when it cannot.
 */
import { isImageInput, sharedFieldMismatch, type RunConfig } from '../../core/config.js';
import { ConfigError } from '../../core/errors.js';
import { planDense, type DenseLimits } from './plan.js';
import { denseShape } from './shape.js';

/** The verdict of {@link webgpuDenseEligible}. */
export type DenseEligibility = { eligible: true } | { eligible: false; reason: string };

/**
 * Fields every member must share (the architecture and its data); η, seed, |B|, steps, init,
 * outputInitScale and divergenceThreshold are per member. `depth` counts for 'fc' only,
 * `convLayers`, `channels`, `kernel` for 'cnn' only, and `hidden` for all but 'cnn'.
 */
export const DENSE_SHARED_FIELDS = [
  'model', 'inputDim', 'hidden', 'classes', 'depth', 'convLayers', 'channels', 'kernel', 'bias', 'loss', 'input', 'trainSize',
  'normalize', 'dataSource', 'dataDir',
] as const;

/** The shared fields that count for a model. */
function sharedFor(model: RunConfig['model']): (typeof DENSE_SHARED_FIELDS)[number][] {
  const own: Record<string, readonly string[]> = { fc: ['depth', 'hidden'], cnn: ['convLayers', 'channels', 'kernel'], 'two-layer': ['hidden'] };
  const all = ['depth', 'hidden', 'convLayers', 'channels', 'kernel'];
  return DENSE_SHARED_FIELDS.filter((k) => !all.includes(k) || own[model]?.includes(k));
}

/**
 * Whether the webgpu-dense engine can train these configs as one ensemble: model 'fc' (any depth
 * and width), 'two-layer' (any size and classes) or 'cnn', on synthetic input ('gaussian'/'uniform',
 * online or a fixed set of fewer than 2³¹ samples) or an image dataset; plain SGD; every member
 * sharing {@link DENSE_SHARED_FIELDS}. With a device's `limits`, also whether the layout fits
 * them (the reason is then the limit error's message; image inputs are checked at creation, when
 * the dataset's size is known).
 */
export function webgpuDenseEligible(configs: readonly RunConfig[], limits?: DenseLimits): DenseEligibility {
  const no = (reason: string): DenseEligibility => ({ eligible: false, reason });
  if (configs.length === 0) return no('no configs');
  const first = configs[0];
  const differ = sharedFieldMismatch(configs, sharedFor(first.model));
  if (differ) {
    const { member, field } = differ;
    return no(`members differ in ${field} (member ${member}: ${String(configs[member][field])}, member 0: ${String(first[field])})`);
  }
  if (first.classes === 1 ? first.loss === 'softmax-ce' : first.loss !== 'softmax-ce') {
    return no(`loss '${first.loss}' with classes = ${first.classes} ('bce' or 'mse' with 1 class, 'softmax-ce' with 2 or more)`);
  }
  if (!Number.isInteger(first.trainSize) || first.trainSize < 0 || first.trainSize >= 2 ** 31) {
    return no(`trainSize = ${first.trainSize} (0 or a fixed set of fewer than 2^31 samples)`);
  }
  for (let m = 0; m < configs.length; m++) {
    const c = configs[m];
    if (c.gradientNoise !== 'none') return no(`member ${m}: gradientNoise '${c.gradientNoise}' (only plain SGD)`);
    if (!Number.isInteger(c.batchSize) || c.batchSize < 1 || c.batchSize >= 2 ** 31) return no(`member ${m}: batchSize = ${c.batchSize}`);
    if (c.trainSize > 0 && c.trainSize < c.batchSize) return no(`member ${m}: trainSize ${c.trainSize} < batchSize ${c.batchSize}`);
    if (!Number.isInteger(c.seed) || c.seed < 0 || c.seed >= 2 ** 32) return no(`member ${m}: seed = ${c.seed} (32-bit unsigned)`);
    if (!(c.eta > 0) || !Number.isFinite(c.eta)) return no(`member ${m}: eta = ${c.eta} (a positive number)`);
    if (!(c.divergenceThreshold > 0)) return no(`member ${m}: divergenceThreshold = ${c.divergenceThreshold} (a positive number)`);
  }
  if (limits && !isImageInput(first.input)) {
    try {
      const maxBatch = configs.reduce((b, c) => Math.max(b, c.batchSize), 1);
      planDense({ shape: denseShape(first), members: configs.length, maxBatch, channels: 0 }, limits);
    } catch (err) {
      if (err instanceof ConfigError) return no(err.message);
      throw err;
    }
  }
  return { eligible: true };
}
