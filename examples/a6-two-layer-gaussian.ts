/**
 * Appendix A.6, Figs. 3–6: two-layer ReLU with bias, M = N = 10, x ~ N(0, I), random labels,
 * BCE. An η sweep at |B| = 1 (Figs. 3, 4) and a |B| ∈ {1, 2, 3} sweep at η = 0.05 (Figs. 5, 6);
 * activation rate and ‖V‖.
 *
 * Run: `npx thermo run a6-two-layer-gaussian`.
 */
import { seedList, type ExampleSpec } from '../lib/run/example.js';
import { runExampleMain } from '../lib/cli/runExample.js';
import type { RunConfig } from '../lib/core/config.js';

/** The shared η and |B| sweeps of the two A.6 synthetic examples. */
export function a6Sweeps(kind: 'gaussian' | 'uniform', quick: boolean, seeds: number, figs: [string, string]) {
  const base: Partial<RunConfig> = {
    model: 'two-layer',
    inputDim: 10,
    hidden: 10,
    bias: kind === 'gaussian',
    input: kind,
    loss: 'bce',
    probeSamples: quick ? 500 : 2000,
    probeLogPoints: quick ? 40 : 100,
    probes: kind === 'gaussian' ? ['activation-rate', 'activation-rate-exact', 'weight-norms', 'loss'] : ['activation-rate', 'weight-norms', 'loss'],
  };
  const label = kind === 'gaussian' ? 'x ~ N(0, I), with bias' : 'x ~ U(0,1), no bias';
  return [
    {
      name: 'eta-sweep',
      title: `A.6 ${figs[0]}: two-layer ReLU (M = N = 10, ${label}), |B| = 1, η sweep`,
      axis: 'eta' as const,
      quantities: ['activationRate', 'norm_V'],
      base: { ...base, batchSize: 1 },
      grid: { eta: [0.025, 0.05, 0.075, 0.1], seed: seedList(seeds) },
      budget: { refSteps: quick ? 400 : 6000, etaRef: 0.1, batchRef: 1 },
    },
    {
      name: 'batch-sweep',
      title: `A.6 ${figs[1]}: two-layer ReLU (M = N = 10, ${label}), η = 0.05, |B| sweep`,
      axis: 'batchSize' as const,
      quantities: ['activationRate', 'norm_V'],
      base: { ...base, eta: 0.05 },
      grid: { batchSize: [1, 2, 3], seed: seedList(seeds) },
      budget: { refSteps: quick ? 1600 : 24000, etaRef: 0.05, batchRef: 1 },
    },
  ];
}

export const a6TwoLayerGaussian: ExampleSpec = {
  name: 'a6-two-layer-gaussian',
  figure: 'Appendix A.6, Figs. 3-6',
  description: 'two-layer ReLU with bias, M = N = 10, Gaussian inputs: η sweep (|B| = 1) and |B| sweep (η = 0.05)',
  defaultSeeds: 8,
  sweeps: ({ quick, seeds }) => a6Sweeps('gaussian', quick, seeds, ['Figs. 3-4', 'Figs. 5-6']),
};

export default a6TwoLayerGaussian;

await runExampleMain(import.meta.url, a6TwoLayerGaussian);
