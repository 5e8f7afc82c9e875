/**
 * Helpers of `npm run bench` (benchmarks/bench.ts): SGD steps per second of each model case on the
 * active backend through the tfjs engine, for a plain step and for a step followed by each probe,
 * the tfjs ensemble path, per-kernel profiles, and micro-benchmarks of the products and conv filter
 * gradients.
 */
import * as tf from '@tensorflow/tfjs';
import type { EngineChoice } from '../lib/engines/create.js';
import { makeConfig, type RunConfig } from '../lib/core/config.js';
import { memberData } from '../lib/data/source.js';
import { TfjsEngine } from '../lib/engines/tfjs.js';
import type { BatchedForward } from '../lib/models/arch.js';
import { probesFor } from '../lib/probes/builtin.js';
import type { Probe, ProbeContext } from '../lib/probes/probe.js';
import { trainMembers } from '../lib/train/trainer.js';
import { convFilterGradient } from '../lib/models/conv.js';
import { readTensor } from '../lib/backend/read.js';

/** One benchmark case: a model config at a batch size. */
export interface BenchCase {
  id: string;
  name: string;
  config: Partial<RunConfig>;
  /** What the issue asks of this case, for the table. */
  target?: string;
}

const ALL_PROBES = ['activation-rate', 'weight-norms', 'loss', 'grad-variance'] as const;

/** The cases timed by default. Probe sets have 256 samples; the gradient variance uses a probe batch of the training batch size. */
export const CASES: BenchCase[] = [
  { id: 'two-layer-b1', name: 'two-layer 100→100→1, batch 1', config: { inputDim: 100, hidden: 100, batchSize: 1, gradVarSamples: 1, probes: ['activation-rate', 'activation-rate-exact', 'weight-norms', 'loss', 'grad-variance'] } },
  { id: 'two-layer-b32', name: 'two-layer 100→100→1, batch 32', config: { inputDim: 100, hidden: 100, batchSize: 32, gradVarSamples: 32, probes: ['activation-rate', 'activation-rate-exact', 'weight-norms', 'loss', 'grad-variance'] } },
  { id: 'fc6-b32', name: 'FC6 784→100×5→10, batch 32', target: '≥ 1,000 steps/s; gradient variance ≤ 1.5× a step', config: { model: 'fc', depth: 6, inputDim: 784, hidden: 100, classes: 10, loss: 'softmax-ce', batchSize: 32, gradVarSamples: 32, probes: [...ALL_PROBES] } },
  { id: 'cnn6-b32', name: 'CNN6 (5 conv 10ch 5×5 + dense), 28×28×1, batch 32', target: '≥ 13 steps/s; gradient variance ≤ 3× a step', config: { model: 'cnn', inputDim: 784, classes: 10, loss: 'softmax-ce', batchSize: 32, gradVarSamples: 32, probes: [...ALL_PROBES] } },
];

/** One row of the results. */
export interface BenchRow {
  backend: string;
  case: string;
  variant: string;
  stepsPerSecond: number;
  msPerStep: number;
  /** Cost relative to the plain step of the case. */
  relative: number;
  target?: string;
}

/** Median over 5 rounds of the time per call of `fn`, ms, after warming up; about `seconds` in all. */
export async function timeIt(fn: () => Promise<void> | void, seconds: number): Promise<number> {
  const warm = performance.now();
  for (let i = 0; i < 3 || performance.now() - warm < Math.min(500, seconds * 200); i++) await fn(); // JIT and kernel caches
  const t0 = performance.now();
  let n = 0;
  while (n < 3 || performance.now() - t0 < 100) {
    await fn();
    n++;
  }
  const perCall = (performance.now() - t0) / n;
  const reps = Math.max(1, Math.round((seconds * 1000) / 5 / perCall));
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    for (let i = 0; i < reps; i++) await fn();
    rounds.push((performance.now() - t) / reps);
  }
  rounds.sort((a, b) => a - b);
  return rounds[2];
}

