import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runSweep } from '../run/run.js';
import type { SweepSpec } from '../sweep/sweep.js';
import { checkPage } from '../testing/browser.js';
import { buildPanels } from './html.js';
import { writeSweepReport } from './write.js';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thermo-report-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const base = { inputDim: 10, hidden: 10, probeSamples: 200, probeLogPoints: 20, probeLinearPoints: 20 };

test.each([
  ['eta', { eta: [0.05, 0.1], seed: [0, 1] }, 4 /* raw, ×η, ×η², score */],
  ['batchSize', { batchSize: [1, 2], seed: [0, 1] }, 3 /* raw, ×1/|B|, score */],
] as const)('the %s-sweep report opens offline in headless Chromium and every panel draws its traces', async (axis, grid, perQuantity) => {
  const spec: SweepSpec = {
    name: `${axis}-sweep`,
    title: `report test (${axis})`,
    axis,
    quantities: ['activationRate', 'norm_V'],
    base: { ...base, eta: 0.1 },
    grid: grid as unknown as SweepSpec['grid'],
    budget: { refSteps: 300, etaRef: 0.1, batchRef: 1 },
  };
  await runSweep(spec, tmp, { backend: 'cpu' });
  const { html, summary, analysis } = writeSweepReport(path.join(tmp, spec.name), { bootstrap: 20 });
  const panels = buildPanels(analysis);
  expect(panels).toHaveLength(2 * perQuantity);
  const json = JSON.parse(fs.readFileSync(summary, 'utf8'));
  const key = axis === 'eta' ? 'alpha' : 'beta';
  expect(json.probes.activationRate[key]).toEqual({ value: expect.any(Number), ci: [expect.any(Number), expect.any(Number)] });
  expect(json.probes.activationRate[key === 'alpha' ? 'beta' : 'alpha']).toBeNull();

  const page = await checkPage(html, panels.length);
  expect(page.errors).toEqual([]);
  expect(page.plotted).toBe(panels.length);
  for (const p of page.panels) {
    expect(p.traces).toBeGreaterThan(0);
    expect(p.drawn).toBe(p.traces);
  }
  expect(page.title).toBe(`report test (${axis})`);
});
