/**
 * The analysis's fast paths against the naive definitions, bit for bit: the bootstrap's means from
 * a curve table against meanCurve, and the collapse score with time factors against collapseScore
 * on rescaled copies (curves of different steps and lengths, resamples with repeats).
 */
import { Rng } from '../core/rng.js';
import { collapseScore, collapseScoreScaled } from './collapse.js';
import { curveTable, interpolate, meanCurve, tableMean, type Curve } from './curves.js';
import { rescaleCurve } from './rescale.js';

/** A curve on random increasing steps (some shared with the others: multiples of 5). */
function randomCurve(rng: Rng, points: number): Curve {
  const t: number[] = [];
  let x = Math.floor(rng.uniform() * 3);
  for (let i = 0; i < points; i++) {
    t.push(x);
    x += 1 + Math.floor(rng.uniform() * 7);
    if (rng.uniform() < 0.5) x = 5 * Math.ceil(x / 5);
  }
  return { t, y: t.map(() => rng.uniform() * 2 - 1) };
}

/** The collapse score by its definition (collapse.ts's file comment), each curve read by interpolate(). */
function naiveScore(curves: Curve[], grid = 100): number {
  const use = curves.filter((c) => c.t.length >= 2);
  if (use.length < 2) return NaN;
  const start = Math.max(...use.map((c) => c.t[0]));
  const end = Math.min(...use.map((c) => c.t[c.t.length - 1]));
  if (!(end > start)) return NaN;
  let residual = 0;
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < grid; i++) {
    const x = start + ((end - start) * i) / (grid - 1);
    const v = use.map((c) => interpolate(c, x));
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    for (const w of v) {
      residual += (w - m) ** 2;
      sum += w;
      sumSq += w * w;
    }
  }
  const total = sumSq - (sum * sum) / (use.length * grid);
  return total > 1e-15 * Math.max(1, sumSq) ? residual / total : NaN;
}

describe('analysis fast paths', () => {
  test('tableMean equals meanCurve of the picked curves, bit for bit', () => {
    const rng = new Rng(3, 'table');
    for (let trial = 0; trial < 20; trial++) {
      const curves = Array.from({ length: 2 + (trial % 6) }, (_, i) => randomCurve(rng, 2 + ((trial + i) % 9) * 5));
      const table = curveTable(curves);
      for (let r = 0; r < 5; r++) {
        const picks = curves.map(() => rng.int(curves.length));
        expect(tableMean(table, picks)).toEqual(meanCurve(picks.map((i) => curves[i])).mean);
      }
    }
    expect(tableMean(curveTable([]), [])).toEqual({ t: [], y: [] });
  });

  test('collapseScoreScaled equals collapseScore on rescaled copies (bit for bit) and the definition', () => {
    const rng = new Rng(4, 'collapse');
    for (let trial = 0; trial < 30; trial++) {
      const curves = Array.from({ length: 2 + (trial % 4) }, (_, i) => randomCurve(rng, 1 + ((trial + i) % 7) * 4));
      const factors = curves.map(() => 0.1 + rng.uniform() * 10);
      const rescaled = curves.map((c, i) => rescaleCurve(c, factors[i]));
      const naive = naiveScore(rescaled);
      const fast = collapseScoreScaled(curves, factors);
      if (Number.isNaN(naive)) {
        expect(fast).toBeNaN();
      } else {
        expect(collapseScore(rescaled)).toBe(fast);
        expect(fast).toBeCloseTo(naive, 12);
      }
    }
  });
});
