/**
 * Backend benchmark: SGD steps per second of each model case on every installed backend, for a
 * plain step and a step followed by each probe. Prints a table and writes JSON with the
 * machine, backends and versions. Run: `npm run bench`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Command } from 'commander';
import { listBackends, useBackend, type BackendName } from '../lib/backend/backends.js';
import { makeConfig, type RunConfig } from '../lib/core/config.js';
import { createTask } from '../lib/data/tasks.js';
import { createModel } from '../lib/models/create.js';
import type { ForwardPass } from '../lib/models/model.js';
import { probesFor } from '../lib/probes/builtin.js';
import type { Probe, ProbeContext } from '../lib/probes/probe.js';
import { sgdStep } from '../lib/train/trainer.js';
import { LIBRARY } from '../lib/version.js';

/** One benchmark case: a model config at a batch size. */
export interface BenchCase {
  name: string;
  config: Partial<RunConfig>;
}

/** The cases timed by default. */
export const CASES: BenchCase[] = [
  { name: 'two-layer 100→100→1, batch 1', config: { inputDim: 100, hidden: 100, batchSize: 1 } },
  { name: 'two-layer 100→100→1, batch 32', config: { inputDim: 100, hidden: 100, batchSize: 32 } },
];

/** One row of the results. */
export interface BenchRow {
  backend: BackendName;
  case: string;
  variant: string;
  stepsPerSecond: number;
  msPerStep: number;
  /** Cost of the variant relative to the plain step. */
  relative: number;
}

/** Times `fn` repeatedly for about `seconds` after a warm-up; returns the median of 5 rounds, in ms per call. */
export function timeIt(fn: () => void, seconds: number): number {
  for (let i = 0; i < 20; i++) fn();
  let n = 1;
  let t0 = performance.now();
  while (performance.now() - t0 < 50) {
    fn();
    n++;
  }
  const perCall = (performance.now() - t0) / n;
  const reps = Math.max(1, Math.round((seconds * 1000) / 5 / perCall));
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    rounds.push((performance.now() - t0) / reps);
  }
  rounds.sort((a, b) => a - b);
  return rounds[2];
}

/** Benchmarks one case on the active backend. */
export function benchCase(backend: BackendName, c: BenchCase, seconds: number): BenchRow[] {
  const cfg = makeConfig({ ...c.config, backend });
  const model = createModel(cfg);
  const task = createTask(cfg);
  const probeSet = task.probeSet(cfg.probeSamples);
  const probeX = tf.tensor2d(probeSet.x, [probeSet.size, cfg.inputDim]);
  const probeY = tf.tensor1d(probeSet.y);
  const step = () => {
    const b = task.nextBatch(cfg.batchSize);
    tf.tidy(() => sgdStep(model, tf.tensor2d(b.x, [b.size, cfg.inputDim]), tf.tensor1d(b.y), cfg.eta, null));
  };
  const runProbe = (p: Probe) => {
    let fw: ForwardPass | null = null;
    const ctx: ProbeContext = { step: 0, config: cfg, model, probeX, probeY, forwardOnProbeSet: () => (fw ??= model.forward(probeX)) };
    p.compute(ctx);
    const f = fw as ForwardPass | null;
    if (f) tf.dispose([...f.preActivations, f.logits]);
  };
  const plain = timeIt(step, seconds);
  const rows: BenchRow[] = [{ backend, case: c.name, variant: 'plain step', stepsPerSecond: 1000 / plain, msPerStep: plain, relative: 1 }];
  for (const p of probesFor(cfg)) {
    const ms = timeIt(() => {
      step();
      runProbe(p);
    }, seconds);
    rows.push({ backend, case: c.name, variant: `step + ${p.name} (${cfg.probeSamples} samples)`, stepsPerSecond: 1000 / ms, msPerStep: ms, relative: ms / plain });
  }
  model.dispose();
  tf.dispose([probeX, probeY]);
  return rows;
}

/** Formats rows as an aligned text table. */
export function formatTable(rows: BenchRow[]): string {
  const header = ['backend', 'case', 'variant', 'steps/s', 'ms/step', '× plain'];
  const body = rows.map((r) => [r.backend, r.case, r.variant, r.stepsPerSecond.toFixed(0), r.msPerStep.toFixed(3), r.relative.toFixed(2)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const cmd = new Command('bench')
    .option('--backends <list>', 'comma-separated backends (default: every installed one)')
    .option('--seconds <s>', 'seconds per measurement', '2')
    .option('--out <file>', 'JSON output file');
  cmd.parse(process.argv);
  const o = cmd.opts();
  const all = listBackends();
  const wanted = o.backends ? String(o.backends).split(',') : all.filter((b) => b.installed).map((b) => b.name);
  for (const b of all.filter((x) => !x.installed)) console.log(`missing backend ${b.name}: ${b.hint}`);
  const rows: BenchRow[] = [];
  const versions: Record<string, Record<string, string>> = {};
  for (const name of wanted) {
    const info = await useBackend(name);
    versions[info.name] = info.versions;
    for (const c of CASES) rows.push(...benchCase(info.name, c, Number(o.seconds)));
  }
  console.log(formatTable(rows));
  const out = o.out ?? path.join('benchmarks', 'results', `${new Date().toISOString().slice(0, 10)}-${os.hostname()}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const machine = { platform: process.platform, arch: process.arch, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: os.totalmem() / 2 ** 30, node: process.version };
  fs.writeFileSync(out, `${JSON.stringify({ library: LIBRARY, date: new Date().toISOString(), machine, versions, rows }, null, 2)}\n`);
  console.log(`wrote ${out}`);
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) await main();
