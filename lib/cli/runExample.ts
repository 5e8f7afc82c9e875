/** Runs an example (its sweeps, then reports and summaries), from the CLI or from an example script. */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { useBackend } from '../backend/backends.js';
import { ConfigError } from '../core/errors.js';
import { checkKeys, checkNumber } from '../core/validate.js';
import { runDir } from '../records/runDir.js';
import { writeSweepReport } from '../report/write.js';
import type { ExampleSpec } from '../sweep/example.js';
import { planEnsembles, runEnsemble, runIsComplete } from '../sweep/runner.js';
import { ensureWritableDir } from '../records/files.js';
import { prepareData } from '../data/tasks.js';
import { expandSweep, totalSteps, writeSweepSpec } from '../sweep/sweep.js';
import type { SweepSummary } from '../analysis/summary.js';
import { makeProgress } from './progress.js';
import { handleCliError } from './errors.js';

/** A deterministic subset of a sweep's runs: run k (over all sweeps of the example, in order) belongs to shard k mod count. */
export interface Shard {
  /** 0-based shard index, < count. */
  index: number;
  count: number;
}

/** Options of {@link runExample}. */
export interface RunExampleOptions {
  /** Small version for CI. Default false. */
  quick?: boolean;
  /** Seeds per swept value. Default: the example's. */
  seeds?: number;
  /** Results root; the example writes to `<out>/<example>/<sweep>`. Default `results`. */
  out?: string;
  /** Backend name or `auto` (default: `THERMO_BACKEND`, else auto). */
  backend?: string;
  /** Bootstrap resamples for exponent intervals. Default 200. */
  bootstrap?: number;
  /** No progress output. */
  quiet?: boolean;
  /** Run only this shard's runs (e.g. one task of a Slurm job array). */
  shard?: Shard;
  /** Stops after the current step of the current run, saving a checkpoint (Ctrl-C). */
  signal?: AbortSignal;
  /** Seconds between checkpoints of a run. Default 30. */
  checkpointEverySeconds?: number;
  /** Directory of dataset files (sets every run's `dataDir`). */
  dataDir?: string;
  /** Train runs that share an architecture as ensembles (default true). */
  ensemble?: boolean;
  /** Multiplies every run's step budget (longer or shorter runs than the example's). Default 1. */
  budgetScale?: number;
}

/** What an example produced. */
export interface ExampleResult {
  dir: string;
  backend: string;
  /** Reports of the sweeps whose runs are all complete. */
  sweeps: { dir: string; html: string; summaryFile: string; summary: SweepSummary }[];
  /** Sweeps left without a report: some runs are incomplete (other shards, or interrupted). */
  pending: { dir: string; complete: number; total: number }[];
  /** True when the signal stopped the example early. */
  interrupted: boolean;
  wallSeconds: number;
}

const OPTION_KEYS = ['quick', 'seeds', 'out', 'backend', 'bootstrap', 'quiet', 'shard', 'signal', 'checkpointEverySeconds', 'dataDir', 'ensemble', 'budgetScale'] as const;

/** Parses `i/n` (0 ≤ i < n). */
export function parseShard(text: unknown, where = '--shard'): Shard {
  const m = typeof text === 'string' ? /^(\d+)\/(\d+)$/.exec(text) : null;
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1) || !(index < count)) throw new ConfigError(where, text, "'i/n' with 0 <= i < n, e.g. '0/4'");
  return { index, count };
}

/**
 * Runs every sweep of `spec` (or one shard of its runs), skipping finished runs and resuming
 * interrupted ones, then writes report.html and summary.json for each sweep whose runs are all complete.
 */
