/**
 * Typed errors. Every error thrown at a public entry point is a {@link ThermoError}
 * whose `name` says what kind of failure it is and whose message names the bad
 * value, where it was found and what is allowed.
 */

/** Base class of all library errors. `exitCode` is what the CLI exits with. */
export class ThermoError extends Error {
  /** 2 for usage errors (bad options), 1 for runtime failures. */
  readonly exitCode: number = 1;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** An option or configuration value is invalid (wrong type, out of range, unknown key or name). */
export class ConfigError extends ThermoError {
  override readonly exitCode = 2;
  /** Dotted path of the offending option, e.g. `run.eta`. */
  readonly path: string;
  /** The offending value, as given. */
  readonly value: unknown;
  constructor(path: string, value: unknown, allowed: string) {
    super(`${path}: got ${describeValue(value)}; allowed: ${allowed}`);
    this.path = path;
    this.value = value;
  }
}

/** A backend was asked for but its package is not installed or failed to initialize. */
export class BackendUnavailableError extends ThermoError {
  readonly backend: string;
  constructor(backend: string, hint: string, cause?: unknown) {
    const why = cause instanceof Error ? ` (${cause.message.split('\n')[0]})` : '';
    super(`backend '${backend}' is not available${why}. ${hint}`);
    this.backend = backend;
  }
}

/** A records directory, record file or report input could not be read or written. */
export class RecordsError extends ThermoError {
  readonly file: string;
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.file = file;
  }
}

/** Formats a value for an error message: strings quoted, numbers as written, objects as JSON. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return String(value);
  }
}

/**
 * The GPU device reported an error of its own (a kernel that failed to compile or validate, an
 * invalid dispatch, a lost device). Work after it cannot be trusted, so training stops before it
 * records or checkpoints anything computed since; what was recorded before is kept.
 */
export class DeviceError extends ThermoError {
  /** The device's first message (its first line). */
  readonly deviceMessage: string;
  constructor(message: string, count: number) {
    const more = count > 1 ? ` (and ${count - 1} more)` : '';
    super(`GPU device error: ${message}${more}. Training stopped; records and checkpoints made before it are kept`);
    this.deviceMessage = message;
  }
}
