#!/usr/bin/env node
/**
 * The `thermo` command: `thermo run <example>`, `thermo report <dir>`, `thermo csv <dir>`,
 * `thermo backends`; `thermo --help` lists the examples.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError } from 'commander';
import { EXAMPLES } from '../../examples/index.js';
import { listBackends } from '../backend/backends.js';
import { MAX_BOOTSTRAP } from '../analysis/summary.js';
import { ConfigError } from '../core/errors.js';
import { readSweep, recordsToCsv } from '../records/reader.js';
import { describeJsonError, writeFileAtomic } from '../records/files.js';
import { writeSweepReportInWorker } from '../report/writeInWorker.js';
import { findSweeps } from '../run/find.js';
import { LIBRARY } from '../version.js';
import { handleCliError, ignoreClosedStdout } from './errors.js';
import { exampleFlags, flagsToOptions, formatSummary, runExampleCli, runnerFlags, SIGNAL_EXIT, withInterrupt } from './runExample.js';
import { checkSweepSpec, type SweepSpec } from '../sweep/sweep.js';

/** Reads and checks a sweep spec JSON file; unreadable or malformed files give a ConfigError naming the file. */
export function readSweepFile(file: string): SweepSpec {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('spec.json', file, `a readable JSON file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const body = text.replace(/^\uFEFF/, '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (err) {
    const shown = body.slice(0, 37).replace(/\s+/g, ' ');
    throw new ConfigError(file, body.length > 40 ? `${shown}...` : shown, `valid JSON (${describeJsonError(body, (err as Error).message)})`);
  }
  return checkSweepSpec(parsed, file);
}

/** Looks up an example by name; unknown names give a ConfigError listing the known ones. */
export function findExample(name: string) {
  const spec = EXAMPLES.find((e) => e.name === name);
  if (!spec) throw new ConfigError('example', name, `one of ${EXAMPLES.map((e) => `'${e.name}'`).join(', ')}`);
  return spec;
}

/** Builds the CLI program (exported for tests); commands that run sweeps report their exit code through `setExit`. */
export function buildProgram(setExit: (code: number) => void = (c) => (process.exitCode = c)): Command {
  const program = new Command('thermo')
    .description('SGD thermophoresis: reproduce the paper\'s figures and analyze sweeps')
    .version(LIBRARY.version)
    .exitOverride()
    .addHelpText('after', `\nExamples (thermo run <example>):\n${EXAMPLES.map((e) => `  ${e.name.padEnd(24)} ${e.figure}: ${e.description}`).join('\n')}\n`);

  exampleFlags(program.command('run <example>').description('run an example sweep and write records, report.html and summary.json')).action(
    async (name: string, o: Record<string, unknown>) => {
      const spec = findExample(name);
      const options = flagsToOptions(o);
      setExit(await runExampleCli(spec, options));
    },
  );

  runnerFlags(
    program
      .command('sweep <spec.json>')
      .description('run a sweep defined in a JSON file ({ name, title, axis, quantities, base, grid, budget?, judged?, regime? }) and report it'),
  ).action(async (file: string, o: Record<string, unknown>) => {
    const spec = readSweepFile(file);
    const options = flagsToOptions(o);
    const example = { name: 'sweeps', figure: 'custom sweep', description: spec.title, defaultSeeds: 1, sweeps: () => [spec] };
    setExit(await runExampleCli(example, options));
  });

  program
    .command('report <dir>')
    .description('rebuild report.html and summary.json from the records of a sweep directory (or of every sweep below it, at any depth)')
    .option('--bootstrap <n>', `bootstrap resamples (10 … ${MAX_BOOTSTRAP.toLocaleString('en-US')})`, '200')
    .option('--verbose', 'print stack traces of errors')
    .action(async (dir: string, o: Record<string, unknown>) => {
      const sweeps = findSweeps(dir);
      if (sweeps.length === 0) throw new ConfigError('dir', dir, 'a sweep directory (holding sweep.json) or a directory with sweeps below it');
      const bootstrap = Number(o.bootstrap);
      if (!Number.isInteger(bootstrap) || bootstrap < 10 || bootstrap > MAX_BOOTSTRAP) throw new ConfigError('--bootstrap', o.bootstrap, `an integer >= 10 and <= ${MAX_BOOTSTRAP}`);
      // Ctrl-C or SIGTERM between two sweeps' reports stops (each report is written atomically)
      const { stoppedBy } = await withInterrupt(async (signal) => {
        for (const d of sweeps) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          if (signal.aborted) return;
          process.stderr.write(`analysing ${d} (bootstrap ${bootstrap})\n`);
          const r = await writeSweepReportInWorker(d, { bootstrap }, signal);
          if (!r) return;
          console.log(formatSummary(r.analysis.summary, r.html));
        }
      }, 'stopping');
      if (stoppedBy) setExit(SIGNAL_EXIT[stoppedBy]);
    });

  program
    .command('csv <dir>')
    .description('write records.csv beside every run\'s records.jsonl in a sweep directory (or every sweep under it)')
    .action((dir: string) => {
      const sweeps = findSweeps(dir);
      if (sweeps.length === 0) throw new ConfigError('dir', dir, 'a sweep directory (holding sweep.json) or a directory with sweeps below it');
      for (const d of sweeps) {
        for (const run of readSweep(d).runs) writeFileAtomic(path.join(run.dir, 'records.csv'), recordsToCsv(run.records));
        console.log(`wrote records.csv for the runs of ${d}`);
      }
    });

  program
    .command('backends')
    .description('list backends and whether they are installed')
    .action(() => {
      for (const b of listBackends()) console.log(`${b.name.padEnd(11)} ${b.installed ? 'installed' : `missing: ${b.hint}`}`);
    });
  return program;
}

/** Runs the CLI on `argv`; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => (code = c));
  const verbose = argv.includes('--verbose');
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return 2; // commander already printed the usage error
    }
    return handleCliError(err, verbose);
  }
}

const entry = process.argv[1] ? fs.realpathSync(process.argv[1]) : '';
if (entry && import.meta.url === `file://${entry}`) {
  ignoreClosedStdout();
  process.exitCode = await main(process.argv);
}
