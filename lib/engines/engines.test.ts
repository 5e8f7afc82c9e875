/**
 * Every fused engine against the tfjs single-model path on the same data: each loss, bias on and off,
 * |B| > 1 (members of different |B|), online and fixed training sets, Gaussian and uniform inputs, and
 * a diverging member. Records must agree to float32 tolerance (activation rates to a unit or two of the
 * probe set's count: a pre-activation within rounding of 0 may flip).
 */
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../backend/backends.js';
import { makeConfig, type RunConfig } from '../core/config.js';
import { expectRecordsAgree } from '../testing/agree.js';
import { train, trainMembers } from '../train/trainer.js';
import { describeWebgpu } from '../testing/webgpu.js';
import type { EngineName } from './engine.js';

afterAll(() => useBackend('cpu'));

const base = { inputDim: 10, hidden: 8, probeSamples: 120, probeLogPoints: 6, probeLinearPoints: 4, steps: 240 } as const;
const tol = { activation: 3 / (120 * 8), relative: 1e-4 };

const cases: [string, Partial<RunConfig>][] = [
  ['BCE, bias, Gaussian', { loss: 'bce' }],
  ['BCE, no bias, uniform', { loss: 'bce', bias: false, input: 'uniform' }],
  ['MSE, fixed training set', { loss: 'mse', trainSize: 20 }],
  ['softmax CE, 4 classes', { loss: 'softmax-ce', classes: 4 }],
];

/** The engine's tests, with the backend it runs on (the tfjs reference runs there too). */
function engineTests(engine: EngineName, backend: 'wasm' | 'webgpu'): void {
  beforeAll(() => useBackend(backend));
  test.each(cases)('records equal the tfjs single-model path: %s, members of |B| 1, 3, 2', async (_n, extra) => {
    const cfgs = [1, 3, 2].map((B, i) => makeConfig({ ...base, ...extra, batchSize: B, seed: i % 2, eta: [0.05, 0.1, 0.02][i] }));
    const before = tf.memory().numTensors;
    const fused = await trainMembers(cfgs, { engine });
    expect(tf.memory().numTensors).toBe(before);
    for (const [m, cfg] of cfgs.entries()) expectRecordsAgree(fused[m].records, (await train(cfg, { engine: 'tfjs' })).records, tol);
  });

  test.each([
    ['η = 10⁴, threshold 10³⁰', 1e4, 1, 1e30, false],
    ['η = 0.2, seed 4 (its state turns NaN in one engine and ±Inf in the other)', 0.2, 4, 1e6, true],
  ])('a diverging member (%s) stops where the tfjs path stops; the others go on', async (_n, eta1, seed1, threshold, broken) => {
    const cfgs = [[0.05, 0], [eta1, seed1], [0.1, 2]].map(([eta, seed]) => makeConfig({ ...base, loss: 'mse', eta, seed, divergenceThreshold: threshold }));
    const fused = await trainMembers(cfgs, { engine });
    const alone = await Promise.all(cfgs.map(async (c) => train(c, { engine: 'tfjs' })));
    expect(fused.map((r) => r.status.state)).toEqual(['finished', 'diverged', 'finished']);
    expect(fused[1].status.step).toBe(alone[1].status.step);
    expect(fused[1].records.map((r) => r.step)).toEqual(alone[1].records.map((r) => r.step));
    expectRecordsAgree(fused[1].records.slice(0, -1), alone[1].records.slice(0, -1), tol);
    // the record at divergence: the same fields; where W or b is broken (NaN on one engine, ±Inf on the
    // other: float32 overflow takes different paths), the exact activation rate reads non-finite on both
    const [f, a] = [fused[1].records.at(-1)!, alone[1].records.at(-1)!];
    expect(Object.keys(f).sort()).toEqual(Object.keys(a).sort());
    const brokenWb = (r: Record<string, number>) => !Number.isFinite(r.norm_W) || !Number.isFinite(r.norm_b);
    expect([brokenWb(f), brokenWb(a)]).toEqual([broken, broken]);
    if (broken) expect([f, a].map((r) => Number.isFinite(r.activationRateExact))).toEqual([false, false]);
    expectRecordsAgree(fused[2].records, alone[2].records, tol);
  });
}

describe('wasm-fused', () => engineTests('wasm-fused', 'wasm'));
await describeWebgpu('webgpu-fused', () => engineTests('webgpu-fused', 'webgpu'));

await describeWebgpu('webgpu-dense', () => {
  beforeAll(() => useBackend('webgpu'));
  test.each([
    ['fc depth 3, BCE, bias', { model: 'fc', depth: 3, loss: 'bce' }],
    ['fc depth 4, softmax CE, no bias', { model: 'fc', depth: 4, loss: 'softmax-ce', classes: 3, bias: false }],
  ] as [string, Partial<RunConfig>][])('records equal the tfjs single-model path: %s, members of |B| 1, 3, 2', async (_n, extra) => {
    const cfgs = [1, 3, 2].map((B, i) => makeConfig({ ...base, ...extra, steps: 120, batchSize: B, seed: i % 2, eta: [0.05, 0.1, 0.02][i] }));
    const dense = await trainMembers(cfgs, { engine: 'webgpu-dense' });
    for (const [m, cfg] of cfgs.entries()) expectRecordsAgree(dense[m].records, (await train(cfg, { engine: 'tfjs' })).records, tol);
  });
});