/** The config and a one-member tfjs engine of a case on the active backend. */
async function setupCase(c: BenchCase) {
  const cfg = makeConfig({ probeSamples: 256, ...c.config });
  return { cfg, engine: await TfjsEngine.create([cfg], { checkEvery: 1e9 }) };
}

/** Benchmarks one case on the active backend. */
export async function benchCase(backend: string, c: BenchCase, seconds: number): Promise<BenchRow[]> {
  const { cfg, engine } = await setupCase(c);
  const probeSet = (await memberData(cfg)).probeSet(cfg.probeSamples);
  const probeX = tf.tensor3d(probeSet.x, [1, probeSet.size, cfg.inputDim]);
  const probeY = tf.tensor2d(probeSet.y, [1, probeSet.size]);
  let t = 0;
  const step = async () => {
    await engine.advance(t++, 1, [true]);
    await engine.lossSums(); // wait for the step (asynchronous backends)
  };
  const params = await engine.paramTensors();
  const runProbe = async (p: Probe) => {
    let fw: BatchedForward | null = null;
    const model = { arch: engine.arch, params, forward: (x: tf.Tensor3D) => engine.arch.forward(params, x), perSampleGradientStats: (x: tf.Tensor3D, y: tf.Tensor2D) => engine.arch.perSampleGradientStats(params, x, y) };
    const ctx: ProbeContext = { step: 0, size: 1, configs: [cfg], config: cfg, model, probeX, probeY, forwardOnProbeSet: () => (fw ??= model.forward(probeX)), trainingSample: async () => null, batchStats: () => null };
    await p.compute(ctx);
    const f = fw as BatchedForward | null;
    if (f) tf.dispose([...f.preActivations, f.logits]);
  };
  const plain = await timeIt(step, seconds);
  const rows: BenchRow[] = [{ backend, case: c.name, variant: 'plain step', stepsPerSecond: 1000 / plain, msPerStep: plain, relative: 1, target: c.target }];
  for (const p of probesFor(cfg)) {
    const ms = await timeIt(async () => {
      await step();
      await runProbe(p);
    }, seconds);
    const samples = p.name === 'grad-variance' ? cfg.gradVarSamples : p.name === 'weight-norms' || p.name === 'activation-rate-exact' ? 0 : cfg.probeSamples;
    rows.push({ backend, case: c.name, variant: `step + ${p.name}${samples ? ` (${samples} samples)` : ''}`, stepsPerSecond: 1000 / ms, msPerStep: ms, relative: ms / plain });
  }
  engine.dispose();
  tf.dispose([probeX, probeY]);
  return rows;
}

/** The ensemble sweep: the two-layer M = N = 100, |B| = 1 model with `members` members trained as one program, in network-steps/s. */
export async function benchEnsemble(backend: string, members: number, seconds: number, engine: EngineChoice = 'tfjs'): Promise<BenchRow> {
  const cfgs = (steps: number) =>
    Array.from({ length: members }, (_, m) =>
      makeConfig({ inputDim: 100, hidden: 100, batchSize: 1, eta: [0.025, 0.05, 0.075, 0.1][m % 4], seed: m, steps, probeLogPoints: 0, probeLinearPoints: 0, probeSamples: 16 }),
    );
  await trainMembers(cfgs(50), { engine });
  let steps = 200;
  let t = performance.now();
  await trainMembers(cfgs(steps), { engine });
  const perStep = (performance.now() - t) / steps;
  steps = Math.max(200, Math.round((seconds * 1000) / perStep));
  t = performance.now();
  await trainMembers(cfgs(steps), { engine });
  const ms = (performance.now() - t) / steps;
  return {
    backend,
    case: `ensemble sweep: ${members} × two-layer 100→100→1, batch 1`,
    variant: 'network-steps/s (all members)',
    stepsPerSecond: (1000 * members) / ms,
    msPerStep: ms,
    relative: 1,
    target: members === 16 ? '≥ 40,000 network-steps/s' : undefined,
  };
}

