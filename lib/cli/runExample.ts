/**
 * The CLI side of running an example: flags, the progress bar, signals and the printed summary.
 * The work itself is the library's (sweep/run.ts).
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { formatRate } from '../analysis/speed.js';
import type { SweepSummary } from '../analysis/summary.js';
import { ConfigError } from '../core/errors.js';
import { ENGINE_NAMES } from '../engines/engine.js';
import type { ExampleSpec } from '../run/example.js';
import { checkDataDir, EXAMPLE_LIMITS, runExample, type ExampleResult, type RunExampleOptions, type Shard } from '../run/run.js';
import { handleCliError, ignoreClosedStdout } from './errors.js';
import { makeProgress } from './progress.js';

/** Parses `i/n` (0 ≤ i < n). */
export function parseShard(text: unknown, where = '--shard'): Shard {
  const m = typeof text === 'string' ? /^(\d+)\/(\d+)$/.exec(text) : null;
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1) || !(index < count) || count > 100_000) throw new ConfigError(where, text, "'i/n' with 0 <= i < n <= 100000, e.g. '0/4'");
  return { index, count };
}

/** A short plain-text summary of a sweep. */
export function formatSummary(s: SweepSummary, html?: string): string {
  const speed = Number.isFinite(s.stepsPerSecond) && s.stepsPerSecond > 0 ? `, ${formatRate(s.stepsPerSecond)} steps/s` : '';
  const lines = [`\n== ${s.title}`, `   ${s.runs.finished}/${s.runs.total} runs finished on ${s.backend}${speed}`];
  for (const p of Object.values(s.probes)) lines.push(`   - ${p.verdict}`);
  if (s.missing?.length) lines.push(`   ! ${s.missing.length} run(s) of this spec not found (another shard's, not run yet, or deleted): the fits use the others`);
  for (const g of s.ignored ?? []) lines.push(`   ! ${g.count} run(s) of ${g.ofSpec ? 'this spec left out' : 'another spec ignored'}: ${g.reason}`);
  for (const r of s.leftOut) lines.push(`   ! left out: η=${r.eta} |B|=${r.batchSize} seed=${r.seed}: ${r.state} at step ${r.step}${r.reason ? ` (${r.reason})` : ''}`);
  if (html) lines.push(`   report: ${html}`);
  return lines.join('\n');
}

/** Adds the flags of running sweeps (shared by `thermo run`, `thermo sweep` and the example scripts). */
export function runnerFlags(cmd: Command): Command {
  return cmd
    .option('--out <dir>', 'results root directory', 'results')
    .option('--backend <name>', 'cpu, wasm, tensorflow, cuda, webgpu or auto (default: $THERMO_BACKEND, else auto)')
    .option('--engine <name>', `${ENGINE_NAMES.join(', ')} or auto (default: the fused kernels where they cover the runs)`)
    .option('--bootstrap <n>', `bootstrap resamples for exponent intervals (10 … ${EXAMPLE_LIMITS.bootstrap.toLocaleString('en-US')}; default 200, 100 with --quick)`)
    .option('--shard <i/n>', 'run only shard i of n (0-based) of the runs, e.g. a Slurm array task')
    .option('--data-dir <dir>', 'directory of dataset files (Fashion-MNIST IDX, CIFAR-10 batches) and their cache')
    .option('--no-ensemble', 'train every run alone (default: runs that share an architecture train together)')
    .option('--budget-scale <f>', `multiply every run's step budget by f, 0 < f ≤ ${EXAMPLE_LIMITS.budgetScale.toLocaleString('en-US')} (e.g. 4 for runs four times longer)`)
    .option('--verbose', 'print stack traces of errors');
}

/** The flags of an example: the runner's, plus --quick and --seeds. */
export function exampleFlags(cmd: Command): Command {
  return runnerFlags(cmd.option('--quick', 'a small run that fits in CI').option('--seeds <n>', `seeds per swept value (1 … ${EXAMPLE_LIMITS.seeds.toLocaleString('en-US')})`));
}

