/**
 * The webgpu-dense engine as a fused-engine factory of engines/create.ts (for its `fused` list or
 * registerFusedEngine): models 'fc', 'two-layer' and 'cnn' on any input, on tfjs's webgpu backend.
 */
import type { EngineName, FusedEngineFactory } from '../engine.js';
import { createWebgpuDenseEngine } from './create.js';
import { webgpuDenseEligible } from './eligible.js';
import { WEBGPU_DENSE } from './engine.js';

/** The factory: null from `unsupported` when it covers the configs on the backend, else why not. */
export const WEBGPU_DENSE_FACTORY: FusedEngineFactory = {
  name: WEBGPU_DENSE as unknown as EngineName,
  unsupported(cfgs, backend) {
    if (backend !== 'webgpu') return `it needs the webgpu backend (the active one is ${backend})`;
    const e = webgpuDenseEligible(cfgs);
    return e.eligible ? null : e.reason;
  },
  create: (cfgs, opts) => createWebgpuDenseEngine(cfgs, opts),
};
