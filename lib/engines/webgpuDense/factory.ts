/**
 * The webgpu-dense engine as a fused-engine factory of engines/create.ts (for its `fused` list or
 * registerFusedEngine): models 'fc', 'two-layer' and 'cnn' on any input, on tfjs's webgpu backend.
 * On a software adapter (llvmpipe) it refuses configs whose kernels would walk a loop past its
 * cap (loops.ts), so that `auto` picks another engine for them.
 */
import { currentBackend } from '../../backend/backends.js';
import { imageShape, isImageInput, type RunConfig } from '../../core/config.js';
import { ConfigError } from '../../core/errors.js';
import type { EngineName, FusedEngineFactory } from '../engine.js';
import { tfjsDevice } from '../webgpu/gpu.js';
import { createWebgpuDenseEngine } from './create.js';
import { webgpuDenseEligible } from './eligible.js';
import { WEBGPU_DENSE } from './engine.js';
import { softwareLoopProblem } from './loops.js';
import { denseLimits, planDense } from './plan.js';
import { denseShape } from './shape.js';

/**
 * Why eligible `cfgs` cannot run on the active webgpu backend's software adapter: the reason of
 * loops.ts's softwareLoopProblem for their plan on its device (default tuning); null on a GPU,
 * when they can, or when they do not fit the device at all (creation says why).
 */
export function softwareUnsupported(cfgs: readonly RunConfig[]): string | null {
  if (!currentBackend()?.adapter?.software) return null;
  const first = cfgs[0];
  const image = isImageInput(first.input);
  const maxBatch = cfgs.reduce((b, c) => Math.max(b, c.batchSize), 1);
  // the loops do not depend on the number of training images (image inputs: 1 stands for the dataset's)
  const input = { shape: denseShape(first, image ? 1 : 0), members: cfgs.length, maxBatch, channels: image ? imageShape(first)[2] : 0 };
  try {
    return softwareLoopProblem(planDense(input, denseLimits(tfjsDevice().limits)))?.why ?? null;
  } catch (err) {
    if (err instanceof ConfigError) return null;
    throw err;
  }
}

/** The factory: null from `unsupported` when it covers the configs on the backend, else why not. */
export const WEBGPU_DENSE_FACTORY: FusedEngineFactory = {
  name: WEBGPU_DENSE as unknown as EngineName,
  unsupported(cfgs, backend) {
    if (backend !== 'webgpu') return `it needs the webgpu backend (the active one is ${backend})`;
    const e = webgpuDenseEligible(cfgs);
    return e.eligible ? softwareUnsupported(cfgs) : e.reason;
  },
  create: (cfgs, opts) => createWebgpuDenseEngine(cfgs, opts),
};
