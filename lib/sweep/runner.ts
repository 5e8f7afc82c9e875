/**
 * Runs configs into their run directories: finished runs are skipped, interrupted ones resume from
 * their checkpoints, fresh ones start; runs that share an architecture train together on one
 * engine. Two processes are kept apart by a lock per run directory, and a run another process
 * finished is never restarted or truncated.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { currentBackend, type BackendInfo } from '../backend/backends.js';
import { CONFIG_KEYS, type RunConfig } from '../core/config.js';
import { dataProvenance } from '../data/load.js';
import { DATA_STREAM_VERSION } from '../data/stream.js';
import { pickEngine, type EngineChoice } from '../engines/create.js';
import type { EngineName } from '../engines/engine.js';
import type { Probe } from '../probes/probe.js';
import { ensureWritableDir, readJson, writeFileAtomic, writeJsonAtomic } from '../records/files.js';
import { acquireLock, type RunLock } from '../records/lock.js';
import { parseRecords, readStatus, readStoredConfig } from '../records/reader.js';
import { RUN_FORMAT, type RunStatus, type StoredConfig } from '../records/types.js';
import { RunWriter } from '../records/writer.js';
import { isResumable, type Checkpoint } from '../train/checkpoint.js';
import { trainMembers } from '../train/trainer.js';
import { LIBRARY } from '../version.js';

/** Outcome of one run. */
export interface RunOutcome {
  dir: string;
  config: RunConfig;
  status: RunStatus;
  /** True when the run had already ended and was skipped. */
  skipped: boolean;
  /** The checkpoint step the run resumed from, if it did. */
  resumedFrom?: number | null;
  /** Number of members of the engine it trained on. */
  ensemble?: number;
  /** The engine it trained on. */
  engine?: EngineName;
}

/** Options of {@link runMembers} and the sweep runners. */
export interface RunnerOptions {
  /** Called with network-steps done since the last call. */
  onProgress?: (networkSteps: number) => void;
  /** Stops training; every run saves a checkpoint first. */
  signal?: AbortSignal;
  /** Probes besides the configs' built-in ones (every engine runs them). */
  extraProbes?: readonly Probe[];
  /** Seconds between checkpoints. Default 30. */
  checkpointEverySeconds?: number;
  /** Train runs that share an architecture together (default true). */
  ensemble?: boolean;
  /** The engine: `auto` (default), `tfjs`, `wasm-fused` or `webgpu-fused`. */
  engine?: EngineChoice;
  /** Called when a group of runs starts training. */
  onGroupStart?: (cfgs: RunConfig[], dirs: string[], engine: EngineName) => void;
  /** Called when a run ends (or is skipped). */
  onRunEnd?: (outcome: RunOutcome) => void;
}

/** Fields that may differ between members of one engine. */
export const MEMBER_FIELDS: readonly (keyof RunConfig)[] = ['eta', 'seed', 'batchSize', 'steps'];

/** Configs with the same key can train on one engine: every field but η, seed, |B| and steps. */
export function ensembleKey(cfg: RunConfig): string {
  return JSON.stringify(CONFIG_KEYS.filter((k) => !MEMBER_FIELDS.includes(k)).map((k) => cfg[k]));
}

/** Whether `dir` holds a run that ended (finished or diverged). */
export function runIsComplete(dir: string): RunStatus | null {
  const file = path.join(dir, 'status.json');
  if (!fs.existsSync(file)) return null;
  const status = readStatus(file);
  return status.state === 'finished' || status.state === 'diverged' ? status : null;
}

/** Path of a run's checkpoint. */
export function checkpointFile(dir: string): string {
  return path.join(dir, 'checkpoint.json');
}

/** Keeps the records a checkpoint covers (steps ≤ its step), dropping the rest and a torn last line; atomic. */
function truncateRecords(dir: string, step: number): void {
  const file = path.join(dir, 'records.jsonl');
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const { records } = parseRecords(text, file);
  const kept = records.filter((r) => r.step <= step);
  writeJsonLines(file, kept);
}

function writeJsonLines(file: string, rows: object[]): void {
  writeFileAtomic(file, rows.map((r) => `${JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))}\n`).join(''));
}

/** The provenance recorded with a run started now. */
async function provenanceFor(cfg: RunConfig, engine: EngineName): Promise<StoredConfig['provenance']> {
  return {
    backend: currentBackend() as BackendInfo,
    engine,
    data: await dataProvenance(cfg),
    dataStream: DATA_STREAM_VERSION,
    library: LIBRARY,
    node: process.version,
    platform: `${os.platform()}-${os.arch()}`,
  };
}

