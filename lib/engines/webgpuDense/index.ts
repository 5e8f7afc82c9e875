/** The webgpu-dense engine's public surface: eligibility, creation, layout planning and its benchmark. */
export { webgpuDenseEligible, DENSE_SHARED_FIELDS, type DenseEligibility } from './eligible.js';
export { createWebgpuDenseEngine, type WebgpuDenseOptions } from './create.js';
export { WebgpuDenseEngine, WEBGPU_DENSE } from './engine.js';
export { denseLimits, planDense, type DenseLimits, type DensePlan, type DenseTuning } from './plan.js';
export { benchDense, cifarBenchConfigs, deepBenchConfigs, secondsPerStep, type DenseBenchOptions, type DenseBenchResult, type StepTiming } from './bench.js';
export { WEBGPU_DENSE_FACTORY } from './factory.js';