/** Converts parsed flags to {@link RunExampleOptions}, checking numbers. */
export function flagsToOptions(o: Record<string, unknown>): RunExampleOptions {
  const int = (v: unknown, name: string, min: number, max: number) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (typeof v !== 'string' || v.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new ConfigError(name, v, `an integer >= ${min} and <= ${max}`);
    return n;
  };
  let budgetScale: number | undefined;
  if (o.budgetScale !== undefined) {
    budgetScale = Number(o.budgetScale);
    if (!(Number.isFinite(budgetScale) && budgetScale > 0 && budgetScale <= EXAMPLE_LIMITS.budgetScale)) {
      throw new ConfigError('--budget-scale', o.budgetScale, `a number > 0 and <= ${EXAMPLE_LIMITS.budgetScale}`);
    }
  }
  const engine = o.engine as string | undefined;
  if (engine !== undefined && engine !== 'auto' && !(ENGINE_NAMES as readonly string[]).includes(engine)) {
    throw new ConfigError('--engine', engine, `one of ${[...ENGINE_NAMES, 'auto'].map((e) => `'${e}'`).join(', ')}`);
  }
  return {
    quick: Boolean(o.quick),
    out: o.out as string | undefined,
    backend: o.backend as string | undefined,
    seeds: int(o.seeds, '--seeds', 1, EXAMPLE_LIMITS.seeds),
    bootstrap: int(o.bootstrap, '--bootstrap', 10, EXAMPLE_LIMITS.bootstrap),
    shard: o.shard === undefined ? undefined : parseShard(o.shard),
    ...(o.dataDir === undefined ? {} : { dataDir: checkDataDir(String(o.dataDir), '--data-dir') }),
    ...(o.ensemble === false ? { ensemble: false } : {}),
    ...(engine === undefined ? {} : { engine: engine as RunExampleOptions['engine'] }),
    ...(budgetScale === undefined ? {} : { budgetScale }),
  };
}

/** Exit codes of a stop by signal: 128 + the signal's number. */
export const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * Runs `fn` with a signal that the first Ctrl-C (SIGINT) or SIGTERM aborts (the loop checkpoints
 * within a fraction of a second and returns); a second Ctrl-C exits at once. Returns what `fn`
 * returns and the signal that stopped it, if any.
 */
export async function withInterrupt<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  doing = 'saving checkpoints',
): Promise<{ value: T; stoppedBy: keyof typeof SIGNAL_EXIT | null }> {
  const controller = new AbortController();
  let stoppedBy: keyof typeof SIGNAL_EXIT | null = null;
  const on = (sig: keyof typeof SIGNAL_EXIT) => () => {
    if (controller.signal.aborted) {
      if (sig === 'SIGINT') process.exit(SIGNAL_EXIT.SIGINT);
      return;
    }
    stoppedBy = sig;
    process.stderr.write(`\n${sig}: ${doing}${sig === 'SIGINT' ? ' (Ctrl-C again to quit at once)' : ''}\n`);
    controller.abort();
  };
  const onInt = on('SIGINT');
  const onTerm = on('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    const value = await fn(controller.signal);
    return { value, stoppedBy };
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}

/** Runs an example with a progress bar until done or stopped; prints the summaries; returns the exit code. */
export async function runExampleCli(spec: ExampleSpec, options: RunExampleOptions, quiet = false): Promise<number> {
  let progress: ReturnType<typeof makeProgress> | null = null;
  const { value: result, stoppedBy } = await withInterrupt((signal) =>
    runExample(spec, {
      ...options,
      signal,
      onLog: quiet ? undefined : (line) => (progress ? progress.line(line) : console.log(line)),
      onProgress: quiet
        ? undefined
        : (n, total) => {
            progress ??= makeProgress(total);
            progress.addSteps(n);
          },
      onGroupStart: quiet ? undefined : (cfgs, _dirs, engine) => progress?.setRun(`${cfgs.length} run(s) on ${engine}`),
    }).finally(() => (progress as ReturnType<typeof makeProgress> | null)?.stop()),
  );
  if (!quiet) printResult(spec, result);
  if (stoppedBy) return SIGNAL_EXIT[stoppedBy];
  return result.interrupted ? SIGNAL_EXIT.SIGINT : 0;
}

function printResult(spec: ExampleSpec, result: ExampleResult): void {
  for (const r of result.sweeps) console.log(formatSummary(r.summary, r.html));
  if (result.summary) console.log(`\n== ${spec.name}\n${result.summary.text}\n   files: ${result.summary.files.join(', ')}`);
  for (const p of result.pending) {
    console.log(`\n== ${p.dir}: ${p.complete} of ${p.total} runs complete; no report yet. When every shard has finished, run: thermo report ${p.dir}`);
  }
  console.log(`${spec.name}: ${result.interrupted ? 'interrupted' : 'done'} after ${result.wallSeconds.toFixed(1)} s`);
}

/** When the calling module is the script node was started with, runs `spec` with flags from argv (exit 2 on bad flags). */
export async function runExampleMain(moduleUrl: string, spec: ExampleSpec): Promise<void> {
  const entry = process.argv[1];
  if (!entry || pathToFileURL(path.resolve(entry)).href !== moduleUrl) return;
  ignoreClosedStdout();
  const cmd = exampleFlags(new Command(spec.name).description(spec.description)).exitOverride();
  let o: Record<string, unknown> = {};
  try {
    cmd.parse(process.argv);
    o = cmd.opts();
    process.exitCode = await runExampleCli(spec, flagsToOptions(o));
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 2;
      return;
    }
    process.exitCode = handleCliError(err, Boolean(o.verbose));
  }
}
