import { makeConfig, type RunConfig } from '../../core/config.js';
import { webgpuFusedEligible } from './eligible.js';
import type { PlanLimits } from './plan.js';

const cfg = (p: Partial<RunConfig> = {}) => makeConfig({ model: 'two-layer', inputDim: 8, hidden: 4, probes: ['loss'], ...p });
const reason = (configs: RunConfig[], limits?: PlanLimits) => {
  const v = webgpuFusedEligible(configs, limits);
  return v.eligible ? 'eligible' : v.reason;
};

test('two-layer synthetic sweeps with their own η, seed, |B| and threshold are eligible', () => {
  expect(reason([cfg({ eta: 0.1, seed: 1 }), cfg({ eta: 0.2, seed: 2, batchSize: 4, divergenceThreshold: 10 })])).toBe('eligible');
  expect(reason([cfg({ input: 'uniform', trainSize: 50, loss: 'mse', bias: false })])).toBe('eligible');
  expect(reason([cfg({ classes: 10, loss: 'softmax-ce' })])).toBe('eligible');
});

test('what is not eligible says why', () => {
  expect(reason([])).toBe('no configs');
  expect(reason([cfg({ model: 'fc' })])).toMatch(/model 'fc'/);
  expect(reason([cfg({ input: 'fashion-mnist', inputDim: 784, classes: 10, loss: 'softmax-ce' })])).toMatch(/input 'fashion-mnist'/);
  expect(reason([cfg(), cfg({ hidden: 5 })])).toMatch(/members differ in hidden \(member 1: 5, member 0: 4\)/);
  expect(reason([cfg(), cfg({ trainSize: 10 })])).toMatch(/members differ in trainSize/);
  const noisy = { gradientNoise: 'isotropic', trainSize: 8, batchSize: 8 } as Partial<RunConfig>;
  expect(reason([cfg(noisy)])).toMatch(/gradientNoise 'isotropic'/);
  expect(reason([{ ...cfg(), loss: 'softmax-ce' }])).toMatch(/loss 'softmax-ce' with classes = 1/);
});

test('with device limits, a sweep that does not fit is not eligible, with the limit error as the reason', () => {
  const limits: PlanLimits = {
    maxStorageBufferBindingSize: 64, maxBufferSize: 2 ** 20, maxComputeWorkgroupStorageSize: 16384, maxComputeInvocationsPerWorkgroup: 128,
    maxComputeWorkgroupSizeX: 128, maxComputeWorkgroupsPerDimension: 65535, maxStorageBuffersPerShaderStage: 8,
  };
  expect(reason([cfg()], limits)).toMatch(/^config\.hidden: got 4; allowed: .*maxStorageBufferBindingSize/);
  expect(reason([cfg({ inputDim: 2, hidden: 2 })], limits)).toBe('eligible');
});
