/**
 * webgpu-dense against llvmpipe's loop cap (loops.ts; on a GPU adapter only the split's
 * agreement is checked): a hidden layer of 300,000 inputs has its forward sum split so that no
 * invocation walks past SOFTWARE_LOOP_ITERATIONS, and trains as the tfjs engine does; a config
 * whose walk stays over it (a batch of 50,000: the weight update's sum over samples) is refused on a
 * software adapter with a one-line reason, and `auto` picks another engine for it.
 */
import { makeConfig, type RunConfig } from '../../core/config.js';
import { ConfigError } from '../../core/errors.js';
import { denseTestConfig, expectDenseAgrees } from '../../testing/denseAgree.js';
import { describeWebgpu, webgpuIsSoftware } from '../../testing/webgpu.js';
import { pickEngine } from '../create.js';
import type { Engine } from '../engine.js';
import { TfjsEngine } from '../tfjs.js';
import { SOFTWARE_LOOP_ITERATIONS } from '../webgpu/twoLayerEngine.js';
import { createWebgpuDenseEngine } from './create.js';
import { softwareDispatchIterations } from './loops.js';
import { matmulIterations } from './plan.js';

/**
 * How far member 0's steps on engine `a` are from those on `b`, both from `init`: per parameter the
 * largest difference of the two displacements relative to the largest displacement on `b`; and the loss sums.
 */
async function compare(a: Engine, b: Engine, init: Record<string, Float32Array>): Promise<{ dev: Record<string, number>; loss: [number, number] }> {
  const [x, y] = [await a.save(0), await b.save(0)];
  const dev: Record<string, number> = {};
  for (const [name, ref] of Object.entries(y.params)) {
    const [got, p0] = [x.params[name], init[name]];
    let [diff, scale] = [0, 0];
    for (let i = 0; i < ref.length; i++) {
      diff = Math.max(diff, Math.abs(got[i] - ref[i]));
      scale = Math.max(scale, Math.abs(ref[i] - p0[i]));
    }
    dev[name] = diff / scale;
  }
  return { dev, loss: [x.lossSum, y.lossSum] };
}

await describeWebgpu('webgpu-dense and the software loop cap', () => {
  let software = false;
  beforeAll(async () => {
    software = await webgpuIsSoftware();
  });

  test('300,000 inputs → 2 hidden units: the forward sum is split under the cap and trains as the tfjs engine', async () => {
    const wide = { model: 'two-layer', inputDim: 300_000, hidden: 2, loss: 'mse', batchSize: 2, steps: 3, eta: 0.01, seed: 7 } as const;
    const cfg = makeConfig({ ...wide, probes: ['loss'] });
    const dense = await createWebgpuDenseEngine([cfg], { checkEvery: 3 });
    const ref = await TfjsEngine.create([cfg], { checkEvery: 3 });
    try {
      const { plan } = dense;
      // one walk over the fan-in would be far over the cap; the plan splits it into walks within it
      expect(matmulIterations(plan.tiles[0].forward, plan.WG, 300_000)).toBeGreaterThan(2 * SOFTWARE_LOOP_ITERATIONS);
      expect(plan.forwardSplit[0]?.splits).toBeGreaterThan(1);
      expect(softwareDispatchIterations(plan)).toBeLessThanOrEqual(SOFTWARE_LOOP_ITERATIONS);
      const init = (await ref.save(0)).params;
      await dense.advance(0, 3, [true]);
      await ref.advance(0, 3, [true]);
      const { dev, loss } = await compare(dense, ref, init);
      for (const name of ['W', 'b', 'V']) expect(dev[name]).toBeLessThan(1e-4);
      expect(Math.abs(loss[0] - loss[1])).toBeLessThan(1e-5 * Math.max(1, Math.abs(loss[1])));
    } finally {
      dense.dispose();
      ref.dispose();
    }
    expect(pickEngine([cfg])).toBe('webgpu-dense');
  }, 60_000);

  test('the split kernels at small sizes (forwardSplitDepth): fc depth 3, hidden layers split in 3 and 2, bias (|B| 3, 5) or not (|B| 4)', async () => {
    const cfg = { depth: 3, inputDim: 20, hidden: 12, loss: 'softmax-ce', classes: 3, steps: 10 } as const;
    const tuning = { tileDepth: 8, forwardSplitDepth: 8 };
    const members = [denseTestConfig({ ...cfg, seed: 1, batchSize: 3, eta: 0.1 }), denseTestConfig({ ...cfg, seed: 2, batchSize: 5 })];
    await expectDenseAgrees(members, { tuning });
    await expectDenseAgrees([denseTestConfig({ ...cfg, seed: 3, batchSize: 4, eta: 0.05, bias: false })], { tuning });
  });

  test('on a software adapter a walk over the cap is refused: a one-line typed error, and auto picks another engine', async () => {
    if (!software) return; // a GPU adapter: no cap is known
    // a batch of 50,000: each update invocation sums over every sample (thousands of chunks of the tile depth)
    const two = { model: 'two-layer', inputDim: 100, hidden: 100, loss: 'mse', probes: ['loss'] } as const;
    const big: RunConfig[] = [makeConfig({ ...two, batchSize: 50_000 })];
    expect(pickEngine(big)).toBe('tfjs');
    const refused = /over its limit of 60000: reduce batchSize/;
    expect(() => pickEngine(big, 'webgpu-dense')).toThrow(ConfigError);
    const update = /layer \d's update \(a sum over batchSize = 50000 samples\) runs \d+ loop iterations in one invocation/;
    expect(() => pickEngine(big, 'webgpu-dense')).toThrow(new RegExp(`^engine: got 'webgpu-dense'; allowed: .*on a software adapter ${update.source}.*${refused.source}$`));
    const err = await createWebgpuDenseEngine(big).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/^config\.batchSize: got 50000; allowed: a smaller value: on a software adapter .*/);
    expect((err as Error).message).toMatch(refused);
    expect((err as Error).message).not.toMatch(/\n/);
    // within the cap the engine is chosen as before
    expect(pickEngine([makeConfig({ ...two, batchSize: 1000 })])).toBe('webgpu-dense');
  });
});
