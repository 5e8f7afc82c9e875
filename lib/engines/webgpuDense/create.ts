/**
 * Creating a webgpu-dense engine: eligibility, the dataset (image inputs), the plan against the
 * device's limits (on a software adapter also against its loop cap, loops.ts), the kernels, the
 * buffers and the initial state (initMember's parameters, the member configs, the training
 * images, labels and normalization table).
 */
import { isImageInput, type RunConfig } from '../../core/config.js';
import { ConfigError } from '../../core/errors.js';
import { checkKeys } from '../../core/validate.js';
import type { Dataset } from '../../data/dataset.js';
import { loadDataset } from '../../data/load.js';
import { createArchitecture } from '../../models/create.js';
import { initMember } from '../../models/init.js';
import type { EngineOptions } from '../engine.js';
import { installWebgpu } from '../../backend/webgpu.js';
import { tfjsDevice } from '../webgpu/gpu.js';
import { destroyBuffers, groupBuffers, sharedBuffers, type SharedBuffers } from './buffers.js';
import { denseLayout, densePipeline, type DenseDevice } from './device.js';
import { webgpuDenseEligible } from './eligible.js';
import { WebgpuDenseEngine } from './engine.js';
import { imageWords, labelWords, normalizationTable } from './images.js';
import { normsKernel, stepKernels } from './kernels.js';
import { softwareLoopProblem } from './loops.js';
import { denseLimits, planDense, type DenseLimits, type DensePlan, type DenseTuning } from './plan.js';
import { denseShape } from './shape.js';

/** Options of the webgpu-dense engine. */
export interface WebgpuDenseOptions extends EngineOptions {
  /** Each member's initial parameters (default: models/init.ts's initMember, as on every engine). */
  initial?: (member: number, cfg: RunConfig) => Record<string, Float32Array>;
  /** Lower the device's limits (tests of the group splitting and of limit errors). */
  limits?: Partial<DenseLimits>;
  /** Workgroup size and tile knobs. */
  tuning?: DenseTuning;
  /** Most steps encoded per submit (default 64). */
  stepsPerSubmit?: number;
}

/** Images per write when uploading the training split (bounded staging memory). */
const UPLOAD_IMAGES = 4096;

/** Uploads the configs, and for image inputs the training images, labels and normalization table. */
function writeData(device: DenseDevice, plan: DensePlan, shared: SharedBuffers, ds: Dataset | null, cfg: RunConfig): void {
  const im = plan.images;
  if (!ds || !im) return;
  const q = device.queue;
  q.writeBuffer(shared.consts, 4 * plan.constLabels, labelWords(ds, plan.shape.trainSize));
  q.writeBuffer(shared.consts, 4 * plan.constLut, normalizationTable(cfg.normalize, ds));
  shared.images.forEach((buf, p) => {
    const first = p * im.imagesPerPart;
    const count = Math.min(im.imagesPerPart, plan.shape.trainSize - first);
    for (let i = 0; i < count; i += UPLOAD_IMAGES) {
      const n = Math.min(UPLOAD_IMAGES, count - i);
      q.writeBuffer(buf, 4 * i * im.wordsPerImage, imageWords(ds, first + i, n, im.wordsPerImage));
    }
  });
}

/**
 * Creates the webgpu-dense engine for `configs` on tfjs's webgpu backend (useBackend('webgpu')
 * first). Throws a ConfigError when the configs are not eligible or do not fit the device (on a
 * software adapter: also when a kernel would walk a loop past its cap, which it would cut silently).
 */
export async function createWebgpuDenseEngine(configs: readonly RunConfig[], opts: WebgpuDenseOptions = {}): Promise<WebgpuDenseEngine> {
  checkKeys({ ...opts }, ['checkEvery', 'initial', 'limits', 'tuning', 'stepsPerSubmit'], 'engine');
  const checkEvery = opts.checkEvery ?? 100;
  if (!Number.isInteger(checkEvery) || checkEvery < 1 || checkEvery >= 2 ** 32) {
    throw new ConfigError('engine.checkEvery', opts.checkEvery, 'a positive integer');
  }
  const sps = opts.stepsPerSubmit ?? 64;
  if (!Number.isInteger(sps) || sps < 1) throw new ConfigError('engine.stepsPerSubmit', opts.stepsPerSubmit, 'a positive integer');
  const verdict = webgpuDenseEligible(configs);
  if (!verdict.eligible) {
    throw new ConfigError('engine.configs', configs.length, `configs the webgpu-dense engine can train: ${verdict.reason}`);
  }
  const device = tfjsDevice() as unknown as DenseDevice;
  const first = configs[0];
  const ds = isImageInput(first.input) ? (await loadDataset(first)).dataset : null;
  const n = ds ? (first.trainSize > 0 ? Math.min(first.trainSize, ds.train.n) : ds.train.n) : 0;
  const maxBatch = configs.reduce((b, c) => Math.max(b, c.batchSize), 1);
  const input = { shape: denseShape(first, n), members: configs.length, maxBatch, channels: ds ? ds.shape[2] : 0 };
  const plan = planDense(input, denseLimits(device.limits, opts.limits), opts.tuning);
  const loops = (await installWebgpu(false)).software ? softwareLoopProblem(plan) : null;
  if (loops) throw new ConfigError(loops.field, loops.value, `a smaller value: ${loops.why}`);
  const layout = denseLayout(device, plan.images?.parts ?? 0);
  // one after the other: each creation brackets its own error scopes, which must not interleave
  const norms = await densePipeline(device, layout, normsKernel(plan), 'webgpu-dense norms');
  const steps: { pipeline: Awaited<ReturnType<typeof densePipeline>>; jobs: ReturnType<typeof stepKernels>[number]['jobs'] }[] = [];
  for (const k of stepKernels(plan)) steps.push({ pipeline: await densePipeline(device, layout, k.code, `webgpu-dense ${k.label}`), jobs: k.jobs });
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let engine: WebgpuDenseEngine | null = null;
  let shared: SharedBuffers | null = null;
  let failure: unknown = null;
  try {
    shared = sharedBuffers(device, plan);
    const groups = groupBuffers(device, plan, layout, shared);
    engine = new WebgpuDenseEngine(device, configs, plan, steps, norms, { shared, groups }, { checkEvery, stepsPerSubmit: sps });
    engine.writeConfigs();
    writeData(device, plan, shared, ds, first);
    const arch = createArchitecture(first);
    const initial = opts.initial ?? ((_m: number, c: RunConfig) => initMember(c, arch));
    configs.forEach((c, m) => engine!.writeParams(m, initial(m, c), 'initial'));
  } catch (err) {
    failure = err;
  }
  const invalid = await device.popErrorScope();
  const oom = await device.popErrorScope();
  if (failure || oom || invalid) {
    if (engine) engine.dispose();
    else if (shared) destroyBuffers(shared, []);
  }
  if (failure) throw failure;
  if (oom) {
    const allowed = `fewer members (or smaller hidden, batchSize): the device is out of memory (${oom.message})`;
    throw new ConfigError('members', configs.length, allowed);
  }
  if (invalid) throw new Error(`webgpu-dense: ${invalid.message}`);
  return engine!;
}
