import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { jest } from '@jest/globals';
import { a6TwoLayerUniform } from '../../examples/a6-two-layer-uniform.js';
import { parseShard } from './runExample.js';
import { runExample } from '../run/run.js';
import { main } from './main.js';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thermo-shard-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeEach(() => {
  jest.spyOn(console, 'log').mockImplementation(() => {});
  jest.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(() => jest.restoreAllMocks());

const runsOf = (dir: string) =>
  ['eta-sweep', 'batch-sweep'].flatMap((s) => {
    const d = path.join(dir, s, 'runs');
    return fs.existsSync(d) ? fs.readdirSync(d).map((r) => `${s}/${r}`) : [];
  });

test('--shard i/n runs disjoint deterministic subsets; reports appear once every shard has finished and read all shards', async () => {
  const opts = { quick: true, seeds: 2, out: tmp, bootstrap: 10 } as const;
  const first = await runExample(a6TwoLayerUniform, { ...opts, shard: { index: 0, count: 2 } });
  const dir = path.join(tmp, 'a6-two-layer-uniform');
  const after0 = runsOf(dir);
  expect(first.sweeps).toEqual([]);
  expect(first.pending.map((p) => [path.basename(p.dir), p.complete, p.total])).toEqual([
    ['eta-sweep', 4, 8],
    ['batch-sweep', 3, 6],
  ]);
  const second = await runExample(a6TwoLayerUniform, { ...opts, shard: { index: 1, count: 2 } });
  const after1 = runsOf(dir);
  expect(after1).toHaveLength(14);
  expect(after0.every((r) => after1.includes(r))).toBe(true);
  expect(second.pending).toEqual([]);
  expect(second.sweeps.map((s) => s.summary.runs)).toMatchObject([
    { total: 8, finished: 8 },
    { total: 6, finished: 6 },
  ]);
  // running a shard again does nothing new
  const again = await runExample(a6TwoLayerUniform, { ...opts, shard: { index: 0, count: 2 } });
  expect(runsOf(dir)).toEqual(after1);
  expect(again.sweeps).toHaveLength(2);
});

test('--budget-scale multiplies every run\'s step budget; a bad value is a usage error', async () => {
  const { fig2TwoLayer } = await import('../../examples/fig2-two-layer.js');
  const r = await runExample(fig2TwoLayer, { quick: true, seeds: 1, out: path.join(tmp, 'scaled'), bootstrap: 10, budgetScale: 0.25 });
  const steps = r.sweeps[0].summary.probes.activationRate.change.map((c) => c.steps);
  expect(steps).toEqual([1600, 400, 178, 100]); // quick budget 400 at η = 0.1, scaled by 1/4
  expect(await main(['node', 'thermo', 'run', 'fig2-two-layer', '--budget-scale', '0', '--out', tmp])).toBe(2);
});

test.each(['2/2', '1', 'a/b', '-1/2', '0/0'])('a bad --shard %p is a usage error', (text) => {
  expect(() => parseShard(text)).toThrow(/--shard: got .*; allowed: 'i\/n' with 0 <= i < n/);
});

test('thermo sweep runs a JSON sweep; malformed JSON and bad fields are usage errors naming the file', async () => {
  const good = path.join(tmp, 'good.json');
  fs.writeFileSync(
    good,
    JSON.stringify({
      name: 'json-sweep',
      title: 'a sweep from JSON',
      axis: 'eta',
      quantities: ['activationRate'],
      base: { inputDim: 5, hidden: 5, steps: 100, probeSamples: 50, probeLogPoints: 5, probeLinearPoints: 5 },
      grid: { eta: [0.05, 0.1], seed: [0, 1] },
    }),
  );
  expect(await main(['node', 'thermo', 'sweep', good, '--out', tmp, '--bootstrap', '10'])).toBe(0);
  expect(fs.existsSync(path.join(tmp, 'sweeps', 'json-sweep', 'summary.json'))).toBe(true);

  const bad = path.join(tmp, 'bad.json');
  fs.writeFileSync(bad, '{"name": "x", ');
  const err = jest.spyOn(console, 'error').mockImplementation(() => {});
  expect(await main(['node', 'thermo', 'sweep', bad, '--out', tmp])).toBe(2);
  expect(err.mock.calls[0][0]).toMatch(/^error: ConfigError: .*bad\.json: got '\{"name": "x", '; allowed: valid JSON/);
  fs.writeFileSync(bad, JSON.stringify({ name: 'x', title: 't', axis: 'eta', quantities: ['q'], base: { eta: -1 }, grid: {} }));
  expect(await main(['node', 'thermo', 'sweep', bad, '--out', tmp])).toBe(2);
  expect(err.mock.calls[1][0]).toMatch(/bad\.json\.base\.eta: got -1; allowed: a finite number > 0/);
  expect(await main(['node', 'thermo', 'sweep', path.join(tmp, 'missing.json')])).toBe(2);
  expect(err.mock.calls[2][0]).toMatch(/spec\.json: got '.*missing\.json'; allowed: a readable JSON file \(ENOENT\)/);
});
