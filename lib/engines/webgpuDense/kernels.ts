/**
 * The dispatches of one SGD step of an L-layer chain (2L + 1, one more with conv layers, one more with a split output
 * and one more per hidden layer with a split fan-in), in order; consecutive dispatches are ordered by WebGPU, and jobs of
 * one dispatch touch disjoint data:
 * 1. data; 2. forward of hidden layers 1 … L−1 (one each; two, partial sums then their sum, bias and ReLU, where
 *    plan.forwardSplit splits the layer's fan-in: outputSplit.wgsl.ts); 3. output (logits, loss, δ_L; as two
 *    dispatches, partial logits then the rest, when its fan-in is wide: outputSplit.wgsl.ts);
 * 4. for l = L … 2: δ_{l−1} from W_l, with the update of W_{l+1} (which no longer needs W_{l+1}'s
 *    old value: δ_l was formed in the previous dispatch); 5. updates of W_2 and W_1 and the loss
 *    accumulator; 6. with conv layers, whose "update" writes split-K partial gradients
 *    (conv.wgsl.ts), the reduction of those partials into every conv layer's W and b.
 * The gradient is thus taken at the parameters before the step, as the contract says.
 * After a step count that is a multiple of checkEvery, the check kernel applies the divergence rule.
 */
import { checkKernel } from './check.wgsl.js';
import { convDeltaJob, convForwardJob, convPartialJob, convReduceJob } from './conv.wgsl.js';
import { dataJob } from './data.wgsl.js';
import { jobKernel, type Job } from './kernel.wgsl.js';
import { deltaJob, forwardJob, lossJob, outputJob, updateJob } from './layers.wgsl.js';
import { forwardPartialJob, forwardReduceJob, outputLossJob, outputPartialJob } from './outputSplit.wgsl.js';
import type { DensePlan, Tile } from './plan.js';

/** One step kernel: its WGSL and its jobs (for the workgroup count). */
export interface StepKernel {
  label: string;
  code: string;
  jobs: Job[];
}

/** The step's kernels in dispatch order. */
export function stepKernels(plan: DensePlan): StepKernel[] {
  const layers = plan.shape.layers;
  const L = layers.length;
  const t = plan.tiles;
  const isConv = (l: number) => layers[l].conv !== undefined;
  const forward = (l: number) => (isConv(l) ? convForwardJob(plan, l) : forwardJob(plan, l));
  const delta = (l: number) => (isConv(l) ? convDeltaJob(plan, l) : deltaJob(plan, l));
  const update = (l: number) => (isConv(l) ? convPartialJob(plan, l) : updateJob(plan, l));
  const out: StepKernel[] = [];
  const add = (label: string, jobs: Job[], tiles: Tile[], streams = false) => {
    out.push({ label, jobs, code: jobKernel(plan, jobs, tiles, streams) });
  };
  add('data', [dataJob(plan)], [], true);
  for (let l = 0; l < L - 1; l++) {
    if (plan.forwardSplit[l]) {
      add(`forward partials ${l + 1}`, [forwardPartialJob(plan, l)], [t[l].forward]);
      add(`forward ${l + 1}`, [forwardReduceJob(plan, l)], []);
    } else {
      add(`forward ${l + 1}`, [forward(l)], [t[l].forward]);
    }
  }
  if (plan.outputSplit) {
    add('output partials', [outputPartialJob(plan)], [t[L - 1].forward]);
    add('output', [outputLossJob(plan)], [], true);
  } else {
    add('output', [outputJob(plan)], [t[L - 1].forward], true);
  }
  for (let l = L - 1; l >= 1; l--) {
    const jobs = [delta(l)];
    const tiles = [t[l].delta];
    if (l + 1 < L) {
      jobs.push(update(l + 1));
      tiles.push(t[l + 1].update);
    }
    add(`backward ${l + 1}`, jobs, tiles);
  }
  add('update', [update(1), update(0), lossJob(plan)], [t[1].update, t[0].update]);
  const convs = layers.map((_, l) => l).filter(isConv);
  if (convs.length > 0) add('reduce', convs.map((l) => convReduceJob(plan, l)), []);
  return out;
}

/** The norms / divergence kernel's WGSL. */
export function normsKernel(plan: DensePlan): string {
  return checkKernel(plan);
}