/** Groups configs that can train together: same {@link ensembleKey} and steps, at most `maxMembers` each. */
export function planGroups(cfgs: readonly RunConfig[], maxMembers: (group: RunConfig[]) => number): number[][] {
  const groups = new Map<string, number[]>();
  cfgs.forEach((cfg, i) => {
    const k = `${ensembleKey(cfg)}|${cfg.steps}`;
    groups.set(k, [...(groups.get(k) ?? []), i]);
  });
  const out: number[][] = [];
  for (const g of groups.values()) {
    const cap = Math.max(1, maxMembers(g.map((i) => cfgs[i])));
    for (let s = 0; s < g.length; s += cap) out.push(g.slice(s, s + cap));
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/** Members per engine: the fused engines take whole sweeps, tfjs at most 16 (beyond that its steps only get longer). */
export function maxMembersFor(opts: Pick<RunnerOptions, 'ensemble' | 'engine'>): (group: RunConfig[]) => number {
  return (group) => {
    if (opts.ensemble === false) return 1;
    return pickEngine(group, opts.engine) === 'tfjs' ? 16 : 65536;
  };
}

/**
 * Takes a run's lock, then reads its status again: a run that another process finished after this one
 * planned it is released and reported done (never restarted or truncated); otherwise its resumable
 * checkpoint, if any. A lock held by a live process is a RunLockedError.
 */
export function claimRun(dir: string): { done: RunStatus } | { lock: RunLock; resume: Checkpoint | null } {
  ensureWritableDir(dir);
  const lock = acquireLock(dir);
  try {
    const done = runIsComplete(dir);
    if (done) {
      lock.release();
      return { done };
    }
    const cp = fs.existsSync(checkpointFile(dir)) ? readJson<unknown>(checkpointFile(dir)) : null;
    return { lock, resume: isResumable(cp) ? cp : null };
  } catch (err) {
    lock.release();
    throw err;
  }
}

interface Pending {
  i: number;
  lock: RunLock;
  resume: Checkpoint | null;
}

/**
 * Trains `cfgs` into `dirs`: complete runs are skipped; the others are locked (a run held by another
 * live process is a RunLockedError, and every lock taken is given back), re-checked (another process
 * may have finished them meanwhile), and trained together per start step (fresh runs from 0, resumed
 * runs from their checkpoints' step) on one engine.
 */
export async function runMembers(cfgs: readonly RunConfig[], dirs: readonly string[], opts: RunnerOptions = {}): Promise<RunOutcome[]> {
  const outcomes: (RunOutcome | null)[] = cfgs.map(() => null);
  const skip = (i: number, status: RunStatus) => {
    outcomes[i] = { dir: dirs[i], config: cfgs[i], status, skipped: true };
    opts.onRunEnd?.(outcomes[i]!);
  };
  const pending: Pending[] = [];
  try {
    for (const [i, dir] of dirs.entries()) {
      const done = runIsComplete(dir);
      if (done) {
        skip(i, done);
        continue;
      }
      const claim = claimRun(dir);
      if ('done' in claim) {
        skip(i, claim.done);
        continue;
      }
      pending.push({ i, lock: claim.lock, resume: claim.resume });
    }
  } catch (err) {
    pending.forEach((p) => p.lock.release()); // one run is held elsewhere: give back the others
    throw err;
  }
  try {
    const starts = new Map<number, Pending[]>();
    for (const p of pending) starts.set(p.resume?.step ?? 0, [...(starts.get(p.resume?.step ?? 0) ?? []), p]);
    for (const [start, group] of [...starts.entries()].sort((a, b) => a[0] - b[0])) {
      if (opts.signal?.aborted) break;
      await trainGroup(group, start, cfgs, dirs, outcomes, opts);
    }
  } finally {
    pending.forEach((p) => p.lock.release());
  }
  return outcomes.map((o, i) => o ?? { dir: dirs[i], config: cfgs[i], status: { state: 'running', step: 0 }, skipped: false });
}

async function trainGroup(group: Pending[], start: number, cfgs: readonly RunConfig[], dirs: readonly string[], outcomes: (RunOutcome | null)[], opts: RunnerOptions): Promise<void> {
  const members = group.map((p) => cfgs[p.i]);
  const engine = pickEngine(members, opts.engine);
  const writers: RunWriter[] = [];
  try {
    for (const p of group) {
      const dir = dirs[p.i];
      if (p.resume) truncateRecords(dir, p.resume.step);
      else fs.rmSync(path.join(dir, 'records.jsonl'), { force: true });
      const configFile = path.join(dir, 'config.json');
      const stored: StoredConfig =
        p.resume && fs.existsSync(configFile)
          ? readStoredConfig(configFile)
          : { format: RUN_FORMAT, config: cfgs[p.i], provenance: await provenanceFor(cfgs[p.i], engine), createdAt: new Date().toISOString() };
      const w = new RunWriter(dir, stored, !p.resume);
      w.setStatus({ state: 'running', step: start });
      writers.push(w);
    }
    opts.onGroupStart?.(members, group.map((p) => dirs[p.i]), engine);
    const results = await trainMembers(members, {
      engine,
      extraProbes: opts.extraProbes,
      signal: opts.signal,
      onProgress: opts.onProgress,
      checkpointEverySeconds: opts.checkpointEverySeconds,
      resumeFrom: group.map((p) => p.resume),
      onRecord: (m, r) => writers[m].append(r),
      onCheckpoint: (m, c) => {
        writeJsonAtomic(checkpointFile(dirs[group[m].i]), c);
        writers[m].setStatus({ state: 'running', step: c.step });
      },
    });
    results.forEach((res, m) => {
      const i = group[m].i;
      writers[m].setStatus(res.status.state === 'running' ? { state: 'running', step: checkpointStep(dirs[i]) ?? start } : res.status);
      if (res.status.state !== 'running') fs.rmSync(checkpointFile(dirs[i]), { force: true });
      outcomes[i] = { dir: dirs[i], config: cfgs[i], status: res.status, skipped: false, resumedFrom: group[m].resume?.step ?? null, ensemble: group.length, engine };
      opts.onRunEnd?.(outcomes[i]!);
    });
  } finally {
    writers.forEach((w) => w.close());
  }
}

/** The step of a run's checkpoint, if it has one. */
function checkpointStep(dir: string): number | null {
  const f = checkpointFile(dir);
  if (!fs.existsSync(f)) return null;
  const cp = readJson<unknown>(f);
  return isResumable(cp) ? cp.step : null;
}

/** Trains one config into `dir` (skipped when complete; resumed from its checkpoint when interrupted). */
export async function runConfig(cfg: RunConfig, dir: string, opts: RunnerOptions = {}): Promise<RunOutcome> {
  return (await runMembers([cfg], [dir], opts))[0];
}
