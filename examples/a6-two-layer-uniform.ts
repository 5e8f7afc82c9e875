/**
 * Appendix A.6, Figs. 7–10: two-layer ReLU without bias, M = N = 10, x ~ U(0,1)^M, random
 * labels, BCE. An η sweep at |B| = 1 (Figs. 7, 8) and a |B| ∈ {1, 2, 3} sweep at η = 0.05
 * (Figs. 9, 10); activation rate and ‖V‖.
 *
 * Run: `npx thermo run a6-two-layer-uniform`.
 */
import type { ExampleSpec } from '../lib/run/example.js';
import { runExampleMain } from '../lib/cli/runExample.js';
import { a6Sweeps } from './a6-two-layer-gaussian.js';

export const a6TwoLayerUniform: ExampleSpec = {
  name: 'a6-two-layer-uniform',
  figure: 'Appendix A.6, Figs. 7-10',
  description: 'two-layer ReLU without bias, M = N = 10, U(0,1) inputs: η sweep (|B| = 1) and |B| sweep (η = 0.05)',
  defaultSeeds: 8,
  sweeps: ({ quick, seeds }) => a6Sweeps('uniform', quick, seeds, ['Figs. 7-8', 'Figs. 9-10']),
};

export default a6TwoLayerUniform;

await runExampleMain(import.meta.url, a6TwoLayerUniform);
