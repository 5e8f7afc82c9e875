/**
 * No generated kernel declares a variable without initializer inside a loop (wgslLint.ts): the
 * fused two-layer kernel and its norm kernel in every layout variant, and every webgpu-dense
 * kernel of FC6, CNN6 and the CIFAR net. Runs without a GPU: it reads the WGSL text.
 */
import { makeConfig } from '../../core/config.js';
import { TEST_DENSE_LIMITS } from '../../testing/denseLimits.js';
import { stepKernels, normsKernel as denseNorms } from '../webgpuDense/kernels.js';
import { planDense } from '../webgpuDense/plan.js';
import { denseShape } from '../webgpuDense/shape.js';
import { twoLayerKernel } from './kernel.wgsl.js';
import { normsKernel } from './norms.wgsl.js';
import { planTwoLayer, type PlanShape, type PlanTuning } from './plan.js';
import { loopDeclarationsWithoutInitializer as lint } from './wgslLint.js';


test('the lint finds a declaration without initializer inside a loop, and only there', () => {
  const code = ['fn f() {', '  var ok: array<f32, 4>;', '  for (var i = 0u; i < 4u; i++) {', '    var bad: array<f32, 2>;', '    var fine = 0.0;', '    if (i > 0u) { var alsoBad: f32; }', '  }', '  loop { var inLoop: u32; break; }', '}'].join('\n');
  expect(lint(code).map((d) => d.line)).toEqual([4, 6, 8]);
  expect(lint('fn g() {\n  var x: f32;\n  if (true) { var y: f32; }\n}')).toEqual([]);
});

test('the fused two-layer kernel and its norm kernel, every layout variant', () => {
  const shape = (s: Partial<PlanShape>): PlanShape => ({
    inputDim: 100, hidden: 100, classes: 1, bias: true, loss: 'bce', input: 'gaussian', trainSize: 0, members: 16, maxBatch: 1, ...s,
  });
  const cases: [Partial<PlanShape>, PlanTuning][] = [
    [{}, {}],
    [{}, { xRegisters: true }],
    [{ maxBatch: 40 }, {}], // several chunks, private gradient
    [{ maxBatch: 40, inputDim: 3072 }, {}], // several chunks, W in storage, gradient scratch
    [{ classes: 10, loss: 'softmax-ce', bias: false, trainSize: 1000, input: 'uniform' }, { privateFloats: 0 }],
    [{ loss: 'mse' }, { maxWorkgroupSize: 64 }],
  ];
  for (const [s, tuning] of cases) {
    const p = planTwoLayer(shape(s), TEST_DENSE_LIMITS, tuning);
    expect(lint(twoLayerKernel(p))).toEqual([]);
    expect(lint(normsKernel(p))).toEqual([]);
  }
});

test('every webgpu-dense kernel of FC6, CNN6 and the CIFAR net', () => {
  const base = { classes: 10, loss: 'softmax-ce' } as const;
  const nets = [
    { cfg: makeConfig({ ...base, model: 'fc', depth: 6, hidden: 100, inputDim: 784 }), images: 0 },
    { cfg: makeConfig({ ...base, model: 'cnn', input: 'fashion-mnist', inputDim: 784, convLayers: 5, channels: 10, kernel: 5 }), images: 60000 },
    { cfg: makeConfig({ ...base, model: 'two-layer', inputDim: 3072, hidden: 300, batchSize: 1000 }), images: 0 },
  ];
  for (const { cfg, images } of nets) {
    const plan = planDense({ shape: denseShape(cfg, images), members: 2, maxBatch: cfg.batchSize, channels: cfg.model === 'cnn' ? 1 : 0 }, TEST_DENSE_LIMITS);
    for (const k of stepKernels(plan)) expect({ label: k.label, found: lint(k.code) }).toEqual({ label: k.label, found: [] });
    expect(lint(denseNorms(plan))).toEqual([]);
  }
});
