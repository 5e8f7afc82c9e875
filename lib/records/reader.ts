/** Reads run directories back, typed and checked; exports records as CSV. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_KEYS, checkField } from '../core/config.js';
import { ConfigError, RecordsError } from '../core/errors.js';
import { readJson } from './files.js';
import { RUN_FORMAT, type RunData, type RunRecord, type RunStatus, type StoredConfig } from './types.js';
import { readManifest } from './manifest.js';
import { configChecksum } from './runDir.js';

/** Config fields every stored run config must hold: the run's identity and what the analysis groups by. */
export const REQUIRED_CONFIG_FIELDS = ['model', 'eta', 'batchSize', 'seed', 'steps'] as const;
/** Fields of configs written by earlier versions that are no longer config fields: accepted as they are. */
export const LEGACY_CONFIG_FIELDS: readonly string[] = ['backend'];
/** The states of `status.json`. */
export const RUN_STATES = ['running', 'finished', 'diverged'] as const;

/** A run read back, with what the reader noticed about it (the data stay as the files say; the analysis decides). */
export interface ReadRun extends RunData {
  /** status.json says `finished` but records.jsonl holds no record: not a usable finished run. */
  finishedWithoutRecords: boolean;
}

/** Parses records.jsonl text. A torn last line (a crash mid-write) is dropped; a bad line elsewhere throws. */
export function parseRecords(text: string, file: string): { records: RunRecord[]; droppedTornLine: boolean } {
  const lines = text.split('\n');
  const records: RunRecord[] = [];
  let droppedTornLine = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      const isLast = lines.slice(i + 1).every((l) => l.trim() === '');
      if (isLast && !text.endsWith('\n')) {
        droppedTornLine = true;
        break;
      }
      throw new RecordsError(file, `line ${i + 1} is not valid JSON`);
    }
    if (typeof parsed !== 'object' || parsed === null || typeof (parsed as RunRecord).step !== 'number') {
      throw new RecordsError(file, `line ${i + 1} is not a record with a numeric 'step'`);
    }
    const rec = parsed as Record<string, number | null>;
    for (const k of Object.keys(rec)) if (rec[k] === null) rec[k] = NaN;
    records.push(rec as RunRecord);
  }
  return { records, droppedTornLine };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Runs `check`; a {@link ConfigError} it throws becomes a one-line {@link RecordsError} saying `file` is invalid. */
function inFile<T>(file: string, what: string, check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof ConfigError) throw new RecordsError(file, `invalid ${what}: ${err.message}`);
    throw err;
  }
}

/** Throws unless `value`, when present, is an object with the given string fields. */
function checkStrings(value: unknown, fields: readonly string[], where: string): void {
  if (value === undefined) return;
  if (!isObject(value) || fields.some((f) => typeof value[f] !== 'string')) {
    throw new ConfigError(where, value, `an object with ${fields.map((f) => `'${f}'`).join(', ')} string${fields.length > 1 ? 's' : ''}`);
  }
}

/**
 * Reads and checks a run's `config.json`: an object whose `config` holds the {@link REQUIRED_CONFIG_FIELDS} and
 * only known (or {@link LEGACY_CONFIG_FIELDS}) fields, each of the right type; `format`, when present, an integer
 * >= 1; for format 2 and later a `provenance` object (its backend, library, engine, node, platform and dataStream
 * of the right type when present); for earlier runs `backend` and `library`, when present, of the right shape.
 * A wrong shape is a one-line {@link RecordsError} naming the field. Which formats an analysis takes is its choice.
 */
