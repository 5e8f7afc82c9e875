/**
 * Soak test (not part of the test suite): trains many steps with every probe on and prints
 * tf.memory().numTensors and the process RSS at intervals. Pass: numTensors flat, RSS growth
 * under 10% after warm-up. Run: `npm run soak` (options: --steps N --backend NAME
 * --engine NAME --members K --model two-layer|fc|cnn). The default is the two-layer model
 * (M = N = 100, |B| = 1) on the tfjs engine; `--engine webgpu-dense --model cnn --members 2`
 * soaks the fused GPU kernels and their probes.
 */
import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../lib/backend/backends.js';
import { MODEL_NAMES, PROBE_NAMES, defaultProbes, makeConfig, type ModelName } from '../lib/core/config.js';
import { checkEnum, checkNumber } from '../lib/core/validate.js';
import { ENGINE_NAMES } from '../lib/engines/engine.js';
import type { EngineChoice } from '../lib/engines/create.js';
import { trainMembers } from '../lib/train/trainer.js';

/** The probes of a soak: every probe the model family takes. */
function soakProbes(model: ModelName) {
  if (model === 'two-layer') return [...PROBE_NAMES];
  return [...defaultProbes(model, 'gaussian'), 'grad-variance' as const].filter((p, i, a) => a.indexOf(p) === i);
}

async function main(): Promise<void> {
  const cmd = new Command('soak')
    .option('--steps <n>', 'SGD steps', '100000')
    .option('--backend <name>', 'backend', 'auto')
    .option('--engine <name>', `engine: auto, ${ENGINE_NAMES.join(', ')}`, 'tfjs')
    .option('--members <k>', 'members trained together (seeds 0 … k−1)', '1')
    .option('--model <name>', `model family: ${MODEL_NAMES.join(', ')}`, 'two-layer');
  cmd.parse(process.argv);
  const o = cmd.opts();
  const steps = checkNumber(Number(o.steps), { integer: true, ge: 1000, le: 1e9 }, '--steps');
  const members = checkNumber(Number(o.members), { integer: true, ge: 1, le: 4096 }, '--members');
  const engine = checkEnum(o.engine, [...ENGINE_NAMES, 'auto'], '--engine') as EngineChoice;
  const model = checkEnum(o.model, MODEL_NAMES, '--model');
  const info = await useBackend(o.backend);
  const shape = model === 'cnn' ? { inputDim: 64, channels: 4 } : model === 'fc' ? { hidden: 64 } : {};
  const base = { model, ...shape, steps, probeEvery: 100, probeLogPoints: 0, probeLinearPoints: 0, probes: soakProbes(model) };
  const cfgs = Array.from({ length: members }, (_, seed) => makeConfig({ ...base, seed }));
  // about 20 samples whatever the length, so that even a short soak has several after its warm-up
  const interval = Math.max(100, Math.round(steps / 20));
  // RSS settles after the kernels' arenas and tfjs's heap have grown to size: a tenth of the run, but
  // at least 2,500 steps (a wasm CNN levels off after ~2,000) unless that is over half the run
  const warmup = Math.max(Math.round(steps / 10), Math.min(2500, Math.round(steps / 2)));
  const rows: { step: number; numTensors: number; rssMiB: number }[] = [];
  const sample = (step: number) => {
    const row = { step, numTensors: tf.memory().numTensors, rssMiB: process.memoryUsage().rss / 2 ** 20 };
    rows.push(row);
    console.log(`step ${String(step).padStart(7)}  numTensors ${String(row.numTensors).padStart(4)}  RSS ${row.rssMiB.toFixed(1)} MiB`);
  };
  let engineName = engine as string;
  console.log(`soak: ${steps} steps of ${members} ${model} member(s) on ${info.name}, every probe every 100 steps`);
  sample(0);
  let done = 0;
  const started = performance.now();
  let next = interval;
  await trainMembers(cfgs, {
    engine,
    onEngine: (e) => (engineName = e.name),
    onProgress: (n) => {
      done += n / members;
      if (done >= next) {
        sample(Math.round(done));
        next += interval;
      }
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const afterWarmup = rows.find((r) => r.step >= warmup) ?? rows[0];
  const last = rows[rows.length - 1];
  const during = rows.filter((r) => r.step > 0 && r.step < steps).map((r) => r.numTensors);
  const flat = during.every((n) => n === during[0]);
  const growth = last.rssMiB / afterWarmup.rssMiB - 1;
  const judged = rows.filter((r) => r.step >= warmup).length >= 3 && during.length >= 2;
  console.log(`\n${steps} steps in ${seconds.toFixed(1)} s (${(steps / seconds).toFixed(0)} steps/s) on the ${engineName} engine`);
  console.log(`numTensors during training: ${flat ? `flat at ${during[0]}` : `NOT flat: ${during.join(', ')}`}; after the run: ${tf.memory().numTensors}`);
  console.log(`RSS after warm-up (step ${afterWarmup.step}): ${afterWarmup.rssMiB.toFixed(1)} MiB; at the end: ${last.rssMiB.toFixed(1)} MiB; growth ${(growth * 100).toFixed(1)}% (target < 10%)`);
  if (!judged) console.log('too few samples after the warm-up to judge: run more steps');
  process.exitCode = judged && flat && growth < 0.1 ? 0 : 1;
}

await main();
