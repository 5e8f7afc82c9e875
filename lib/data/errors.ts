/** Typed errors of the dataset loaders; each names the file or directory and what was expected. */
import { ThermoError } from '../core/errors.js';

/** A data file is truncated, corrupt or not in the expected format. */
export class DataFormatError extends ThermoError {
  readonly file: string;
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.file = file;
  }
}

/** A downloaded or cached file does not have the published checksum. */
export class ChecksumError extends ThermoError {
  readonly file: string;
  constructor(file: string, expected: string, actual: string) {
    super(`${file}: sha256 ${actual} does not match the published ${expected}; the file was removed, run again to download it anew`);
    this.file = file;
  }
}

/** A dataset is not where it was asked for and cannot be fetched; says how to get it. */
export class DataMissingError extends ThermoError {
  readonly path: string;
  constructor(path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.path = path;
  }
}
