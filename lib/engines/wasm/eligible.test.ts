import { makeConfig, type RunConfig } from '../../core/config.js';
import { wasmFusedEligible } from './eligible.js';
import { assignMembers } from './twoLayerEngine.js';

const cfg = (o: Partial<RunConfig> = {}) => makeConfig({ probes: ['loss'], ...o });

test('two-layer ensembles on synthetic input are eligible, with members of their own η, seed, |B| and threshold', () => {
  expect(wasmFusedEligible([cfg()])).toEqual({ eligible: true });
  const own = [cfg({ eta: 0.1, seed: 1 }), cfg({ eta: 0.2, seed: 2, batchSize: 8, divergenceThreshold: 10, steps: 5 })];
  expect(wasmFusedEligible(own)).toEqual({ eligible: true });
  const softmax = cfg({ loss: 'softmax-ce', classes: 3, input: 'uniform', trainSize: 100, bias: false });
  expect(wasmFusedEligible([softmax])).toEqual({ eligible: true });
});

test.each([
  ['no configs', [], /no configs/],
  ['another model', [cfg({ model: 'fc' })], /model 'fc'/],
  ['a dataset', [cfg({ input: 'fashion-mnist', inputDim: 784, classes: 10, loss: 'softmax-ce' })], /input 'fashion-mnist'/],
  ['members of different widths', [cfg(), cfg({ hidden: 50 })], /members differ in hidden/],
  ['members of different losses', [cfg(), cfg({ loss: 'mse' })], /members differ in loss/],
  ['members with and without bias', [cfg(), cfg({ bias: false })], /members differ in bias/],
  ['members on different sets', [cfg({ trainSize: 10 }), cfg({ trainSize: 20 })], /members differ in trainSize/],
  ['gradient noise', [cfg({ trainSize: 10, batchSize: 10, gradientNoise: 'isotropic' })], /gradientNoise/],
  ['more memory than WASM has', [cfg({ inputDim: 100000, hidden: 20000 })], /GiB/],
] as [string, RunConfig[], RegExp][])('not eligible: %s', (_, configs, reason) => {
  const v = wasmFusedEligible(configs);
  expect(v.eligible).toBe(false);
  if (!v.eligible) expect(v.reason).toMatch(reason);
});

test('members go to the least loaded thread, largest batch first', () => {
  expect(assignMembers([0, 1, 2, 3], [1, 1, 1, 1], 2)).toEqual([[0, 2], [1, 3]]);
  expect(assignMembers([0, 1, 2], [1, 8, 1], 2)).toEqual([[1], [0, 2]]);
  expect(assignMembers([2], [1, 1, 1], 2)).toEqual([[2]]);
});
