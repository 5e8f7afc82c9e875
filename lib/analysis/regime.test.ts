import type { RunRecord } from '../records/types.js';
import { describeRule, initialLoss, inRegimeRecords, regimeExit, regimeRule, runningTrainLoss, FIT_EXIT_FACTOR, LEARN_EXIT_DROP, LOSS_EXIT_FACTOR } from './regime.js';
import { regimeWindow } from './window.js';

const LOG2 = Math.log(2);

/** Records every `every` steps up to `steps`, with a loss and a norm given per step. */
function records(steps: number, every: number, loss: (t: number) => number, norm: (t: number) => number = () => 1): RunRecord[] {
  const out: RunRecord[] = [{ step: 0, probeLoss: LOG2, norm_V: norm(0) }];
  for (let t = every; t <= steps; t += every) out.push({ step: t, trainLoss: loss(t), norm_V: norm(t) });
  return out;
}

describe('running training loss', () => {
  test('step-weighted mean over the last window, NaN until the window is covered', () => {
    const rs: RunRecord[] = [{ step: 0 }, { step: 10, trainLoss: 1 }, { step: 20, trainLoss: 3 }, { step: 60, trainLoss: 2 }];
    const run = runningTrainLoss(rs, 30);
    expect(run[0]).toBeNaN();
    expect(run[1]).toBeNaN();
    expect(run[2]).toBeNaN(); // 20 steps covered, the window needs 30
    expect(run[3]).toBeCloseTo(2); // the last record alone covers (30, 60]
  });

  test('the initial loss is probeLoss at step 0, else the first full-window training loss', () => {
    const rs = records(1000, 10, () => 0.9);
    expect(initialLoss(rs, runningTrainLoss(rs, 100))).toBeCloseTo(LOG2);
    const noProbe = rs.map(({ probeLoss: _, ...r }) => r as RunRecord);
    expect(initialLoss(noProbe, runningTrainLoss(noProbe, 100))).toBeCloseTo(0.9);
  });
});

describe('regime exit', () => {
  test('fires at the first record where the running loss exceeds 2× the initial loss', () => {
    // loss jumps from log 2 to 4·log 2 after step 500: the 100-step mean crosses 2·log 2 once a third of it is past 500
    const rs = records(2000, 10, (t) => (t <= 500 ? LOG2 : 4 * LOG2));
    const e = regimeExit(rs);
    expect(LOSS_EXIT_FACTOR).toBe(2);
    expect(e.step).toBe(540);
    expect(e.reason).toMatch(/running training loss 1\.52 > 2× initial 0\.693/);
    expect(inRegimeRecords(rs, e.step).at(-1)!.step).toBe(530);
  });

  test('never fires for a loss that stays near its initial value: step Infinity, all records kept', () => {
    const rs = records(2000, 10, (t) => LOG2 * (1 + 0.5 * Math.sin(t)));
    const e = regimeExit(rs);
    expect(e.step).toBe(Infinity);
    expect(e.reason).toBeNull();
    expect(inRegimeRecords(rs, e.step)).toHaveLength(rs.length);
  });

  test('one noisy early record cannot fire the rule (the window must be covered)', () => {
    const rs = records(2000, 1, (t) => (t === 1 ? 10 * LOG2 : LOG2));
    expect(regimeExit(rs).step).toBe(Infinity);
  });

  test('the norm rule is off by default and fires when switched on', () => {
    const rs = records(2000, 10, () => LOG2, (t) => 0.5 * 10 ** (4 * (t / 2000)));
    expect(regimeExit(rs).step).toBe(Infinity);
    const e = regimeExit(rs, { normFactor: 10 });
    expect(e.step).toBe(510); // 10^(4t/2000) > 10 first at t = 510
    expect(e.reason).toMatch(/^norm_V .* > 10× initial 0\.500/);
    expect(regimeExit(rs, { lossFactor: Infinity }).step).toBe(Infinity);
  });
});

