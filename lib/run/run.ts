/**
 * Orchestration: planning a sweep (its runs, their directories and this shard's share), running
 * it (finished runs skipped, interrupted ones resumed, runs that share an architecture trained
 * together), and writing each complete sweep's report. The CLI only parses flags and prints.
 */
import * as path from 'node:path';
import { formatRate } from '../analysis/speed.js';
import { MAX_BOOTSTRAP } from '../analysis/summary.js';
import { useBackend, type BackendInfo } from '../backend/backends.js';
import type { RunConfig } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { checkKeys, checkNumber, checkSignal } from '../core/validate.js';
import { dataProvenance } from '../data/load.js';
import { checkEngineMemory } from '../engines/memory.js';
import { pickEngine } from '../engines/create.js';
import { ensureWritableDir } from '../records/files.js';
import { writeManifest } from '../records/manifest.js';
import { runId } from '../records/runDir.js';
import type { ReportFiles } from '../report/write.js';
import { writeSweepReportInWorker } from '../report/writeInWorker.js';
import type { ExampleSpec, ExampleSummary } from './example.js';
import { readSweep } from '../records/reader.js';
import { checkRunnerOptions, maxMembersFor, planGroups, runIsComplete, runMembers, type RunOutcome, type RunnerOptions } from '../sweep/runner.js';
import { checkAnalyzable, expandSweep, totalSteps, writeSweepSpec, type SweepSpec } from '../sweep/sweep.js';

/** A deterministic subset of an example's runs: run k (over all its sweeps, in order) belongs to shard k mod count. */
export interface Shard {
  /** 0-based shard index, < count. */
  index: number;
  count: number;
}

/** A sweep planned: its runs, their directories, and which of them this process runs. */
export interface PlannedSweep {
  spec: SweepSpec;
  dir: string;
  configs: RunConfig[];
  dirs: string[];
  /** Indices (into configs) of the runs of this shard. */
  mine: number[];
}

/** Expands a sweep into runs with their directories (run ids include the data's identity) and writes sweep.json and the manifest. */
export async function planSweep(spec: SweepSpec, sweepDir: string, select: (i: number) => boolean = () => true): Promise<PlannedSweep> {
  const configs = expandSweep(spec);
  const ids: string[] = [];
  for (const cfg of configs) ids.push(runId(cfg, (await dataProvenance(cfg)).id));
  if (new Set(ids).size !== ids.length) throw new ConfigError(`${spec.name}.grid`, spec.grid, 'values that make every run distinct');
  writeSweepSpec(sweepDir, spec);
  writeManifest(sweepDir, ids);
  return { spec, dir: sweepDir, configs, dirs: ids.map((id) => path.join(sweepDir, 'runs', id)), mine: configs.map((_, i) => i).filter(select) };
}

/** Runs the planned runs of this shard; the others are left to their shards. */
export async function runPlanned(plan: PlannedSweep, opts: RunnerOptions = {}): Promise<RunOutcome[]> {
  const cfgs = plan.mine.map((i) => plan.configs[i]);
  const dirs = plan.mine.map((i) => plan.dirs[i]);
  const outcomes: RunOutcome[] = new Array(cfgs.length);
  for (const group of planGroups(cfgs, maxMembersFor(opts))) {
    if (opts.signal?.aborted) break;
    const members = group.map((i) => cfgs[i]);
    checkEngineMemory(members, pickEngine(members, opts.engine));
    const res = await runMembers(members, group.map((i) => dirs[i]), opts);
    group.forEach((i, k) => (outcomes[i] = res[k]));
  }
  return outcomes.filter(Boolean);
}

/** Options of {@link runSweep}. */
export interface SweepRunOptions extends RunnerOptions {
  /** Backend name or `auto` (default: $THERMO_BACKEND, else auto). */
  backend?: string;
}

/** Expands and runs a sweep under `<outDir>/<spec.name>`. Diverged runs do not stop the others. */
export async function runSweep(spec: SweepSpec, outDir: string, opts: SweepRunOptions = {}): Promise<RunOutcome[]> {
  const { backend, ...rest } = opts;
  checkRunnerOptions(rest);
  if (typeof outDir !== 'string' || outDir === '') throw new ConfigError('outDir', outDir, 'a directory path');
  expandSweep(spec);
  checkAnalyzable(spec, (rest.extraProbes?.length ?? 0) > 0);
  await useBackend(backend);
  const plan = await planSweep(spec, path.join(outDir, spec.name));
  return runPlanned(plan, rest);
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
  /** Bootstrap resamples for exponent intervals. Default 200 (100 with `quick`). */
  bootstrap?: number;
  /** Run only this shard's runs (e.g. one task of a Slurm job array). */
  shard?: Shard;
  /** Stops after the current chunk of steps, saving checkpoints (Ctrl-C, SIGTERM, a timeout). */
  signal?: AbortSignal;
  /** Seconds between checkpoints of a run. Default 30. */
  checkpointEverySeconds?: number;
  /** Directory of dataset files (sets every run's `dataDir`). */
  dataDir?: string;
  /** Train runs that share an architecture together (default true). */
  ensemble?: boolean;
  /** Engine (default `auto`). */
  engine?: RunnerOptions['engine'];
  /** Multiplies every run's step budget (longer or shorter runs than the example's). Default 1. */
  budgetScale?: number;
  /** Probes besides the configs' built-in ones. */
  extraProbes?: RunnerOptions['extraProbes'];
  /** Lines of progress in words (a run finished, skipped, interrupted). */
  onLog?: (line: string) => void;
  /** Network-steps done since the last call, and the total of this invocation. */
  onProgress?: (networkSteps: number, total: number) => void;
  /** Called when a group of runs starts training. */
  onGroupStart?: RunnerOptions['onGroupStart'];
}

