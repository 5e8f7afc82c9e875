/**
 * Fig. 2, top row (section 6): two-layer ReLU net, M = N = 100, x ~ N(0, I), random labels,
 * BCE, |B| = 1, η ∈ {0.025, 0.05, 0.075, 0.1}. Activation rate (and ‖V‖) against raw, ×η and
 * ×η² time. Each η gets (η_max/η)² times the steps of η_max so every run reaches the same
 * rescaled time.
 *
 * Run: `npx thermo run fig2-two-layer` (or `node dist/examples/fig2-two-layer.js`).
 */
import { seedList, type ExampleSpec } from '../lib/run/example.js';
import { runExampleMain } from '../lib/cli/runExample.js';
import type { RunConfig } from '../lib/core/config.js';

/** The two-layer setup of Fig. 2's top row (also the init study's and the controls'). */
export function fig2Base(quick: boolean): Partial<RunConfig> {
  return {
    model: 'two-layer',
    inputDim: 100,
    hidden: 100,
    bias: true,
    input: 'gaussian',
    loss: 'bce',
    batchSize: 1,
    probeSamples: quick ? 500 : 2000,
    probeLogPoints: quick ? 40 : 100,
  };
}

export const fig2TwoLayer: ExampleSpec = {
  name: 'fig2-two-layer',
  figure: 'Fig. 2 (top row)',
  description: 'two-layer ReLU, M = N = 100, Gaussian inputs, |B| = 1, η sweep: activation rate and ‖V‖ vs η-rescaled time',
  defaultSeeds: 8,
  sweeps: ({ quick, seeds }) => [
    {
      name: 'eta-sweep',
      title: 'Fig. 2 top row: two-layer ReLU (M = N = 100), |B| = 1, η sweep',
      axis: 'eta',
      quantities: ['activationRate', 'activationRateExact', 'norm_V'],
      base: fig2Base(quick),
      grid: { eta: [0.025, 0.05, 0.075, 0.1], seed: seedList(seeds) },
      budget: { refSteps: quick ? 400 : 8000, etaRef: 0.1, batchRef: 1 },
    },
  ],
};

export default fig2TwoLayer;

await runExampleMain(import.meta.url, fig2TwoLayer);