export async function runExample(spec: ExampleSpec, options: RunExampleOptions = {}): Promise<ExampleResult> {
  checkKeys({ ...options }, OPTION_KEYS, 'options');
  const quick = options.quick ?? false;
  const seeds = options.seeds === undefined ? (quick ? Math.min(2, spec.defaultSeeds) : spec.defaultSeeds) : checkNumber(options.seeds, { integer: true, ge: 1 }, 'options.seeds');
  const bootstrap = options.bootstrap === undefined ? (quick ? 100 : 200) : checkNumber(options.bootstrap, { integer: true, ge: 10 }, 'options.bootstrap');
  const shard = options.shard;
  if (shard !== undefined) {
    checkKeys({ ...shard }, ['index', 'count'], 'options.shard');
    checkNumber(shard.count, { integer: true, ge: 1 }, 'options.shard.count');
    checkNumber(shard.index, { integer: true, ge: 0, lt: shard.count }, 'options.shard.index');
  }
  const info = await useBackend(options.backend);
  const dir = path.join(options.out ?? 'results', spec.name);
  ensureWritableDir(dir);
  const scale = options.budgetScale === undefined ? 1 : checkNumber(options.budgetScale, { gt: 0 }, 'options.budgetScale');
  const sweeps = spec.sweeps({ quick, seeds }).map((s) =>
    scale === 1 ? s : s.budget ? { ...s, budget: { ...s.budget, refSteps: Math.max(1, Math.round(s.budget.refSteps * scale)) } } : { ...s, base: { ...s.base, steps: Math.max(1, Math.round((s.base.steps ?? 1000) * scale)) } },
  );
  let k = 0;
  const plans = sweeps.map((s) => {
    const sweepDir = path.join(dir, s.name);
    const all = expandSweep({ ...s, base: { ...s.base, backend: info.name, ...(options.dataDir ? { dataDir: options.dataDir } : {}) } });
    const mine = all.filter(() => (shard ? k++ % shard.count === shard.index : true));
    return { spec: s, sweepDir, all, configs: mine };
  });
  const total = plans.reduce((n, p) => n + totalSteps(p.configs), 0);
  const started = performance.now();
  const progress = makeProgress(total, options.quiet);
  const log = options.quiet ? () => {} : (t: string) => progress.line(t);
  const nRuns = plans.reduce((n, p) => n + p.configs.length, 0);
  log(`${spec.name} (${spec.figure}) on backend '${info.name}': ${nRuns} runs, ${total} steps${quick ? ' (quick)' : ''}${shard ? ` (shard ${shard.index}/${shard.count})` : ''}`);
  let interrupted = false;
  try {
    for (const plan of plans) {
      writeSweepSpec(plan.sweepDir, plan.spec);
      for (const group of planEnsembles(plan.configs, options.ensemble === false ? 1 : 16)) {
        if (options.signal?.aborted) {
          interrupted = true;
          break;
        }
        const cfgs = group.map((i) => plan.configs[i]);
        const labels = group.map((i) => {
          const cfg = plan.configs[i];
          return `${plan.spec.name} ${i + 1}/${plan.configs.length}: η=${cfg.eta} |B|=${cfg.batchSize} seed=${cfg.seed}`;
        });
        progress.setRun(group.length > 1 ? `${plan.spec.name}: ensemble of ${group.length} (${labels[0].split(': ')[1]} …)` : labels[0]);
        for (const cfg of cfgs) await prepareData(cfg);
        const outcomes = await runEnsemble(
          cfgs,
          cfgs.map((cfg) => runDir(plan.sweepDir, cfg)),
          {
            onProgress: (n) => progress.addSteps(n),
            signal: options.signal,
            checkpointEverySeconds: options.checkpointEverySeconds ?? envSeconds('THERMO_CHECKPOINT_SECONDS'),
          },
        );
        outcomes.forEach((outcome, k) => {
          const s = outcome.status;
          const label = labels[k];
          if (outcome.skipped) {
            progress.addSteps(cfgs[k].steps);
            log(`${label}: already ${s.state}, skipped`);
          } else if (s.state === 'running') {
            interrupted = true;
            log(`${label}: interrupted at step ${s.step}; checkpoint saved, run the same command to resume`);
          } else {
            const how = outcome.resumedFrom ? ` (resumed from step ${outcome.resumedFrom})` : outcome.ensemble ? ` (ensemble of ${outcome.ensemble})` : '';
            log(`${label}: ${s.state} at step ${s.step}${s.reason ? ` (${s.reason})` : ''}${how} in ${s.wallSeconds?.toFixed(1)} s, ${s.stepsPerSecond?.toFixed(0)} steps/s`);
          }
        });
        if (interrupted) break;
      }
      if (interrupted) break;
    }
  } finally {
    progress.stop();
  }
  const results: ExampleResult['sweeps'] = [];
  const pending: ExampleResult['pending'] = [];
  for (const plan of plans) {
    const complete = plan.all.filter((cfg) => runIsComplete(runDir(plan.sweepDir, cfg)) !== null).length;
    if (complete < plan.all.length) {
      pending.push({ dir: plan.sweepDir, complete, total: plan.all.length });
      continue;
    }
    const r = writeSweepReport(plan.sweepDir, { bootstrap });
    results.push({ dir: plan.sweepDir, html: r.html, summaryFile: r.summary, summary: r.analysis.summary });
  }
  const wallSeconds = (performance.now() - started) / 1000;
  if (!options.quiet) {
    for (const r of results) console.log(formatSummary(r.summary, r.html));
    for (const p of pending) {
      console.log(`\n== ${p.dir}: ${p.complete} of ${p.total} runs complete; no report yet. When every shard has finished, run: thermo report ${p.dir}`);
    }
    console.log(`${spec.name}: ${interrupted ? 'interrupted' : 'done'} after ${wallSeconds.toFixed(1)} s`);
  }
  return { dir, backend: info.name, sweeps: results, pending, interrupted, wallSeconds };
}

