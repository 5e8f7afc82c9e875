/**
 * Speed of the webgpu-fused engine on the paper's ensemble case: two-layer M = N = 100, |B| = 1,
 * BCE, online Gaussian inputs, each member with its own η. A benchmark function, not a test.
 */
import { makeConfig } from '../../core/config.js';
import { useBackend } from '../../backend/backends.js';
import { createWebgpuTwoLayerEngine, type WebgpuEngineOptions } from './twoLayerEngine.js';

/** Options of {@link benchFusedTwoLayer}. */
export interface FusedBenchOptions {
  /** Members trained together. */
  members: number;
  /** Timed steps (after a short warm-up that compiles the kernel). */
  steps: number;
  /** Input and hidden size (default 100). */
  size?: number;
  /** Engine options (tuning, steps per dispatch). */
  engine?: WebgpuEngineOptions;
}

/** Network-steps per second (members × steps / seconds) of the webgpu-fused engine on tfjs's webgpu backend. */
export async function benchFusedTwoLayer(opts: FusedBenchOptions): Promise<number> {
  await useBackend('webgpu');
  const size = opts.size ?? 100;
  const configs = Array.from({ length: opts.members }, (_, m) =>
    makeConfig({
      model: 'two-layer', inputDim: size, hidden: size, loss: 'bce', input: 'gaussian', batchSize: 1, seed: m, probes: ['loss'],
      eta: 0.01 + (0.09 * m) / Math.max(1, opts.members - 1),
    }),
  );
  const engine = await createWebgpuTwoLayerEngine(configs, { checkEvery: 1000, ...opts.engine });
  try {
    const active = configs.map(() => true);
    const warm = 20;
    await engine.advance(0, warm, active);
    await engine.lossSums();
    const t0 = performance.now();
    await engine.advance(warm, opts.steps, active);
    await engine.lossSums();
    const seconds = (performance.now() - t0) / 1000;
    return (opts.members * opts.steps) / seconds;
  } finally {
    engine.dispose();
  }
}
