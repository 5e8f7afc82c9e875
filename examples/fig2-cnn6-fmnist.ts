/**
 * Fig. 2, bottom row (section 6): CNN6 on Fashion-MNIST: five conv layers (10 channels, 5×5,
 * stride 1, 'same', ReLU) and one dense layer to 10 classes, softmax cross-entropy, |B| = 32,
 * η ∈ {0.025, 0.05, 0.075, 0.1}. Per-sample gradient variance against raw, ×η and ×η² time.
 * Data: the official IDX files under --data-dir if present, else the offline npm copy, else a
 * download (see datasets/README.md).
 *
 * Run: `npx thermo run fig2-cnn6-fmnist`.
 */
import { seedList, type ExampleSpec } from '../lib/sweep/example.js';
import { runExampleMain } from '../lib/cli/runExample.js';

export const fig2Cnn6Fmnist: ExampleSpec = {
  name: 'fig2-cnn6-fmnist',
  figure: 'Fig. 2 (bottom row)',
  description: 'CNN6 (5 conv 10ch 5×5 + dense) on Fashion-MNIST, |B| = 32, η sweep: per-sample gradient variance vs η-rescaled time',
  defaultSeeds: 3,
  sweeps: ({ quick, seeds }) => [
    {
      name: 'eta-sweep',
      title: 'Fig. 2 bottom row: CNN6 on Fashion-MNIST, |B| = 32, η sweep',
      axis: 'eta',
      quantities: ['gradVar', 'activationRate', 'probeLoss'],
      base: {
        model: 'cnn',
        convLayers: 5,
        channels: 10,
        kernel: 5,
        input: 'fashion-mnist',
        inputDim: 784,
        classes: 10,
        loss: 'softmax-ce',
        normalize: 'unit',
        batchSize: quick ? 8 : 32,
        probes: ['grad-variance', 'activation-rate', 'weight-norms', 'loss'],
        probeSamples: quick ? 16 : 256,
        gradVarSamples: quick ? 8 : 32,
        probeLogPoints: quick ? 4 : 20,
        probeLinearPoints: quick ? 4 : 20,
      },
      grid: { eta: [0.025, 0.05, 0.075, 0.1], seed: seedList(seeds) },
      budget: { refSteps: quick ? 4 : 100, etaRef: 0.1, batchRef: quick ? 8 : 32 },
    },
  ],
};

export default fig2Cnn6Fmnist;

await runExampleMain(import.meta.url, fig2Cnn6Fmnist);
