/** Builds the architecture a config names. */
import { imageShape, type RunConfig } from '../core/config.js';
import type { Architecture } from './arch.js';
import { SequentialArch } from './sequential.js';
import { TwoLayerArch } from './twoLayer.js';

/** The fields of a config that fix its architecture. */
export type ArchConfig = Pick<
  RunConfig,
  'model' | 'inputDim' | 'hidden' | 'bias' | 'classes' | 'depth' | 'convLayers' | 'channels' | 'kernel' | 'loss' | 'input'
>;

/** The member-axis architecture of a config: `two-layer`, `fc` or `cnn`. */
export function createArchitecture(cfg: ArchConfig): Architecture {
  if (cfg.model === 'two-layer') return new TwoLayerArch(cfg);
  return new SequentialArch({ ...cfg, family: cfg.model, image: imageShape(cfg as RunConfig) });
}
