import { direction, groupChange } from './change.js';
import { meanCurve, type Curve, type CurveGroup } from './curves.js';
import { isBimodal, type ExponentFit } from './fit.js';
import { formatRate, formatSpeed, speedOf } from './speed.js';
import { fmtChange, verdict, type VerdictInput } from './verdict.js';

function group(value: number, curves: Curve[]): CurveGroup {
  return { value, seeds: curves.map((_, i) => i), curves, ...meanCurve(curves) };
}

/** A fit as the bootstrap of a Glorot-init run gave it: best 1.46, resamples split between ~1.46 and ~2.5. */
function bimodalFit(score: number): ExponentFit {
  const low = Array.from({ length: 150 }, (_, i) => 1.44 + 0.02 * (i % 4));
  const high = Array.from({ length: 50 }, (_, i) => 2.44 + 0.02 * (i % 5));
  const samples = [...low, ...high].sort((a, b) => a - b);
  const exponents = Array.from({ length: 201 }, (_, i) => i * 0.02);
  const fit = { value: 1.46, ci: [1.44, 2.52] as [number, number], score, bootstrap: 200, samples, gap: { lo: 1.5, hi: 2.44 } };
  return { ...fit, scan: { exponents, scores: exponents.map(() => score), best: 1.46, bestScore: score } };
}

const flat = (value: number, seeds: number) => ({ value, start: 0.5, end: 0.3, steps: 100, seeds, noise: 0.01, trend: 'falls' as const });

function input(fit: ExponentFit | null, scoreAtPredicted: number, seeds = 4): VerdictInput {
  const changes = [flat(0.05, seeds), flat(0.1, seeds)];
  return { quantity: 'activationRate', axis: 'eta', fit, scoreAtPredicted, changes, direction: 'falls', leaveOneOut: [] };
}

describe('verdicts need a good collapse and an interval that holds the prediction', () => {
  test('a bimodal interval with a poor collapse (the Glorot case) does not read consistent', () => {
    const fit = bimodalFit(0.3);
    expect(isBimodal(fit)).toBe(true);
    const v = verdict(input(fit, 0.31));
    expect(v.claim).toBe('no-collapse');
    expect(v.text).toMatch(/α = 1\.46 \[1\.44, 2\.52\]: does NOT support the predicted α = 2: the interval holds it, but the curves/);
    expect(v.text).toMatch(/bimodal \(no resample between 1\.50 and 2\.44\)/);
    expect(v.text).not.toMatch(/consistent with/);
  });

  test('a bimodal interval reads inconclusive even when the collapse at the prediction is fair', () => {
    expect(verdict(input(bimodalFit(0.02), 0.05)).claim).toBe('bimodal');
  });

  test('a partial collapse at the prediction reads inconclusive', () => {
    const fit = { ...bimodalFit(0.05), value: 2, ci: [1.9, 2.1] as [number, number], gap: { lo: 2, hi: 2.02 } };
    expect(verdict(input(fit, 0.05)).claim).toBe('consistent');
    const v = verdict(input(fit, 0.2));
    expect(v.claim).toBe('partial-collapse');
    expect(v.text).toMatch(/collapse there is partial \(collapse score 0\.200 at α = 2; a collapse needs ≤ 0\.1\)/);
  });

  test('a one-seed interval says there are too few seeds to judge', () => {
    const fit = { ...bimodalFit(0.01), value: 0.26, ci: [0.26, 0.26] as [number, number], samples: [0.26], gap: { lo: NaN, hi: NaN } };
    const v = verdict(input(fit, 0.01, 1));
    expect(v.claim).toBe('too-few-seeds');
    expect(v.text).toMatch(/α = 0\.26 \[0\.26, 0\.26\]: too few seeds to judge/);
  });

  test('no fit: says why, never NaN', () => {
    const v = verdict({ ...input(null, NaN), changes: [], direction: 'none' });
    expect(v.claim).toBe('no-fit');
    expect(v.text).not.toMatch(/NaN/);
  });
});

