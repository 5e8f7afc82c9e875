import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../core/errors.js';
import { readSweepRuns } from '../records/reader.js';
import { useBackend } from '../backend/backends.js';
import { runDir } from '../records/runDir.js';
import { runConfig } from './runner.js';
import { SWEEP_LIMITS, checkAnalyzable, expandSweep, writeSweepSpec, type SweepSpec } from './sweep.js';

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
  const budget = { refSteps: 100, etaRef: 0.1, batchRef: 1 };
  const runs = expandSweep({ ...spec, grid: { eta: [0.025, 0.05, 0.1], batchSize: [1, 3] }, budget });
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
  [{ title: undefined }, /sweep\.title: got undefined; allowed: a non-empty string of at most 500 characters/],
  [{ title: 42 }, /sweep\.title: got 42; allowed: a non-empty string/],
  [{ title: '  ' }, /sweep\.title: got '  '; allowed: a non-empty string/],
  [{ title: 't'.repeat(501) }, /sweep\.title: got 't{20}\.\.\. \(501 characters\)'; allowed: a non-empty string of at most 500/],
  [{ name: 'n'.repeat(300) }, /sweep\.name: got 'n{20}\.\.\. \(300 characters\)'; allowed: a name of .* \(at most 100 characters\)/],
  [{ grid: { eta: [0.05, 0.1, 0.05] } }, /sweep\.grid\.eta: got \[0\.05,0\.1,0\.05\]; allowed: distinct values \(repeated: 0\.05\)/],
  [{ grid: { eta: [0.05], seed: [0, -0] } }, /sweep\.grid\.seed: got \[0,0\]; allowed: distinct values \(repeated: 0\)/],
  [{ grid: { probes: [['loss'], ['loss']] } }, /sweep\.grid\.probes: got \[\["loss"\],\["loss"\]\]; allowed: distinct values \(repeated/],
  [{ quantities: ['norm_V', 'norm_V'] }, /sweep\.quantities: got \["norm_V","norm_V"\]; allowed: distinct values/],
  [{ judged: ['norm_V'] }, /sweep\.judged\[0\]: got 'norm_V'; allowed: one of the sweep's quantities \(activationRate\)/],
  [{ judged: 'activationRate' }, /sweep\.judged: got 'activationRate'; allowed: an array \(possibly empty\) of the sweep's quantities/],
  [{ grid: { seed: Array.from({ length: 10_001 }, (_, i) => i) } }, /sweep\.grid\.seed: got '10001 values'; allowed: at most 10000 values/],
  [{ grid: { seed: Array.from({ length: 1000 }, (_, i) => i), hidden: Array.from({ length: 101 }, (_, i) => i + 1) } },
    /sweep\.grid: got '101000 runs \(seed 1000 × hidden 101\)'; allowed: at most 100000 runs/],
  [{ grid: { dataDir: ['a', 'b'] } }, /sweep\.grid: got \{"dataDir":"b"\}; allowed: runs that differ; it gives the same run as \{"dataD/],
  [
    { grid: { eta: [0.1], steps: [10, 20] }, budget: { refSteps: 5, etaRef: 0.1, batchRef: 1 } },
    /sweep\.grid: got \{"eta":0\.1,"steps":20\}; allowed: runs that differ/,
  ],
  [{ regime: { learnDrop: 1.5 } }, /sweep\.regime\.learnDrop: got 1\.5; allowed: a fraction in \(0, 1\), or 0 or null for off/],
  [{ regime: { fitFactor: 1 } }, /sweep\.regime\.fitFactor: got 1; allowed: a number > 1, or null \(or Infinity\) for off/],
  [{ regime: { lossWindow: 0 } }, /sweep\.regime\.lossWindow: got 0; allowed: an integer >= 1/],
  [{ regime: { learnDrp: 0.01 } }, /sweep\.regime\.learnDrp: got 0\.01; allowed: no such option; known options: lossFactor, lossWindow, fitFactor, learnDrop/],
  [{ regime: { normFields: ['norm_V', 3] } }, /sweep\.regime\.normFields\[1\]: got 3; allowed: a record field name/],
])('bad sweep %# is a ConfigError', (patch, message) => {
  expect(() => expandSweep({ ...spec, ...patch } as SweepSpec)).toThrow(ConfigError);
  expect(() => expandSweep({ ...spec, ...patch } as SweepSpec)).toThrow(message);
});

test("a sweep's runs are written and read back together, each with its backend recorded", async () => {
  await useBackend('cpu');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thermo-sweep-'));
  const small = { ...spec, grid: { eta: [0.05, 0.1], seed: [0, 1] } };
  const sweepDir = path.join(tmp, 'tiny');
  writeSweepSpec(sweepDir, small);
  const outcomes = [];
  for (const cfg of expandSweep(small)) outcomes.push(await runConfig(cfg, runDir(sweepDir, cfg)));
  expect(outcomes.map((o) => o.status.state)).toEqual(['finished', 'finished', 'finished', 'finished']);
  const runs = readSweepRuns(sweepDir);
  expect(runs).toHaveLength(4);
  expect(runs.every((r) => r.stored.provenance.backend.name === 'cpu' && !r.finishedWithoutRecords)).toBe(true);
  fs.rmSync(tmp, { recursive: true, force: true });
});

test("analyzable: every quantity is written by every run's probes; a learning exit needs the loss probe unless it is off", () => {
  const one = { ...spec, grid: { eta: [0.05, 0.1] } };
  expect(() => checkAnalyzable(one, false)).not.toThrow();
  expect(() => checkAnalyzable({ ...one, quantities: ['activationRate', 'trainLoss'] }, false)).not.toThrow();
  const noRate = { ...one, base: { ...one.base, probes: ['loss' as const] } };
  expect(() => checkAnalyzable(noRate, false)).toThrow(/sweep\.quantities\[0\]: got 'activationRate'; allowed: a field this sweep's probes write: add 'activation-rate' to its probes \(they are 'loss'\)/);
  expect(() => checkAnalyzable(noRate, true)).not.toThrow(); // custom probes may write it
  const noLoss = { ...one, base: { ...one.base, probes: ['activation-rate' as const] } };
  expect(() => checkAnalyzable({ ...noLoss, regime: { learnDrop: 0.01 } }, false)).toThrow(/regime\.learnDrop: got 0\.01/);
  for (const off of [0, null]) expect(() => checkAnalyzable({ ...noLoss, regime: { learnDrop: off } }, false)).not.toThrow();
});

test('the limits are what the messages say', () => {
  expect(SWEEP_LIMITS).toEqual(expect.objectContaining({ name: 100, title: 500, values: 10_000, runs: 100_000 }));
});

test('grid.backend is refused: the backend is not a run config field (it is provenance)', () => {
  const withBackend = { ...spec, grid: { backend: ['cpu'] } } as unknown as SweepSpec;
  expect(() => expandSweep(withBackend)).toThrow(ConfigError);
  expect(() => expandSweep(withBackend)).toThrow(/sweep\.grid\.backend: got \["cpu"\]; allowed: no such option/);
});

test.each([
  ['no title', { title: undefined }],
  ['repeated η', { grid: { eta: [0.05, 0.05] } }],
  ['a 300-character name', { name: 'x'.repeat(300) }],
])('a sweep with %s is refused before anything is trained or written', async (_name, patch) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thermo-sweep-bad-'));
  try {
    expect(() => expandSweep({ ...spec, ...patch } as SweepSpec)).toThrow(ConfigError);
    expect(() => writeSweepSpec(path.join(tmp, 'w'), { ...spec, ...patch } as SweepSpec)).toThrow(ConfigError);
    expect(fs.readdirSync(tmp)).toEqual([]);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
