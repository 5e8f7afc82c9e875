/**
 * webgpu-dense against the tfjs engine on the same (webgpu) backend, model 'cnn': conv layers of
 * kernels 3 and 5 on synthetic square images, bce and softmax-ce, bias on and off, members of
 * their own |B| and η, the weight gradient and the logits split over several partial sums or one,
 * and CNN6's shape (5 conv layers of 10 channels, 5×5; its 7,840-wide output layer split) on Fashion-MNIST images.
 */
import { describeWebgpu, webgpuDevice } from '../../testing/webgpu.js';
import { denseTestConfig, expectDenseAgrees } from '../../testing/denseAgree.js';

const cnn = { model: 'cnn', inputDim: 25, convLayers: 2, channels: 3, kernel: 3, steps: 20 } as const;

await describeWebgpu('webgpu-dense cnn against the tfjs engine', () => {
  beforeAll(async () => {
    await webgpuDevice();
  });

  test('2 conv layers 3×3 on 5×5 images, bce, bias, online Gaussian; |B| 1, 3 and 4 with own η; split-K over 8 rows and 8 logit inputs', async () => {
    const configs = [
      denseTestConfig({ ...cnn, seed: 1, batchSize: 1, eta: 0.1 }),
      denseTestConfig({ ...cnn, seed: 2, batchSize: 3, eta: 0.05 }),
      denseTestConfig({ ...cnn, seed: 3, batchSize: 4, eta: 0.2 }),
    ];
    await expectDenseAgrees(configs, { tuning: { splitDepth: 8, tileDepth: 8, outputSplitDepth: 8 } });
    await expectDenseAgrees(configs.slice(1));
  });

  test('3 conv layers 5×5 on 6×6 images, softmax-ce (C = 3), no bias, a fixed uniform set of 9, |B| 2 and 5', async () => {
    const cfg = { ...cnn, inputDim: 36, convLayers: 3, kernel: 5, channels: 2, loss: 'softmax-ce', classes: 3, bias: false } as const;
    const more = { input: 'uniform', trainSize: 9 } as const;
    await expectDenseAgrees([
      denseTestConfig({ ...cfg, ...more, seed: 4, batchSize: 2, eta: 0.1 }),
      denseTestConfig({ ...cfg, ...more, seed: 5, batchSize: 5 }),
    ], { tuning: { workgroupSize: 64, splitDepth: 16 } });
  });

  test("CNN6's shape on Fashion-MNIST (5 conv layers of 10 channels 5×5, softmax-ce), |B| 2, 3 steps", async () => {
    const cfg = {
      model: 'cnn', input: 'fashion-mnist', inputDim: 784, classes: 10, loss: 'softmax-ce', normalize: 'unit', convLayers: 5,
      channels: 10, kernel: 5, batchSize: 2, steps: 3, eta: 0.01, trainSize: 50, probeSamples: 4,
    } as const;
    await expectDenseAgrees([denseTestConfig({ ...cfg, seed: 1 }), denseTestConfig({ ...cfg, seed: 2, eta: 0.02 })]);
  }, 120_000);
});
