/**
 * The webgpu-dense engine's contract beyond one SGD step: the divergence rule and frozen members
 * (against the tfjs engine), save/load, loss accumulators, parameter tensors of member
 * selections, member groups split across buffers, and one-line errors.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../../core/errors.js';
import { describeWebgpu, webgpuDevice } from '../../testing/webgpu.js';
import { denseTestConfig, expectDenseAgrees } from '../../testing/denseAgree.js';
import { createWebgpuDenseEngine } from './create.js';

const all = (n: number) => Array.from({ length: n }, () => true);

await describeWebgpu('webgpu-dense engine: divergence, checkpoints, tensors, groups and errors', () => {
  beforeAll(async () => {
    await webgpuDevice();
  });

  test('a diverging member is frozen at the same multiple of checkEvery as on the tfjs engine; the others go on', async () => {
    const cfg = { loss: 'mse', input: 'uniform', steps: 30, probeLogPoints: 0, probeLinearPoints: 1 } as const; // records at 0 and 30 only
    const results = await expectDenseAgrees(
      [denseTestConfig({ ...cfg, seed: 1, eta: 0.05 }), denseTestConfig({ ...cfg, seed: 2, eta: 3, divergenceThreshold: 20 })],
      { checkEvery: 7 },
    );
    expect(results.map((r) => r.status.state)).toEqual(['finished', 'diverged']);
    expect(results[1].status.step % 7).toBe(0);
  });

  test('takeFrozen reports once and a frozen member stays as it was; save/load continues bit for bit; resetLoss', async () => {
    const configs = [
      denseTestConfig({ loss: 'mse', seed: 3, eta: 0.05 }),
      denseTestConfig({ loss: 'mse', seed: 4, eta: 40, divergenceThreshold: 1e3 }),
    ];
    const a = await createWebgpuDenseEngine(configs, { checkEvery: 5 });
    await a.advance(0, 40, all(2));
    const frozen = await a.takeFrozen();
    expect(frozen.length).toBe(1);
    expect(frozen[0].member).toBe(1);
    expect(frozen[0].step % 5).toBe(0);
    expect(await a.takeFrozen()).toEqual([]);
    const saved = [await a.save(0), await a.save(1)];
    await a.advance(40, 30, all(2));
    expect(await a.save(1)).toEqual(saved[1]);
    const zeros = Object.fromEntries(Object.entries(saved[0].params).map(([k, v]) => [k, new Float32Array(v.length)]));
    const b = await createWebgpuDenseEngine(configs, { checkEvery: 5, initial: () => zeros });
    await b.load(0, saved[0]);
    expect((await b.lossSums())[0]).toBe(saved[0].lossSum);
    await b.advance(40, 30, [true, false]);
    const [x, y] = [await a.save(0), await b.save(0)];
    for (const name of Object.keys(x.params)) expect(Array.from(y.params[name])).toEqual(Array.from(x.params[name]));
    expect(y.lossSum).toBeCloseTo(x.lossSum, 9);
    await b.resetLoss([0]);
    expect(Array.from(await b.lossSums())).toEqual([0, 0]);
    await a.resetLoss([1]);
    const losses = await a.lossSums();
    expect(losses[0]).toBeGreaterThan(0);
    expect(losses[1]).toBe(0);
    await a.load(1, saved[0]); // clears the frozen status: it trains again (until the next check)
    await a.advance(70, 4, all(2));
    expect(await a.takeFrozen()).toEqual([]);
    expect(Array.from((await a.save(1)).params.W1)).not.toEqual(Array.from(saved[0].params.W1));
    await expect(a.resetLoss([2])).rejects.toThrow(ConfigError);
    a.dispose();
    b.dispose();
  });

  test('paramTensors(members): any selection as [K′, …shape] tensors equal to save(); sumSquares; nothing leaks', async () => {
    const before = tf.memory().numTensors;
    const configs = [0, 1, 2, 3].map((m) => denseTestConfig({ seed: 10 + m, eta: 0.05 * (m + 1), batchSize: 1 + m }));
    // a binding of 3 members' parameters: groups [0, 1, 2] and [3]
    const perMember = 8 * 6 + 8 + 8 * 8 + 8 + 8 + 1;
    const e = await createWebgpuDenseEngine(configs, { limits: { maxStorageBufferBindingSize: 4 * 3 * perMember } });
    expect(e.plan.groups).toEqual([{ first: 0, count: 3 }, { first: 3, count: 1 }]);
    await e.advance(0, 15, all(4));
    const saved = await Promise.all(configs.map((_, m) => e.save(m)));
    for (const sel of [undefined, [2], [3, 0], [1, 2, 3]]) {
      const t = await e.paramTensors(sel);
      const members = sel ?? [0, 1, 2, 3];
      expect(Object.keys(t)).toEqual(['W1', 'b1', 'W2', 'b2', 'W3', 'b3']);
      expect(t.W2.shape).toEqual([members.length, 8, 8]);
      expect(t.W1.shape).toEqual([members.length, 8, 6]);
      for (const name of Object.keys(t)) {
        expect(Array.from(await t[name].data())).toEqual(members.flatMap((m) => Array.from(saved[m].params[name])));
      }
    }
    const t = await e.paramTensors([1]);
    const pending = tf.sum(t.W1); // enqueued before the advance: sees the parameters it was enqueued on
    await e.advance(15, 5, all(4));
    expect(t.W1.isDisposed).toBe(true);
    expect((await pending.data())[0]).toBeCloseTo(saved[1].params.W1.reduce((s, v) => s + v, 0), 5);
    pending.dispose();
    const ss = await e.sumSquares();
    const now = await Promise.all(configs.map((_, m) => e.save(m)));
    now.forEach((s, m) => {
      for (const [name, v] of Object.entries(s.params)) expect(ss[m][name]).toBeCloseTo(v.reduce((a, x) => a + x * x, 0), 4);
    });
    await expect(e.paramTensors([4])).rejects.toThrow(ConfigError);
    e.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('two-layer bce members split over groups (lowered binding limit) agree with the tfjs engine', async () => {
    const cfg = { model: 'two-layer', hidden: 7, steps: 30 } as const;
    const configs = [0, 1, 2].map((m) => denseTestConfig({ ...cfg, seed: 20 + m, eta: 0.1 * (m + 1), batchSize: 2 + m }));
    await expectDenseAgrees(configs, { limits: { maxStorageBufferBindingSize: 4 * 2 * 4 * (6 + 7) } });
  });

  test('one-line errors: configs it cannot train, limits it cannot fit, bad options', async () => {
    const noisy = denseTestConfig({ gradientNoise: 'isotropic', trainSize: 10, batchSize: 10 });
    await expect(createWebgpuDenseEngine([noisy])).rejects.toThrow(/gradientNoise 'isotropic'/);
    const mixed = [denseTestConfig({ seed: 1 }), denseTestConfig({ hidden: 9 })];
    await expect(createWebgpuDenseEngine(mixed)).rejects.toThrow(/members differ in hidden/);
    await expect(createWebgpuDenseEngine([denseTestConfig({})], { limits: { maxStorageBufferBindingSize: 64 } })).rejects.toThrow(
      /config\.hidden: got 8; allowed: .*maxStorageBufferBindingSize = 64: reduce hidden/,
    );
    await expect(createWebgpuDenseEngine([denseTestConfig({})], { checkEvery: 0 })).rejects.toThrow(ConfigError);
    await expect(createWebgpuDenseEngine([denseTestConfig({})], { tuning: { workgroupSize: 100 } })).rejects.toThrow(/64, 128 or 256/);
    const typo = { stepPerSubmit: 8 } as never;
    await expect(createWebgpuDenseEngine([denseTestConfig({})], typo)).rejects.toThrow(/engine\.stepPerSubmit: got 8; allowed: no such option/);
  });
});