test('the fitted-labels exit is off by default and, switched on, fires when the running loss falls below 1/2 of its initial value', () => {
  const rs = records(1000, 10, (t) => LOG2 * Math.exp(-t / 300)); // memorising a fixed set: the loss falls
  expect(regimeExit(rs).step).toBe(Infinity);
  const e = regimeExit(rs, { fitFactor: FIT_EXIT_FACTOR });
  // the running mean over (t − 100, t] of ln2·e^{−s/300} first drops below ln2/2 between t = 250 and 260
  expect(e.step).toBe(260);
  expect(e.reason).toMatch(/^running training loss 0\.34\d < initial 0\.693 \/ 2: the training labels are being fitted$/);
  expect(regimeExit(records(1000, 10, () => LOG2 * 0.9), { fitFactor: FIT_EXIT_FACTOR }).step).toBe(Infinity);
});

test('the learning exit is off by default and, switched on, fires where the held-out loss falls 1% below its initial value', () => {
  // a net that learns real labels: a plateau at log 10 with ±0.001 scatter, then the held-out loss falls
  const ln10 = Math.log(10);
  const held = (t: number) => (t <= 300 ? ln10 + 0.001 * Math.sin(t) : ln10 * Math.exp(-(t - 300) / 400));
  const rs: RunRecord[] = [0, 1, 2, 5, 10, 50, 100, 200, 300, 310, 320, 330, 400, 1000].map((t) => ({ step: t, probeLoss: held(t), trainLoss: held(t) }));
  expect(regimeExit(rs).step).toBe(Infinity);
  const e = regimeExit(rs, { learnDrop: LEARN_EXIT_DROP });
  expect(LEARN_EXIT_DROP).toBe(0.01);
  expect(e.step).toBe(310); // ln10·e^{−1/40} = 0.975·ln10, the first record below 0.99·ln10
  expect(e.reason).toMatch(/^held-out loss 2\.25 < \(1 − 0\.01\) × initial 2\.30: the net has begun to learn, the early phase is over$/);
  expect(e.checked).toBe(true);
  expect(inRegimeRecords(rs, e.step).at(-1)!.step).toBe(300);
  // records without a held-out loss in between are skipped, not read as a fall
  const sparse = rs.map((r) => (r.step === 310 ? { step: 310, trainLoss: 2.3 } : r));
  expect(regimeExit(sparse, { learnDrop: LEARN_EXIT_DROP }).step).toBe(320);
  expect(describeRule(regimeRule({ learnDrop: 0.01, lossFactor: null }))).toBe(
    'a run leaves the small-η regime at the first record where its held-out loss falls more than 1% below its initial value (the net has begun to learn: the early phase is over)',
  );
});

describe('common in-regime window', () => {
  test('T* is the shortest in-regime span in t·η² units, with the records inside it counted per value', () => {
    const steps = (end: number, every: number) => Array.from({ length: Math.floor(end / every) + 1 }, (_, i) => i * every);
    const w = regimeWindow('eta', [
      { value: 0.05, steps: steps(32000, 320) },
      { value: 0.05, steps: steps(32000, 320) },
      { value: 0.1, steps: steps(600, 20) }, // left the regime after step 600
      { value: 0.1, steps: steps(8000, 20) },
    ]);
    expect(w.T).toBeCloseTo(6); // 600 · 0.1²
    expect(w.units).toBe('t·η²');
    expect(w.byValue.map((b) => [b.value, b.end, b.points])).toEqual([
      [0.05, 32000, 7], // steps ≤ 6/0.05² = 2400: 320, 640, ..., 2240
      [0.1, 600, 30],
    ]);
    expect(w.points).toBe(7);
    expect(w.tooShort).toBe(true);
    expect(regimeWindow('eta', [{ value: 0.05, steps: steps(32000, 100) }, { value: 0.1, steps: steps(600, 20) }]).tooShort).toBe(false);
  });

  test('batch sweeps use t/|B|', () => {
    const w = regimeWindow('batchSize', [
      { value: 1, steps: [0, 100, 200] },
      { value: 4, steps: [0, 400, 1600] },
    ]);
    expect(w.T).toBeCloseTo(200);
    expect(w.units).toBe('t/|B|');
  });
});
