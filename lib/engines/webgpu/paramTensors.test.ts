/**
 * webgpu-fused paramTensors(members): exactly the members asked for, in their order, as
 * [K′, …shape] tensors equal to save(): zero-copy for one whole group, gathered copies across
 * groups (a sweep split over several storage bindings) and for part of a group; nothing leaks.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../../core/errors.js';
import { describeWebgpu, webgpuDevice } from '../../testing/webgpu.js';
import { testConfig } from '../../testing/webgpuRefDriver.js';
import { createWebgpuTwoLayerEngine } from './twoLayerEngine.js';

await describeWebgpu('webgpu-fused paramTensors(members) on split sweeps', () => {
  beforeAll(async () => {
    await webgpuDevice();
  });

  test('selections within and across member groups equal save(); repeated selections are cached; no leaks', async () => {
    const before = tf.memory().numTensors;
    const configs = Array.from({ length: 5 }, (_, m) => testConfig({ seed: 30 + m, eta: 0.02 * (m + 1), batchSize: 1 + (m % 2) }));
    const engine = await createWebgpuTwoLayerEngine(configs, { limits: { maxStorageBufferBindingSize: 2 * 30 * 4 } });
    expect(engine.plan.groups).toEqual([{ first: 0, count: 2 }, { first: 2, count: 2 }, { first: 4, count: 1 }]);
    await engine.advance(0, 25, configs.map(() => true));
    const saved = await Promise.all(configs.map((_, m) => engine.save(m)));
    for (const sel of [undefined, [2, 3], [3], [4, 1], [0, 2, 4], [1, 0]]) {
      const members = sel ?? [0, 1, 2, 3, 4];
      const t = await engine.paramTensors(sel);
      expect(await engine.paramTensors(sel)).toBe(t);
      expect(t.W.shape).toEqual([members.length, 5, 6]);
      expect(t.b.shape).toEqual([members.length, 5]);
      expect(t.V.shape).toEqual([members.length, 1, 5]);
      for (const name of ['W', 'b', 'V']) {
        expect(Array.from(await t[name].data())).toEqual(members.flatMap((m) => Array.from(saved[m].params[name])));
      }
    }
    const part = await engine.paramTensors([1, 4]);
    await engine.advance(25, 5, configs.map(() => true));
    expect(part.W.isDisposed).toBe(true);
    await expect(engine.paramTensors([5])).rejects.toThrow(ConfigError);
    engine.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
