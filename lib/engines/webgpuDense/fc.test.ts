/**
 * webgpu-dense against the tfjs engine on the same (webgpu) backend, model 'fc': depth 3 and 4,
 * bce, mse and softmax-ce, bias on and off, online and fixed synthetic sets (Gaussian and
 * uniform), members of their own |B|, η and seed, and tile layouts with several tiles per layer.
 */
import { describeWebgpu, webgpuDevice } from '../../testing/webgpu.js';
import { denseTestConfig, expectDenseAgrees } from '../../testing/denseAgree.js';

await describeWebgpu('webgpu-dense fc against the tfjs engine', () => {
  beforeAll(async () => {
    await webgpuDevice();
  });

  test('depth 3, bce, bias, online Gaussian; members of |B| 1, 4 and 5 and own η', async () => {
    await expectDenseAgrees([
      denseTestConfig({ seed: 1, batchSize: 1, eta: 0.1 }),
      denseTestConfig({ seed: 2, batchSize: 4, eta: 0.05 }),
      denseTestConfig({ seed: 3, batchSize: 5, eta: 0.2 }),
    ]);
  });

  test('depth 4, mse, no bias, uniform inputs, a fixed set of 10 (many epochs), |B| 2 and 3', async () => {
    const cfg = { depth: 4, loss: 'mse', bias: false, input: 'uniform', trainSize: 10 } as const;
    await expectDenseAgrees([
      denseTestConfig({ ...cfg, seed: 4, batchSize: 2, eta: 0.05 }),
      denseTestConfig({ ...cfg, seed: 5, batchSize: 3 }),
    ]);
  });

  test('depth 4, softmax-ce (C = 3), bias, Gaussian fixed set of 13, |B| 3 and 5', async () => {
    const cfg = { depth: 4, loss: 'softmax-ce', classes: 3, trainSize: 13 } as const;
    await expectDenseAgrees([
      denseTestConfig({ ...cfg, seed: 6, batchSize: 3, eta: 0.1 }),
      denseTestConfig({ ...cfg, seed: 7, batchSize: 5 }),
    ]);
  });

  test('several tiles per layer (hidden 40, |B| 20 and 33, inputDim 5), 64-invocation workgroups, the output split in 3; softmax-ce, no bias', async () => {
    const cfg = { depth: 3, loss: 'softmax-ce', classes: 4, bias: false, inputDim: 5, hidden: 40, steps: 20 } as const;
    const configs = [
      denseTestConfig({ ...cfg, seed: 8, batchSize: 20, eta: 0.1 }),
      denseTestConfig({ ...cfg, seed: 9, batchSize: 33, eta: 0.05 }),
    ];
    await expectDenseAgrees(configs);
    await expectDenseAgrees(configs, { tuning: { workgroupSize: 64, maxRegisterBlock: 2, tileDepth: 8, outputSplitDepth: 16 } });
  });

  test('narrow tiles (1 or 2 invocations across, up to 8 columns each): |B| 70 and 130, 64-invocation workgroups, softmax-ce (C = 3)', async () => {
    const cfg = { depth: 3, loss: 'softmax-ce', classes: 3, hidden: 12, steps: 10 } as const;
    await expectDenseAgrees([
      denseTestConfig({ ...cfg, seed: 10, batchSize: 70, eta: 0.1 }),
      denseTestConfig({ ...cfg, seed: 11, batchSize: 130, eta: 0.05 }),
    ], { tuning: { workgroupSize: 64 } });
  });
});
