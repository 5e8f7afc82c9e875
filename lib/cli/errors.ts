/** How the CLI reports errors: a one-line message without a stack (unless verbose), exit 2 for usage errors, 1 otherwise. */
import { ThermoError } from '../core/errors.js';

/** Prints `err` and returns the exit code. */
export function handleCliError(err: unknown, verbose: boolean): number {
  if (err instanceof ThermoError) {
    console.error(`error: ${err.name}: ${err.message}`);
    if (verbose && err.stack) console.error(err.stack);
    return err.exitCode;
  }
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  if (verbose && err instanceof Error && err.stack) console.error(err.stack);
  return 1;
}

/**
 * Makes a closed stdout pipe (`thermo run … | head -1`) drop the rest of the output: training goes on and
 * finishes its records (Node would otherwise throw EPIPE with a stack trace and leave a run's lock).
 * Called by every command-line entry point (`thermo`, the example scripts).
 */
export function ignoreClosedStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}
