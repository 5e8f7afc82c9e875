/**
 * Throughput benchmarks of the wasm-fused engine (run by hand, not by the tests): network-steps/s
 * of the paper's two-layer setting, and the cost of drawing its data alone.
 */
import { makeConfig } from '../../core/config.js';
import { instantiate, sharedMemory } from '../../backend/wasmModules.js';
import { TWO_LAYER_MODULE, type TwoLayerExports } from './kernel.js';
import { createWasmTwoLayerEngine } from './twoLayerEngine.js';

/** Options of {@link benchFusedTwoLayer}. */
export interface FusedBenchOptions {
  /** Members K (each with its own η and seed). */
  members: number;
  /** Timed steps per member. */
  steps: number;
  /** Worker threads, the calling one included. */
  threads: number;
  /** Steps per advance call (default 1000, as a training loop's chunk between probes). */
  chunk?: number;
}

/**
 * Network-steps/s (members × steps / s) of M = N = 100, |B| = 1, BCE on online Gaussian input,
 * each member with its own η, no probes; after a warm-up of min(steps, 200) steps.
 */
export async function benchFusedTwoLayer(opts: FusedBenchOptions): Promise<number> {
  const configs = Array.from({ length: opts.members }, (_, m) => {
    const eta = 0.01 * (1 + m / opts.members);
    return makeConfig({ inputDim: 100, hidden: 100, batchSize: 1, loss: 'bce', input: 'gaussian', eta, seed: m, probes: ['loss'] });
  });
  const engine = createWasmTwoLayerEngine(configs, { threads: opts.threads });
  try {
    const all = configs.map(() => true);
    const chunk = opts.chunk ?? 1000;
    const warm = Math.min(opts.steps, 200);
    await engine.advance(0, warm, all);
    const start = performance.now();
    for (let t = 0; t < opts.steps; t += chunk) await engine.advance(warm + t, Math.min(chunk, opts.steps - t), all);
    const seconds = (performance.now() - start) / 1000;
    return (opts.members * opts.steps) / seconds;
  } finally {
    engine.dispose();
  }
}

/**
 * Samples/s of drawing one M-dimensional input (Gaussian or uniform) and its label inside WASM, on
 * one thread, by the engine's fast path (or the exact one-to-one translation of data/stream.ts).
 */
export function benchDataDraw(opts: { samples: number; inputDim?: number; gaussian?: boolean; exact?: boolean }): number {
  const M = opts.inputDim ?? 100;
  const wasm = instantiate<TwoLayerExports>(TWO_LAYER_MODULE, sharedMemory(16));
  const out = Math.ceil(wasm.heapBase() / 64) * 64;
  const tables = opts.exact ? 0 : out + Math.ceil((4 * M) / 64) * 64;
  if (tables) wasm.initTables(tables);
  const g = opts.gaussian === false ? 0 : 1;
  for (let i = 0; i < 1000; i++) wasm.testSample(g, 1, 1, i, 0, M, out, tables);
  const start = performance.now();
  for (let i = 0; i < opts.samples; i++) {
    wasm.testSample(g, 1, 1, i, 0, M, out, tables);
    wasm.testLabel(1, 2, i, 0, 1);
  }
  return opts.samples / ((performance.now() - start) / 1000);
}
