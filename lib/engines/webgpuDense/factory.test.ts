/**
 * The webgpu-dense factory wired as the lead will wire it (registerFusedEngine): trainMembers with
 * engine 'webgpu-dense' trains on it and agrees with the tfjs engine; it refuses other backends' runs.
 */
import { registerFusedEngine } from '../create.js';
import type { EngineName } from '../engine.js';
import { train, trainMembers } from '../../train/trainer.js';
import { describeWebgpu, webgpuDevice } from '../../testing/webgpu.js';
import { checkRecords, denseTestConfig } from '../../testing/denseAgree.js';
import { WEBGPU_DENSE_FACTORY } from './factory.js';

await describeWebgpu('webgpu-dense through trainMembers', () => {
  beforeAll(async () => {
    await webgpuDevice();
    registerFusedEngine(WEBGPU_DENSE_FACTORY);
  });

  test("engine 'webgpu-dense' trains the members and agrees with the tfjs engine", async () => {
    const cfg = { steps: 30, loss: 'mse' } as const;
    const configs = [denseTestConfig({ ...cfg, seed: 1 }), denseTestConfig({ ...cfg, seed: 2, batchSize: 2, eta: 0.1 })];
    let used = '';
    const results = await trainMembers(configs, { engine: 'webgpu-dense' as EngineName, checkEvery: 10, onEngine: (e) => (used = e.name) });
    expect(used).toBe('webgpu-dense');
    for (const [m, cfg] of configs.entries()) {
      const ref = await train(cfg, { engine: 'tfjs', checkEvery: 10 });
      checkRecords(results[m].records, ref.records, { activation: 0.01, relative: 2e-5 }, `member ${m}`);
    }
    expect(WEBGPU_DENSE_FACTORY.unsupported(configs, 'cpu')).toMatch(/needs the webgpu backend/);
    const cnn = denseTestConfig({ model: 'cnn', inputDim: 9, classes: 2, loss: 'softmax-ce' });
    expect(WEBGPU_DENSE_FACTORY.unsupported([cnn], 'webgpu')).toBeNull();
    const noisy = denseTestConfig({ gradientNoise: 'isotropic', trainSize: 10, batchSize: 10 });
    expect(WEBGPU_DENSE_FACTORY.unsupported([noisy], 'webgpu')).toMatch(/gradientNoise/);
  });
});
