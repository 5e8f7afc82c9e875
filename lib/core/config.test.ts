import { ConfigError, ThermoError } from './errors.js';
import { DEFAULT_CONFIG, makeConfig } from './config.js';

describe('makeConfig', () => {
  test('fills defaults', () => {
    expect(makeConfig({})).toEqual({ ...DEFAULT_CONFIG, probes: [...DEFAULT_CONFIG.probes] });
  });

  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['eta = 0', { eta: 0 }, /config\.eta: got 0; allowed: a finite number > 0/],
    ['eta < 0', { eta: -0.1 }, /config\.eta: got -0\.1/],
    ['eta NaN', { eta: NaN }, /config\.eta: got NaN/],
    ['batch 0', { batchSize: 0 }, /config\.batchSize: got 0; allowed: an integer >= 1/],
    ['batch 1.5', { batchSize: 1.5 }, /config\.batchSize: got 1\.5/],
    ['steps 0', { steps: 0 }, /config\.steps: got 0/],
    ['unknown model', { model: 'resnet' }, /config\.model: got 'resnet'; allowed: one of 'two-layer'/],
    ['unknown init', { init: 'xavier' }, /config\.init: got 'xavier'; allowed: one of 'pytorch-default'/],
    ['unknown backend', { backend: 'tpu' }, /config\.backend: got 'tpu'; allowed: one of 'cpu', 'wasm', 'tensorflow', 'cuda', 'webgpu'/],
    ['unknown probe', { probes: ['hessian'] }, /config\.probes\[0\]: got 'hessian'/],
    ['unknown key', { learningRate: 0.1 }, /config\.learningRate: got 0\.1; allowed: no such option; known options: model, /],
    ['string number', { eta: '0.1' }, /config\.eta: got '0\.1'/],
    ['exact rate with uniform input', { input: 'uniform' }, /config\.probes: .*only with input 'gaussian'/],
    ['train set smaller than batch', { trainSize: 2, batchSize: 4 }, /config\.trainSize: got 2/],
  ];
  test.each(bad)('%s gives a typed ConfigError naming the value', (_name, partial, message) => {
    let caught: unknown;
    try {
      makeConfig(partial);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect(caught).toBeInstanceOf(ThermoError);
    expect((caught as ConfigError).name).toBe('ConfigError');
    expect((caught as ConfigError).exitCode).toBe(2);
    expect((caught as Error).message).toMatch(message);
  });

  test('a non-object config is rejected', () => {
    expect(() => makeConfig([1, 2])).toThrow(/config: got \[1,2\]; allowed: an object/);
  });
});
