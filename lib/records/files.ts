/**
 * File helpers for run and sweep directories: atomic writes (temp file + rename) whose failures are one-line
 * {@link RecordsError}s saying what happened in words, and JSON reads whose errors name the line and column.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { threadId } from 'node:worker_threads';
import { RecordsError } from '../core/errors.js';

/** What the error codes of a failed write mean, in words. */
const WRITE_PROBLEMS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EISDIR: 'a directory is in the way',
  ENOTDIR: 'a component of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENAMETOOLONG: 'the file name is too long',
  ENOENT: 'its directory does not exist',
  EFBIG: 'the file is too large',
  EIO: 'input/output error',
};

/** A one-line {@link RecordsError} for a failed write of `file`, its cause in words (e.g. "no space left on the device (ENOSPC)"). */
export function writeError(file: string, err: unknown): RecordsError {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const cause = code ? (WRITE_PROBLEMS[code] ? `${WRITE_PROBLEMS[code]} (${code})` : code) : oneLine(String(err));
  return new RecordsError(file, `cannot write: ${cause}; the file was left as it was`);
}

/**
 * The temp file {@link writeFileAtomic} writes before renaming it over `file`: one per process and
 * thread (`thread`: a worker's threadId, default the calling thread's), so that two threads never share one.
 */
export function atomicTempPath(file: string, thread: number = threadId): string {
  return path.join(path.dirname(file), `.${path.basename(file).slice(0, 200)}.${process.pid}.${thread}.tmp`);
}

/**
 * Writes `text` to `file` atomically: into a temp file in the same directory, flushed to disk, then renamed over
 * `file`. A reader never sees a half-written file; on failure (full disk, read-only file system, a directory in
 * the way, ...) the temp file is removed, `file` is left as it was, and a {@link RecordsError} says what happened.
 */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = atomicTempPath(file);
  let fd: number | null = null;
  try {
    fd = fs.openSync(tmp, 'w');
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(tmp, file);
  } catch (err) {
    if (fd !== null) ignore(() => fs.closeSync(fd as number));
    ignore(() => fs.unlinkSync(tmp));
    throw writeError(file, err);
  }
}

/** Writes `value` as pretty JSON to `file` atomically (see {@link writeFileAtomic}). */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Reads and parses a JSON file (a leading UTF-8 byte order mark is allowed). A missing or malformed file throws a
 * one-line {@link RecordsError} naming it and, for malformed JSON, the line and column of the first error.
 */
export function readJson<T>(file: string): T {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new RecordsError(file, `cannot read (${(err as NodeJS.ErrnoException).code ?? oneLine(String(err))})`);
  }
  return parseJson<T>(text, file);
}

/** Parses JSON text read from `file` (BOM allowed); a syntax error is a one-line {@link RecordsError} with line:column. */
export function parseJson<T>(text: string, file: string): T {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  try {
    return JSON.parse(body) as T;
  } catch (err) {
    throw new RecordsError(file, `malformed JSON ${describeJsonError(body, (err as Error).message)}`);
  }
}

/** Where and why `text` is not JSON, in one line: "at line 3, column 5 (end of file): Unexpected end of JSON input". */
export function describeJsonError(text: string, v8Message: string): string {
  let offset = jsonErrorOffset(text);
  if (offset < 0) offset = Number(/at position (\d+)/.exec(v8Message)?.[1] ?? -1);
  const reason = oneLine(
    v8Message.replace(/,? ?(?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, '').replace(/(?: in JSON)? at position \d+.*$/s, ''),
  );
  if (offset < 0) return reason || 'not valid JSON';
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `at line ${line}, column ${column}${offset >= text.length ? ' (end of file)' : ''}: ${reason || 'not valid JSON'}`;
}

/** Offset of the first JSON syntax error in `text` (its length for an early end), or -1 when there is none. */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw new JsonSyntaxAt(i);
  };
  const space = (): void => {
    while (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r') i++;
  };
  const expect = (c: string): void => {
    if (text[i] !== c) fail();
    i++;
  };
  const string = (): void => {
    expect('"');
    for (;;) {
      const c = text[i];
      if (c === undefined || c < ' ') fail();
      i++;
      if (c === '"') return;
      if (c !== '\\') continue;
      if (text[i] === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) i += 5;
      else if (text[i] !== undefined && '"\\/bfnrt'.includes(text[i])) i++;
      else fail();
    }
  };
  const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const value = (): void => {
    space();
    const open = text[i];
    if (open === '{' || open === '[') {
      const close = open === '{' ? '}' : ']';
      i++;
      space();
      if (text[i] === close) return void i++;
      for (;;) {
        if (open === '{') {
          space();
          string();
          space();
          expect(':');
        }
        value();
        space();
        if (text[i] !== ',') return expect(close);
        i++;
      }
    }
    if (open === '"') return string();
    for (const word of ['true', 'false', 'null']) if (text.startsWith(word, i)) return void (i += word.length);
    number.lastIndex = i;
    if (!number.test(text)) fail();
    i = number.lastIndex;
  };
  try {
    value();
    space();
    if (i < text.length) fail();
    return -1;
  } catch (err) {
    if (err instanceof JsonSyntaxAt) return err.offset;
    return -1; // nested too deeply to scan: no position
  }
}

class JsonSyntaxAt {
  constructor(readonly offset: number) {}
}

/** Creates `dir` (and parents); a path that cannot be created or written throws a {@link RecordsError}. */
export function ensureWritableDir(dir: string): void {
  try {
    // the missing levels one by one, top down (Node's recursive mkdir loops for ever under some
    // pseudo file systems, e.g. /proc, where mkdir fails with ENOENT on an existing parent)
    const missing: string[] = [];
    for (let d = path.resolve(dir); !fs.existsSync(d) && path.dirname(d) !== d; d = path.dirname(d)) missing.unshift(d);
    for (const d of missing) {
      try {
        fs.mkdirSync(d);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // another process made it
      }
    }
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (err) {
    throw new RecordsError(dir, `results directory is not writable (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n\u2028\u2029]+\s*/g, ' ').trim();
}

function ignore(fn: () => void): void {
  try {
    fn();
  } catch {
    /* best effort */
  }
}
