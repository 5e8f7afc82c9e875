/** The memory estimate checked before training (engines/memory.ts). */
import { makeConfig } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { useBackend } from '../backend/backends.js';
import { checkEngineMemory, estimateGroupBytes } from './memory.js';

beforeAll(() => useBackend('cpu'));

test('the estimate grows with members, width and probe samples, and names the term that dominates', () => {
  const one = makeConfig({ inputDim: 100, hidden: 100 });
  const a = estimateGroupBytes([one]);
  const many = estimateGroupBytes(Array.from({ length: 64 }, (_, seed) => ({ ...one, seed })));
  expect(many.bytes).toBeGreaterThan(20 * a.bytes);
  expect(estimateGroupBytes([{ ...one, hidden: 60_000, probeSamples: 10 }])).toMatchObject({ field: 'hidden', value: 60_000 });
  expect(estimateGroupBytes([{ ...one, probeSamples: 1_000_000 }])).toMatchObject({ field: 'probeSamples', value: 1_000_000 });
});

test("an image dataset's training split counts once for the group, a byte a pixel, whatever trainSize takes", () => {
  const cifar = makeConfig({ input: 'cifar10', inputDim: 3072, classes: 10, loss: 'softmax-ce', hidden: 10, probeSamples: 10 });
  const split = 50_000 * (3072 + 4);
  const whole = estimateGroupBytes([cifar]);
  expect(whole.bytes).toBeGreaterThan(split);
  expect(whole).toMatchObject({ field: 'trainSize', value: 50_000 });
  // the whole split is loaded for a subset too
  expect(estimateGroupBytes([{ ...cifar, trainSize: 1000 }]).bytes).toBe(whole.bytes);
  // a second member adds its parameters and activations, not a second copy of the dataset
  expect(estimateGroupBytes([cifar, { ...cifar, seed: 1 }]).bytes - whole.bytes).toBeLessThan(split / 10);
});

test('a group over what the backend holds is a one-line ConfigError naming the field, the value and what to reduce', () => {
  const huge = makeConfig({ inputDim: 100, hidden: 65_536, probeSamples: 1_000_000 });
  const members = Array.from({ length: 64 }, (_, seed) => ({ ...huge, seed }));
  expect(() => checkEngineMemory(members, 'tfjs')).toThrow(ConfigError);
  expect(() => checkEngineMemory(members, 'tfjs')).toThrow(/^config\.(hidden|probeSamples): got \d+; allowed: a smaller value: 64 run\(s\) together would need about [\d.]+ GiB, more than this machine's memory/);
});
