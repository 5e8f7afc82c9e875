/**
 * Fig. 2, middle row (section 6): a 6-layer fully connected ReLU net (hidden width 100) on
 * x ~ N(0, I_100) with random binary labels and BCE (the paper says only "drawn from normal
 * distribution"; the rest follows its two-layer setup), |B| = 1, η ∈ {0.025, 0.05, 0.075, 0.1}.
 * Per-sample gradient variance (tr Cov, all layers) against raw, ×η and ×η² time; each η runs
 * (0.1/η)² times the steps of η = 0.1.
 *
 * Run: `npx thermo run fig2-fc6`.
 */
import { seedList, type ExampleSpec } from '../lib/run/example.js';
import { runExampleMain } from '../lib/cli/runExample.js';

export const fig2Fc6: ExampleSpec = {
  name: 'fig2-fc6',
  figure: 'Fig. 2 (middle row)',
  description: 'FC6 (width 100), Gaussian inputs, random labels, |B| = 1, η sweep: per-sample gradient variance vs η-rescaled time',
  defaultSeeds: 4,
  sweeps: ({ quick, seeds }) => [
    {
      name: 'eta-sweep',
      title: 'Fig. 2 middle row: FC6 (6 layers, width 100), x ~ N(0, I), |B| = 1, η sweep',
      axis: 'eta',
      quantities: ['gradVar', 'activationRate', 'probeLoss'],
      // the held-out loss shows that the net learns; the paper predicts nothing of it in η²
      judged: ['gradVar', 'activationRate'],
      base: {
        model: 'fc',
        depth: 6,
        inputDim: 100,
        hidden: 100,
        input: 'gaussian',
        loss: 'bce',
        batchSize: 1,
        probes: ['grad-variance', 'activation-rate', 'weight-norms', 'loss'],
        probeSamples: quick ? 128 : 512,
        gradVarSamples: quick ? 128 : 512,
        probeLogPoints: quick ? 20 : 60,
        probeLinearPoints: quick ? 20 : 60,
      },
      grid: { eta: [0.025, 0.05, 0.075, 0.1], seed: seedList(seeds) },
      budget: { refSteps: quick ? 100 : 2000, etaRef: 0.1, batchRef: 1 },
    },
  ],
};

export default fig2Fc6;

await runExampleMain(import.meta.url, fig2Fc6);
