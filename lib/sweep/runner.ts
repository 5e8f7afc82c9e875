/** Runs a single config into its run directory, and a whole sweep run by run; finished runs are skipped. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { currentBackend, useBackend, type BackendInfo } from '../backend/backends.js';
import type { RunConfig } from '../core/config.js';
import { ensureWritableDir, readJson, writeJsonAtomic } from '../records/files.js';
import { acquireLock, type RunLock } from '../records/lock.js';
import { parseRecords } from '../records/reader.js';
import type { Checkpoint } from '../train/checkpoint.js';
import { ensembleEligible, ensembleKey, trainEnsemble } from '../train/ensemble.js';
import { runDir } from '../records/runDir.js';
import type { RunStatus, StoredConfig } from '../records/types.js';
import { RunWriter } from '../records/writer.js';
import { train, type TrainOptions } from '../train/trainer.js';
import { LIBRARY } from '../version.js';
import { prepareData } from '../data/tasks.js';
import { expandSweep, writeSweepSpec, type SweepSpec } from './sweep.js';

/** Outcome of one run of a sweep. */
export interface RunOutcome {
  dir: string;
  config: RunConfig;
  status: RunStatus;
  /** True when the run had already finished and was skipped. */
  skipped: boolean;
  /** The checkpoint step the run resumed from, if it did. */
  resumedFrom?: number | null;
  /** Number of members when the run trained in an ensemble. */
  ensemble?: number;
}

/** Options of {@link runConfig} and {@link runSweep}. */
export interface RunnerOptions extends Pick<TrainOptions, 'onProgress' | 'signal' | 'extraProbes' | 'checkpointEverySeconds'> {
  /** Train eligible runs of a sweep as ensembles (default true). */
  ensemble?: boolean;
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

/** Path of a run's checkpoint. */
export function checkpointFile(dir: string): string {
  return path.join(dir, 'checkpoint.json');
}

/**
 * Keeps the records a checkpoint covers (steps ≤ its step) and drops the rest, a torn last
 * line included, rewriting records.jsonl atomically. Returns how many records were kept.
 */
function truncateRecords(dir: string, step: number): number {
  const file = path.join(dir, 'records.jsonl');
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const { records } = parseRecords(text, file);
  const kept = records.filter((r) => r.step <= step);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, kept.map((r) => `${JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))}\n`).join(''));
  fs.renameSync(tmp, file);
  return kept.length;
}

/**
 * Trains `cfg` into `dir` (its records, config.json and status.json). A finished or diverged
 * run is skipped; a run that stopped early (Ctrl-C, kill -9) resumes from its last checkpoint,
 * so its records equal those of an uninterrupted run. The backend named by `cfg.backend` must
 * be active (see {@link useBackend}); it is recorded in config.json. Two processes given the
 * same directory are kept apart by a lock.
 */
export async function runConfig(cfg: RunConfig, dir: string, opts: RunnerOptions = {}): Promise<RunOutcome> {
  const done = runIsComplete(dir);
  if (done) return { dir, config: cfg, status: done, skipped: true };
  ensureWritableDir(dir);
  const lock = acquireLock(dir);
  let writer: RunWriter | null = null;
  try {
    const cpFile = checkpointFile(dir);
    const resumeFrom = fs.existsSync(cpFile) ? readJson<Checkpoint>(cpFile) : null;
    if (resumeFrom) truncateRecords(dir, resumeFrom.step);
    else fs.rmSync(path.join(dir, 'records.jsonl'), { force: true });
    const configFile = path.join(dir, 'config.json');
    const stored: StoredConfig = fs.existsSync(configFile) && resumeFrom
      ? readJson<StoredConfig>(configFile)
      : { config: cfg, backend: currentBackend() as BackendInfo, library: LIBRARY, createdAt: new Date().toISOString() };
    writer = new RunWriter(dir, stored);
    const w = writer;
    w.setStatus({ state: 'running', step: resumeFrom?.step ?? 0 });
    opts.onRunStart?.(cfg, dir);
    const result = await train(cfg, {
      ...opts,
      resumeFrom,
      onRecord: (r) => w.append(r),
      onCheckpoint: (c) => writeJsonAtomic(cpFile, c),
    });
    w.setStatus(result.status);
    if (result.status.state !== 'running') fs.rmSync(cpFile, { force: true });
    const outcome = { dir, config: cfg, status: result.status, skipped: false, resumedFrom: resumeFrom?.step ?? null };
    opts.onRunEnd?.(outcome);
    return outcome;
  } finally {
    writer?.close();
    lock.release();
  }
}