export function readStoredConfig(file: string): StoredConfig {
  const raw = readJson<unknown>(file);
  return inFile(file, 'run config', () => {
    if (!isObject(raw)) throw new ConfigError('(top level)', raw, "an object with 'format', 'config', 'provenance' and 'createdAt'");
    const format = raw.format ?? 1;
    if (typeof format !== 'number' || !Number.isInteger(format) || format < 1) {
      throw new ConfigError('format', raw.format, 'an integer >= 1');
    }
    const config = raw.config;
    if (!isObject(config)) throw new ConfigError('config', config, 'an object of run config fields');
    for (const key of REQUIRED_CONFIG_FIELDS) checkField(key, config[key], `config.${key}`); // undefined: missing
    for (const [key, value] of Object.entries(config)) {
      if (!(CONFIG_KEYS as string[]).includes(key) && LEGACY_CONFIG_FIELDS.includes(key)) continue;
      checkField(key, value, `config.${key}`);
    }
    const env = format >= 2 ? raw.provenance : raw;
    const where = format >= 2 ? 'provenance.' : '';
    if (format >= 2 && !isObject(env)) throw new ConfigError('provenance', env, 'an object (backend, engine, data, library, ...)');
    if (isObject(env)) {
      checkStrings(env.backend, ['name'], `${where}backend`);
      checkStrings(env.library, ['name', 'version'], `${where}library`);
      for (const key of format >= 2 ? ['engine', 'dataStream', 'node', 'platform'] : []) {
        if (env[key] !== undefined && typeof env[key] !== 'string') throw new ConfigError(`${where}${key}`, env[key], 'a string');
      }
    }
    if (raw.configSha256 !== undefined && (typeof raw.configSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(raw.configSha256))) {
      throw new ConfigError('configSha256', raw.configSha256, 'the 64 hex digits of the sha256 of the config as written');
    }
    if (raw.createdAt !== undefined && typeof raw.createdAt !== 'string') {
      throw new ConfigError('createdAt', raw.createdAt, 'an ISO date string');
    }
    return raw as unknown as StoredConfig;
  });
}

/**
 * Reads and checks a run's `status.json`: `state` one of {@link RUN_STATES}, `step` an integer >= 0, and `reason`,
 * `wallSeconds`, `stepsPerSecond` of the right type when present. A wrong shape is a {@link RecordsError} naming the field.
 */
export function readStatus(file: string): RunStatus {
  const raw = readJson<unknown>(file);
  return inFile(file, 'run status', () => {
    if (!isObject(raw)) throw new ConfigError('(top level)', raw, "an object with 'state' and 'step'");
    if (typeof raw.state !== 'string' || !(RUN_STATES as readonly string[]).includes(raw.state)) {
      throw new ConfigError('state', raw.state, `one of ${RUN_STATES.map((s) => `'${s}'`).join(', ')}`);
    }
    if (typeof raw.step !== 'number' || !Number.isInteger(raw.step) || raw.step < 0) {
      throw new ConfigError('step', raw.step, 'an integer >= 0');
    }
    if (raw.reason !== undefined && typeof raw.reason !== 'string') throw new ConfigError('reason', raw.reason, 'a string');
    for (const key of ['wallSeconds', 'stepsPerSecond']) {
      const v = raw[key];
      if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) throw new ConfigError(key, v, 'a finite number >= 0');
    }
    return raw as unknown as RunStatus;
  });
}

/**
 * Reads one run directory: config.json and status.json checked, records in file order. A status that says
 * `finished` over no records is kept as written and flagged ({@link ReadRun.finishedWithoutRecords}).
 */
export function readRun(dir: string): ReadRun {
  const stored = readStoredConfig(path.join(dir, 'config.json'));
  const file = path.join(dir, 'records.jsonl');
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const { records, droppedTornLine } = parseRecords(text, file);
  const statusFile = path.join(dir, 'status.json');
  const status: RunStatus = fs.existsSync(statusFile)
    ? readStatus(statusFile)
    : { state: 'running', step: records.length ? records[records.length - 1].step : 0 };
  return { dir, stored, records, status, droppedTornLine, finishedWithoutRecords: status.state === 'finished' && records.length === 0 };
}

/**
 * True when a stored config carries the checksum written with it (`configSha256`, runs since this check
 * exists) and its config no longer matches it: the file was edited, so the run's records are not what it
 * says. Runs written without the checksum cannot be checked.
 */
