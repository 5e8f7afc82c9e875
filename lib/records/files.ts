/** File helpers for run directories: atomic JSON writes (temp file + rename) and JSON reads with typed errors. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RecordsError } from '../core/errors.js';

/** Writes `value` as pretty JSON to `file` atomically: a reader never sees a half-written file. */
export function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

/** Reads and parses a JSON file; a missing or malformed file throws a {@link RecordsError} naming it. */
export function readJson<T>(file: string): T {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new RecordsError(file, `cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new RecordsError(file, `malformed JSON (${(err as Error).message})`);
  }
}

/** Creates `dir` (and parents); a path that cannot be created or written throws a {@link RecordsError}. */
export function ensureWritableDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (err) {
    throw new RecordsError(dir, `results directory is not writable (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}
