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
import { runConfig } from '../sweep/runner.js';
import { expandSweep, totalSteps, writeSweepSpec } from '../sweep/sweep.js';
import type { SweepSummary } from '../analysis/summary.js';
import { makeProgress } from './progress.js';
import { handleCliError } from './errors.js';

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
}

/** What an example produced. */
export interface ExampleResult {
  dir: string;
  backend: string;
  sweeps: { dir: string; html: string; summaryFile: string; summary: SweepSummary }[];
  wallSeconds: number;
}

const OPTION_KEYS = ['quick', 'seeds', 'out', 'backend', 'bootstrap', 'quiet'] as const;

/** Runs every sweep of `spec`, skipping finished runs, then writes each sweep's report.html and summary.json. */
export async function runExample(spec: ExampleSpec, options: RunExampleOptions = {}): Promise<ExampleResult> {
  checkKeys({ ...options }, OPTION_KEYS, 'options');
  const quick = options.quick ?? false;
  const seeds = options.seeds === undefined ? (quick ? Math.min(2, spec.defaultSeeds) : spec.defaultSeeds) : checkNumber(options.seeds, { integer: true, ge: 1 }, 'options.seeds');
  const bootstrap = options.bootstrap === undefined ? (quick ? 100 : 200) : checkNumber(options.bootstrap, { integer: true, ge: 10 }, 'options.bootstrap');
  const info = await useBackend(options.backend);
  const dir = path.join(options.out ?? 'results', spec.name);
  const sweeps = spec.sweeps({ quick, seeds });
  const plans = sweeps.map((s) => {
    const sweepDir = path.join(dir, s.name);
    const configs = expandSweep({ ...s, base: { ...s.base, backend: info.name } });
    return { spec: s, sweepDir, configs };
  });
  const total = plans.reduce((n, p) => n + totalSteps(p.configs), 0);
  const started = performance.now();
  const progress = makeProgress(total, options.quiet);
  const log = options.quiet ? () => {} : (t: string) => progress.line(t);
  log(`${spec.name} (${spec.figure}) on backend '${info.name}': ${plans.reduce((n, p) => n + p.configs.length, 0)} runs, ${total} steps${quick ? ' (quick)' : ''}`);
  try {
    for (const plan of plans) {
      writeSweepSpec(plan.sweepDir, plan.spec);
      plan.configs.forEach((cfg, i) => {
        const label = `${plan.spec.name} ${i + 1}/${plan.configs.length}: η=${cfg.eta} |B|=${cfg.batchSize} seed=${cfg.seed}`;
        progress.setRun(label);
        const outcome = runConfig(cfg, runDir(plan.sweepDir, cfg), { onProgress: (n) => progress.addSteps(n) });
        if (outcome.skipped) {
          progress.addSteps(cfg.steps);
          log(`${label}: already ${outcome.status.state}, skipped`);
        } else {
          const s = outcome.status;
          log(`${label}: ${s.state} at step ${s.step}${s.reason ? ` (${s.reason})` : ''} in ${s.wallSeconds?.toFixed(1)} s, ${s.stepsPerSecond?.toFixed(0)} steps/s`);
        }
      });
    }
  } finally {
    progress.stop();
  }
  const results = plans.map((plan) => {
    const r = writeSweepReport(plan.sweepDir, { bootstrap });
    return { dir: plan.sweepDir, html: r.html, summaryFile: r.summary, summary: r.analysis.summary };
  });
  const wallSeconds = (performance.now() - started) / 1000;
  if (!options.quiet) {
    for (const r of results) console.log(formatSummary(r.summary, r.html));
    console.log(`${spec.name}: done in ${wallSeconds.toFixed(1)} s`);
  }
  return { dir, backend: info.name, sweeps: results, wallSeconds };
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
    .option('--backend <name>', 'cpu, wasm, tensorflow, cuda or auto (default: $THERMO_BACKEND, else auto)')
    .option('--seeds <n>', 'seeds per swept value')
    .option('--bootstrap <n>', 'bootstrap resamples for exponent intervals')
    .option('--verbose', 'print stack traces of errors');
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
    await runExample(spec, flagsToOptions(o));
  } catch (err) {
    process.exitCode = handleCliError(err, Boolean(o.verbose));
  }
}
