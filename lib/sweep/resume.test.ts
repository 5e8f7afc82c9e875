import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { makeConfig } from '../core/config.js';
import { useBackend } from '../backend/backends.js';
import { readRun } from '../records/reader.js';
import { RunLockedError, acquireLock } from '../records/lock.js';
import { runDir } from '../records/runDir.js';
import { checkpointFile, runConfig } from './runner.js';
import type { EngineChoice } from '../engines/create.js';
import { describeWebgpu } from '../testing/webgpu.js';

let tmp: string;
beforeAll(async () => {
  await useBackend('cpu');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thermo-resume-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const cfg = makeConfig({ inputDim: 8, hidden: 6, steps: 1500, batchSize: 2, probeSamples: 100, probeLogPoints: 20, probeLinearPoints: 30 });
const strip = (records: Record<string, number>[]) => records;

async function reference(): Promise<Record<string, number>[]> {
  const dir = path.join(tmp, 'reference');
  await runConfig(cfg, dir);
  return readRun(dir).records;
}

test('an interrupted run (Ctrl-C) resumes from its checkpoint; its records equal an uninterrupted run, no step duplicated or missing', async () => {
  const ref = await reference();
  const dir = path.join(tmp, 'interrupted');
  const controller = new AbortController();
  let seen = 0;
  const first = await runConfig(cfg, dir, {
    signal: controller.signal,
    checkpointEverySeconds: 0,
    onProgress: (n) => {
      seen += n;
      if (seen >= 700) controller.abort();
    },
  });
  expect(first.status.state).toBe('running');
  expect(fs.existsSync(checkpointFile(dir))).toBe(true);
  expect(readRun(dir).status.state).toBe('running');
  const second = await runConfig(cfg, dir);
  expect(second.resumedFrom).toBeGreaterThanOrEqual(700);
  expect(second.status.state).toBe('finished');
  const records = readRun(dir).records;
  expect(strip(records)).toEqual(strip(ref));
  expect(new Set(records.map((r) => r.step)).size).toBe(records.length);
  expect(fs.existsSync(checkpointFile(dir))).toBe(false);
});

test('a crash (records written past the last checkpoint, then a torn line) resumes without duplicates', async () => {
  const ref = await reference();
  const dir = path.join(tmp, 'crashed');
  let n = 0;
  await expect(
    runConfig(cfg, dir, {
      checkpointEverySeconds: 0,
      extraProbes: [
        {
          name: 'crash',
          compute: (ctx) => {
            if (ctx.step > 900 && ++n === 3) throw new Error('simulated crash');
            return {};
          },
        },
      ],
    }),
  ).rejects.toThrow('simulated crash');
  fs.appendFileSync(path.join(dir, 'records.jsonl'), '{"step":99999,"activationRa');
  // a checkpoint older than the last records: move it back by replaying an earlier one is not needed;
  // the records after the checkpoint's step are dropped and re-measured.
  const second = await runConfig(cfg, dir);
  expect(second.status.state).toBe('finished');
  expect(readRun(dir).records).toEqual(ref);
});

/** kill -9 of `thermo run` while an engine is training (mostly inside its advance: a dispatch or a WASM call), then the same command. */
async function killAndResume(backend: string, engine: string): Promise<void> {
  const cli = path.resolve('dist/lib/cli/main.js');
  expect(fs.existsSync(cli)).toBe(true); // built by `npm install` (prepare)
  const out = path.join(tmp, `killed-${engine}`);
  const args = [cli, 'run', 'a6-two-layer-uniform', '--quick', '--seeds', '1', '--out', out, '--backend', backend, '--engine', engine, '--bootstrap', '10'];
  const child = spawn(process.execPath, args, { stdio: 'ignore', env: { ...process.env, THERMO_CHECKPOINT_SECONDS: '0' } });
  const sweep = path.join(out, 'a6-two-layer-uniform', 'eta-sweep', 'runs');
  // wait until some run has a checkpoint, note which, then kill -9
  let killedRun = '';
  await new Promise<void>((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      const withCheckpoint = fs.existsSync(sweep) ? fs.readdirSync(sweep).find((d) => fs.existsSync(path.join(sweep, d, 'checkpoint.json'))) : undefined;
      if (withCheckpoint) {
        clearInterval(timer);
        child.kill('SIGKILL');
        killedRun = withCheckpoint;
        resolve();
      } else if (Date.now() - started > 60000) {
        clearInterval(timer);
        reject(new Error('no checkpoint appeared'));
      }
    }, 20);
  });
  await new Promise((r) => child.on('exit', r));
  expect(readRun(path.join(sweep, killedRun)).status.state).toBe('running'); // killed mid-run
  // resume with the same command
  const code = await new Promise<number>((resolve) => spawn(process.execPath, args, { stdio: 'ignore' }).on('exit', (c) => resolve(c ?? -1)));
  expect(code).toBe(0);
  const resumed = readRun(path.join(sweep, killedRun));
  expect(resumed.status.state).toBe('finished');
  expect(resumed.stored.provenance.engine).toBe(engine);
  // the same config trained in one go on the same engine
  await useBackend(backend);
  const fresh = path.join(tmp, `fresh-${engine}`);
  await runConfig(resumed.stored.config, fresh, { engine: engine as EngineChoice });
  expect(resumed.records).toEqual(readRun(fresh).records);
  await useBackend('cpu');
}

test.each([
  ['cpu', 'wasm-fused'],
  ['cpu', 'tfjs'],
])('a real kill -9 of `thermo run` mid-sweep (backend %s, engine %s), then the same command, gives the records of an uninterrupted run', async (backend, engine) => {
  await killAndResume(backend, engine);
}, 120000);

await describeWebgpu('kill -9 during the fused WebGPU engine', () => {
  test('kill -9 mid-run (once a checkpoint exists), then the same command: the records of an uninterrupted run', async () => {
    await killAndResume('webgpu', 'webgpu-fused');
  }, 180000);
});

await describeWebgpu('kill -9 during the dense WebGPU engine', () => {
  test('kill -9 mid-run (once a checkpoint exists), then the same command: the records of an uninterrupted run', async () => {
    await killAndResume('webgpu', 'webgpu-dense');
  }, 180000);
});

test('two processes on one run directory: the second gets a RunLockedError; a stale lock is taken over', async () => {
  const dir = runDir(path.join(tmp, 'locked'), cfg);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'lock'), JSON.stringify({ host: os.hostname(), pid: process.ppid }));
  await expect(runConfig(cfg, dir)).rejects.toThrow(RunLockedError);
  await expect(runConfig(cfg, dir)).rejects.toThrow(/is being written by another process \(host .*, pid \d+\)/);
  fs.writeFileSync(path.join(dir, 'lock'), JSON.stringify({ host: os.hostname(), pid: 2 ** 22 + 12345 }));
  expect((await runConfig({ ...cfg, steps: 20 }, dir)).status.state).toBe('finished');
  expect(fs.existsSync(path.join(dir, 'lock'))).toBe(false);
  const lock = acquireLock(dir);
  expect(() => acquireLock(dir)).toThrow(RunLockedError);
  lock.release();
  // a lock of a dead process whose pid is now ours (pid reuse: another start time) is stale too
  fs.writeFileSync(path.join(dir, 'lock'), JSON.stringify({ host: os.hostname(), pid: process.pid, start: 'another-start' }));
  const again = acquireLock(dir);
  expect(fs.readdirSync(dir).filter((f) => f.startsWith('lock'))).toEqual(['lock']);
  again.release();
  expect(fs.existsSync(path.join(dir, 'lock'))).toBe(false);
});
