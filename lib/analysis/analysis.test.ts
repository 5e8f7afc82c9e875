import { Rng } from '../core/rng.js';
import type { RunData } from '../records/types.js';
import { collapseScore } from './collapse.js';
import { groupCurves, interpolate } from './curves.js';
import { fitExponent } from './fit.js';
import { timeFactor } from './rescale.js';
import { analyzeSweep } from './summary.js';

/** A fake run whose quantity decays as exp(−rate·t) plus seed noise. */
function fakeRun(eta: number, batchSize: number, seed: number, rate: number, steps: number, noise: number, diverged = false): RunData {
  const rng = new Rng(seed, `fake${eta}/${batchSize}`);
  const records = [];
  for (let i = 0; i <= 60; i++) {
    const t = Math.round((steps * i) / 60);
    records.push({ step: t, q: 0.3 + 0.2 * Math.exp(-rate * t) + noise * rng.normal(), norm_V: 1 + 1e-4 * t });
  }
  return {
    dir: `/runs/${eta}-${batchSize}-${seed}`,
    stored: { config: { eta, batchSize, seed }, provenance: { backend: { name: 'cpu' } } } as unknown as RunData['stored'],
    records,
    status: diverged ? { state: 'diverged', step: 10, reason: 'non-finite loss' } : { state: 'finished', step: steps },
    droppedTornLine: false,
  };
}

describe('time rescaling', () => {
  test('t·(η/η_ref)^α and t·(B_ref/B)^β', () => {
    expect(timeFactor('eta', 0.05, 0.1, 2)).toBeCloseTo(0.25);
    expect(timeFactor('eta', 0.05, 0.1, 1)).toBeCloseTo(0.5);
    expect(timeFactor('batchSize', 3, 1, 1)).toBeCloseTo(1 / 3);
  });
  test('interpolation is linear and clamped', () => {
    const c = { t: [0, 10, 20], y: [1, 3, 2] };
    expect(interpolate(c, 5)).toBe(2);
    expect(interpolate(c, 15)).toBe(2.5);
    expect(interpolate(c, 40)).toBe(2);
  });
});

describe('collapse score', () => {
  test('0 for identical curves, about 1 for unrelated ones', () => {
    const a = { t: [0, 1, 2, 3], y: [1, 2, 3, 4] };
    expect(collapseScore([a, { ...a }])).toBeCloseTo(0, 12);
    const b = { t: [0, 1, 2, 3], y: [4, 3, 2, 1] };
    expect(collapseScore([a, b])).toBeCloseTo(1, 1);
  });
  test('NaN when the values do not vary or there is one curve', () => {
    expect(collapseScore([{ t: [0, 1], y: [1, 1] }, { t: [0, 1], y: [1, 1] }])).toBeNaN();
    expect(collapseScore([{ t: [0, 1], y: [1, 2] }])).toBeNaN();
  });
});

describe('exponent fits recover known exponents from synthetic curves', () => {
  test.each([1, 2, 3])('η-sweep with rate ∝ η^%p', (alpha) => {
    const etas = [0.025, 0.05, 0.075, 0.1];
    const run = (eta: number, s: number) => fakeRun(eta, 1, s, 1e-3 * (eta / 0.1) ** alpha, Math.ceil(4000 * (0.1 / eta) ** alpha), 0.002);
    const runs = etas.flatMap((eta) => [0, 1, 2, 3].map((s) => run(eta, s)));
    const fit = fitExponent('eta', groupCurves(runs, 'eta', 'q'), { bootstrap: 50 })!;
    expect(Math.abs(fit.value - alpha)).toBeLessThan(0.06);
    expect(fit.ci[0]).toBeLessThanOrEqual(alpha + 0.06);
    expect(fit.ci[1]).toBeGreaterThanOrEqual(alpha - 0.06);
    expect(fit.ci[1] - fit.ci[0]).toBeLessThan(0.5);
  });

  test('batch sweep with rate ∝ 1/|B|', () => {
    const runs = [1, 2, 3].flatMap((B) => [0, 1, 2].map((s) => fakeRun(0.05, B, s, 1e-3 / B, 4000 * B, 0.002)));
    const fit = fitExponent('batchSize', groupCurves(runs, 'batchSize', 'q'), { bootstrap: 50 })!;
    expect(Math.abs(fit.value - 1)).toBeLessThan(0.06);
  });
});

