/**
 * Speed of the webgpu-dense engine on tfjs's active webgpu adapter (a benchmark function, not a
 * test): FC6 (784 → 100×5 → 10, softmax-ce) and CNN6 (5 conv 10ch 5×5 + dense on 28×28×1) at
 * |B| = 32, each as one model and as an ensemble of members with their own η and seed, and the CIFAR-size step (two-layer 3072 → 300 → 10,
 * softmax-ce, |B| = 1000). Inputs are drawn on the device (online Gaussian), as in training.
 */
import { makeConfig, type RunConfig } from '../../core/config.js';
import { useBackend } from '../../backend/backends.js';
import { installWebgpu } from '../../backend/webgpu.js';
import { createWebgpuDenseEngine, type WebgpuDenseOptions } from './create.js';

/** Options of {@link benchDense}. */
export interface DenseBenchOptions {
  /** Timed steps of FC6 (default 200), CNN6 (default 100) and the CIFAR step (default 20). */
  fc6Steps?: number;
  cnn6Steps?: number;
  cifarSteps?: number;
  /** Members of the FC6 and CNN6 ensembles (default 16; CNN6's: cnn6Members when given). */
  members?: number;
  cnn6Members?: number;
  /** Engine options (tuning, steps per submit). */
  engine?: WebgpuDenseOptions;
  /** Time-based rounds (see {@link secondsPerStep}); default: one round of the step counts above. */
  timing?: StepTiming;
}

/** What {@link benchDense} measured. */
export interface DenseBenchResult {
  /** The adapter, in words. */
  adapter: string;
  fc6: { stepsPerSecond: number };
  fc6Ensemble: { members: number; memberStepsPerSecond: number };
  cnn6: { stepsPerSecond: number };
  cnn6Ensemble: { members: number; memberStepsPerSecond: number };
  cifarStep: { msPerStep: number };
}

/** FC6 (or CNN6) configs: one per member, η spread over [0.01, 0.1]. */
export function deepBenchConfigs(model: 'fc' | 'cnn', members: number): RunConfig[] {
  return Array.from({ length: members }, (_, m) =>
    makeConfig({
      model, depth: 6, convLayers: 5, channels: 10, kernel: 5, inputDim: 784, hidden: 100, classes: 10, loss: 'softmax-ce',
      batchSize: 32, seed: m, probes: ['loss'], eta: 0.01 + (0.09 * m) / Math.max(1, members - 1),
    }),
  );
}

/** The CIFAR-size config. */
export function cifarBenchConfigs(): RunConfig[] {
  const cfg = { model: 'two-layer', inputDim: 3072, hidden: 300, classes: 10, loss: 'softmax-ce', batchSize: 1000 } as const;
  return [makeConfig({ ...cfg, eta: 0.01, probes: ['loss'] })];
}

/** How {@link secondsPerStep} times: at least `seconds` per round (steps grow from the given count), `rounds` rounds, the median counts. */
export interface StepTiming {
  seconds?: number;
  rounds?: number;
}

/**
 * Seconds per step of `configs` (after a warm-up of min(3, steps) steps that compiles the kernels).
 * Without `timing`: one round of `steps` steps. With it: the step count grows until a round lasts
 * `timing.seconds` (the calibration rounds are discarded), then `timing.rounds` rounds, median; a
 * single short round on a GPU is dominated by clock ramps and submit latency.
 */
export async function secondsPerStep(configs: readonly RunConfig[], steps: number, opts: WebgpuDenseOptions = {}, timing: StepTiming = {}): Promise<number> {
  const engine = await createWebgpuDenseEngine(configs, { checkEvery: 1000, ...opts });
  try {
    const active = configs.map(() => true);
    let step = Math.min(3, steps);
    await engine.advance(0, step, active);
    await engine.lossSums();
    const round = async (n: number) => {
      const t0 = performance.now();
      await engine.advance(step, n, active);
      await engine.lossSums();
      step += n;
      return (performance.now() - t0) / 1000;
    };
    let n = steps;
    if (timing.seconds) {
      for (let dt = await round(n); dt < timing.seconds; dt = await round(n)) {
        n = Math.ceil(n * Math.min(10, (1.2 * timing.seconds) / Math.max(dt, 1e-3)));
      }
    }
    const times: number[] = [];
    for (let r = 0; r < (timing.rounds ?? 1); r++) times.push((await round(n)) / n);
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)];
  } finally {
    engine.dispose();
  }
}

/** Runs the three measurements on tfjs's webgpu backend. */
export async function benchDense(opts: DenseBenchOptions = {}): Promise<DenseBenchResult> {
  await useBackend('webgpu');
  const a = await installWebgpu(false);
  const members = opts.members ?? 16;
  const single = await secondsPerStep(deepBenchConfigs('fc', 1), opts.fc6Steps ?? 200, opts.engine, opts.timing);
  const ensemble = await secondsPerStep(deepBenchConfigs('fc', members), opts.fc6Steps ?? 200, opts.engine, opts.timing);
  const cnn = await secondsPerStep(deepBenchConfigs('cnn', 1), opts.cnn6Steps ?? 100, opts.engine, opts.timing);
  const cnnMembers = opts.cnn6Members ?? members;
  const cnnEnsemble = await secondsPerStep(deepBenchConfigs('cnn', cnnMembers), opts.cnn6Steps ?? 100, opts.engine, opts.timing);
  const cifar = await secondsPerStep(cifarBenchConfigs(), opts.cifarSteps ?? 20, opts.engine, opts.timing);
  return {
    adapter: `${a.vendor} ${a.device || a.description} (${a.api}${a.software ? ', software' : ''})`,
    fc6: { stepsPerSecond: 1 / single },
    fc6Ensemble: { members, memberStepsPerSecond: members / ensemble },
    cnn6: { stepsPerSecond: 1 / cnn },
    cnn6Ensemble: { members: cnnMembers, memberStepsPerSecond: cnnMembers / cnnEnsemble },
    cifarStep: { msPerStep: cifar * 1000 },
  };
}
