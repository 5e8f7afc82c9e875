/**
 * A run directory lock, so two processes given the same run never write it at once. The lock file
 * holds the owner's host, pid, process start time and a random token. A lock left by a process that
 * no longer runs on this host (its pid is gone, or the pid now belongs to a process that started at
 * another time) is stale and is taken over: renamed away atomically (only one of several processes
 * can), checked to be the stale one, then replaced by a fresh lock created exclusively.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ThermoError } from '../core/errors.js';

/** Another live process holds the run directory. */
export class RunLockedError extends ThermoError {
  readonly dir: string;
  constructor(dir: string, owner: string) {
    super(`${dir} is being written by another process (${owner}); wait for it, or delete ${path.join(dir, 'lock')} if that process is gone`);
    this.dir = dir;
  }
}

/** A held lock. */
export interface RunLock {
  release(): void;
}

interface Owner {
  host?: string;
  pid?: number;
  start?: string | null;
  token?: string;
}

/** A process's start time (Linux: field 22 of /proc/<pid>/stat, in clock ticks since boot), or null where unknown. */
export function processStart(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const myStart = processStart(process.pid);

/** Whether `owner` (read from a lock file) is a process of this host that is gone. */
function isStale(owner: Owner): boolean {
  if (owner.host !== os.hostname() || typeof owner.pid !== 'number') return false;
  if (owner.pid === process.pid) return !!owner.start && !!myStart && owner.start !== myStart; // our pid, reused
  if (!alive(owner.pid)) return true;
  return !!owner.start && processStart(owner.pid) !== null && processStart(owner.pid) !== owner.start;
}

function readOwner(file: string): { text: string; owner: Owner } | null {
  try {
    const text = fs.readFileSync(file, 'utf8');
    try {
      return { text, owner: JSON.parse(text) as Owner };
    } catch {
      return { text, owner: {} }; // unreadable: treated as held
    }
  } catch {
    return null; // gone meanwhile
  }
}

/** Takes `<dir>/lock`, or throws {@link RunLockedError} if a live process holds it. */
export function acquireLock(dir: string): RunLock {
  const file = path.join(dir, 'lock');
  const token = randomBytes(8).toString('hex');
  const me = JSON.stringify({ host: os.hostname(), pid: process.pid, start: myStart, token });
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      fs.writeFileSync(file, me, { flag: 'wx' });
      return {
        release() {
          if (readOwner(file)?.text === me) fs.rmSync(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const seen = readOwner(file);
    if (!seen) continue;
    if (!isStale(seen.owner)) throw new RunLockedError(dir, `host ${seen.owner.host ?? '?'}, pid ${seen.owner.pid ?? '?'}`);
    const aside = `${file}.stale.${token}`;
    try {
      fs.renameSync(file, aside); // atomic: of several processes taking over, one moves it
    } catch {
      continue; // another process moved it first: look again
    }
    if (fs.readFileSync(aside, 'utf8') !== seen.text) {
      // we moved a lock that another process had just created: give it back (if no third one did meanwhile)
      try {
        fs.linkSync(aside, file);
      } catch {
        /* a newer lock is there: it will decide */
      }
    }
    fs.rmSync(aside, { force: true });
  }
  throw new RunLockedError(dir, 'the lock could not be taken');
}
