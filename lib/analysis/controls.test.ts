import { Rng } from '../core/rng.js';
import type { RunRecord } from '../records/types.js';
import { analyzeControls, type ControlRun, type Dynamics } from './controls.js';
import { changeOver } from './drift.js';
import { fitPowerLaw } from './powerLaw.js';

const T = 1000;
const SEEDS = [0, 1, 2, 3, 4, 5];

/**
 * Control runs of q: a seed-specific start shared by the three dynamics, a first-order drift −η·t/10⁴ they
 * share, and a noise-induced drift −k·η^a/|B|^c·t for SGD (isotropic noise: `share` of it), with seed noise.
 */
function controls(opts: { a?: number; c?: number; k?: number; share?: number; noise?: number } = {}): ControlRun[] {
  const { a = 2, c = 1, k = 3e-3, share = 0.1, noise = 0.0005 } = opts;
  const cells = [...[0.025, 0.05, 0.075, 0.1].map((eta) => [eta, 1]), [0.1, 2], [0.1, 4]];
  const runs: ControlRun[] = [];
  const run = (eta: number, B: number, seed: number, dynamics: Dynamics, scale: number): ControlRun => {
    const start = 0.5 + 0.01 * new Rng(seed, 'init').normal();
    const rng = new Rng(seed, `${dynamics}/${eta}/${B}`);
    const wiggle = 1 + 0.1 * rng.normal();
    const records: RunRecord[] = [];
    for (let t = 0; t <= T; t += 50) {
      const drift = (-eta * t) / 1e4 - scale * wiggle * ((k * eta ** a) / B ** c) * t;
      records.push({ step: t, q: start + drift + (t ? noise * rng.normal() : 0), trainLoss: Math.log(2), probeLoss: Math.log(2) });
    }
    const noiseBatchSize = dynamics === 'gd-noise' ? B : undefined;
    return { eta, batchSize: dynamics === 'gd' ? 500 : B, seed, dynamics, records, noiseBatchSize };
  };
  for (const seed of SEEDS) {
    for (const eta of [0.025, 0.05, 0.075, 0.1]) runs.push(run(eta, 1, seed, 'gd', 0));
    for (const [eta, B] of cells) runs.push(run(eta, B, seed, 'sgd', 1), run(eta, B, seed, 'gd-noise', share));
  }
  return runs;
}

