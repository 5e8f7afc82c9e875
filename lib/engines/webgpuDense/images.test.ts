/**
 * webgpu-dense against the tfjs engine on image datasets in the official formats (small generated
 * files): the CIFAR net (two-layer, 3072 → hidden → 10, softmax-ce) on CIFAR-10 batches, and fc on
 * Fashion-MNIST IDX files; members of their own |B|, η and seed; the whole split and a trainSize subset.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeCifarFiles, writeFashionMnistFiles } from '../../testing/datafiles.js';
import { describeWebgpu, webgpuDevice } from '../../testing/webgpu.js';
import { denseTestConfig, expectDenseAgrees } from '../../testing/denseAgree.js';

await describeWebgpu('webgpu-dense on image datasets against the tfjs engine', () => {
  let dir = '';
  beforeAll(async () => {
    await webgpuDevice();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-images-'));
    writeCifarFiles(path.join(dir, 'cifar'), 8);
    writeFashionMnistFiles(path.join(dir, 'fmnist'), 30, 20);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('CIFAR net: two-layer 3072 → 6 → 10 softmax-ce on CIFAR-10 files, |B| 4 and 7, standardized', async () => {
    const cfg = {
      model: 'two-layer', input: 'cifar10', inputDim: 3072, hidden: 6, classes: 10, loss: 'softmax-ce', dataDir: path.join(dir, 'cifar'),
      normalize: 'standardize', steps: 25, probeSamples: 16,
    } as const;
    await expectDenseAgrees([
      denseTestConfig({ ...cfg, seed: 1, batchSize: 4, eta: 0.01 }),
      denseTestConfig({ ...cfg, seed: 2, batchSize: 7, eta: 0.02 }),
    ]);
  });

  test('fc depth 3 on Fashion-MNIST IDX files, a trainSize subset of 17, bias off, |B| 3 and 5', async () => {
    const cfg = {
      model: 'fc', depth: 3, input: 'fashion-mnist', inputDim: 784, hidden: 8, classes: 10, loss: 'softmax-ce', bias: false,
      dataDir: path.join(dir, 'fmnist'), trainSize: 17, steps: 25, probeSamples: 16,
    } as const;
    await expectDenseAgrees([
      denseTestConfig({ ...cfg, seed: 3, batchSize: 3, eta: 0.05 }),
      denseTestConfig({ ...cfg, seed: 4, batchSize: 5, eta: 0.02 }),
    ]);
  });
});
