/**
 * Fig. 2, bottom row (section 6): CNN6 on Fashion-MNIST: five conv layers (10 channels, 5×5,
 * stride 1, 'same', ReLU) and one dense layer to 10 classes, softmax cross-entropy, |B| = 32.
 * The paper gives no η values; at η ≥ 0.075 this CNN dies within 100–178 steps (dead units, chance
 * loss), so η ∈ {0.005, 0.01, 0.015, 0.02}, where every run learns. Each η runs (0.02/η)² × 300 steps:
 * the early phase, where the paper says the force acts. Per-sample gradient variance next to the
 * held-out loss, against raw, ×η and ×η² time. The early phase ends, run by run, when the held-out loss
 * has fallen 1% below its initial value (the net has begun to learn: regime.ts, `learnDrop`); the
 * headline α is fitted over the common early window, and the whole runs are fitted beside it.
 * Data: the official IDX files under --data-dir if present, else the offline npm copy, else a
 * download (see datasets/README.md).
 *
 * Run: `npx thermo run fig2-cnn6-fmnist`.
 */
import { seedList, type ExampleSpec } from '../lib/run/example.js';
import { runExampleMain } from '../lib/cli/runExample.js';
import { LEARN_EXIT_DROP } from '../lib/analysis/regime.js';

export const fig2Cnn6Fmnist: ExampleSpec = {
  name: 'fig2-cnn6-fmnist',
  figure: 'Fig. 2 (bottom row)',
  description: 'CNN6 (5 conv 10ch 5×5 + dense) on Fashion-MNIST, |B| = 32, η ∈ {0.005 … 0.02}: per-sample gradient variance and held-out loss vs η-rescaled time',
  defaultSeeds: 3,
  sweeps: ({ quick, seeds }) => [
    {
      name: 'eta-sweep',
      title: 'Fig. 2 bottom row: CNN6 on Fashion-MNIST, |B| = 32, η sweep',
      axis: 'eta',
      quantities: ['gradVar', 'activationRate', 'probeLoss'],
      // the held-out loss shows that the net learns; the paper predicts nothing of it in η²
      judged: ['gradVar', 'activationRate'],
      // the prediction assumes the early phase (p − y independent of ∇f): it ends when the net begins to learn
      regime: { learnDrop: LEARN_EXIT_DROP },
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
        probeLogPoints: quick ? 4 : 30,
        gradVarLogPoints: quick ? 4 : 30,
        probeLinearPoints: quick ? 4 : 20,
      },
      grid: { eta: [0.005, 0.01, 0.015, 0.02], seed: seedList(seeds) },
      budget: { refSteps: quick ? 2 : 300, etaRef: 0.02, batchRef: quick ? 8 : 32 },
    },
  ],
};

export default fig2Cnn6Fmnist;

await runExampleMain(import.meta.url, fig2Cnn6Fmnist);
