/**
 * `node dist/benchmarks/tuneDense.js`: the webgpu-dense engine's tuning knobs (plan.ts's DenseTuning)
 * swept on this machine's WebGPU adapter, for FC6 and CNN6 at |B| = 32 and the CIFAR-size step
 * (the models of lib/engines/webgpuDense/bench.ts). Each setting is timed in `--rounds` rounds of at
 * least `--seconds` (the median counts); the default setting is timed first and last, so drift over
 * the sweep shows. With
 * `--device gpu` the PyTorch CUDA peer's figures for the same models are taken in the same run.
 * Options: --models cnn6,fc6,cifar  --members N  --steps N  --seconds S  --rounds N  --device cpu|gpu  --out FILE.
 * Prints a table per model (best first) and writes JSON.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { ConfigError } from '../lib/core/errors.js';
import type { RunConfig } from '../lib/core/config.js';
import { useBackend } from '../lib/backend/backends.js';
import { cifarBenchConfigs, deepBenchConfigs, secondsPerStep, type StepTiming } from '../lib/engines/webgpuDense/index.js';
import type { DenseTuning } from '../lib/engines/webgpuDense/plan.js';
import { writeFileAtomic } from '../lib/records/files.js';
import { LIBRARY } from '../lib/version.js';
import { runTorchPeer } from './peers/torch.js';

/** One timed setting. */
export interface TuningRow {
  model: string;
  members: number;
  tuning: DenseTuning | 'default';
  stepsPerSubmit: number | 'default';
  /** Median of the rounds; null where the plan refused the setting (reason given). */
  stepsPerSecond: number | null;
  reason?: string;
}

/** Every combination of the listed knob values (a knob left out keeps its default). */
export function tuningGrid(axes: { [K in keyof DenseTuning]?: number[] }): DenseTuning[] {
  let out: DenseTuning[] = [{}];
  for (const [key, values] of Object.entries(axes)) {
    out = out.flatMap((t) => (values as number[]).map((v) => ({ ...t, [key]: v })));
  }
  return out;
}

const MODELS: Record<string, { configs: (members: number) => RunConfig[]; peer: string; grid: DenseTuning[] }> = {
  cnn6: {
    configs: (m) => deepBenchConfigs('cnn', m),
    peer: 'cnn6-b32',
    grid: tuningGrid({ workgroupSize: [64, 128, 256], tileDepth: [16, 32], splitDepth: [128, 512, 2048] }),
  },
  fc6: { configs: (m) => deepBenchConfigs('fc', m), peer: 'fc6-b32', grid: tuningGrid({ workgroupSize: [64, 128, 256], tileDepth: [16, 32] }) },
  cifar: { configs: () => cifarBenchConfigs(), peer: 'cifar-b1000', grid: tuningGrid({ workgroupSize: [64, 128, 256], tileDepth: [16, 32] }) },
};

async function timeSetting(configs: RunConfig[], steps: number, timing: StepTiming, tuning: DenseTuning, stepsPerSubmit?: number): Promise<{ rate: number | null; reason?: string }> {
  try {
    const s = await secondsPerStep(configs, steps, { tuning, ...(stepsPerSubmit ? { stepsPerSubmit } : {}) }, timing);
    return { rate: 1 / s };
  } catch (err) {
    if (err instanceof ConfigError) return { rate: null, reason: err.message };
    throw err;
  }
}