export function editedConfig(stored: StoredConfig): boolean {
  return typeof stored.configSha256 === 'string' && stored.configSha256 !== configChecksum(stored.config);
}

/** A sweep's runs as its manifest lists them, and the other run directories found beside them (not analyzed). */
export interface SweepRuns {
  runs: ReadRun[];
  /** Other run directories, with why; `ofSpec`: a run of the manifest that cannot be used (edited config). */
  ignored: { dir: string; reason: string; ofSpec?: boolean }[];
  /** Run ids of the manifest without a run directory (not started: another shard's, or not run yet). */
  missing: string[];
}

/**
 * Reads exactly the runs of a sweep's current spec (its manifest.json, written when the sweep is
 * planned; runs not yet started are absent); every other run directory under `runs/` is listed as
 * ignored with the reason: another spec of the sweep (other seeds, budgets, an edited spec), an
 * earlier version of the library, or a config.json edited after the run was written
 * ({@link editedConfig}). A sweep without a manifest (written by an earlier version) has all
 * its current-format runs read.
 */
export function readSweep(sweepDir: string): SweepRuns {
  const runsDir = path.join(sweepDir, 'runs');
  if (!fs.existsSync(runsDir)) throw new RecordsError(runsDir, 'no runs directory: is this a sweep directory written by `thermo run`?');
  const manifest = readManifest(sweepDir);
  const runs: ReadRun[] = [];
  const ignored: SweepRuns['ignored'] = [];
  const names = fs.readdirSync(runsDir).filter((name) => fs.existsSync(path.join(runsDir, name, 'config.json')));
  const order = manifest ? manifest.runs.filter((id) => names.includes(id)) : [...names].sort();
  for (const name of [...names].sort()) {
    if (order.includes(name)) continue;
    const dir = path.join(runsDir, name);
    const format = (readJson<{ format?: unknown }>(path.join(dir, 'config.json')) ?? {}).format;
    const old = format !== RUN_FORMAT;
    ignored.push({ dir, reason: old ? 'written by an earlier version of the library (other data streams)' : 'of another spec of this sweep' });
  }
  for (const name of order) {
    const dir = path.join(runsDir, name);
    const run = readRun(dir);
    if (!manifest && (run.stored.format ?? 1) !== RUN_FORMAT) {
      ignored.push({ dir, reason: 'written by an earlier version of the library (other data streams)' });
      continue;
    }
    if (editedConfig(run.stored)) {
      ignored.push({ dir, reason: 'its config.json was edited after the run was written (its config no longer matches configSha256)', ofSpec: true });
      continue;
    }
    runs.push(run);
  }
  const missing = manifest ? manifest.runs.filter((id) => !names.includes(id)) : [];
  return { runs, ignored, missing };
}

/** Reads every run under `<sweepDir>/runs`, ordered by directory name. */
export function readSweepRuns(sweepDir: string): ReadRun[] {
  const runsDir = path.join(sweepDir, 'runs');
  if (!fs.existsSync(runsDir)) throw new RecordsError(runsDir, 'no runs directory: is this a sweep directory written by `thermo run`?');
  return fs
    .readdirSync(runsDir)
    .filter((name) => fs.existsSync(path.join(runsDir, name, 'config.json')))
    .sort()
    .map((name) => readRun(path.join(runsDir, name)));
}

/** Records as CSV: a `step` column then every field that appears in any record; missing values empty. */
export function recordsToCsv(records: RunRecord[]): string {
  const fields: string[] = ['step'];
  for (const r of records) for (const k of Object.keys(r)) if (!fields.includes(k)) fields.push(k);
  const rows = records.map((r) => fields.map((f) => (r[f] === undefined || Number.isNaN(r[f]) ? '' : String(r[f]))).join(','));
  return `${[fields.join(','), ...rows].join('\n')}\n`;
}
