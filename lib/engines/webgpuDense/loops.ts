/**
 * How many loop iterations one invocation of a webgpu-dense kernel runs in one dispatch. Mesa's
 * llvmpipe stops an invocation silently after 65,535 iterations of all its loops together, so a
 * config whose longest kernel walk is over SOFTWARE_LOOP_ITERATIONS would train wrong there without
 * an error (whether any real GPU driver has such a cap is not known). Every job of kernel.wgsl.ts
 * states its count (`Job.loops`), worked out beside the loops it counts:
 * - a tiled matmul (matmul.wgsl.ts) over `depth`: per reduction chunk of TK, one pass of the
 *   chunk loop, the staging loops of the A and B tiles (⌈TK·TR/WG⌉ and ⌈TK·TC/WG⌉ for invocation
 *   0) and the TK products: plan.ts's matmulIterations;
 * - element-wise jobs: their loops over splits, classes or a sample's words (Philox's 10 rounds
 *   per draw, the Feistel permutation's cycle walk counted as data.wgsl.ts's FEISTEL_WALKS passes);
 * - the norms kernel: Σ over parameters of ⌈size/WG⌉ plus a workgroup sum's log₂ WG.
 * The count is an upper bound but for one loop: each loop counts as its lane 0 (the one that runs
 * longest) and as if the compiler unrolled none; the permutation's cycle walk has no bound (about 1%
 * of indices walk more than FEISTEL_WALKS times when n is just above a power of 4), which matters
 * only for the data job, far below the limit. A dispatch runs one kernel whose workgroups each run one job, so
 * the most any invocation runs is the largest job count of any kernel.
 */
import { SOFTWARE_LOOP_ITERATIONS } from '../webgpu/twoLayerEngine.js';
import { checkKernelLoops } from './check.wgsl.js';
import type { Job, LoopWalk } from './kernel.wgsl.js';
import { stepKernels } from './kernels.js';
import type { DensePlan } from './plan.js';

/** The walk of one job or of the norms kernel, with the kernel it runs in. */
export interface KernelWalk extends LoopWalk {
  kernel: string;
}

/** Every job's walk (and the norms kernel's) of `plan`, in dispatch order. */
export function kernelWalks(plan: DensePlan): KernelWalk[] {
  const walks = stepKernels(plan).flatMap((k) => k.jobs.map((j: Job) => ({ ...j.loops, kernel: k.label })));
  return [...walks, { ...checkKernelLoops(plan), kernel: 'norms' }];
}

/** The longest walk of `plan`: the most loop iterations any one invocation runs in one dispatch, and what sets it. */
export function longestWalk(plan: DensePlan): KernelWalk {
  return kernelWalks(plan).reduce((a, b) => (b.iterations > a.iterations ? b : a));
}

/**
 * The most loop iterations (all loops of the kernel together) any one invocation runs in one
 * dispatch of `plan`'s kernels: on llvmpipe it must stay within SOFTWARE_LOOP_ITERATIONS.
 */
export function softwareDispatchIterations(plan: DensePlan): number {
  return longestWalk(plan).iterations;
}

/**
 * Why `plan` cannot run on a software adapter (its longest walk is over SOFTWARE_LOOP_ITERATIONS),
 * as `{ field, value, why }` for a ConfigError and an `unsupported` reason; null when it can.
 */
export function softwareLoopProblem(plan: DensePlan): { field: string; value: number; why: string } | null {
  const w = longestWalk(plan);
  if (w.iterations <= SOFTWARE_LOOP_ITERATIONS) return null;
  const why = `on a software adapter ${w.what} runs ${w.iterations} loop iterations in one invocation of the '${w.kernel}' kernel, ` +
    `over its limit of ${SOFTWARE_LOOP_ITERATIONS}: reduce ${w.field}`;
  return { field: `config.${w.field}`, value: w.value, why };
}