/** What an example produced. */
export interface ExampleResult {
  dir: string;
  backend: BackendInfo;
  /** Reports of the sweeps whose runs are all complete. */
  sweeps: { dir: string; html: string; summaryFile: string; summary: ReportFiles['analysis']['summary']; analysis: ReportFiles['analysis'] }[];
  /** Sweeps left without a report: some runs are incomplete (other shards, or interrupted). */
  pending: { dir: string; complete: number; total: number }[];
  /** The example's cross-sweep summary, once every sweep is complete. */
  summary: ExampleSummary | null;
  /** True when the signal stopped the example early. */
  interrupted: boolean;
  wallSeconds: number;
}

const OPTION_KEYS = [
  'quick', 'seeds', 'out', 'backend', 'bootstrap', 'shard', 'signal', 'checkpointEverySeconds', 'dataDir',
  'ensemble', 'engine', 'budgetScale', 'extraProbes', 'onLog', 'onProgress', 'onGroupStart',
] as const;

/**
 * Throws unless a data directory that was given is a non-empty path: an empty one would read as "none given"
 * and silently fall back to the npm copy or a download.
 */
export function checkDataDir(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(where, value, 'a non-empty directory path (leave it out to use the default data sources)');
  }
  return value;
}

/** Most seeds per swept value, bootstrap resamples, and the largest budget scale. */
export const EXAMPLE_LIMITS = { seeds: 10_000, bootstrap: MAX_BOOTSTRAP, budgetScale: 1e6 } as const;

/** The example's sweeps with the options' seeds, budget scale and data directory applied. */
export function exampleSweeps(spec: ExampleSpec, options: RunExampleOptions): SweepSpec[] {
  const quick = options.quick ?? false;
  const seeds = options.seeds === undefined ? (quick ? Math.min(2, spec.defaultSeeds) : spec.defaultSeeds) : checkNumber(options.seeds, { integer: true, ge: 1, le: EXAMPLE_LIMITS.seeds }, 'options.seeds');
  const scale = options.budgetScale === undefined ? 1 : checkNumber(options.budgetScale, { gt: 0, le: EXAMPLE_LIMITS.budgetScale }, 'options.budgetScale');
  return spec.sweeps({ quick, seeds }).map((s) => {
    const scaled: SweepSpec =
      scale === 1
        ? s
        : s.budget
          ? { ...s, budget: { ...s.budget, refSteps: Math.max(1, Math.round(s.budget.refSteps * scale)) } }
          : { ...s, base: { ...s.base, steps: Math.max(1, Math.round((s.base.steps ?? 1000) * scale)) } };
    return options.dataDir ? { ...scaled, base: { ...scaled.base, dataDir: options.dataDir } } : scaled;
  });
}

/**
 * Runs every sweep of an example (or one shard of its runs), skipping finished runs and resuming
 * interrupted ones, then writes report.html and summary.json for each sweep whose runs are all
 * complete. Everything is checked (options, sweeps, memory) before anything is trained.
 */