test('a quantity the sweep does not judge gets its fit and no verdict on it; a rising Σb is flagged where judged', () => {
  const rising = { ...input(bimodalFit(0.02), 0.5), quantity: 'sum_b', direction: 'rises' as const, changes: [0.05, 0.1].map((v) => ({ ...flat(v, 4), end: 0.7, trend: 'rises' as const })) };
  const judged = verdict(rising);
  expect(judged.text).toMatch(/^sum_b RISES for every η \(the paper predicts a fall\)/);
  expect(judged.claim).toBe('no-collapse');
  const not = verdict({ ...rising, judged: false });
  expect(not.claim).toBe('not-judged');
  expect(not.text).toMatch(/^sum_b rises for every η \(0\.500→0\.700, 0\.500→0\.700\)\. α = 1\.46 \[1\.44, 2\.52\]: not judged \(this sweep makes no α = 2 claim about sum_b\)\./);
  expect(not.text).not.toMatch(/support|consistent/);
});

describe('unchanged within noise', () => {
  const seeds = (ys: [number, number][]) => ys.map(([a, b]) => ({ t: [0, 50, 100], y: [a, (a + b) / 2, b] }));

  test('a change smaller than 2 standard errors over seeds is "unchanged", not RISES', () => {
    const g = group(0.1, seeds([[0.683, 0.684], [0.683, 0.682], [0.684, 0.685], [0.682, 0.6825]]));
    const c = groupChange(g);
    expect(c.trend).toBe('unchanged');
    expect(direction([c])).toBe('unchanged');
    const v = verdict({ ...input(null, NaN), quantity: 'norm_V', changes: [c], direction: 'unchanged' });
    expect(v.text).toMatch(/^norm_V is unchanged within noise for every η/);
    expect(v.text).not.toMatch(/RISES/);
  });

  test('a change larger than the seed spread counts; values equal at 3 decimals are printed with more', () => {
    const c = groupChange(group(0.1, seeds([[0.5, 0.3], [0.5, 0.31], [0.51, 0.3]])));
    expect(c.trend).toBe('falls');
    expect(fmtChange(0.6834, 0.6826)).toBe('0.6834→0.6826');
    expect(fmtChange(0.5, 0.3)).toBe('0.500→0.300');
  });

  test('a change read at the end of a window: interpolated there, not at the last record', () => {
    const c = groupChange(group(0.1, seeds([[0.5, 0.3], [0.5, 0.31], [0.51, 0.3]])), 50);
    expect(c.steps).toBe(50);
    expect(c.end).toBeCloseTo((0.4 + 0.405 + 0.405) / 3, 10);
    expect(groupChange(group(0.1, seeds([[0.5, 0.3]])), 1e9).steps).toBe(100);
  });

  test('one seed: the noise is the curve\'s own record-to-record jitter', () => {
    const y = Array.from({ length: 50 }, (_, i) => 0.683 + 0.001 * Math.sin(i * 2.1));
    const c = groupChange(group(0.1, [{ t: y.map((_, i) => i), y }]));
    expect(c.noise).toBeGreaterThan(0);
    expect(c.trend).toBe('unchanged');
  });

  test('mixed directions name the values', () => {
    const rise = groupChange(group(0.05, seeds([[0.3, 0.5], [0.31, 0.5]])));
    const fall = groupChange(group(0.1, seeds([[0.5, 0.3], [0.5, 0.31]])));
    const v = verdict({ ...input(null, NaN), changes: [rise, fall], direction: direction([rise, fall]) });
    expect(v.text).toMatch(/activationRate falls at η = 0\.1 and rises at η = 0\.05 \(the paper predicts a fall\)/);
  });
});

describe('speeds', () => {
  test('no wall time: "speed not recorded", never NaN steps/s', () => {
    const s = speedOf([{ state: 'finished', step: 100 }, { state: 'finished', step: NaN, wallSeconds: NaN }]);
    expect(s.stepsPerSecond).toBeNaN();
    expect(s.speed).toBe('speed not recorded');
    expect(JSON.stringify(s)).not.toMatch(/NaN/);
    expect(formatSpeed(0, NaN)).toBe('speed not recorded');
  });

  test('runs with a wall time give steps/s', () => {
    const s = speedOf([{ state: 'finished', step: 1000, wallSeconds: 2 }, { state: 'finished', step: 500 }]);
    expect(s.stepsPerSecond).toBe(500);
    expect(s.speed).toBe('2.0 s of training at 500 steps/s');
  });

  test('slow rates keep two significant digits (0.28 steps/s, not 0)', () => {
    expect([1234.5, 99.97, 56.78, 9.97, 9.876, 0.2794, 0.0012, 0].map(formatRate)).toEqual(['1235', '100', '56.8', '10.0', '9.9', '0.28', '0.0012', '0']);
    expect(formatSpeed(114.6, 32 / 114.6)).toBe('114.6 s of training at 0.28 steps/s');
  });
});
