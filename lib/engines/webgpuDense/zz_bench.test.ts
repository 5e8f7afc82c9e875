import { makeConfig } from '../../core/config.js';
import { TfjsEngine } from '../tfjs.js';
import { benchDense } from './bench.js';
test('bench', async () => {
  const r = await benchDense({ fc6Steps: 30, cifarSteps: 2 });
  console.log(JSON.stringify(r));
  for (const [name, cfg, steps] of [
    ['fc6', { model: 'fc', depth: 6, inputDim: 784, hidden: 100, classes: 10, loss: 'softmax-ce', batchSize: 32 }, 10],
    ['cifar', { model: 'two-layer', inputDim: 3072, hidden: 300, classes: 10, loss: 'softmax-ce', batchSize: 1000 }, 2],
  ] as const) {
    const e = await TfjsEngine.create([makeConfig({ ...cfg, probes: ['loss'] } as any)], { checkEvery: 1000 });
    await e.advance(0, 2, [true]); await e.lossSums();
    const t0 = performance.now();
    await e.advance(2, steps, [true]); await e.lossSums();
    console.log('tfjs', name, ((performance.now() - t0) / steps).toFixed(1), 'ms/step');
    e.dispose();
  }
}, 600000);
