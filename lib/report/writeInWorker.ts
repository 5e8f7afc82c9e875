/**
 * {@link writeSweepReport} on a worker thread, so that the calling thread's event loop stays free:
 * a sweep's analysis takes seconds (its bootstrap fits), and Ctrl-C, SIGTERM or an AbortSignal must
 * be answered within a fraction of a second then too. An abort terminates the worker; the report's
 * files are written atomically, so each is either the previous one or the new one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ConfigError, RecordsError, ThermoError } from '../core/errors.js';
import type { AnalyzeOptions } from '../analysis/summaryTypes.js';
import { atomicTempPath } from '../records/files.js';
import { REPORT_FILES, writeSweepReport, type ReportFiles } from './write.js';

/** The compiled module the worker imports (absent when the library runs from its TypeScript sources). */
const COMPILED = new URL('./write.js', import.meta.url);

/** The worker: imports write.js, writes the report, posts the result or the error's parts. */
const WORKER_SOURCE = `
import('node:worker_threads').then(async ({ workerData, parentPort }) => {
  const { url, dir, opts } = workerData;
  try {
    const m = await import(url);
    parentPort.postMessage({ ok: true, result: m.writeSweepReport(dir, opts) });
  } catch (e) {
    const error = { name: e?.name ?? 'Error', message: e?.message ?? String(e), stack: e?.stack, exitCode: e?.exitCode };
    try {
      parentPort.postMessage({ ok: false, error: { ...error, props: { ...e } } });
    } catch {
      parentPort.postMessage({ ok: false, error });
    }
  }
});
`;

/** What the worker posts back. */
type WorkerReply =
  | { ok: true; result: ReportFiles }
  | { ok: false; error: { name: string; message: string; stack?: string; exitCode?: number; props?: Record<string, unknown> } };

/** Library error classes a worker's error is rebuilt as (by name; others become a ThermoError or an Error). */
const ERROR_CLASSES: Record<string, { prototype: Error }> = { ConfigError, RecordsError, ThermoError };

/** The worker's error as an instance of its class, with its message, fields and stack. */
function reviveError(e: Extract<WorkerReply, { ok: false }>['error']): Error {
  // without its cloneable fields, an error still keeps its exit code (the CLI exits with it)
  const props = e.props ?? (typeof e.exitCode === 'number' ? { exitCode: e.exitCode } : {});
  const cls = ERROR_CLASSES[e.name] ?? ('exitCode' in props ? ThermoError : Error);
  const err = Object.create(cls.prototype) as Error;
  Object.assign(err, props);
  Object.defineProperty(err, 'message', { value: e.message, writable: true, configurable: true });
  Object.defineProperty(err, 'name', { value: e.name, writable: true, configurable: true });
  Object.defineProperty(err, 'stack', { value: e.stack ?? `${e.name}: ${e.message}`, writable: true, configurable: true });
  return err;
}

/** Whether the compiled write.js exists beside this module (false under a TypeScript test runner). */
function compiled(): boolean {
  return COMPILED.protocol === 'file:' && fs.existsSync(fileURLToPath(COMPILED));
}

/**
 * Writes a sweep's report.html and summary.json like {@link writeSweepReport}, on a worker thread.
 * Resolves null, without waiting for the worker, when `signal` aborts first (before or during the
 * analysis): the worker is terminated and the files are left whole, as they were or as written
 * (an abort between the two renames leaves the new report.html beside the previous summary.json;
 * a rerun writes both).
 * Errors are the same typed errors as writeSweepReport's. Run from TypeScript sources (no compiled
 * module beside this one), it writes in the calling thread.
 */
export async function writeSweepReportInWorker(
  sweepDir: string,
  opts: Omit<AnalyzeOptions, 'ignored' | 'missing'> = {},
  signal?: AbortSignal,
): Promise<ReportFiles | null> {
  if (signal?.aborted) return null;
  if (!compiled()) return writeSweepReport(sweepDir, opts);
  return new Promise<ReportFiles | null>((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { url: COMPILED.href, dir: sweepDir, opts } });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () =>
      settle(() => {
        const thread = worker.threadId;
        const removeTemps = () => {
          // a write cut off between its temp file and the rename leaves the temp file: remove it
          for (const name of Object.values(REPORT_FILES)) {
            try {
              fs.rmSync(atomicTempPath(path.join(sweepDir, name), thread), { force: true });
            } catch {
              // best effort: a temp file that cannot be removed is harmless beside the report
            }
          }
        };
        void worker.terminate().then(removeTemps, removeTemps);
        resolve(null);
      });
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (m: WorkerReply) => settle(() => (m.ok ? resolve(m.result) : reject(reviveError(m.error)))));
    worker.once('error', (err) => settle(() => reject(err)));
    worker.once('exit', (code) => settle(() => reject(new ThermoError(`the report worker for ${sweepDir} exited with code ${code} before it answered`))));
  });
}
