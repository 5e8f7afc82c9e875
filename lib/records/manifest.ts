/**
 * A sweep's manifest: the run ids of its current spec. Analyses read exactly these runs; other run
 * directories found under `runs/` (an earlier invocation with other seeds or budgets, an edited
 * spec, an earlier library version) are named as ignored, never mixed in.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RecordsError } from '../core/errors.js';
import { ensureWritableDir, readJson, writeJsonAtomic } from './files.js';
import { RUN_FORMAT } from './types.js';

/** `manifest.json` of a sweep directory. */
export interface SweepManifest {
  format: typeof RUN_FORMAT;
  /** The run ids of the sweep's current spec, in plan order. */
  runs: string[];
  /** When the spec was last planned. */
  updatedAt: string;
}

/** Path of a sweep's manifest. */
export function manifestFile(sweepDir: string): string {
  return path.join(sweepDir, 'manifest.json');
}

/** Writes the manifest of a sweep's current spec. */
export function writeManifest(sweepDir: string, runIds: string[]): void {
  ensureWritableDir(sweepDir);
  const m: SweepManifest = { format: RUN_FORMAT, runs: runIds, updatedAt: new Date().toISOString() };
  writeJsonAtomic(manifestFile(sweepDir), m);
}

/** The manifest of a sweep, or null when it has none (a sweep written by an earlier version). */
export function readManifest(sweepDir: string): SweepManifest | null {
  const file = manifestFile(sweepDir);
  if (!fs.existsSync(file)) return null;
  const m = readJson<SweepManifest>(file);
  if (!m || !Array.isArray(m.runs) || m.runs.some((r) => typeof r !== 'string')) throw new RecordsError(file, 'not a sweep manifest (expected { format, runs: [run ids] })');
  const bad = m.runs.find((r) => !/^[A-Za-z0-9._-]+$/.test(r) || r === '.' || r === '..');
  if (bad !== undefined) throw new RecordsError(file, `run id ${JSON.stringify(bad)} is not a directory name under runs/`);
  return m;
}