export async function runExample(spec: ExampleSpec, options: RunExampleOptions = {}): Promise<ExampleResult> {
  checkKeys({ ...options }, OPTION_KEYS, 'options');
  checkSignal(options.signal, 'options.signal');
  const quick = options.quick ?? false;
  const bootstrap = options.bootstrap === undefined ? (quick ? 100 : 200) : checkNumber(options.bootstrap, { integer: true, ge: 10, le: EXAMPLE_LIMITS.bootstrap }, 'options.bootstrap');
  if (options.dataDir !== undefined) checkDataDir(options.dataDir, 'options.dataDir');
  const shard = options.shard;
  if (shard !== undefined) {
    checkKeys({ ...shard }, ['index', 'count'], 'options.shard');
    checkNumber(shard.count, { integer: true, ge: 1, le: 100_000 }, 'options.shard.count');
    checkNumber(shard.index, { integer: true, ge: 0, lt: shard.count }, 'options.shard.index');
  }
  const sweeps = exampleSweeps(spec, options);
  for (const s of sweeps) {
    // every sweep is valid, and can be analyzed, before any is run
    expandSweep(s);
    checkAnalyzable(s, (options.extraProbes?.length ?? 0) > 0);
  }
  const info = await useBackend(options.backend);
  const dir = path.join(options.out ?? 'results', spec.name);
  ensureWritableDir(dir);
  let k = 0;
  const plans: PlannedSweep[] = [];
  for (const s of sweeps) plans.push(await planSweep(s, path.join(dir, s.name), () => (shard ? k++ % shard.count === shard.index : true)));
  const runner: RunnerOptions = {
    signal: options.signal,
    checkpointEverySeconds: options.checkpointEverySeconds ?? envSeconds('THERMO_CHECKPOINT_SECONDS'),
    ensemble: options.ensemble,
    engine: options.engine,
    extraProbes: options.extraProbes,
    onGroupStart: options.onGroupStart,
  };
  for (const plan of plans) {
    for (const group of planGroups(plan.mine.map((i) => plan.configs[i]), maxMembersFor(runner))) {
      const members = group.map((i) => plan.configs[plan.mine[i]]);
      checkEngineMemory(members, pickEngine(members, runner.engine));
    }
  }
  const total = plans.reduce((n, p) => n + totalSteps(p.mine.map((i) => p.configs[i])), 0);
  const log = options.onLog ?? (() => {});
  const nRuns = plans.reduce((n, p) => n + p.mine.length, 0);
  log(`${spec.name} (${spec.figure}) on backend '${info.name}': ${nRuns} runs, ${total} steps${quick ? ' (quick)' : ''}${shard ? ` (shard ${shard.index}/${shard.count})` : ''}`);
  const started = performance.now();
  let interrupted = false;
  for (const plan of plans) {
    if (options.signal?.aborted) {
      interrupted = true;
      break;
    }
    const outcomes = await runPlanned(plan, {
      ...runner,
      onProgress: options.onProgress ? (n) => options.onProgress!(n, total) : undefined,
      onRunEnd: (o) => {
        if (o.skipped) options.onProgress?.(o.config.steps, total);
        log(describeOutcome(plan.spec.name, o));
      },
    });
    if (outcomes.some((o) => o.status.state === 'running') || options.signal?.aborted) interrupted = true;
  }
  const results: ExampleResult['sweeps'] = [];
  const pending: ExampleResult['pending'] = [];
  for (const plan of plans) {
    // a signal stops the reports too (each is written atomically; a rerun writes the rest)
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (options.signal?.aborted) {
      interrupted = true;
      break;
    }
    const complete = plan.dirs.filter((d) => runIsComplete(d) !== null).length;
    if (complete < plan.dirs.length) {
      pending.push({ dir: plan.dir, complete, total: plan.dirs.length });
      continue;
    }
    // on a worker thread: a signal during the analysis is answered at once
    const r = await writeSweepReportInWorker(plan.dir, { bootstrap }, options.signal);
    if (!r) {
      interrupted = true;
      break;
    }
    results.push({ dir: plan.dir, html: r.html, summaryFile: r.summary, summary: r.analysis.summary, analysis: r.analysis });
  }
  let summary: ExampleSummary | null = null;
  if (spec.summarize && pending.length === 0 && !interrupted) {
    summary = spec.summarize(
      plans.map((plan, i) => ({ spec: plan.spec, dir: plan.dir, analysis: results[i].analysis, runs: readSweep(plan.dir).runs })),
      dir,
    );
  }
  return { dir, backend: info, sweeps: results, pending, summary, interrupted, wallSeconds: (performance.now() - started) / 1000 };
}

/** A non-negative number of seconds from an environment variable, or undefined. */
function envSeconds(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  return checkNumber(Number(raw), { ge: 0, le: 1e9 }, name);
}

/** One line about a run's outcome. */
export function describeOutcome(sweep: string, o: RunOutcome): string {
  const c = o.config;
  const label = `${sweep}: η=${c.eta} |B|=${c.batchSize} seed=${c.seed}`;
  const s = o.status;
  if (o.skipped) return `${label}: already ${s.state}, skipped`;
  if (s.state === 'running') return `${label}: interrupted at step ${s.step}; checkpoint saved, run the same command to resume`;
  const how = o.resumedFrom ? ` (resumed from step ${o.resumedFrom})` : o.ensemble && o.ensemble > 1 ? ` (${o.engine}, ${o.ensemble} together)` : ` (${o.engine})`;
  const speed = s.stepsPerSecond && Number.isFinite(s.stepsPerSecond) ? `, ${formatRate(s.stepsPerSecond)} steps/s` : '';
  return `${label}: ${s.state} at step ${s.step}${s.reason ? ` (${s.reason})` : ''}${how} in ${(s.wallSeconds ?? 0).toFixed(1)} s${speed}`;
}
