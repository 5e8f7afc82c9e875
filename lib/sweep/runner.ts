/** Runs a single config into its run directory, and a whole sweep run by run; finished runs are skipped. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { currentBackend, useBackend, type BackendInfo } from '../backend/backends.js';
import type { RunConfig } from '../core/config.js';
import { readJson } from '../records/files.js';
import { runDir } from '../records/runDir.js';
import type { RunStatus, StoredConfig } from '../records/types.js';
import { RunWriter } from '../records/writer.js';
import { train, type TrainOptions } from '../train/trainer.js';
import { LIBRARY } from '../version.js';
import { expandSweep, writeSweepSpec, type SweepSpec } from './sweep.js';

/** Outcome of one run of a sweep. */
export interface RunOutcome {
  dir: string;
  config: RunConfig;
  status: RunStatus;
  /** True when the run had already finished and was skipped. */
  skipped: boolean;
}

/** Options of {@link runConfig} and {@link runSweep}. */
export interface RunnerOptions extends Pick<TrainOptions, 'onProgress' | 'signal' | 'extraProbes'> {
  /** Called when a run starts and ends. */
  onRunStart?: (cfg: RunConfig, dir: string) => void;
  onRunEnd?: (outcome: RunOutcome) => void;
}

/** Whether `dir` holds a run that ended (finished or diverged). */
export function runIsComplete(dir: string): RunStatus | null {
  const file = path.join(dir, 'status.json');
  if (!fs.existsSync(file)) return null;
  const status = readJson<RunStatus>(file);
  return status.state === 'finished' || status.state === 'diverged' ? status : null;
}

/**
 * Trains `cfg` into `dir` (its records, config.json and status.json). The backend named by
 * `cfg.backend` must be active (see {@link useBackend}); it is recorded in config.json.
 */
export function runConfig(cfg: RunConfig, dir: string, opts: RunnerOptions = {}): RunOutcome {
  const done = runIsComplete(dir);
  if (done) return { dir, config: cfg, status: done, skipped: true };
  const backend = currentBackend() as BackendInfo;
  // A run that did not complete restarts from step 0: its partial records are replaced.
  fs.rmSync(path.join(dir, 'records.jsonl'), { force: true });
  const stored: StoredConfig = { config: cfg, backend, library: LIBRARY, createdAt: new Date().toISOString() };
  const writer = new RunWriter(dir, stored);
  writer.setStatus({ state: 'running', step: 0 });
  opts.onRunStart?.(cfg, dir);
  try {
    const result = train(cfg, { ...opts, onRecord: (r) => writer.append(r) });
    writer.setStatus(result.status);
    const outcome = { dir, config: cfg, status: result.status, skipped: false };
    opts.onRunEnd?.(outcome);
    return outcome;
  } finally {
    writer.close();
  }
}

/** Expands and runs a sweep under `<outDir>/<spec.name>` on `backend`. Diverged runs do not stop the others. */
export async function runSweep(spec: SweepSpec, outDir: string, backend: string | undefined, opts: RunnerOptions = {}): Promise<RunOutcome[]> {
  const info = await useBackend(backend);
  const sweepDir = path.join(outDir, spec.name);
  writeSweepSpec(sweepDir, spec);
  const configs = expandSweep({ ...spec, base: { ...spec.base, backend: info.name } });
  return configs.map((cfg) => runConfig(cfg, runDir(sweepDir, cfg), opts));
}
