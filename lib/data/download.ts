/** Downloads with a published sha256, into a cache directory, atomically (temp file + rename). */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChecksumError, DataMissingError } from './errors.js';

/** sha256 of a buffer, hex. */
export function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** Throws a ChecksumError (and removes the file) unless `file`'s sha256 is `expected`. */
export function verifyFile(file: string, expected: string): Buffer {
  const buf = fs.readFileSync(file);
  const actual = sha256(buf);
  if (actual !== expected) {
    fs.rmSync(file, { force: true });
    throw new ChecksumError(file, expected, actual);
  }
  return buf;
}

/** A fetch function (injectable for tests). */
export type Fetcher = (url: string) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>;

/**
 * Returns the bytes of `<dir>/<name>`, downloading it from `url` first if it is not there. The
 * file's sha256 must equal `expected`, whether cached or downloaded.
 */
export async function fetchCached(url: string, dir: string, name: string, expected: string, fetcher: Fetcher = fetch): Promise<Buffer> {
  const file = path.join(dir, name);
  if (fs.existsSync(file)) return verifyFile(file, expected);
  fs.mkdirSync(dir, { recursive: true });
  let res;
  try {
    res = await fetcher(url);
  } catch (err) {
    throw new DataMissingError(file, `not cached and the download from ${url} failed (${(err as Error).message}); put the file there by hand`);
  }
  if (!res.ok) throw new DataMissingError(file, `not cached and the download from ${url} answered HTTP ${res.status}; put the file there by hand`);
  const buf = Buffer.from(await res.arrayBuffer());
  const tmp = `${file}.${process.pid}.part`;
  fs.writeFileSync(tmp, buf);
  const actual = sha256(buf);
  if (actual !== expected) {
    fs.rmSync(tmp, { force: true });
    throw new ChecksumError(`${file} (downloaded from ${url})`, expected, actual);
  }
  fs.renameSync(tmp, file);
  return buf;
}
