/** The shape of an example: a named reproduction of one of the paper's figures, made of sweeps. */
import type { SweepAnalysis } from '../analysis/summary.js';
import type { RunData } from '../records/types.js';
import type { SweepSpec } from '../sweep/sweep.js';

/** Options every example takes. */
export interface ExampleOptions {
  /** A small version that fits in CI (minutes on 2 cores). */
  quick: boolean;
  /** Seeds per swept value. */
  seeds: number;
}

/** A complete sweep of an example, as its cross-sweep summary reads it. */
export interface SweepResult {
  spec: SweepSpec;
  dir: string;
  analysis: SweepAnalysis;
  runs: RunData[];
}

/** What an example's cross-sweep summary wrote, and its text for the terminal. */
export interface ExampleSummary {
  files: string[];
  text: string;
}

/** A reproduction of one figure: one command, writing records, reports and summaries. */
export interface ExampleSpec {
  /** Name used by `thermo run <name>`. */
  name: string;
  /** Which figure(s) of the paper it reproduces, or what it tests. */
  figure: string;
  /** One line for `thermo --help`. */
  description: string;
  /** Seeds when `--seeds` is not given. */
  defaultSeeds: number;
  /** The sweeps to run. */
  sweeps(opts: ExampleOptions): SweepSpec[];
  /** A report across the sweeps (written into `dir` once all of them are complete). */
  summarize?(sweeps: SweepResult[], dir: string): ExampleSummary;
}

/** Seeds 0..n-1. */
export function seedList(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