/**
 * Trains fresh runs that share an architecture as one ensemble (see train/ensemble.ts), each
 * into its own directory with its own records, status and checkpoints, exactly as
 * {@link runConfig} would. Runs that are complete are skipped; runs with a checkpoint resume
 * alone through {@link runConfig}.
 */
export async function runEnsemble(cfgs: RunConfig[], dirs: string[], opts: RunnerOptions = {}): Promise<RunOutcome[]> {
  const outcomes: (RunOutcome | null)[] = cfgs.map(() => null);
  const fresh: number[] = [];
  for (const [i, cfg] of cfgs.entries()) {
    const done = runIsComplete(dirs[i]);
    if (done) outcomes[i] = { dir: dirs[i], config: cfg, status: done, skipped: true };
    else if (fs.existsSync(checkpointFile(dirs[i]))) outcomes[i] = await runConfig(cfg, dirs[i], opts);
    else fresh.push(i);
  }
  if (fresh.length === 1) outcomes[fresh[0]] = await runConfig(cfgs[fresh[0]], dirs[fresh[0]], opts);
  if (fresh.length > 1) {
    const locks: RunLock[] = [];
    try {
      for (const i of fresh) {
        ensureWritableDir(dirs[i]);
        locks.push(acquireLock(dirs[i]));
      }
    } catch (err) {
      locks.forEach((l) => l.release()); // one member is held elsewhere: give back the others
      throw err;
    }
    const writers: RunWriter[] = [];
    try {
      for (const i of fresh) {
        fs.rmSync(path.join(dirs[i], 'records.jsonl'), { force: true });
        const stored: StoredConfig = { config: cfgs[i], backend: currentBackend() as BackendInfo, library: LIBRARY, createdAt: new Date().toISOString() };
        const w = new RunWriter(dirs[i], stored);
        w.setStatus({ state: 'running', step: 0 });
        writers.push(w);
        opts.onRunStart?.(cfgs[i], dirs[i]);
      }
      const results = await trainEnsemble(
        fresh.map((i) => cfgs[i]),
        {
          onRecord: (m, r) => writers[m].append(r),
          onCheckpoint: (m, c) => writeJsonAtomic(checkpointFile(dirs[fresh[m]]), c),
          onProgress: opts.onProgress,
          signal: opts.signal,
          checkpointEverySeconds: opts.checkpointEverySeconds,
        },
      );
      results.forEach((res, m) => {
        const i = fresh[m];
        writers[m].setStatus(res.status);
        if (res.status.state !== 'running') fs.rmSync(checkpointFile(dirs[i]), { force: true });
        const outcome: RunOutcome = { dir: dirs[i], config: cfgs[i], status: res.status, skipped: false, ensemble: fresh.length };
        outcomes[i] = outcome;
        opts.onRunEnd?.(outcome);
      });
    } finally {
      writers.forEach((w) => w.close());
      locks.forEach((l) => l.release());
    }
  }
  return outcomes as RunOutcome[];
}

/** Groups configs for ensembles: same {@link ensembleKey} and steps, eligible, at most `maxMembers` each; others alone. */
export function planEnsembles(cfgs: RunConfig[], maxMembers = 16): number[][] {
  const groups = new Map<string, number[]>();
  const alone: number[][] = [];
  cfgs.forEach((cfg, i) => {
    if (!ensembleEligible(cfg) || maxMembers < 2) {
      alone.push([i]);
      return;
    }
    const k = `${ensembleKey(cfg)}|${cfg.steps}`;
    const g = groups.get(k) ?? [];
    g.push(i);
    groups.set(k, g);
  });
  const out: number[][] = [];
  for (const g of groups.values()) for (let s = 0; s < g.length; s += maxMembers) out.push(g.slice(s, s + maxMembers));
  return [...out, ...alone].sort((a, b) => a[0] - b[0]);
}

/** Expands and runs a sweep under `<outDir>/<spec.name>` on `backend`. Diverged runs do not stop the others. */
export async function runSweep(spec: SweepSpec, outDir: string, backend: string | undefined, opts: RunnerOptions = {}): Promise<RunOutcome[]> {
  const info = await useBackend(backend);
  const sweepDir = path.join(outDir, spec.name);
  writeSweepSpec(sweepDir, spec);
  const configs = expandSweep({ ...spec, base: { ...spec.base, backend: info.name } });
  const outcomes: RunOutcome[] = new Array(configs.length);
  for (const group of planEnsembles(configs, opts.ensemble === false ? 1 : 16)) {
    for (const i of group) await prepareData(configs[i]);
    const res = await runEnsemble(group.map((i) => configs[i]), group.map((i) => runDir(sweepDir, configs[i])), opts);
    group.forEach((i, k) => (outcomes[i] = res[k]));
  }
  return outcomes;
}