async function main(): Promise<void> {
  const o = new Command('tuneDense')
    .option('--models <list>', 'cnn6, fc6, cifar', 'cnn6,fc6,cifar')
    .option('--members <n>', 'members per engine', '1')
    .option('--steps <n>', 'timed steps of the first calibration round', '50')
    .option('--seconds <s>', 'seconds per round, at least', '0.3')
    .option('--rounds <n>', 'rounds per setting (the median counts)', '3')
    .option('--device <d>', "'gpu': the PyTorch peer runs with CUDA in the same run", 'cpu')
    .option('--out <file>', 'JSON output file', path.join('benchmarks', 'results', 'tune-dense.json'))
    .parse(process.argv)
    .opts();
  const models = String(o.models).split(',');
  const bad = models.filter((m) => !(m in MODELS));
  if (bad.length) {
    console.error(`--models: got '${bad.join(',')}'; allowed: a comma-separated list of ${Object.keys(MODELS).join(', ')}`);
    process.exit(2);
  }
  const [members, steps] = [Number(o.members), Number(o.steps)];
  const timing: StepTiming = { seconds: Number(o.seconds), rounds: Number(o.rounds) };
  const checks: [string, unknown, boolean, string][] = [
    ['--members', o.members, Number.isInteger(members) && members >= 1 && members <= 256, 'an integer from 1 to 256'],
    ['--steps', o.steps, Number.isInteger(steps) && steps >= 1 && steps <= 100_000, 'an integer from 1 to 100000'],
    ['--seconds', o.seconds, timing.seconds! > 0 && timing.seconds! <= 60, 'a number > 0 and <= 60'],
    ['--rounds', o.rounds, Number.isInteger(timing.rounds) && timing.rounds! >= 1 && timing.rounds! <= 20, 'an integer from 1 to 20'],
  ];
  for (const [flag, got, ok, allowed] of checks) {
    if (!ok) {
      console.error(`${flag}: got '${String(got)}'; allowed: ${allowed}`);
      process.exit(2);
    }
  }
  const info = await useBackend('webgpu');
  console.log(`webgpu: ${JSON.stringify(info.adapter)}`);
  const peer = o.device === 'gpu' ? runTorchPeer({ device: 'cuda', seconds: 1, python: process.env.THERMO_TORCH_PYTHON ?? 'python3', cases: models.map((m) => MODELS[m].peer) }) : null;
  const rows: TuningRow[] = [];
  const save = () => {
    fs.mkdirSync(path.dirname(o.out), { recursive: true });
    writeFileAtomic(o.out, `${JSON.stringify({ library: LIBRARY, date: new Date().toISOString(), adapter: info.adapter, peer, rows }, null, 2)}\n`);
  };
  for (const name of models) {
    const m = MODELS[name];
    const configs = m.configs(members);
    const push = async (tuning: DenseTuning | 'default', stepsPerSubmit?: number) => {
      const { rate, reason } = await timeSetting(configs, steps, timing, tuning === 'default' ? {} : tuning, stepsPerSubmit);
      rows.push({ model: name, members: configs.length, tuning, stepsPerSubmit: stepsPerSubmit ?? 'default', stepsPerSecond: rate, ...(reason ? { reason } : {}) });
      save(); // after every setting: a run stopped by a time limit keeps what it measured
    };
    await push('default');
    for (const t of m.grid) await push(t);
    for (const sps of [16, 256]) await push('default', sps);
    await push('default');
    const mine = rows.filter((r) => r.model === name).sort((a, b) => (b.stepsPerSecond ?? -1) - (a.stepsPerSecond ?? -1));
    const torch = peer?.available ? peer.cases?.[m.peer]?.stepsPerSecond : undefined;
    console.log(`\n${name} (${configs.length} member${configs.length > 1 ? 's' : ''}), steps/s${torch ? `; PyTorch CUDA ${torch.toFixed(1)}` : ''}:`);
    for (const r of mine) {
      const what = `${JSON.stringify(r.tuning)}${r.stepsPerSubmit === 'default' ? '' : ` stepsPerSubmit ${r.stepsPerSubmit}`}`;
      console.log(`  ${(r.stepsPerSecond === null ? `refused: ${r.reason}` : r.stepsPerSecond.toFixed(1)).padStart(10)}  ${what}`);
    }
  }
  save();
  console.log(`wrote ${o.out}`);
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) await main();
