/** Reads run directories back, typed; exports records as CSV. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RecordsError } from '../core/errors.js';
import { readJson } from './files.js';
import type { RunData, RunRecord, RunStatus, StoredConfig } from './types.js';

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

/** Reads one run directory. */
export function readRun(dir: string): RunData {
  const stored = readJson<StoredConfig>(path.join(dir, 'config.json'));
  const file = path.join(dir, 'records.jsonl');
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const { records, droppedTornLine } = parseRecords(text, file);
  const statusFile = path.join(dir, 'status.json');
  const status: RunStatus = fs.existsSync(statusFile)
    ? readJson<RunStatus>(statusFile)
    : { state: 'running', step: records.length ? records[records.length - 1].step : 0 };
  return { dir, stored, records, status, droppedTornLine };
}

/** Reads every run under `<sweepDir>/runs`, ordered by directory name. */
export function readSweepRuns(sweepDir: string): RunData[] {
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
