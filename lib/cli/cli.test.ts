import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { jest } from '@jest/globals';
import { main } from './main.js';
import { runExample } from '../run/run.js';
import { fig2TwoLayer } from '../../examples/fig2-two-layer.js';

let tmp: string;
let errSpy: jest.SpiedFunction<typeof console.error>;
let logSpy: jest.SpiedFunction<typeof console.log>;
let outSpy: jest.SpiedFunction<typeof process.stdout.write>;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thermo-cli-'));
});
beforeEach(() => {
  errSpy = jest.spyOn(console, 'error').mockImplementation(() => {});
  logSpy = jest.spyOn(console, 'log').mockImplementation(() => {});
  outSpy = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => jest.restoreAllMocks());
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const printed = (spy: jest.SpiedFunction<(...a: never[]) => unknown>) => spy.mock.calls.map((c) => c.join(' ')).join('\n');

test('--help lists the examples', async () => {
  expect(await main(['node', 'thermo', '--help'])).toBe(0);
  const text = printed(outSpy as never);
  for (const name of ['fig2-two-layer', 'a6-two-layer-gaussian', 'a6-two-layer-uniform']) expect(text).toContain(name);
});

test('an unknown example exits 2 with one line naming it and the allowed names, no stack trace', async () => {
  expect(await main(['node', 'thermo', 'run', 'fig9-resnet', '--out', tmp])).toBe(2);
  const text = printed(errSpy as never);
  expect(text).toBe(
    "error: ConfigError: example: got 'fig9-resnet'; allowed: one of 'fig2-two-layer', 'fig2-fc6', 'fig2-cnn6-fmnist', 'a6-two-layer-gaussian', 'a6-two-layer-uniform', 'a6-cifar10', 'init-study', 'controls-two-layer'",
  );
});

test('an unknown backend and a bad --seeds exit 2; --verbose adds the stack', async () => {
  expect(await main(['node', 'thermo', 'run', 'fig2-two-layer', '--backend', 'tpu', '--out', tmp])).toBe(2);
  expect(printed(errSpy as never)).toMatch(/^error: ConfigError: backend: got 'tpu'; allowed: one of 'cpu', 'wasm', 'tensorflow', 'cuda', 'webgpu', 'auto'$/);
  errSpy.mockClear();
  expect(await main(['node', 'thermo', 'run', 'fig2-two-layer', '--seeds', '0', '--verbose', '--out', tmp])).toBe(2);
  expect(printed(errSpy as never)).toMatch(/--seeds: got '0'; allowed: an integer >= 1 and <= 10000\n.*at /s);
});

test('an unknown option exits 2', async () => {
  expect(await main(['node', 'thermo', 'run', 'fig2-two-layer', '--fast'])).toBe(2);
});

test('report on a directory without sweeps exits 2', async () => {
  expect(await main(['node', 'thermo', 'report', path.join(tmp, 'none')])).toBe(2);
  expect(printed(errSpy as never)).toMatch(/dir: got '.*none'; allowed: a sweep directory/);
});

test('runExample rejects unknown option keys', async () => {
  await expect(runExample(fig2TwoLayer, { quick: true, fast: true } as never)).rejects.toThrow(/options\.fast: got true; allowed: no such option/);
});

test('the main job runs end to end (--quick): records, report and summary; report and csv rebuild from records', async () => {
  const out = path.join(tmp, 'results');
  expect(await main(['node', 'thermo', 'run', 'fig2-two-layer', '--quick', '--out', out, '--bootstrap', '20'])).toBe(0);
  const sweep = path.join(out, 'fig2-two-layer', 'eta-sweep');
  const runs = fs.readdirSync(path.join(sweep, 'runs'));
  expect(runs).toHaveLength(8); // 4 η × 2 seeds
  for (const r of runs) {
    for (const f of ['config.json', 'records.jsonl', 'status.json']) expect(fs.existsSync(path.join(sweep, 'runs', r, f))).toBe(true);
  }
  const summary = JSON.parse(fs.readFileSync(path.join(sweep, 'summary.json'), 'utf8'));
  expect(summary.probes.activationRate.alpha.ci).toHaveLength(2);
  expect(summary.runs).toMatchObject({ total: 8, finished: 8 });
  expect(fs.statSync(path.join(sweep, 'report.html')).size).toBeGreaterThan(1e6);
  expect(printed(logSpy as never)).toMatch(/α = [0-9.]+ \[/);

  // running again skips every finished run
  logSpy.mockClear();
  expect(await main(['node', 'thermo', 'run', 'fig2-two-layer', '--quick', '--out', out, '--bootstrap', '20'])).toBe(0);
  expect((printed(logSpy as never).match(/skipped/g) ?? []).length).toBe(8);

  fs.rmSync(path.join(sweep, 'report.html'));
  expect(await main(['node', 'thermo', 'report', path.join(out, 'fig2-two-layer'), '--bootstrap', '20'])).toBe(0);
  expect(fs.existsSync(path.join(sweep, 'report.html'))).toBe(true);
  expect(await main(['node', 'thermo', 'csv', sweep])).toBe(0);
  const csv = fs.readFileSync(path.join(sweep, 'runs', runs[0], 'records.csv'), 'utf8');
  expect(csv.split('\n')[0]).toMatch(/^step,activationRate,activationRateExact,norm_W,norm_b,norm_V,sum_b,probeLoss,probeSqErr/);
  expect(printed(logSpy as never)).not.toMatch(/ensemble/); // second run: everything skipped
});

test('thermo report finds sweeps at any depth; thermo sweep takes --no-ensemble, --budget-scale and --data-dir', async () => {
  const spec = path.join(tmp, 'deep.json');
  fs.writeFileSync(spec, JSON.stringify({ name: 'deep', title: 'deep', axis: 'eta', quantities: ['activationRate'], base: { inputDim: 5, hidden: 4, steps: 40, probeSamples: 30, probeLogPoints: 4, probeLinearPoints: 2 }, grid: { eta: [0.05, 0.1], seed: [0, 1] } }));
  const out = path.join(tmp, 'a', 'b', 'c');
  const data = path.join(tmp, 'unused-data');
  fs.mkdirSync(data, { recursive: true });
  expect(await main(['node', 'thermo', 'sweep', spec, '--out', out, '--bootstrap', '10', '--no-ensemble', '--budget-scale', '0.5', '--data-dir', data])).toBe(0);
  const sweep = path.join(out, 'sweeps', 'deep');
  const summary = JSON.parse(fs.readFileSync(path.join(sweep, 'summary.json'), 'utf8'));
  expect(summary.probes.activationRate.change.map((c: { steps: number }) => c.steps)).toEqual([20, 20]); // 40 × 0.5
  const runs = fs.readdirSync(path.join(sweep, 'runs')).map((r) => JSON.parse(fs.readFileSync(path.join(sweep, 'runs', r, 'config.json'), 'utf8')));
  expect(runs.every((r) => r.config.dataDir === data)).toBe(true);
  fs.rmSync(path.join(sweep, 'report.html'));
  expect(await main(['node', 'thermo', 'report', path.join(tmp, 'a'), '--bootstrap', '10'])).toBe(0); // three levels up
  expect(fs.existsSync(path.join(sweep, 'report.html'))).toBe(true);
});
