/**
 * The webgpu-dense data kernel against data/source.ts: the inputs and labels of a step's batch,
 * for online and fixed synthetic sets (Gaussian and uniform) and an image dataset, members of
 * their own seed and |B|.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeConfig, type RunConfig } from '../../core/config.js';
import { memberData } from '../../data/source.js';
import { writeCifarFiles } from '../../testing/datafiles.js';
import { describeWebgpu, webgpuDevice } from '../../testing/webgpu.js';
import { createWebgpuDenseEngine } from './create.js';

/** The worst |device − host| input difference (relative to max(1, |x|)) and label mismatches over steps `ts`. */
async function compareBatches(configs: RunConfig[], ts: number[]): Promise<{ err: number; labelErrors: number }> {
  const engine = await createWebgpuDenseEngine(configs, { checkEvery: 1000 });
  const { Bmax } = engine.plan;
  const M = configs[0].inputDim;
  const data = await Promise.all(configs.map((c) => memberData(c)));
  let err = 0;
  let labelErrors = 0;
  try {
    for (const t of ts) {
      await engine.advance(t, 1, configs.map(() => true));
      const got = await engine.lastBatch();
      configs.forEach((c, m) => {
        const x = new Float32Array(c.batchSize * M);
        const y = new Float32Array(c.batchSize);
        data[m].batch(t, c.batchSize, c.batchSize, x, y, 0);
        for (let i = 0; i < x.length; i++) err = Math.max(err, Math.abs(got.x[m * Bmax * M + i] - x[i]) / Math.max(1, Math.abs(x[i])));
        for (let b = 0; b < c.batchSize; b++) if (got.y[m * Bmax + b] !== y[b]) labelErrors++;
      });
    }
  } finally {
    engine.dispose();
  }
  return { err, labelErrors };
}

const base = { model: 'fc', depth: 2, hidden: 4, inputDim: 7, probes: ['loss'], probeLogPoints: 0, probeLinearPoints: 0 } as const;

await describeWebgpu('webgpu-dense data kernel against data/source.ts', () => {
  beforeAll(async () => {
    await webgpuDevice();
  });

  test('online Gaussian and uniform inputs, members of own seed and |B|', async () => {
    for (const input of ['gaussian', 'uniform'] as const) {
      const configs = [makeConfig({ ...base, input, seed: 1, batchSize: 3 }), makeConfig({ ...base, input, seed: 2, batchSize: 5 })];
      const r = await compareBatches(configs, [0, 1, 17]);
      expect(r.err).toBeLessThan(1e-5);
      expect(r.labelErrors).toBe(0);
    }
  });

  test('fixed synthetic set (shuffled epochs), softmax labels with C = 3', async () => {
    const cfg = { ...base, trainSize: 11, classes: 3, loss: 'softmax-ce' } as const;
    const configs = [makeConfig({ ...cfg, seed: 3, batchSize: 4 }), makeConfig({ ...cfg, seed: 4, batchSize: 2 })];
    const r = await compareBatches(configs, [0, 2, 3, 9]);
    expect(r.err).toBeLessThan(1e-5);
    expect(r.labelErrors).toBe(0);
  });

  test('CIFAR-format images: normalized pixels (unit and standardize) and labels, bit for bit', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-cifar-'));
    try {
      writeCifarFiles(dir, 6);
      for (const [normalize, trainSize] of [['unit', 0], ['standardize', 9]] as const) {
        const cfg = {
          model: 'two-layer', input: 'cifar10', inputDim: 3072, classes: 10, loss: 'softmax-ce', hidden: 4,
          dataDir: dir, normalize, trainSize,
        } as const;
        const configs = [makeConfig({ ...cfg, seed: 5, batchSize: 7 }), makeConfig({ ...cfg, seed: 6, batchSize: 2 })];
        const r = await compareBatches(configs, [0, 4, 5]);
        expect(r.err).toBe(0);
        expect(r.labelErrors).toBe(0);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
