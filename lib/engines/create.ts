/**
 * Choosing and creating the engine for a group of members: the fused kernels where they cover the
 * configs (WGSL on the webgpu backend, WASM SIMD on the CPU backends), else tfjs.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import type { Engine, EngineName, EngineOptions, FusedEngineFactory } from './engine.js';

export type { FusedEngineFactory } from './engine.js';
import { TfjsEngine } from './tfjs.js';
import { defaultThreads } from '../backend/wasmPool.js';
import { createWasmTwoLayerEngine, wasmFusedEligible } from './wasm/index.js';
import { createWebgpuTwoLayerEngine, SOFTWARE_LOOP_ITERATIONS, softwareStepIterations, webgpuFusedEligible } from './webgpu/index.js';
import { currentBackend } from '../backend/backends.js';
import { WEBGPU_DENSE_FACTORY, webgpuDenseEligible } from './webgpuDense/index.js';

/** What may be asked for: an engine name, or `auto` (the fastest that covers the configs). */
export type EngineChoice = EngineName | 'auto';

/** The fused CPU engine: two-layer runs on synthetic data, on every backend but webgpu (which has its own). */
const WASM_FUSED: FusedEngineFactory = {
  name: 'wasm-fused',
  unsupported(cfgs, backend) {
    if (backend === 'webgpu') return 'the active backend is webgpu (its fused engine is webgpu-fused)';
    const e = wasmFusedEligible(cfgs, defaultThreads());
    return e.eligible ? null : e.reason;
  },
  create: async (cfgs, opts) => createWasmTwoLayerEngine(cfgs, opts),
};

/** The fused WebGPU engine: two-layer runs on synthetic data, on the webgpu backend. */
const WEBGPU_FUSED: FusedEngineFactory = {
  name: 'webgpu-fused',
  unsupported(cfgs, backend) {
    if (backend !== 'webgpu') return `it needs the webgpu backend (the active one is ${backend})`;
    const e = webgpuFusedEligible(cfgs);
    if (!e.eligible) return e.reason;
    // llvmpipe stops an invocation silently after 65,535 loop iterations: one step must fit under that
    const perStep = softwareStepIterations(cfgs);
    if (currentBackend()?.adapter?.software && perStep > SOFTWARE_LOOP_ITERATIONS) {
      return `on a software adapter one step runs up to ${perStep} loop iterations in an invocation, over its limit of ${SOFTWARE_LOOP_ITERATIONS} (smaller batchSize, hidden or classes; or webgpu-dense)`;
    }
    // one workgroup per member suits the paper's small nets; large layers go to the tiled kernels
    const c = cfgs[0];
    if (c.inputDim * c.hidden > 2 ** 16 && webgpuDenseEligible(cfgs).eligible) return 'its layers are large (webgpu-dense tiles them)';
    return null;
  },
  create: (cfgs, opts) => createWebgpuTwoLayerEngine(cfgs, opts),
};

const fused: FusedEngineFactory[] = [WEBGPU_FUSED, WEBGPU_DENSE_FACTORY, WASM_FUSED];

/** Registers a fused engine (engines/webgpu and engines/wasm register themselves). */
export function registerFusedEngine(f: FusedEngineFactory): void {
  if (!fused.some((x) => x.name === f.name)) fused.push(f);
}

/** The engine `choice` names for `cfgs` on the active backend: a ConfigError says why a named one cannot run them. */
export function pickEngine(cfgs: readonly RunConfig[], choice: EngineChoice = 'auto'): EngineName {
  if (choice === 'tfjs') return 'tfjs';
  const backend = tf.getBackend();
  // the training batch's statistics come from the tfjs engine's step (Engine.advanceWithBatchStats)
  const batchStats = cfgs.some((c) => c.probes.includes('batch-grad-variance')) ? "the 'batch-grad-variance' probe needs the tfjs engine" : null;
  if (choice !== 'auto') {
    const f = fused.find((x) => x.name === choice);
    const why = batchStats ?? (f ? f.unsupported(cfgs, backend) : 'it is not available in this build');
    if (why) throw new ConfigError('engine', choice, `an engine that covers these runs ('tfjs' or 'auto'): ${why}`);
    return choice;
  }
  if (batchStats) return 'tfjs';
  return fused.find((f) => f.unsupported(cfgs, backend) === null)?.name ?? 'tfjs';
}

/** Creates the engine `name` for `cfgs`. */
export async function createEngine(cfgs: readonly RunConfig[], name: EngineName, opts: EngineOptions = {}): Promise<Engine> {
  if (name === 'tfjs') return TfjsEngine.create(cfgs, opts);
  const f = fused.find((x) => x.name === name);
  if (!f) throw new ConfigError('engine', name, "'tfjs' or 'auto'");
  return f.create(cfgs, opts);
}
