/** Writes a run directory: `config.json` (atomic), `records.jsonl` (one line per record, flushed as written), `status.json` (atomic). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureWritableDir, writeJsonAtomic } from './files.js';
import type { RunRecord, RunStatus, StoredConfig } from './types.js';

/** Appends records of one run. */
export class RunWriter {
  readonly dir: string;
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
    this.fd = fs.openSync(path.join(dir, 'records.jsonl'), 'a');
  }

  /** Appends one record and flushes it to the file. Non-finite numbers are stored as null. */
  append(record: RunRecord): void {
    fs.writeSync(this.fd, `${JSON.stringify(record, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))}\n`);
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
