/**
 * A run directory lock, so two processes given the same run never write it at once. The lock
 * file holds the owner's host and pid; a lock left by a process that no longer runs on this
 * host is stale and is taken over.
 */
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

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes `<dir>/lock`, or throws {@link RunLockedError} if a live process holds it. */
export function acquireLock(dir: string): RunLock {
  const file = path.join(dir, 'lock');
  const me = JSON.stringify({ host: os.hostname(), pid: process.pid });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, me, { flag: 'wx' });
      return {
        release() {
          try {
            if (fs.readFileSync(file, 'utf8') === me) fs.rmSync(file);
          } catch {
            /* already gone */
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let owner: { host?: string; pid?: number } = {};
      try {
        owner = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch {
        /* unreadable: treat as held */
      }
      const stale = owner.host === os.hostname() && typeof owner.pid === 'number' && owner.pid !== process.pid && !alive(owner.pid);
      if (!stale) throw new RunLockedError(dir, `host ${owner.host ?? '?'}, pid ${owner.pid ?? '?'}`);
      fs.rmSync(file, { force: true });
    }
  }
  throw new RunLockedError(dir, 'lock could not be taken');
}
