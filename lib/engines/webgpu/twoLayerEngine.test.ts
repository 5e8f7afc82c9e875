/**
 * The webgpu-fused engine against the naive reference (engines/reference.ts) on this machine's
 * adapter (llvmpipe in CI): every loss, bias on and off, online and fixed sets, Gaussian and
 * uniform inputs, members with their own η, seed and |B|, and the kernel's layout variants.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../../core/config.js';
import { describeWebgpu, webgpuIsSoftware } from '../../testing/webgpu.js';
import { distances, refAdvance, refMembers, testConfig, worst } from '../../testing/webgpuRefDriver.js';
import type { PlanTuning } from './plan.js';
import { createWebgpuTwoLayerEngine, type WebgpuEngineOptions } from './twoLayerEngine.js';

/** Runs `configs` on the engine and on the reference through the same advances; returns the worst distance. */
async function compare(configs: RunConfig[], advances: [number, number, boolean[] | null][], opts: WebgpuEngineOptions = {}) {
  const before = tf.memory().numTensors;
  const engine = await createWebgpuTwoLayerEngine(configs, { checkEvery: 50, ...opts });
  const refs = refMembers(configs);
  for (const [from, k, act] of advances) {
    const active = act ?? configs.map(() => true);
    await engine.advance(from, k, active);
    refAdvance(refs, from, k, active, 50);
  }
  const d = worst(await distances(engine, refs));
  expect(await engine.takeFrozen()).toEqual([]);
  const plan = engine.plan;
  engine.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return { ...d, plan };
}

const TOL = 1e-4;

