/** The webgpu-fused engine's public surface: eligibility, creation, layout planning and its benchmark. */
export { webgpuFusedEligible, WEBGPU_SHARED_FIELDS, type WebgpuEligibility } from './eligible.js';
export {
  createWebgpuTwoLayerEngine, defaultInitial, SOFTWARE_LOOP_ITERATIONS, SOFTWARE_TUNING, softwareStepIterations, WebgpuTwoLayerEngine, type WebgpuEngineOptions,
} from './twoLayerEngine.js';
export { planLimits, planTwoLayer, type KernelPlan, type PlanLimits, type PlanTuning } from './plan.js';
export { benchFusedTwoLayer, type FusedBenchOptions } from './bench.js';
