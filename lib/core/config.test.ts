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
    ['backend is provenance, not config', { backend: 'cpu' }, /config\.backend: got 'cpu'; allowed: no such option/],
    ['steps 1e308', { steps: 1e308 }, /config\.steps: got 1e\+308; allowed: an integer >= 1 <= 1000000000/],
    ['hidden 1e9', { hidden: 1e9 }, /config\.hidden: got 1000000000; allowed: an integer >= 1 <= 65536/],
    ['probeSamples 1e9', { probeSamples: 1e9 }, /config\.probeSamples: got 1000000000; allowed: an integer >= 1 <= 1000000/],
    ['probeLogPoints 1e308', { probeLogPoints: 1e308 }, /config\.probeLogPoints: got 1e\+308; allowed: an integer >= 0 <= 10000/],
    ['inputDim 1e308', { inputDim: 1e308 }, /config\.inputDim: got 1e\+308; allowed: an integer >= 1 <= 1000000/],
    ['trainSize 1e308', { trainSize: 1e308 }, /config\.trainSize: got 1e\+308; allowed: an integer >= 0 <= 100000000/],
    ['batchSize 1e308', { batchSize: 1e308 }, /config\.batchSize: got 1e\+308; allowed: an integer >= 1 <= 1000000/],
    ['steps × batchSize beyond the stream', { steps: 1e9, batchSize: 10 }, /config\.steps: got 1000000000; allowed: an integer with steps × batchSize <= 4294967295/],
    ['soret on uniform inputs', { input: 'uniform', probes: ['soret'] }, /config\.probes: .*'soret' only with model 'two-layer'/],
    ['isotropic noise without full batches', { gradientNoise: 'isotropic' }, /config\.gradientNoise: got 'isotropic'; allowed: 'none', or 'isotropic' with a fixed training set/],
    ['unknown probe', { probes: ['hessian'] }, /config\.probes\[0\]: got 'hessian'/],
    ['unknown key', { learningRate: 0.1 }, /config\.learningRate: got 0\.1; allowed: no such option; known options: model, /],
    ['string number', { eta: '0.1' }, /config\.eta: got '0\.1'/],
    ['exact rate with uniform input', { input: 'uniform', probes: ['activation-rate-exact'] }, /config\.probes: .*only with input 'gaussian'/],
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

  test('the default probes follow the model: fc and cnn work as they are', () => {
    expect(makeConfig({ model: 'fc' }).probes).toEqual(['activation-rate', 'weight-norms', 'loss']);
    expect(makeConfig({ input: 'uniform' }).probes).toEqual(['activation-rate', 'weight-norms', 'loss']);
    expect(makeConfig({}).probes).toContain('activation-rate-exact');
  });

  test('the input size follows an image input when not given; a wrong one given is refused', () => {
    expect(makeConfig({ input: 'fashion-mnist', classes: 10, loss: 'softmax-ce' }).inputDim).toBe(784);
    expect(makeConfig({ input: 'cifar10', classes: 10, loss: 'softmax-ce' }).inputDim).toBe(3072);
    expect(() => makeConfig({ input: 'cifar10', inputDim: 100 })).toThrow(/config\.inputDim: got 100; allowed: 3072 for input 'cifar10'/);
  });

  test('a non-object config is rejected', () => {
    expect(() => makeConfig([1, 2])).toThrow(/config: got \[1,2\]; allowed: an object/);
  });
});
