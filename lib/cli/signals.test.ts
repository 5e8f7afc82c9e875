/**
 * Signals and cancellation with real child processes: SIGTERM and Ctrl-C (SIGINT) stop training
 * within a second, after checkpoints, with exit 143 / 130; a second Ctrl-C exits at once; an
 * AbortSignal given to the API stops a sweep the same way; a signal during a sweep's analysis is
 * answered at once (it runs on a worker thread).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';

const cli = path.resolve('dist/lib/cli/main.js');
let tmp: string;
beforeAll(() => {
  expect(fs.existsSync(cli)).toBe(true); // built by `npm install` (prepare)
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thermo-signals-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const exited = (child: ChildProcess) => new Promise<number>((resolve) => child.on('exit', (code, sig) => resolve(code ?? (sig ? 128 : -1))));

/** Resolves once some run under `dir` has a record (training has started). */
function started(dir: string, timeoutMs = 60000): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const timer = setInterval(() => {
      const runs = path.join(dir, 'fig2-two-layer', 'eta-sweep', 'runs');
      const going = fs.existsSync(runs) && fs.readdirSync(runs).some((d) => {
        const f = path.join(runs, d, 'records.jsonl');
        return fs.existsSync(f) && fs.statSync(f).size > 0;
      });
      if (going) {
        clearInterval(timer);
        resolve();
      } else if (Date.now() - t0 > timeoutMs) {
        clearInterval(timer);
        reject(new Error('training did not start'));
      }
    }, 25);
  });
}

function checkpoints(dir: string): string[] {
  const runs = path.join(dir, 'fig2-two-layer', 'eta-sweep', 'runs');
  return fs.readdirSync(runs).filter((d) => fs.existsSync(path.join(runs, d, 'checkpoint.json')));
}

test.each([
  ['SIGTERM', 143],
  ['SIGINT', 130],
] as const)('%s during training: checkpoints within a second, then exit %i', async (sig, code) => {
  const out = path.join(tmp, sig);
  const child = spawn(process.execPath, [cli, 'run', 'fig2-two-layer', '--seeds', '1', '--out', out, '--backend', 'wasm'], { stdio: 'ignore' });
  const done = exited(child);
  await started(out);
  const t0 = Date.now();
  child.kill(sig);
  expect(await done).toBe(code);
  expect(Date.now() - t0).toBeLessThan(3000); // handled within a second, plus writing checkpoints and exiting
  expect(checkpoints(out).length).toBeGreaterThan(0);
}, 90000);

test('a second Ctrl-C exits at once', async () => {
  const out = path.join(tmp, 'twice');
  const child = spawn(process.execPath, [cli, 'run', 'fig2-two-layer', '--seeds', '1', '--out', out, '--backend', 'wasm'], { stdio: 'ignore' });
  const done = exited(child);
  await started(out);
  child.kill('SIGINT');
  child.kill('SIGINT');
  expect(await done).toBe(130);
}, 90000);