describe('noise-induced drift', () => {
  const a = analyzeControls(controls(), { quantities: ['q'], resamples: 300 });
  const q = a.quantities.q;

  test('cells pair SGD, GD and GD + noise by η and seed; T defaults to the last common step', () => {
    expect(a.steps).toBe(T);
    expect(q.cells.map((c) => [c.eta, c.batchSize, c.seeds.length])).toEqual([
      [0.025, 1, 6],
      [0.05, 1, 6],
      [0.075, 1, 6],
      [0.1, 1, 6],
      [0.1, 2, 6],
      [0.1, 4, 6],
    ]);
    const head = q.cells[3];
    expect(head.noiseInduced.mean).toBeCloseTo(-3e-3 * 0.01 * T, 2);
    expect(head.gd.mean).toBeCloseTo((-0.1 * T) / 1e4, 2);
    expect(head.isotropicShare!.mean).toBeGreaterThan(0.02);
    expect(head.isotropicShare!.mean).toBeLessThan(0.2);
  });

  test('drift ∝ η² and ∝ 1/|B| are recovered with intervals, and the verdict says so in numbers', () => {
    expect(q.etaFit!.values).toEqual([0.025, 0.05, 0.075, 0.1]);
    expect(q.etaFit!.at).toBe(1);
    expect(q.etaFit!.exponent!).toBeCloseTo(2, 0);
    expect(q.etaFit!.claim).toBe('consistent');
    expect(q.batchFit!.values).toEqual([1, 2, 4]);
    expect(q.batchFit!.at).toBe(0.1);
    expect(q.batchFit!.exponent!).toBeCloseTo(1, 0);
    expect(q.batchFit!.claim).toBe('consistent');
    expect(q.noiseInduced).toBe('yes');
    expect(q.verdict).toMatch(/^q, change over the first 1000 steps at η = 0\.1, \|B\| = 1 \(6 seeds\): SGD -0\.0\d+ \[/);
    expect(q.verdict).toMatch(/excludes 0 in 6 of 6 \(η, \|B\|\) cells: the drift is noise-induced\./);
    expect(q.verdict).toMatch(/GD \+ isotropic noise − GD: .*% \[.*\] of SGD's noise-induced drift\./);
    expect(q.verdict).toMatch(/a = [12]\.\d\d \[.*\] \(predicted 2: the interval holds it and excludes a = 1\)/);
    expect(q.verdict).toMatch(/The drift follows η²\/\|B\|\./);
    expect(q.verdict).not.toMatch(/NaN/);
  });

  test('a drift ∝ η reads as not following η²', () => {
    const r = analyzeControls(controls({ a: 1, k: 3e-4 }), { quantities: ['q'], resamples: 300 }).quantities.q;
    expect(r.etaFit!.exponent!).toBeCloseTo(1, 0);
    expect(r.etaFit!.claim).toBe('not-supported');
    expect(r.verdict).toMatch(/The drift does NOT follow η²\/\|B\|\./);
  });

  test('without a noise-induced drift nothing is resolved and no power law is fitted', () => {
    const r = analyzeControls(controls({ k: 0 }), { quantities: ['q'], resamples: 300 }).quantities.q;
    expect(r.noiseInduced).not.toBe('yes');
    expect(r.verdict).not.toMatch(/follows η²\/\|B\|\./);
  });
});

test('T defaults to the last common record before the first run leaves the regime; the exponents are also given against T', () => {
  // GD at the largest η fits its labels from step 400 on: its running loss falls below ln2/2
  const runs = controls().map((r) =>
    r.dynamics === 'gd' && r.eta === 0.1
      ? { ...r, records: r.records.map((x) => ({ ...x, ...(x.step > 0 ? { trainLoss: x.step >= 400 ? 0.2 : Math.log(2) } : {}) })) }
      : r,
  );
  const a = analyzeControls(runs, { quantities: ['q'], resamples: 200, regime: { fitFactor: 2 } });
  expect(a.steps).toBe(400); // the first exit is at 450 (the window of 100 steps covers 400..450 at 0.2): the last record before it
  expect(a.window).toMatch(/^T = 400 steps: the last common record before the first run leaves the small-η regime \(gd η = 0\.1, seed \d at step 450: running training loss .* the training labels are being fitted\)$/);
  expect(a.exits).toEqual([]);
  expect(a.scan.map((p) => p.steps)).toEqual([50, 100, 200, 300, 400, 450, 650, 1000]);
  expect(a.scan.map((p) => p.inRegime)).toEqual([true, true, true, true, true, false, false, false]);
  expect(a.scan[4].quantities.q.a!.exponent).toBeCloseTo(2, 0);
  expect(a.scan[4].quantities.q.c!.exponent).toBeCloseTo(1, 0);
  // without the fitted-labels exit nothing leaves: T is the last common step
  expect(analyzeControls(runs, { quantities: ['q'], resamples: 50 }).steps).toBe(T);
});

test('few seeds are called out in the verdict', () => {
  const two = controls().filter((r) => r.seed < 2);
  expect(analyzeControls(two, { quantities: ['q'], resamples: 50 }).quantities.q.verdict).toContain('Only 2 seed(s) in some cells: the intervals understate the uncertainty.');
});

test('changeOver reads y(T) − y(0) and refuses to extrapolate', () => {
  const rs = [{ step: 0, q: 1 }, { step: 10, q: 2 }, { step: 20, q: 4 }];
  expect(changeOver(rs, 'q', 15)).toBeCloseTo(2);
  expect(changeOver(rs, 'q', 30)).toBeNaN();
  expect(changeOver(rs, 'missing', 10)).toBeNaN();
});

test('power-law fit: exact data give the exponent; means of mixed sign give no fit', () => {
  const pts = [1, 2, 4, 8].map((x) => ({ x, values: [3 * x ** 1.5, 3 * x ** 1.5] }));
  const f = fitPowerLaw(pts, { resamples: 50 })!;
  expect(f.exponent).toBeCloseTo(1.5, 10);
  expect(f.prefactor).toBeCloseTo(3, 10);
  expect(f.ci).toEqual([expect.closeTo(1.5, 10), expect.closeTo(1.5, 10)]);
  expect(fitPowerLaw([{ x: 1, values: [1] }, { x: 2, values: [-1] }])).toBeNull();
});

test('an explicit T or scan step past the runs\' common records, or a bad resample count, is a ConfigError naming it', () => {
  const runs = controls();
  expect(() => analyzeControls(runs, { quantities: ['q'], resamples: 50, steps: 10_000 })).toThrow(/options\.steps: got 10000; allowed: an integer >= 1 <= 1000/);
  expect(() => analyzeControls(runs, { quantities: ['q'], resamples: 50, scanSteps: [100, 0] })).toThrow(/options\.scanSteps\[1\]: got 0/);
  expect(() => analyzeControls(runs, { quantities: ['q'], resamples: 2 })).toThrow(/options\.resamples: got 2/);
  expect(analyzeControls(runs, { quantities: ['q'], resamples: 50, steps: 1000 }).steps).toBe(1000);
});
