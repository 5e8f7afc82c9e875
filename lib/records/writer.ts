/** Writes a run directory: `config.json` (atomic), `records.jsonl` (one line per record, flushed as written), `status.json` (atomic). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureWritableDir, writeError, writeJsonAtomic } from './files.js';
import type { RunRecord, RunStatus, StoredConfig } from './types.js';

/** One line of records.jsonl: the record as JSON, non-finite numbers stored as null (read back as NaN). */
export function recordLine(record: RunRecord): string {
  return `${JSON.stringify(record, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))}\n`;
}

/** Appends records of one run. */
export class RunWriter {
  readonly dir: string;
  private readonly file: string;
  private readonly fd: number;

  /**
   * Creates the directory, writes config.json (always for a fresh start; a resumed run keeps its
   * own) and opens records.jsonl for appending.
   */
  constructor(dir: string, stored: StoredConfig, fresh = true) {
    ensureWritableDir(dir);
    this.dir = dir;
    const file = path.join(dir, 'config.json');
    if (fresh || !fs.existsSync(file)) writeJsonAtomic(file, stored);
    this.file = path.join(dir, 'records.jsonl');
    try {
      this.fd = fs.openSync(this.file, 'a');
    } catch (err) {
      throw writeError(this.file, err);
    }
  }

  /** Appends one record and flushes it to the file (a failure is a one-line RecordsError naming the file). */
  append(record: RunRecord): void {
    try {
      fs.writeSync(this.fd, recordLine(record));
    } catch (err) {
      throw writeError(this.file, err);
    }
  }

  /** Writes status.json atomically. */
  setStatus(status: RunStatus): void {
    writeJsonAtomic(path.join(this.dir, 'status.json'), status);
  }

  /** Closes the records file. */
  close(): void {
    fs.closeSync(this.fd);
  }
}