await describeWebgpu('webgpu-fused two-layer engine against the reference', () => {
  let software = false;
  beforeAll(async () => {
    software = await webgpuIsSoftware();
  });

  test('bce, bias, online Gaussian; members of own η, seed and |B| (1, 3, 5), one inactive for a while', async () => {
    const configs = [
      testConfig({ loss: 'bce', bias: true, input: 'gaussian', eta: 0.05, seed: 1, batchSize: 1 }),
      testConfig({ loss: 'bce', bias: true, input: 'gaussian', eta: 0.2, seed: 2, batchSize: 3 }),
      testConfig({ loss: 'bce', bias: true, input: 'gaussian', eta: 0.1, seed: 3, batchSize: 5 }),
    ];
    const r = await compare(configs, [[0, 120, null], [120, 80, [true, false, true]], [200, 100, null]]);
    expect(r.plan.chunks).toBe(1);
    expect(r.err).toBeLessThan(TOL);
    expect(r.consistent).toBe(true);
  });

  test('many outputs (C = 300): one advance of 20 steps is not cut short (llvmpipe stops an invocation after 65,535 loop iterations)', async () => {
    const configs = [testConfig({ loss: 'softmax-ce', classes: 300, inputDim: 10, hidden: 100, eta: 0.05, seed: 6, batchSize: 1 })];
    const r = await compare(configs, [[0, 20, null]]);
    expect(r.err).toBeLessThan(TOL);
    expect(r.consistent).toBe(true);
  }, 120000);

  test('mse, no bias, uniform inputs, a fixed set of 20 samples (many epochs), |B| 1 and 4', async () => {
    const configs = [
      testConfig({ loss: 'mse', bias: false, input: 'uniform', trainSize: 20, eta: 0.05, seed: 4, batchSize: 1 }),
      testConfig({ loss: 'mse', bias: false, input: 'uniform', trainSize: 20, eta: 0.02, seed: 5, batchSize: 4 }),
    ];
    const r = await compare(configs, [[0, 150, null], [150, 150, null]]);
    expect(r.err).toBeLessThan(TOL);
    expect(r.consistent).toBe(true);
  });

  test('softmax-ce with C = 3, bias, Gaussian fixed set of 37, |B| 2 and 3; advances that do not start at 0', async () => {
    const configs = [
      testConfig({ loss: 'softmax-ce', classes: 3, bias: true, trainSize: 37, eta: 0.05, seed: 6, batchSize: 2 }),
      testConfig({ loss: 'softmax-ce', classes: 3, bias: true, trainSize: 37, eta: 0.1, seed: 7, batchSize: 3 }),
    ];
    const r = await compare(configs, [[0, 60, null], [60, 240, null]]);
    expect(r.err).toBeLessThan(TOL);
  });

  test('softmax-ce with C = 10, no bias, online uniform, inputDim 7 (not a multiple of 4), hidden 12', async () => {
    const configs = [
      testConfig({ loss: 'softmax-ce', classes: 10, bias: false, input: 'uniform', inputDim: 7, hidden: 12, eta: 0.1, seed: 8 }),
      testConfig({ loss: 'softmax-ce', classes: 10, bias: false, input: 'uniform', inputDim: 7, hidden: 12, eta: 0.3, seed: 9,
        batchSize: 2 }),
    ];
    const r = await compare(configs, [[0, 300, null]]);
    expect(r.err).toBeLessThan(TOL);
  });

  test('layout variants: W private or in storage, several units per invocation, several chunks per batch (gradient in G)', async () => {
    const configs = [
      testConfig({ loss: 'bce', inputDim: 9, hidden: 10, eta: 0.05, seed: 10, batchSize: 7 }),
      testConfig({ loss: 'bce', inputDim: 9, hidden: 10, eta: 0.1, seed: 11, batchSize: 2 }),
      testConfig({ loss: 'bce', inputDim: 9, hidden: 10, eta: 0.02, seed: 12, batchSize: 1 }),
    ];
    const variants: PlanTuning[] = [
      { maxWorkgroupSize: 4, maxChunk: 3 },
      { maxWorkgroupSize: 4, maxChunk: 3, privateFloats: 0 },
      { privateFloats: 0 },
      { xRegisters: false }, // the GPU default: inputs read from workgroup memory (software adapters copy them)
    ];
    for (const tuning of variants) {
      const r = await compare(configs, [[0, 200, null]], { tuning });
      expect(r.plan.privateW).toBe(tuning.privateFloats !== 0);
      expect(r.plan.xRegisters).toBe(r.plan.privateW && tuning.xRegisters !== false && software);
      expect(r.plan.U).toBe(tuning.maxWorkgroupSize ? 3 : 1);
      expect(r.plan.chunks).toBe(tuning.maxChunk ? 3 : 1);
      expect(r.plan.gradScratch).toBe(tuning.maxChunk !== undefined && tuning.privateFloats === 0);
      expect(r.err).toBeLessThan(TOL);
    }
  });

  test('mse on a fixed set with |B| = trainSize (full batch) and dispatches of 7 steps', async () => {
    const configs = [
      testConfig({ loss: 'mse', trainSize: 6, batchSize: 6, eta: 0.05, seed: 13 }),
      testConfig({ loss: 'mse', trainSize: 6, batchSize: 3, eta: 0.05, seed: 14 }),
    ];
    const r = await compare(configs, [[0, 100, null]], { maxStepsPerDispatch: 7 });
    expect(r.err).toBeLessThan(TOL);
  });

  test('large shapes: inputDim 3072 (W rows in storage) and hidden 1024 (several units per invocation)', async () => {
    const wide = [
      testConfig({ inputDim: 3072, hidden: 8, eta: 0.01, seed: 15 }),
      testConfig({ inputDim: 3072, hidden: 8, eta: 0.02, seed: 16, batchSize: 2 }),
    ];
    const r1 = await compare(wide, [[0, 20, null]]);
    expect(r1.plan.privateW).toBe(false);
    expect(r1.err).toBeLessThan(TOL);
    const tall = [testConfig({ inputDim: 4, hidden: 1024, eta: 0.05, seed: 17, loss: 'softmax-ce', classes: 3 })];
    const r2 = await compare(tall, [[0, 30, null]]);
    expect(r2.plan.U).toBeGreaterThan(1);
    expect(r2.err).toBeLessThan(TOL);
  });

  test('members whose single step is over the software limit are not given to this engine on a software adapter', async () => {
    if (!software) return; // a real GPU has no such limit
    const { useBackend } = await import('../../backend/backends.js');
    const { pickEngine } = await import('../create.js');
    const { makeConfig } = await import('../../core/config.js');
    await useBackend('webgpu');
    // C·N·|B| = 300 · 100 · 4 loop iterations a step, over 60,000: the silent cut the step cap cannot avoid
    const big = [makeConfig({ loss: 'softmax-ce', classes: 300, inputDim: 10, hidden: 100, batchSize: 4, probes: ['loss'] })];
    expect(pickEngine(big)).not.toBe('webgpu-fused');
    expect(() => pickEngine(big, 'webgpu-fused')).toThrow(/engine: got 'webgpu-fused'; .*one step runs up to 122736 loop iterations in an invocation, over its limit of 60000/);
    expect(pickEngine([makeConfig({ ...big[0], batchSize: 1 })])).toBe('webgpu-fused');
  });
});
