import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Probe } from '../probes/probe.js';
import { readRun, readSweep } from '../records/reader.js';
import type { ExampleSpec } from './example.js';
import { runExample, runSweep } from './run.js';
import type { SweepSpec } from '../sweep/sweep.js';
import type { EngineName } from '../engines/engine.js';
import { describeWebgpu } from '../testing/webgpu.js';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thermo-run-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A custom probe: per member, η times the step and the first bias (member-axis values). */
const probe: Probe = {
  name: 'eta-step',
  compute: (ctx) => ({ etaStep: ctx.configs.map((c) => c.eta * ctx.step), members: ctx.size }),
};

const spec: SweepSpec = {
  name: 'custom',
  title: 'custom probe through a sweep',
  axis: 'eta',
  quantities: ['activationRate'],
  base: { inputDim: 8, hidden: 6, probeSamples: 40, probeLogPoints: 0, probeLinearPoints: 4, steps: 80 },
  grid: { eta: [0.05, 0.1], seed: [0, 1, 2] },
};

async function expectProbesReachMembers(backend: string, engine: EngineName): Promise<void> {
  const outcomes = await runSweep(spec, path.join(tmp, `${backend}-${engine}`), { backend, extraProbes: [probe], engine });
  expect(outcomes.every((o) => o.engine === engine && o.ensemble === 6)).toBe(true);
  for (const o of outcomes) {
    const { records } = readRun(o.dir);
    expect(records.map((r) => r.etaStep)).toEqual([0, 20, 40, 60, 80].map((t) => o.config.eta * t));
    expect(records.every((r) => r.members === 6)).toBe(true);
  }
}

test.each(['wasm-fused', 'tfjs'] as const)('extraProbes reach every member of ensembles through runSweep (%s engine)', async (engine) => {
  await expectProbesReachMembers('wasm', engine);
});

await describeWebgpu('extraProbes on the WebGPU engines', () => {
  test.each(['webgpu-fused', 'webgpu-dense'] as const)('extraProbes reach every member of ensembles through runSweep (%s engine)', async (engine) => {
    await expectProbesReachMembers('webgpu', engine);
  }, 120000);
});

test('extraProbes reach every member through runExample (what thermo run calls)', async () => {
  const example: ExampleSpec = { name: 'ex', figure: 'test', description: 'test', defaultSeeds: 3, sweeps: () => [spec] };
  const r = await runExample(example, { out: tmp, backend: 'wasm', bootstrap: 10, extraProbes: [probe] });
  expect(r.pending).toEqual([]);
  const { runs } = readSweep(path.join(tmp, 'ex', 'custom'));
  expect(runs).toHaveLength(6);
  for (const run of runs) expect(run.records[run.records.length - 1].etaStep).toBeCloseTo(run.stored.config.eta * 80, 10);
});
