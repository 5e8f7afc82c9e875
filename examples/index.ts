/** The registry of examples, one per figure of the paper, by name. */
import type { ExampleSpec } from '../lib/run/example.js';
import { fig2TwoLayer } from './fig2-two-layer.js';
import { a6TwoLayerGaussian } from './a6-two-layer-gaussian.js';
import { a6TwoLayerUniform } from './a6-two-layer-uniform.js';
import { fig2Fc6 } from './fig2-fc6.js';
import { fig2Cnn6Fmnist } from './fig2-cnn6-fmnist.js';
import { a6Cifar10 } from './a6-cifar10.js';
import { initStudy } from './init-study.js';
import { controlsTwoLayer } from './controls-two-layer.js';

/** All examples, in the order `thermo --help` lists them. */
export const EXAMPLES: readonly ExampleSpec[] = [fig2TwoLayer, fig2Fc6, fig2Cnn6Fmnist, a6TwoLayerGaussian, a6TwoLayerUniform, a6Cifar10, initStudy, controlsTwoLayer];

export { fig2TwoLayer, fig2Fc6, fig2Cnn6Fmnist, a6TwoLayerGaussian, a6TwoLayerUniform, a6Cifar10, initStudy, controlsTwoLayer };
