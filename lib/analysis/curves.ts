/** Curves from run records: per-run series of one quantity, grouped by the swept value, with mean and spread over seeds. */
import type { RunData } from '../records/types.js';
import type { SweepAxis } from '../sweep/sweep.js';

/** A series y(t) with t increasing. */
export interface Curve {
  t: number[];
  y: number[];
}

/** The runs of one swept value (one η or one |B|): one curve per seed and their mean and standard deviation. */
export interface CurveGroup {
  /** The swept value (η or |B|). */
  value: number;
  seeds: number[];
  curves: Curve[];
  mean: Curve;
  std: number[];
}

/** A run's series of `field` (records without the field or with NaN are skipped). */
export function runCurve(run: RunData, field: string): Curve {
  const t: number[] = [];
  const y: number[] = [];
  for (const r of run.records) {
    const v = r[field];
    if (typeof v === 'number' && Number.isFinite(v)) {
      t.push(r.step);
      y.push(v);
    }
  }
  return { t, y };
}

/** Linear interpolation of a curve at `x` (clamped to its range). */
export function interpolate(c: Curve, x: number): number {
  const { t, y } = c;
  const n = t.length;
  if (n === 0) return NaN;
  if (x <= t[0]) return y[0];
  if (x >= t[n - 1]) return y[n - 1];
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (t[mid] <= x) lo = mid;
    else hi = mid;
  }
  const w = (x - t[lo]) / (t[hi] - t[lo]);
  return y[lo] + w * (y[hi] - y[lo]);
}

/** Mean and standard deviation over seeds, on the union of the curves' steps within their common range. */
export function meanCurve(curves: Curve[]): { mean: Curve; std: number[] } {
  if (curves.length === 0) return { mean: { t: [], y: [] }, std: [] };
  const end = Math.min(...curves.map((c) => c.t[c.t.length - 1] ?? 0));
  const ts = [...new Set(curves.flatMap((c) => c.t.filter((x) => x <= end)))].sort((a, b) => a - b);
  const y: number[] = [];
  const std: number[] = [];
  for (const x of ts) {
    const vals = curves.map((c) => interpolate(c, x));
    const m = vals.reduce((a, b) => a + b, 0) / vals.length;
    y.push(m);
    std.push(Math.sqrt(vals.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, vals.length - 1)));
  }
  return { mean: { t: ts, y }, std };
}

/**
 * A group's curves read once on the union of their steps, so that the mean of any resample of
 * them (the bootstrap's) is sums, not interpolations: `values[c][u]` = curve c at steps[u],
 * `member[c][u]` = 1 where steps[u] is one of curve c's own steps, `ends[c]` its last step.
 */
export interface CurveTable {
  steps: number[];
  values: Float64Array[];
  member: Uint8Array[];
  ends: number[];
}

/** The {@link CurveTable} of `curves`. */
export function curveTable(curves: Curve[]): CurveTable {
  const steps = [...new Set(curves.flatMap((c) => c.t))].sort((a, b) => a - b);
  const values = curves.map((c) => Float64Array.from(steps, (x) => interpolate(c, x)));
  const member = curves.map((c) => {
    const m = new Uint8Array(steps.length);
    let u = 0;
    for (const x of c.t) {
      while (steps[u] < x) u++;
      m[u] = 1;
    }
    return m;
  });
  return { steps, values, member, ends: curves.map((c) => c.t[c.t.length - 1] ?? 0) };
}

/** meanCurve(picks.map((i) => curves[i])).mean from the curves' table: the same numbers, bit for bit. */
export function tableMean(table: CurveTable, picks: readonly number[]): Curve {
  if (picks.length === 0) return { t: [], y: [] };
  const end = Math.min(...picks.map((i) => table.ends[i]));
  const t: number[] = [];
  const y: number[] = [];
  for (let u = 0; u < table.steps.length && table.steps[u] <= end; u++) {
    if (!picks.some((i) => table.member[i][u] === 1)) continue;
    let s = 0;
    for (const i of picks) s += table.values[i][u];
    t.push(table.steps[u]);
    y.push(s / picks.length);
  }
  return { t, y };
}

/** Groups completed (non-diverged) runs by their swept value; returns groups sorted by value. */
export function groupCurves(runs: RunData[], axis: SweepAxis, field: string): CurveGroup[] {
  const byValue = new Map<number, { seeds: number[]; curves: Curve[] }>();
  for (const run of runs) {
    if (run.status.state !== 'finished') continue;
    const curve = runCurve(run, field);
    if (curve.t.length < 2) continue;
    const value = run.stored.config[axis];
    const g = byValue.get(value) ?? { seeds: [], curves: [] };
    g.seeds.push(run.stored.config.seed);
    g.curves.push(curve);
    byValue.set(value, g);
  }
  return [...byValue.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([value, g]) => ({ value, ...g, ...meanCurve(g.curves) }));
}