describe('analyzeSweep', () => {
  const etas = [0.05, 0.1];
  const alpha2 = (eta: number, s: number) => fakeRun(eta, 1, s, 1e-3 * (eta / 0.1) ** 2, Math.ceil(4000 * (0.1 / eta) ** 2), 0.002);
  const runs = etas.flatMap((eta) => [0, 1, 2, 3].map((s) => alpha2(eta, s)));
  runs.push(fakeRun(0.2, 1, 0, 1, 100, 0, true));
  const spec = { name: 's', title: 'T', axis: 'eta' as const, quantities: ['q', 'norm_V'], base: {}, grid: {} };
  const a = analyzeSweep(spec, runs, { bootstrap: 50 });

  test('diverged runs are left out of fits and listed with their reason', () => {
    expect(a.summary.leftOut).toEqual([expect.objectContaining({ eta: 0.2, seed: 0, state: 'diverged', reason: 'non-finite loss' })]);
    expect(a.groups.q.map((g) => g.value)).toEqual([0.05, 0.1]);
  });

  test('summary holds alpha {value, ci} per probe and a verdict that says when data support the claim', () => {
    expect(a.summary.probes.q.alpha!.value).toBeCloseTo(2, 1);
    expect(a.summary.probes.q.beta).toBeNull();
    expect(a.summary.probes.q.direction).toBe('falls');
    expect(a.summary.probes.q.verdict).toMatch(/consistent with the predicted α = 2 and excludes α = 1/);
    expect(a.summary.probes.q.collapse['2']).toBeLessThan(a.summary.probes.q.collapse['1']);
  });

  test('a rising quantity is reported as rising, against the prediction', () => {
    expect(a.summary.probes.norm_V.direction).toBe('rises');
    expect(a.summary.probes.norm_V.verdict).toMatch(/norm_V RISES for every η \(the paper predicts a fall\)/);
  });
});

describe('degenerate sweeps', () => {
  const etas = [0.05, 0.1];
  const spec = { name: 's', title: 'T', axis: 'eta' as const, quantities: ['q'], base: {}, grid: {} };
  const alpha2 = (eta: number, s: number) => fakeRun(eta, 1, s, 1e-3 * (eta / 0.1) ** 2, Math.ceil(4000 * (0.1 / eta) ** 2), 0.002);
  const runs = etas.flatMap((eta) => [0, 1].map((s) => alpha2(eta, s)));
  const empty = { ...fakeRun(0.1, 1, 7, 1, 100, 0), records: [] };
  const running = { ...fakeRun(0.05, 1, 8, 1, 100, 0), status: { state: 'running' as const, step: 40 } };
  const a = analyzeSweep(spec, [...runs, empty, running], {
    bootstrap: 10,
    ignored: [
      { dir: '/runs/old-1', reason: 'another spec (steps differ)' },
      { dir: '/runs/old-2', reason: 'another spec (steps differ)' },
    ],
  });

  test('runs with empty records count as not finished and are listed', () => {
    expect(a.summary.runs).toEqual({ total: 6, finished: 4, unstable: 0, inRegime: 4 });
    expect(a.summary.leftOut).toEqual([
      expect.objectContaining({ seed: 7, state: 'no records', reason: 'no records' }),
      expect.objectContaining({ seed: 8, state: 'running', reason: 'did not finish' }),
    ]);
  });

  test('runs of another spec that the caller ignored are counted by reason', () => {
    expect(a.summary.ignored).toEqual([{ reason: 'another spec (steps differ)', count: 2, dirs: ['/runs/old-1', '/runs/old-2'], ofSpec: false }]);
  });

  test('without wall times the speed reads "speed not recorded" and nothing prints NaN', () => {
    const noTimes = runs.map((r) => ({ ...r, status: { state: 'finished' as const, step: r.status.step } }));
    const s = analyzeSweep(spec, noTimes, { bootstrap: 10 }).summary;
    expect(s.speed).toBe('speed not recorded');
    expect(JSON.stringify(s)).not.toMatch(/NaN/);
    expect(Object.values(s.probes).map((p) => p.verdict).join(' ')).not.toMatch(/NaN/);
  });
});
