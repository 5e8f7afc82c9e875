/**
 * The webgpu-fused engine's contract beyond one SGD step: the divergence rule and frozen members,
 * save/load, loss accumulators, zero-copy parameter tensors, member groups split across buffers
 * and limit errors.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../../core/errors.js';
import { describeWebgpu, webgpuDevice } from '../../testing/webgpu.js';
import { distances, refAdvance, refMembers, testConfig, worst } from '../../testing/webgpuRefDriver.js';
import { createWebgpuTwoLayerEngine } from './twoLayerEngine.js';

const all = (n: number) => Array.from({ length: n }, () => true);

await describeWebgpu('webgpu-fused engine: divergence, checkpoints, tensors and limits', () => {
  beforeAll(async () => {
    await webgpuDevice();
  });

  test('a diverging member (huge η, MSE) is frozen at the right multiple of checkEvery, reported once; the others go on', async () => {
    const configs = [
      testConfig({ loss: 'mse', eta: 0.05, seed: 1 }),
      testConfig({ loss: 'mse', eta: 40, seed: 2, divergenceThreshold: 1e3 }),
      testConfig({ loss: 'mse', eta: 0.02, seed: 3, batchSize: 2 }),
    ];
    const engine = await createWebgpuTwoLayerEngine(configs, { checkEvery: 7 });
    const refs = refMembers(configs);
    await engine.advance(0, 60, all(3));
    refAdvance(refs, 0, 60, all(3), 7);
    expect(refs[1].frozenAt).toBeGreaterThan(0);
    expect(refs[1].frozenAt % 7).toBe(0);
    expect(await engine.takeFrozen()).toEqual([{ member: 1, step: refs[1].frozenAt }]);
    expect(await engine.takeFrozen()).toEqual([]);
    const frozen = await engine.save(1);
    await engine.advance(60, 40, all(3));
    refAdvance(refs, 60, 40, all(3), 7);
    const after = await engine.save(1);
    expect(Array.from(after.params.W)).toEqual(Array.from(frozen.params.W));
    expect(after.lossSum).toBe(frozen.lossSum);
    expect(await engine.takeFrozen()).toEqual([]);
    const d = await distances(engine, refs);
    expect(worst([d[0], d[2]]).err).toBeLessThan(1e-4);
    engine.dispose();
  });

  test('save/load mid-run gives the same continuation; load clears a frozen status; resetLoss zeroes only the members named', async () => {
    const configs = [testConfig({ eta: 0.05, seed: 4, trainSize: 30, batchSize: 3 }), testConfig({ eta: 0.1, seed: 5, trainSize: 30 })];
    const a = await createWebgpuTwoLayerEngine(configs);
    await a.advance(0, 70, all(2));
    const saved = [await a.save(0), await a.save(1)];
    await a.advance(70, 50, all(2));
    const zeros = () => ({ W: new Float32Array(30), b: new Float32Array(5), V: new Float32Array(5) });
    const b = await createWebgpuTwoLayerEngine(configs, { initial: zeros });
    await b.load(0, saved[0]);
    await b.load(1, saved[1]);
    expect(await b.lossSums()).toEqual(Float64Array.from(saved.map((s) => s.lossSum)));
    await b.advance(70, 50, all(2));
    for (const m of [0, 1]) {
      const [x, y] = [await a.save(m), await b.save(m)];
      expect(Array.from(y.params.W)).toEqual(Array.from(x.params.W));
      expect(Array.from(y.params.b)).toEqual(Array.from(x.params.b));
      expect(Array.from(y.params.V)).toEqual(Array.from(x.params.V));
      expect(y.lossSum).toBeCloseTo(x.lossSum, 9);
    }
    await b.resetLoss([1]);
    const losses = await b.lossSums();
    expect(losses[0]).toBeGreaterThan(0);
    expect(losses[1]).toBe(0);
    await expect(b.resetLoss([2])).rejects.toThrow(ConfigError);
    a.dispose();
    b.dispose();

    const c = await createWebgpuTwoLayerEngine([testConfig({ loss: 'mse', eta: 40, divergenceThreshold: 10 })], { checkEvery: 5 });
    const start = await c.save(0);
    await c.advance(0, 50, [true]);
    expect((await c.takeFrozen()).length).toBe(1);
    await c.load(0, start);
    await c.advance(0, 3, [true]);
    expect(await c.takeFrozen()).toEqual([]);
    expect(Array.from((await c.save(0)).params.W)).not.toEqual(Array.from(start.params.W));
    c.dispose();
  });

  test('paramTensors() wrap the buffers without a copy, equal save(), see the parameters they were enqueued on, leak nothing', async () => {
    const before = tf.memory().numTensors;
    const configs = [
      testConfig({ seed: 6, classes: 3, loss: 'softmax-ce' }),
      testConfig({ seed: 7, classes: 3, loss: 'softmax-ce', eta: 0.2 }),
    ];
    const engine = await createWebgpuTwoLayerEngine(configs);
    await engine.advance(0, 20, all(2));
    const t = await engine.paramTensors();
    expect(Object.keys(t).sort()).toEqual(['V', 'W', 'b']);
    expect(t.W.shape).toEqual([2, 5, 6]);
    expect(t.b.shape).toEqual([2, 5]);
    expect(t.V.shape).toEqual([2, 3, 5]);
    expect(await engine.paramTensors()).toBe(t);
    const saved = [await engine.save(0), await engine.save(1)];
    for (const name of ['W', 'b', 'V']) {
      expect(Array.from(await t[name].data())).toEqual([...saved[0].params[name], ...saved[1].params[name]]);
    }
    const ss = await engine.sumSquares();
    saved.forEach((s, m) => {
      for (const name of ['W', 'b', 'V']) expect(ss[m][name]).toBeCloseTo(s.params[name].reduce((a, x) => a + x * x, 0), 5);
    });
    const t2 = await engine.paramTensors();
    const pending = tf.sum(t2.W); // enqueued before the advance: must see the parameters it was enqueued on
    await engine.advance(20, 10, all(2));
    expect(t2.W.isDisposed).toBe(true);
    const expected = [...saved[0].params.W, ...saved[1].params.W].reduce((a, x) => a + x, 0);
    expect((await pending.data())[0]).toBeCloseTo(expected, 4);
    pending.dispose();
    const t3 = await engine.paramTensors();
    expect(Array.from(await t3.W.data())).toEqual([...(await engine.save(0)).params.W, ...(await engine.save(1)).params.W]);
    engine.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('members split over several buffers when W exceeds a (lowered) binding limit, and still match the reference', async () => {
    const configs = Array.from({ length: 5 }, (_, m) => testConfig({ seed: 10 + m, eta: 0.02 * (m + 1), batchSize: 1 + (m % 2) }));
    const engine = await createWebgpuTwoLayerEngine(configs, { limits: { maxStorageBufferBindingSize: 2 * 30 * 4 } });
    expect(engine.plan.groups).toEqual([{ first: 0, count: 2 }, { first: 2, count: 2 }, { first: 4, count: 1 }]);
    const refs = refMembers(configs);
    const active = [true, false, true, true, true];
    await engine.advance(0, 80, active);
    refAdvance(refs, 0, 80, active, 100);
    await engine.advance(80, 40, all(5));
    refAdvance(refs, 80, 40, all(5), 100);
    expect(worst(await distances(engine, refs)).err).toBeLessThan(1e-4);
    expect((await engine.sumSquares()).length).toBe(5);
    expect((await engine.paramTensors()).W.shape).toEqual([5, 5, 6]);
    engine.dispose();
  });

  test('a sweep that cannot fit the device gives a one-line ConfigError naming what to reduce and the limit', async () => {
    const big = [testConfig({ inputDim: 64, hidden: 64 })];
    await expect(createWebgpuTwoLayerEngine(big, { limits: { maxStorageBufferBindingSize: 4096 } })).rejects.toThrow(
      /config\.hidden: got 64; allowed: .*maxStorageBufferBindingSize.*reduce hidden or inputDim/,
    );
    await expect(createWebgpuTwoLayerEngine(big, { limits: { maxComputeWorkgroupStorageSize: 256 } })).rejects.toThrow(
      /config\.inputDim: got 64; allowed: .*maxComputeWorkgroupStorageSize = 256.*reduce inputDim/,
    );
    await expect(createWebgpuTwoLayerEngine([testConfig({ model: 'fc' })])).rejects.toThrow(/model 'fc'/);
    await expect(createWebgpuTwoLayerEngine(big, { checkEvery: 0 })).rejects.toThrow(ConfigError);
  });
});
