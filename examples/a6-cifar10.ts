/**
 * Appendix A.6, Figs. 11–14: a one-hidden-layer ReLU net (300 units, 10 outputs, softmax
 * cross-entropy) on CIFAR-10 (binary version, pixels scaled to [0, 1]). An η sweep at |B| = 1000
 * (Figs. 11, 12) and a |B| sweep at η = 0.02 (Figs. 13, 14); activation rate and ‖V‖. The paper
 * does not list the η and |B| values: we use η ∈ {0.02, 0.04, 0.08} and |B| ∈ {250, 500, 1000}.
 * Needs CIFAR-10: `--data-dir DIR` with data_batch_1..5.bin and test_batch.bin, or the official
 * archive downloaded into the cache (datasets/README.md).
 *
 * Run: `npx thermo run a6-cifar10 --data-dir /path/to/cifar-10-batches-bin`.
 */
import { seedList, type ExampleSpec } from '../lib/run/example.js';
import { runExampleMain } from '../lib/cli/runExample.js';
import type { RunConfig } from '../lib/core/config.js';

export const a6Cifar10: ExampleSpec = {
  name: 'a6-cifar10',
  figure: 'Appendix A.6, Figs. 11-14',
  description: 'one hidden layer of 300 on CIFAR-10: η sweep at |B| = 1000, |B| sweep at η = 0.02; activation rate and ‖V‖',
  defaultSeeds: 3,
  sweeps: ({ quick, seeds }) => {
    const base: Partial<RunConfig> = {
      model: 'two-layer',
      input: 'cifar10',
      inputDim: 3072,
      hidden: quick ? 30 : 300,
      classes: 10,
      loss: 'softmax-ce',
      normalize: 'unit',
      probes: ['activation-rate', 'weight-norms', 'loss'],
      // the probe set is a sample of the test split, and early records are few: a probe costs less than a step
      probeSamples: quick ? 50 : 1000,
      probeLogPoints: quick ? 10 : 30,
      probeLinearPoints: quick ? 10 : 30,
    };
    const big = quick ? 40 : 1000;
    return [
      {
        name: 'eta-sweep',
        title: `A.6 Figs. 11-12: one hidden layer (${base.hidden}) on CIFAR-10, |B| = ${big}, η sweep`,
        axis: 'eta',
        quantities: ['activationRate', 'norm_V'],
        base: { ...base, batchSize: big },
        grid: { eta: [0.02, 0.04, 0.08], seed: seedList(seeds) },
        budget: { refSteps: quick ? 5 : 250, etaRef: 0.08, batchRef: big },
      },
      {
        name: 'batch-sweep',
        title: `A.6 Figs. 13-14: one hidden layer (${base.hidden}) on CIFAR-10, η = 0.02, |B| sweep`,
        axis: 'batchSize',
        quantities: ['activationRate', 'norm_V'],
        base: { ...base, eta: 0.02 },
        grid: { batchSize: quick ? [10, 20, 40] : [250, 500, 1000], seed: seedList(seeds) },
        budget: { refSteps: quick ? 10 : 1000, etaRef: 0.02, batchRef: quick ? 10 : 250 },
      },
    ];
  },
};

export default a6Cifar10;

await runExampleMain(import.meta.url, a6Cifar10);
