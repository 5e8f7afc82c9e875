/** The registry of examples, one per figure of the paper, by name. */
import type { ExampleSpec } from '../lib/sweep/example.js';
import { fig2TwoLayer } from './fig2-two-layer.js';
import { a6TwoLayerGaussian } from './a6-two-layer-gaussian.js';
import { a6TwoLayerUniform } from './a6-two-layer-uniform.js';

/** All examples, in the order `thermo --help` lists them. */
export const EXAMPLES: readonly ExampleSpec[] = [fig2TwoLayer, a6TwoLayerGaussian, a6TwoLayerUniform];

export { fig2TwoLayer, a6TwoLayerGaussian, a6TwoLayerUniform };
