/** The shape of an example: a named reproduction of one of the paper's figures, made of sweeps. */
import type { SweepSpec } from './sweep.js';

/** Options every example takes. */
export interface ExampleOptions {
  /** A small version that fits in CI (minutes on 2 cores). */
  quick: boolean;
  /** Seeds per swept value. */
  seeds: number;
}

/** A reproduction of one figure: one command, writing records, reports and summaries. */
export interface ExampleSpec {
  /** Name used by `thermo run <name>`. */
  name: string;
  /** Which figure(s) of the paper it reproduces. */
  figure: string;
  /** One line for `thermo --help`. */
  description: string;
  /** Seeds when `--seeds` is not given. */
  defaultSeeds: number;
  /** The sweeps to run. */
  sweeps(opts: ExampleOptions): SweepSpec[];
}

/** Seeds 0..n-1. */
export function seedList(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