/** Per-kernel time of one training step of a case (tf.profile), largest first: where the time goes. */
export async function profileCase(backend: string, c: BenchCase): Promise<{ kernel: string; ms: number; calls: number }[]> {
  const { engine } = await setupCase(c);
  for (let i = 0; i < 5; i++) await engine.advance(i, 1, [true]);
  const info = await tf.profile(() => void engine.advance(5, 1, [true]));
  const agg = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    const e = agg.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    e.calls += 1;
    agg.set(k.name, e);
  }
  engine.dispose();
  void backend;
  return [...agg.entries()].map(([kernel, e]) => ({ kernel, ...e })).sort((p, q) => q.ms - p.ms);
}

/**
 * Kernel micro-benchmarks behind the profiles: the FC6 first layer's products ([32, 784]·[784, 100]
 * and its gradients) with the right operand reused or new on every call (as in training, where the
 * weights change each step), and a CNN6 layer's filter gradient ([32, 28, 28, 10], 5×5) computed as
 * a convolution (the library's way) or by tfjs's Conv2DBackpropFilter (cpu only: wasm has none).
 */
export async function benchKernels(backend: string, seconds: number): Promise<BenchRow[]> {
  const a = tf.randomNormal([32, 784]) as tf.Tensor2D;
  const W = tf.randomNormal([784, 100]) as tf.Tensor2D; // [in, out]
  const Wt = tf.transpose(W) as tf.Tensor2D; // [out, in], the library's layout
  const d = tf.randomNormal([32, 100]) as tf.Tensor2D;
  const zero = tf.scalar(0);
  const ms = async (f: () => tf.Tensor) => timeIt(async () => {
    const r = tf.tidy(f);
    await readTensor(r);
    r.dispose();
  }, seconds);
  const rows: [string, number][] = [
    ['a·W, W reused', await ms(() => tf.matMul(a, W))],
    ['a·W, W new each call (incl. a copy of W)', await ms(() => tf.matMul(a, tf.add(W, zero)))],
    ['copy of W alone', await ms(() => tf.add(W, zero))],
    ['a·Wᵀ (transposeB), W reused', await ms(() => tf.matMul(a, Wt, false, true))],
    ['a·Wᵀ (transposeB), W new each call', await ms(() => tf.matMul(a, tf.add(Wt, zero), false, true))],
    ['aᵀ·δ (transposeA): weight gradient', await ms(() => tf.matMul(a, d, true, false))],
  ];
  const x = tf.randomNormal([32, 28, 28, 10]) as tf.Tensor4D;
  const dy = tf.randomNormal([32, 28, 28, 10]) as tf.Tensor4D;
  rows.push(['conv filter gradient as a Conv2D (library)', await ms(() => convFilterGradient(x, dy, 5))]);
  if (backend === 'cpu') {
    const w = tf.zeros([5, 5, 10, 10]) as tf.Tensor4D;
    const builtin = () => tf.grad((ww: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, ww as tf.Tensor4D, 1, 'same'), dy)))(w);
    tf.tidy(builtin);
    const t = performance.now();
    await readTensor(tf.tidy(builtin));
    rows.push(['conv filter gradient, tfjs Conv2DBackpropFilter (incl. forward)', performance.now() - t]);
  }
  tf.dispose([a, W, Wt, d, zero, x, dy]);
  return rows.map(([variant, t]) => ({ backend, case: 'kernels', variant, stepsPerSecond: 1000 / t, msPerStep: t, relative: t / rows[0][1] }));
}

/** Formats rows as an aligned text table. */
export function formatTable(rows: BenchRow[]): string {
  const header = ['backend', 'case', 'variant', 'steps/s', 'ms/step', '× plain', 'target'];
  const body = rows.map((r) => [r.backend, r.case, r.variant, r.stepsPerSecond.toFixed(r.stepsPerSecond < 100 ? 1 : 0), r.msPerStep.toFixed(3), r.relative.toFixed(2), r.target ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 3 && i <= 5 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
