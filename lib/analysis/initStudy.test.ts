import type { SweepSpec } from '../sweep/sweep.js';
import { initStudyTable } from './initStudy.js';
import { analyzeSweep } from './summary.js';
import { syntheticEtaSweep } from './synthetic.js';

const spec: SweepSpec = { name: 's', title: 'T', axis: 'eta', quantities: ['q'], base: {}, grid: {} };
const stable = analyzeSweep(spec, syntheticEtaSweep(), { bootstrap: 30 }).summary;
const unstable = analyzeSweep(spec, syntheticEtaSweep({ exitAt: 700 }), { bootstrap: 30 }).summary;

test('per init: whether η max stays in the regime and whether the collapse with it reproduces α = 2', () => {
  const t = initStudyTable(
    [
      { label: 'V × 0.1', summary: stable },
      { label: 'PyTorch default', summary: unstable },
    ],
    'q',
  );
  const [a, b] = t.rows;
  expect([a.staysInRegime, a.reproduces, a.mode]).toEqual([true, true, 'none']);
  expect([b.staysInRegime, b.exited, b.runs, b.reproduces, b.mode]).toEqual([false, 4, 4, false, 'truncate']);
  expect(b.firstExit).toBe(unstable.unstable[0].step);
  expect(b.firstExitUnits).toBeCloseTo(b.firstExit! * 0.01, 9);
  expect(b.inRegime!.claim).toBe('consistent');
  expect(b.withoutTop!.value).toBeCloseTo(2, 0);
  expect(t.columns).toHaveLength(t.cells[0].length);
  expect(t.cells[1][1]).toMatch(/^no: 4 of 4 left, first at step \d+ \(\d\.\d\d t·η²\)$/);
  expect(t.text).toMatch(/PyTorch default: η = 0\.1 leaves the regime in 4 of 4 runs \(first at step \d+\); with it included at full/);
  expect(t.text).toMatch(/η = 0\.1 stays in the small-η regime under 1 of 2 inits \(V × 0\.1\)\. /);
  expect(t.text).toMatch(/With η = 0\.1 included at full length, α = 2 is reproduced \(consistent\) under V × 0\.1, and not under PyTorch/);
});