test('an AbortSignal given to runSweep stops training the same way (AbortSignal.timeout)', async () => {
  const out = path.join(tmp, 'api');
  const lib = path.resolve('dist/lib/index.js');
  const script = `
    import { runSweep } from ${JSON.stringify(lib)};
    const spec = { name: 's', title: 'abort test', axis: 'eta', quantities: ['activationRate'],
      base: { inputDim: 50, hidden: 50, steps: 2000000, probeSamples: 50 }, grid: { eta: [0.05, 0.1] } };
    const t0 = Date.now();
    const outcomes = await runSweep(spec, ${JSON.stringify(out)}, { backend: 'cpu', signal: AbortSignal.timeout(1500) });
    console.log(JSON.stringify({ ms: Date.now() - t0, states: outcomes.map((o) => o.status.state) }));
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (d) => (text += d));
  expect(await exited(child)).toBe(0);
  const res = JSON.parse(text.trim().split('\n').pop()!);
  expect(res.states).toEqual(['running', 'running']);
  expect(res.ms).toBeLessThan(6000);
  const runs = path.join(out, 's', 'runs');
  expect(fs.readdirSync(runs).every((d) => fs.existsSync(path.join(runs, d, 'checkpoint.json')))).toBe(true);
}, 60000);

/** Four finished copies of a small sweep with their reports, made once for the report tests below (either may run alone). */
let reportSweeps: Promise<string> | null = null;
function sweepsForReports(): Promise<string> {
  reportSweeps ??= (async () => {
    const root = path.join(tmp, 'reports');
    const spec = path.join(tmp, 'report-spec.json');
    const sweep = { name: 's0', title: 'reports', axis: 'eta', quantities: ['activationRate', 'norm_V'], base: { inputDim: 8, hidden: 8, steps: 400, probeSamples: 40 }, grid: { eta: [0.05, 0.1], seed: [0, 1] } };
    fs.writeFileSync(spec, JSON.stringify(sweep));
    const first = spawn(process.execPath, [cli, 'sweep', spec, '--out', root, '--backend', 'cpu', '--bootstrap', '10'], { stdio: 'ignore' });
    expect(await exited(first)).toBe(0);
    for (let i = 1; i < 4; i++) fs.cpSync(path.join(root, 'sweeps', 's0'), path.join(root, 'sweeps', `s${i}`), { recursive: true });
    return root;
  })();
  return reportSweeps;
}

test('SIGTERM while reports are written stops before the next sweep\'s report, exit 143', async () => {
  const root = await sweepsForReports();
  const child = spawn(process.execPath, [cli, 'report', root, '--bootstrap', '1500'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let text = '';
  child.stdout!.on('data', (d) => (text += d));
  const done = exited(child);
  // the first report is written (or the child has ended: the expectations below then say how)
  while (!text.includes('report:') && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGTERM');
  expect(await done).toBe(143);
  expect(text.split('report:').length - 1).toBeLessThan(4);
}, 120000);

test('SIGTERM during a sweep\'s analysis (on a worker thread) is answered within a second, exit 143', async () => {
  const root = await sweepsForReports();
  const before = fs.readFileSync(path.join(root, 'sweeps', 's0', 'report.html'), 'utf8');
  const child = spawn(process.execPath, [cli, 'report', path.join(root, 'sweeps', 's0'), '--bootstrap', '100000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  let err = '';
  child.stdout!.on('data', (d) => (text += d));
  child.stderr!.on('data', (d) => (err += d));
  const done = exited(child);
  // inside the analysis (it takes far longer): the CLI says so when it starts it, its handlers installed
  while (!err.includes('analysing') && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 500));
  const t0 = Date.now();
  child.kill('SIGTERM');
  expect(await done).toBe(143);
  expect(Date.now() - t0).toBeLessThan(1000);
  expect(text).not.toContain('report:');
  const dir = path.join(root, 'sweeps', 's0');
  expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  expect(fs.readFileSync(path.join(dir, 'report.html'), 'utf8')).toBe(before); // left whole, as it was
}, 60000);

test.each([
  ['thermo run', (out: string) => [cli, 'run', 'a6-two-layer-uniform', '--quick', '--seeds', '1', '--out', out]],
  ['the example script', (out: string) => [path.resolve('dist/examples/a6-two-layer-uniform.js'), '--quick', '--seeds', '1', '--out', out]],
])('a closed stdout pipe (%s … | head -1) drops the output; the run finishes, no stack trace, exit 0', async (name, argv) => {
  const out = path.join(tmp, `epipe-${name.replace(/ /g, '-')}`);
  const child = spawn(process.execPath, argv(out), { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  child.stdout!.once('data', () => child.stdout!.destroy()); // the reader goes away after the first line
  expect(await exited(child)).toBe(0);
  expect(err).not.toMatch(/EPIPE|at /);
  const runs = path.join(out, 'a6-two-layer-uniform', 'eta-sweep', 'runs');
  expect(fs.readdirSync(runs).every((d) => JSON.parse(fs.readFileSync(path.join(runs, d, 'status.json'), 'utf8')).state !== 'running')).toBe(true);
}, 120000);
