import type { SweepSpec } from '../sweep/sweep.js';
import { analyzeSweep } from './summary.js';
import { syntheticEtaSweep } from './synthetic.js';

const ETAS = [0.025, 0.05, 0.075, 0.1];
const spec: SweepSpec = { name: 's', title: 'T', axis: 'eta', quantities: ['q', 'norm_V'], base: {}, grid: {} };
const sweep = syntheticEtaSweep;

describe('headline fit in the small-η regime', () => {
  const runs = sweep({ exitAt: 700 });
  const a = analyzeSweep(spec, runs, { bootstrap: 30 });
  const s = a.summary;

  test('runs at η = 0.1 are marked unstable with their exit step and reason; records are kept', () => {
    expect(s.unstable.map((u) => [u.eta, u.seed])).toEqual([0, 1, 2, 3].map((seed) => [0.1, seed]));
    for (const u of s.unstable) {
      expect(u.step).toBeGreaterThan(700 + 50 * u.seed);
      expect(u.step).toBeLessThan(700 + 50 * u.seed + 200);
      expect(u.lastStep).toBe(2000);
      expect(u.reason).toMatch(/running training loss .* > 2× initial 0\.693/);
      // the run's own change over its in-regime span, for each quantity
      const run = runs.find((r) => r.dir === u.dir)!;
      const before = run.records.filter((r) => r.step < u.step);
      expect(u.changes.q).toEqual({ from: run.records[0].q, to: before.at(-1)!.q, toStep: before.at(-1)!.step });
    }
    expect(s.runs).toEqual({ total: 16, finished: 16, unstable: 4, inRegime: 12 });
    expect(s.leftOut).toEqual([]);
    expect(s.regime.byValue.at(-1)).toEqual({ value: 0.1, runs: 4, exited: 4, firstExit: s.unstable[0].step });
  });

  test('the common window T* ends at the last in-regime record of the earliest exit, in t·η²', () => {
    const first = runs.find((r) => r.stored.config.eta === 0.1 && r.stored.config.seed === 0)!;
    const lastIn = first.records.filter((r) => r.step < s.unstable[0].step).at(-1)!.step;
    expect(s.regime.mode).toBe('truncate');
    expect(s.regime.window.T).toBeCloseTo(lastIn * 0.01, 9);
    expect(s.regime.window.units).toBe('t·η²');
    expect(s.regime.window.tooShort).toBe(false);
    expect(s.regime.window.points).toBeGreaterThanOrEqual(10);
    expect(s.regime.headline).toBe('inRegime');
    const reason = /4 run\(s\) leave the small-η regime \(η = 0\.1: 4 of 4, first at step \d+\): the headline fit uses each run up to/;
    expect(s.regime.headlineReason).toMatch(reason);
  });

  test('the in-regime fit reads consistent with α = 2; the all-runs fit is kept beside it', () => {
    const q = s.probes.q;
    expect(q.headline).toBe('inRegime');
    expect(q.fits.inRegime!.exponent!.value).toBeCloseTo(2, 1);
    expect(q.claim).toBe('consistent');
    expect(q.alpha).toEqual(q.fits.inRegime!.exponent);
    const head = /^In regime \(each run up to its exit, T\* = .* t·η²\): q falls for every η .* consistent with the predicted α = 2/u;
    expect(q.verdict).toMatch(head);
    expect(q.verdict).toMatch(/All runs, full length: α = \d\.\d\d \[\d\.\d\d, \d\.\d\d\] \(/);
    expect(q.fits.all.claim).not.toBe('consistent');
    expect(q.fits.all.exponent!.value).toBeLessThan(1.9);
  });

  test('leave-one-out stays available for both fits', () => {
    for (const f of [s.probes.q.fits.all, s.probes.q.fits.inRegime!]) expect(f.leaveOneOut.map((l) => l.without)).toEqual(ETAS);
    expect(s.probes.q.leaveOneOut).toBe(s.probes.q.fits.inRegime!.leaveOneOut);
    expect(s.probes.q.verdict).toMatch(/Leaving one value out: without η = 0\.025, α = /);
  });

  test('summary.json has no NaN, Infinity or undefined where a number or null belongs', () => {
    const json = JSON.stringify(s);
    expect(json).not.toMatch(/NaN|Infinity/);
    const back = JSON.parse(json);
    expect(back.regime.options).toEqual({ lossFactor: 2, lossWindow: 100, fitFactor: null, learnDrop: null, normFactor: null, normFields: ['norm_V'] });
    expect(back.probes.q.fits.inRegime.collapse.fitted).toEqual(expect.any(Number));
  });
});

test('one unstable seed truncates its η only up to its own exit; the fit stays consistent', () => {
  const s = analyzeSweep({ ...spec, quantities: ['q'] }, sweep({ exitAt: 900, unstableSeeds: [2] }), { bootstrap: 30 }).summary;
  expect(s.unstable.map((u) => u.seed)).toEqual([2]);
  expect(s.regime.window.byValue.at(-1)!.end).toBeLessThan(1000 + 200);
  expect(s.probes.q.claim).toBe('consistent');
});

test('a window too short to fit falls back to leaving the unstable runs out whole', () => {
  // exits right after the first loss window: ~20 records of η = 0.1 inside T*, fewer than the 40 asked for
  const s = analyzeSweep({ ...spec, quantities: ['q'] }, sweep({ exitAt: 0 }), { bootstrap: 30, minWindowPoints: 40 }).summary;
  expect(s.regime.window.tooShort).toBe(true);
  expect(s.regime.mode).toBe('exclude');
  expect(s.regime.fallbackWindow!.T).toBeCloseTo(20, 6); // the stable runs: 2000 · 0.1² rescaled steps
  expect(s.probes.q.fits.inRegime!.runs).toBe(12);
  expect(s.probes.q.fits.inRegime!.change.map((c) => c.value)).toEqual([0.025, 0.05, 0.075]);
  expect(s.regime.headlineReason).toMatch(/holds only \d+ record\(s\) for some value \(fewer than 40\): the headline fit leaves those/);
});

describe('every run leaves early (a learning net ends its early phase), so no run can stand in', () => {
  /** Every run's held-out loss falls 10% from step k·(0.1/η)² on: every run ends its early phase. */
  const learning = (k: (eta: number) => number) =>
    sweep().map((r) => ({ ...r, records: r.records.map((x) => ({ ...x, probeLoss: Math.log(2) * (x.step >= k(r.stored.config.eta) ? 0.9 : 1) })) }));
  const withRule: SweepSpec = { ...spec, quantities: ['q'], regime: { learnDrop: 0.01 } };

  test('a window of 3 to 9 records per value is fitted, its claim short-window (never a firm verdict)', () => {
    const s = analyzeSweep(withRule, learning((eta) => 5 * (0.1 / eta) ** 2), { bootstrap: 30 }).summary;
    expect(s.unstable).toHaveLength(16);
    expect(s.unstable[0].reason).toMatch(/held-out loss .* the early phase is over/);
    expect(s.regime.options.learnDrop).toBe(0.01);
    expect(s.regime.window.tooShort).toBe(true);
    expect(s.regime.window.points).toBeGreaterThanOrEqual(3);
    expect(s.regime.mode).toBe('truncate');
    const q = s.probes.q;
    expect(q.headline).toBe('inRegime');
    expect(q.fits.inRegime!.runs).toBe(16);
    expect(q.claim).toBe('short-window');
    expect(q.verdict).toMatch(/too short a window to judge \(\d record\(s\) per value inside it, fewer than 10\): the estimate is indicative only/);
    expect(q.verdict).not.toMatch(/support|consistent with/);
    expect(s.regime.headlineReason).toMatch(/fewer than 10, and too few runs stay in the regime to stand in, so read this fit as indicative only/);
  });

  test('a window of fewer than 3 records per value gives no in-regime fit: the headline is all runs', () => {
    const s = analyzeSweep(withRule, learning(() => 5), { bootstrap: 30 }).summary;
    expect(s.regime.window.points).toBeLessThan(3);
    expect(s.regime.mode).toBe('exclude');
    expect(s.probes.q.fits.inRegime).toBeNull();
    expect(s.probes.q.headline).toBe('all');
    expect(s.regime.headlineReason).toMatch(/no in-regime fit is possible: the headline is the all-runs fit/);
  });

  test("the spec's rule is applied, and the caller's options override it", () => {
    expect(analyzeSweep(withRule, learning(() => 5), { bootstrap: 30, regime: { learnDrop: null } }).summary.unstable).toEqual([]);
  });
});

test('a window that is a small share of the rescaled time the runs span is called out', () => {
  const s = analyzeSweep({ ...spec, quantities: ['q'] }, sweep({ exitAt: 0 }), { bootstrap: 30 }).summary;
  expect(s.regime.mode).toBe('truncate');
  expect(s.regime.horizon).toBeCloseTo(20, 6);
  expect(s.regime.coverage).toBeCloseTo(s.regime.window.T / 20, 9);
  expect(s.regime.coverage).toBeLessThan(0.1);
  expect(s.regime.headlineReason).toMatch(/ Note: the window is only \d\.?\d*% of the 20\.0 t·η² the runs span, so the in-regime fit sees the start of the curves only$/);
  const long = analyzeSweep({ ...spec, quantities: ['q'] }, sweep({ exitAt: 700 }), { bootstrap: 30 }).summary;
  expect(long.regime.coverage).toBeGreaterThan(0.1);
  expect(long.regime.headlineReason).not.toMatch(/Note:/);
});

test('a sweep where every run stays in the regime has one fit, named in-regime and all at once', () => {
  const s = analyzeSweep({ ...spec, quantities: ['q'] }, sweep(), { bootstrap: 30 }).summary;
  expect(s.regime.mode).toBe('none');
  expect(s.unstable).toEqual([]);
  expect(s.probes.q.fits.inRegime).toBe(s.probes.q.fits.all);
  expect(s.probes.q.claim).toBe('consistent');
  expect(s.regime.headlineReason).toMatch(/every finished run stays in the small-η regime/);
});

test('a poor collapse never reads consistent, whatever the interval', () => {
  // the amplitude of the relaxation grows with η: no rescaling of time makes the curves coincide
  const s = analyzeSweep({ ...spec, quantities: ['q'] }, sweep({ amplitude: (eta) => 40 * eta * eta }), { bootstrap: 30 }).summary;
  expect(s.probes.q.collapse['2']).toBeGreaterThan(0.1);
  expect(s.probes.q.claim).not.toBe('consistent');
  expect(s.probes.q.verdict).not.toMatch(/consistent with/);
});

test('one seed per value: too few seeds to judge, never a degenerate interval read as support', () => {
  const s = analyzeSweep({ ...spec, quantities: ['q'] }, sweep({ seeds: 1 }), { bootstrap: 20 }).summary;
  expect(s.probes.q.claim).toBe('too-few-seeds');
  expect(s.probes.q.verdict).toMatch(/too few seeds to judge \(1 per value/);
  expect(s.probes.q.verdict).not.toMatch(/consistent with/);
});

test('a finished run whose records stop short of its final step is left out and named, not fitted', () => {
  const runs = sweep();
  const cut = runs[5];
  const short = { ...cut, records: cut.records.filter((r) => r.step <= cut.status.step / 4) };
  const s = analyzeSweep({ ...spec, quantities: ['q'] }, [...runs.slice(0, 5), short, ...runs.slice(6)], { bootstrap: 30 }).summary;
  expect(s.runs).toMatchObject({ total: 16, finished: 15 });
  expect(s.leftOut).toEqual([
    expect.objectContaining({ state: 'records cut short', reason: expect.stringMatching(/^records end at step \d+, but the run finished at step \d+ \(records\.jsonl cut short\?\)$/) }),
  ]);
});

test('regime options are checked at the analysis entry points; Infinity and null switch a part off', () => {
  const runs = sweep({ exitAt: 700 });
  expect(() => analyzeSweep(spec, runs, { regime: { fitFactor: 0 } })).toThrow(/options\.regime\.fitFactor: got 0; allowed: a number > 1, or null/);
  expect(() => analyzeSweep({ ...spec, regime: { learnDrop: 1.5 } }, runs)).toThrow(/spec\.regime\.learnDrop: got 1\.5/);
  expect(() => analyzeSweep(spec, runs, { regime: { lossFactr: 2 } as never })).toThrow(/options\.regime\.lossFactr: got 2; allowed: no such option/);
  const off = analyzeSweep({ ...spec, quantities: ['q'] }, runs, { bootstrap: 10, regime: { lossFactor: Infinity } }).summary;
  expect(off.unstable).toEqual([]);
  expect(off.regime.options.lossFactor).toBeNull();
  // an undefined option of the caller does not erase the spec's
  const kept = analyzeSweep({ ...spec, quantities: ['q'], regime: { lossFactor: null } }, runs, { bootstrap: 10, regime: { lossFactor: undefined } }).summary;
  expect(kept.unstable).toEqual([]);
});
