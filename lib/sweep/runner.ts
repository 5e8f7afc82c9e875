/**
 * Runs configs into their run directories: finished runs are skipped, interrupted ones resume from
 * their checkpoints, fresh ones start; runs that share an architecture train together on one
 * engine. Two processes are kept apart by a lock per run directory, and a run another process
 * finished is never restarted or truncated.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { currentBackend, type BackendInfo } from '../backend/backends.js';
import { ensembleKey, makeConfig, type RunConfig } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { checkEnum, checkKeys, checkNumber, checkSignal } from '../core/validate.js';
import { ENGINE_NAMES } from '../engines/engine.js';
import { dataProvenance } from '../data/load.js';
import { DATA_STREAM_VERSION } from '../data/stream.js';
import { pickEngine, type EngineChoice } from '../engines/create.js';
import type { EngineName } from '../engines/engine.js';
import type { Probe } from '../probes/probe.js';
import { ensureWritableDir, readJson, writeFileAtomic, writeJsonAtomic } from '../records/files.js';
import { acquireLock, type RunLock } from '../records/lock.js';
import { parseRecords, readStatus, readStoredConfig } from '../records/reader.js';
import { RUN_FORMAT, type RunRecord, type RunStatus, type StoredConfig } from '../records/types.js';
import { configChecksum } from '../records/runDir.js';
import { RunWriter, recordLine } from '../records/writer.js';
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
  /** The engine: `auto` (default), `tfjs`, `wasm-fused`, `webgpu-fused` or `webgpu-dense`. */
  engine?: EngineChoice;
  /** Called when a group of runs starts training. */
  onGroupStart?: (cfgs: RunConfig[], dirs: string[], engine: EngineName) => void;
  /** Called when a run ends (or is skipped). */
  onRunEnd?: (outcome: RunOutcome) => void;
}


/** The keys of {@link RunnerOptions}. */
export const RUNNER_OPTION_KEYS = ['onProgress', 'signal', 'extraProbes', 'checkpointEverySeconds', 'ensemble', 'engine', 'onGroupStart', 'onRunEnd'] as const;

/** Checks runner options at a public entry point: unknown keys and bad values are ConfigErrors. */
export function checkRunnerOptions(opts: RunnerOptions, where = 'options'): void {
  checkKeys({ ...opts }, RUNNER_OPTION_KEYS, where);
  if (opts.engine !== undefined) checkEnum(opts.engine, [...ENGINE_NAMES, 'auto'], `${where}.engine`);
  if (opts.ensemble !== undefined && typeof opts.ensemble !== 'boolean') throw new ConfigError(`${where}.ensemble`, opts.ensemble, 'true or false');
  if (opts.checkpointEverySeconds !== undefined) checkNumber(opts.checkpointEverySeconds, { ge: 0 }, `${where}.checkpointEverySeconds`);
  checkSignal(opts.signal, `${where}.signal`);
}

/** Whether `dir` holds a run that ended (finished or diverged). */
export function runIsComplete(dir: string): RunStatus | null {
  const file = path.join(dir, 'status.json');
  if (!fs.existsSync(file)) return null;
  const status = readStatus(file);
  if (status.state !== 'finished' && status.state !== 'diverged') return null;
  // a run that says it finished but has no records did not (e.g. its records were lost): it is trained again
  const recordsFile = path.join(dir, 'records.jsonl');
  if (status.state === 'finished' && (!fs.existsSync(recordsFile) || parseRecords(fs.readFileSync(recordsFile, 'utf8'), recordsFile).records.length === 0)) return null;
  return status;
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

function writeJsonLines(file: string, rows: RunRecord[]): void {
  writeFileAtomic(file, rows.map(recordLine).join(''));
}

/** The backend tfjs is using now, as useBackend recorded it (with versions and adapter) when it still is the active one. */
export function activeBackend(): BackendInfo {
  const name = tf.getBackend();
  const known = currentBackend();
  if (known && known.tfName === name) return known;
  return { name: name as BackendInfo['name'], tfName: name, versions: { '@tensorflow/tfjs-core': tf.version_core } };
}

/** The provenance recorded with a run started now. */
async function provenanceFor(cfg: RunConfig, engine: EngineName): Promise<StoredConfig['provenance']> {
  return {
    backend: activeBackend(),
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
export async function runMembers(configs: readonly RunConfig[], dirs: readonly string[], opts: RunnerOptions = {}): Promise<RunOutcome[]> {
  checkRunnerOptions(opts);
  const cfgs = configs.map((c, i) => makeConfig(c, `configs[${i}]`));
  if (dirs.length !== cfgs.length) throw new ConfigError('dirs', dirs.length, `one directory per config (${cfgs.length})`);
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
    // runs train together when they share an architecture and data (ensembleKey) and a start step
    const groups = new Map<string, { start: number; runs: Pending[] }>();
    for (const p of pending) {
      const start = p.resume?.step ?? 0;
      const key = `${start}|${ensembleKey(cfgs[p.i])}`;
      const g = groups.get(key) ?? { start, runs: [] };
      g.runs.push(p);
      groups.set(key, g);
    }
    for (const g of [...groups.values()].sort((a, b) => a.start - b.start)) {
      if (opts.signal?.aborted) break;
      await trainGroup(g.runs, g.start, cfgs, dirs, outcomes, opts);
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
      let stored: StoredConfig;
      if (p.resume && fs.existsSync(configFile)) {
        const before = readStoredConfig(configFile);
        const entry = { step: p.resume.step, engine, backend: activeBackend().name, at: new Date().toISOString() };
        stored = { ...before, resumes: [...(before.resumes ?? []), entry] };
      } else {
        const config = cfgs[p.i];
        const provenance = await provenanceFor(config, engine);
        stored = { format: RUN_FORMAT, config, configSha256: configChecksum(config), provenance, createdAt: new Date().toISOString() };
      }
      const w = new RunWriter(dir, stored, true);
      writers.push(w);
      w.setStatus({ state: 'running', step: start });
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
