/**
 * Soak test (not part of the test suite): trains 100,000 steps with every probe on and prints
 * tf.memory().numTensors and the process RSS at intervals. Pass: numTensors flat, RSS growth
 * under 10% after warm-up. Run: `npm run soak` (options: --steps N --backend NAME).
 */
import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../lib/backend/backends.js';
import { PROBE_NAMES, makeConfig } from '../lib/core/config.js';
import { train } from '../lib/train/trainer.js';

async function main(): Promise<void> {
  const cmd = new Command('soak').option('--steps <n>', 'SGD steps', '100000').option('--backend <name>', 'backend', 'auto');
  cmd.parse(process.argv);
  const o = cmd.opts();
  const steps = Number(o.steps);
  const info = await useBackend(o.backend);
  const cfg = makeConfig({ steps, probeEvery: 100, probeLogPoints: 0, probeLinearPoints: 0, probes: [...PROBE_NAMES] });
  const interval = Math.max(1000, Math.round(steps / 20));
  const warmup = Math.round(steps / 10);
  const rows: { step: number; numTensors: number; rssMiB: number }[] = [];
  const sample = (step: number) => {
    const row = { step, numTensors: tf.memory().numTensors, rssMiB: process.memoryUsage().rss / 2 ** 20 };
    rows.push(row);
    console.log(`step ${String(step).padStart(7)}  numTensors ${String(row.numTensors).padStart(4)}  RSS ${row.rssMiB.toFixed(1)} MiB`);
  };
  console.log(`soak: ${steps} steps of the two-layer model (M = N = 100, |B| = 1) on ${info.name}, every probe every 100 steps`);
  sample(0);
  let done = 0;
  const started = performance.now();
  let next = interval;
  await train(cfg, {
    engine: 'tfjs',
    onProgress: (n) => {
      done += n;
      if (done >= next) {
        sample(done);
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
  console.log(`\n${steps} steps in ${seconds.toFixed(1)} s (${(steps / seconds).toFixed(0)} steps/s)`);
  console.log(`numTensors during training: ${flat ? `flat at ${during[0]}` : `NOT flat: ${during.join(', ')}`}; after the run: ${tf.memory().numTensors}`);
  console.log(`RSS after warm-up (step ${afterWarmup.step}): ${afterWarmup.rssMiB.toFixed(1)} MiB; at the end: ${last.rssMiB.toFixed(1)} MiB; growth ${(growth * 100).toFixed(1)}% (target < 10%)`);
  process.exitCode = flat && growth < 0.1 ? 0 : 1;
}

await main();
