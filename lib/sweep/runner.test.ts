import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { makeConfig, type RunConfig } from '../core/config.js';
import { useBackend } from '../backend/backends.js';
import { RunLockedError } from '../records/lock.js';
import { readRun } from '../records/reader.js';
import { runDir } from '../records/runDir.js';
import { claimRun, maxMembersFor, planGroups, runMembers } from './runner.js';

let tmp: string;
beforeAll(async () => {
  await useBackend('cpu');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thermo-runner-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const base = { inputDim: 6, hidden: 5, probeSamples: 40, probeLogPoints: 4, probeLinearPoints: 2 } as const;

test('runs that share an architecture and steps are grouped, at most 16 per tfjs engine; others alone', () => {
  const mk = (eta: number, seed: number, extra: Partial<RunConfig> = {}) => ({ ...makeConfig({ ...base, eta, seed, ...extra }), steps: Math.round(100 * (0.1 / eta) ** 2) });
  const cfgs = [mk(0.1, 0), mk(0.05, 0), mk(0.1, 1), mk(0.05, 1), mk(0.1, 2, { model: 'fc', probes: ['weight-norms'] })];
  const tfjs = maxMembersFor({ engine: 'tfjs' });
  expect(planGroups(cfgs, tfjs)).toEqual([[0, 2], [1, 3], [4]]);
  expect(planGroups(Array.from({ length: 20 }, (_, s) => mk(0.1, s)), tfjs).map((g) => g.length)).toEqual([16, 4]);
  expect(planGroups(cfgs, maxMembersFor({ ensemble: false }))).toEqual([[0], [1], [2], [3], [4]]);
});

test('a run held by another process: the group refuses and gives back the locks it took', async () => {
  const cfgs = [0, 1, 2].map((seed) => makeConfig({ ...base, eta: 0.05, seed, steps: 20 }));
  const dirs = cfgs.map((c) => runDir(path.join(tmp, 'locks'), c));
  fs.mkdirSync(dirs[2], { recursive: true });
  fs.writeFileSync(path.join(dirs[2], 'lock'), JSON.stringify({ host: os.hostname(), pid: process.ppid }));
  await expect(runMembers(cfgs, dirs)).rejects.toThrow(RunLockedError);
  expect(fs.existsSync(path.join(dirs[0], 'lock'))).toBe(false);
  expect(fs.existsSync(path.join(dirs[1], 'lock'))).toBe(false);
  fs.rmSync(path.join(dirs[2], 'lock'));
  expect((await runMembers(cfgs, dirs)).map((o) => o.status.state)).toEqual(['finished', 'finished', 'finished']);
});

test('a run another process finished after this one planned it is neither restarted nor truncated', async () => {
  const cfg = makeConfig({ ...base, eta: 0.05, seed: 7, steps: 30 });
  const dir = runDir(path.join(tmp, 'race'), cfg);
  await runMembers([cfg], [dir]);
  const records = fs.readFileSync(path.join(dir, 'records.jsonl'), 'utf8');
  // this process planned the run while it was still running; by the time it takes the lock, it is finished
  const claim = claimRun(dir);
  expect(claim).toEqual({ done: expect.objectContaining({ state: 'finished', step: 30 }) });
  expect(fs.existsSync(path.join(dir, 'lock'))).toBe(false);
  expect(fs.readFileSync(path.join(dir, 'records.jsonl'), 'utf8')).toBe(records);
});

test('two real processes racing for the same runs: each run is trained once and never wiped', async () => {
  const cli = path.resolve('dist/lib/cli/main.js');
  expect(fs.existsSync(cli)).toBe(true); // built by `npm install` (prepare)
  const spec = path.join(tmp, 'race.json');
  fs.writeFileSync(spec, JSON.stringify({ name: 'race', title: 'race', axis: 'eta', quantities: ['activationRate'], base: { ...base, steps: 2000 }, grid: { eta: [0.05, 0.1], seed: [0, 1] } }));
  const out = path.join(tmp, 'race-out');
  const go = () =>
    new Promise<{ code: number; err: string }>((resolve) => {
      const child = spawn(process.execPath, [cli, 'sweep', spec, '--out', out, '--backend', 'cpu', '--bootstrap', '10', '--no-ensemble'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      child.on('exit', (c) => resolve({ code: c ?? -1, err }));
    });
  const [a, b] = await Promise.all([go(), go()]);
  // a process may find a run locked by the other (exit 1, RunLockedError); none may restart a finished run
  for (const r of [a, b]) expect(r.code === 0 || /RunLockedError/.test(r.err)).toBe(true);
  const runs = path.join(out, 'sweeps', 'race', 'runs');
  for (const d of fs.readdirSync(runs)) {
    const run = readRun(path.join(runs, d));
    if (run.status.state !== 'finished') continue;
    expect(run.records[0].step).toBe(0);
    expect(run.records[run.records.length - 1].step).toBe(2000);
    expect(new Set(run.records.map((r) => r.step)).size).toBe(run.records.length);
  }
}, 120000);

test('the backend recorded is the one tfjs uses, even when it was set past useBackend; a run read back resumes', async () => {
  const tf = await import('@tensorflow/tfjs');
  await useBackend('wasm');
  await tf.setBackend('cpu');
  const cfg = makeConfig({ ...base, eta: 0.05, seed: 11, steps: 20 });
  const dir = runDir(path.join(tmp, 'prov'), cfg);
  await runMembers([cfg], [dir], { engine: 'tfjs' });
  expect(readRun(dir).stored.provenance.backend.tfName).toBe('cpu');
  expect(readRun(dir).stored.provenance.engine).toBe('tfjs');
  await useBackend('cpu');
});

test('a run whose status says finished but whose records are gone is trained again', async () => {
  const cfg = makeConfig({ ...base, eta: 0.05, seed: 12, steps: 20 });
  const dir = runDir(path.join(tmp, 'lost'), cfg);
  await runMembers([cfg], [dir]);
  fs.writeFileSync(path.join(dir, 'records.jsonl'), '');
  const [again] = await runMembers([cfg], [dir]);
  expect(again.skipped).toBe(false);
  expect(readRun(dir).records.length).toBeGreaterThan(1);
});
