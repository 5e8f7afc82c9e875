import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../core/errors.js';
import { readSweepRuns } from '../records/reader.js';
import { runSweep } from './runner.js';
import { expandSweep, type SweepSpec } from './sweep.js';

const spec: SweepSpec = {
  name: 'tiny',
  title: 'tiny sweep',
  axis: 'eta',
  quantities: ['activationRate'],
  base: { inputDim: 4, hidden: 3, probeSamples: 20, probeLogPoints: 4, probeLinearPoints: 2, steps: 10 },
  grid: { eta: [0.05, 0.1], seed: [0, 1, 2], hidden: [3, 5] },
};

test('a grid expands into the Cartesian product of its fields', () => {
  const runs = expandSweep(spec);
  expect(runs).toHaveLength(12);
  expect(new Set(runs.map((r) => `${r.eta}/${r.seed}/${r.hidden}`)).size).toBe(12);
  expect(runs.every((r) => r.inputDim === 4 && r.steps === 10)).toBe(true);
});

test('a step budget gives each η (η_ref/η)² and each |B| |B|/B_ref times the reference steps', () => {
  const runs = expandSweep({ ...spec, grid: { eta: [0.025, 0.05, 0.1], batchSize: [1, 3] }, budget: { refSteps: 100, etaRef: 0.1, batchRef: 1 } });
  const steps = Object.fromEntries(runs.map((r) => [`${r.eta}/${r.batchSize}`, r.steps]));
  expect(steps).toEqual({ '0.025/1': 1600, '0.025/3': 4800, '0.05/1': 400, '0.05/3': 1200, '0.1/1': 100, '0.1/3': 300 });
});

test.each([
  [{ grid: { learningRate: [0.1] } }, /sweep\.grid\.learningRate: got \[0\.1\]; allowed: no such option/],
  [{ grid: { eta: [0.1, 0] } }, /sweep\.grid\.eta\[1\]: got 0; allowed: a finite number > 0/],
  [{ grid: { batchSize: [0] } }, /sweep\.grid\.batchSize\[0\]: got 0/],
  [{ axis: 'width' }, /sweep\.axis: got 'width'; allowed: one of 'eta', 'batchSize'/],
  [{ name: '../escape' }, /sweep\.name: got '\.\.\/escape'/],
  [{ extra: 1 }, /sweep\.extra: got 1; allowed: no such option/],
  [{ base: { model: 'mlp' } }, /sweep\.base\.model: got 'mlp'/],
])('bad sweep %# is a ConfigError', (patch, message) => {
  expect(() => expandSweep({ ...spec, ...patch } as SweepSpec)).toThrow(ConfigError);
  expect(() => expandSweep({ ...spec, ...patch } as SweepSpec)).toThrow(message);
});

test("a sweep's runs are written and read back together, each with its backend recorded", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thermo-sweep-'));
  const outcomes = await runSweep({ ...spec, grid: { eta: [0.05, 0.1], seed: [0, 1] } }, tmp, 'cpu');
  expect(outcomes.map((o) => o.status.state)).toEqual(['finished', 'finished', 'finished', 'finished']);
  const runs = readSweepRuns(path.join(tmp, 'tiny'));
  expect(runs).toHaveLength(4);
  expect(runs.every((r) => r.stored.config.backend === 'cpu' && r.stored.backend.name === 'cpu')).toBe(true);
  fs.rmSync(tmp, { recursive: true, force: true });
});
