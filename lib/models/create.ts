/** Builds the model a config names. */
import type { RunConfig } from '../core/config.js';
import type { Model } from './model.js';
import { SequentialNet } from './sequential.js';
import { TwoLayerModel } from './twoLayer.js';

/** The model of a run's config: `two-layer` (any width, any number of outputs), `fc` or `cnn`. */
export function createModel(cfg: RunConfig): Model {
  switch (cfg.model) {
    case 'two-layer':
      return new TwoLayerModel(cfg);
    case 'fc':
    case 'cnn':
      return new SequentialNet(cfg);
  }
}
