/** Shapes of what a run directory holds. */
import type { BackendInfo } from '../backend/backends.js';
import type { RunConfig } from '../core/config.js';

/** One line of `records.jsonl`: the step and every probe's values at it. */
export interface RunRecord {
  step: number;
  [field: string]: number;
}

/** `status.json`: how the run ended (or that it is running). */
export interface RunStatus {
  state: 'running' | 'finished' | 'diverged';
  /** Last step reached. */
  step: number;
  /** Why the run diverged, in words. */
  reason?: string;
  /** Wall time of the training loop, seconds. */
  wallSeconds?: number;
  /** SGD steps per second over the run, probes included. */
  stepsPerSecond?: number;
}

/** `config.json`: the run's config and the backend that ran it. */
export interface StoredConfig {
  config: RunConfig;
  backend: BackendInfo;
  library: { name: string; version: string };
  createdAt: string;
}

/** A run read back: config, records in step order, status. */
export interface RunData {
  dir: string;
  stored: StoredConfig;
  records: RunRecord[];
  status: RunStatus;
  /** True when a torn (partially written) last line was dropped. */
  droppedTornLine: boolean;
}
