/** Shapes of what a run directory holds. */
import type { BackendInfo } from '../backend/backends.js';
import type { RunConfig } from '../core/config.js';
import type { DataProvenance } from '../data/load.js';

/** One line of `records.jsonl`: the step and every probe's values at it. */
export interface RunRecord {
  step: number;
  [field: string]: number;
}

/** `status.json`: how the run ended (or that it is running). */
export interface RunStatus {
  state: 'running' | 'finished' | 'diverged';
  /** Last step reached (for a running run: the step of its last checkpoint). */
  step: number;
  /** Why the run diverged, in words. */
  reason?: string;
  /** Wall time of the training loop, seconds. */
  wallSeconds?: number;
  /** SGD steps per second over the run, probes included. */
  stepsPerSecond?: number;
}

/** The version of the run-directory format: runs of other formats are not mixed into analyses. */
export const RUN_FORMAT = 2;

/** Where and how a run was computed: environment, not experiment (not part of the run's identity, except the data). */
export interface Provenance {
  /** The tfjs backend, its package versions and (webgpu) its adapter. */
  backend: BackendInfo;
  /** The engine that did the arithmetic (engines/engine.ts). */
  engine: string;
  /** Where the data came from, with checksums. */
  data: DataProvenance;
  /** The data streams' definition (data/stream.ts). */
  dataStream: string;
  library: { name: string; version: string };
  node: string;
  platform: string;
}

/** `config.json`: the run's config and its provenance. */
export interface StoredConfig {
  format: typeof RUN_FORMAT;
  config: RunConfig;
  /** sha256 of the config as written (configChecksum, runDir.ts); absent in runs written before it existed. */
  configSha256?: string;
  provenance: Provenance;
  createdAt: string;
  /** Each time the run was resumed from a checkpoint: where, and on which engine and backend. */
  resumes?: { step: number; engine: string; backend: string; at: string }[];
}

/** A run read back: config, records in step order, status. */
export interface RunData {
  dir: string;
  stored: StoredConfig;
  records: RunRecord[];
  status: RunStatus;
  /** True when a torn (partially written) last line was dropped. */
  droppedTornLine: boolean;
  /** True when status.json says finished but there are no records (such a run counts as not finished). */
  finishedWithoutRecords?: boolean;
}