/** A short plain-text summary of a sweep. */
export function formatSummary(s: SweepSummary, html?: string): string {
  const lines = [`\n== ${s.title}`, `   ${s.runs.finished}/${s.runs.total} runs finished on ${s.backend}, ${s.stepsPerSecond.toFixed(0)} steps/s`];
  for (const [q, p] of Object.entries(s.probes)) lines.push(`   - ${p.verdict}`);
  for (const r of s.leftOut) lines.push(`   ! left out: η=${r.eta} |B|=${r.batchSize} seed=${r.seed}: ${r.state} at step ${r.step} (${r.reason})`);
  if (html) lines.push(`   report: ${html}`);
  return lines.join('\n');
}

/** Parses the common example flags (used by the example scripts and `thermo run`). */
export function exampleFlags(cmd: Command): Command {
  return cmd
    .option('--quick', 'a small run that fits in CI')
    .option('--out <dir>', 'results root directory', 'results')
    .option('--backend <name>', 'cpu, wasm, tensorflow, cuda, webgpu or auto (default: $THERMO_BACKEND, else auto)')
    .option('--seeds <n>', 'seeds per swept value')
    .option('--bootstrap <n>', 'bootstrap resamples for exponent intervals')
    .option('--shard <i/n>', 'run only shard i of n (0-based) of the runs, e.g. a Slurm array task')
    .option('--data-dir <dir>', 'directory of dataset files (Fashion-MNIST IDX, CIFAR-10 batches) and their cache')
    .option('--no-ensemble', 'train every run alone (default: runs that share an architecture train as one batched ensemble)')
    .option('--budget-scale <f>', 'multiply every run\'s step budget by f (e.g. 4 for runs four times longer)')
    .option('--verbose', 'print stack traces of errors');
}

function positive(v: unknown, name: string): number {
  const n = Number(v);
  if (!(Number.isFinite(n) && n > 0)) throw new ConfigError(name, v, 'a number > 0');
  return n;
}

/** Converts parsed flags to {@link RunExampleOptions}, checking numbers. */
export function flagsToOptions(o: Record<string, unknown>): RunExampleOptions {
  const int = (v: unknown, name: string, min: number) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new ConfigError(name, v, `an integer >= ${min}`);
    return n;
  };
  return {
    quick: Boolean(o.quick),
    out: o.out as string | undefined,
    backend: o.backend as string | undefined,
    seeds: int(o.seeds, '--seeds', 1),
    bootstrap: int(o.bootstrap, '--bootstrap', 10),
    shard: o.shard === undefined ? undefined : parseShard(o.shard),
    ...(o.dataDir === undefined ? {} : { dataDir: String(o.dataDir) }),
    ...(o.ensemble === false ? { ensemble: false } : {}),
    ...(o.budgetScale === undefined ? {} : { budgetScale: positive(o.budgetScale, '--budget-scale') }),
  };
}

/** When the calling module is the script node was started with, runs `spec` with flags from argv. */
export async function runExampleMain(moduleUrl: string, spec: ExampleSpec): Promise<void> {
  const entry = process.argv[1];
  if (!entry || pathToFileURL(path.resolve(entry)).href !== moduleUrl) return;
  const cmd = exampleFlags(new Command(spec.name).description(spec.description));
  cmd.parse(process.argv);
  const o = cmd.opts();
  try {
    const result = await withInterrupt((signal) => runExample(spec, { ...flagsToOptions(o), signal }));
    if (result.interrupted) process.exitCode = 130;
  } catch (err) {
    process.exitCode = handleCliError(err, Boolean(o.verbose));
  }
}

/** Runs `fn` with a signal that the first Ctrl-C (SIGINT) or SIGTERM aborts; a second Ctrl-C exits at once. */
export async function withInterrupt<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    console.error('\ninterrupt: saving a checkpoint (Ctrl-C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await fn(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** A non-negative number of seconds from an environment variable, or undefined. */
function envSeconds(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  return checkNumber(Number(raw), { ge: 0 }, name);
}
