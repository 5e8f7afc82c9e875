import * as tf from '@tensorflow/tfjs';
import { makeConfig, type RunConfig } from '../../core/config.js';
import { ConfigError } from '../../core/errors.js';
import { initMember } from '../../models/init.js';
import { TwoLayerArch } from '../../models/twoLayer.js';
import type { MemberState } from '../engine.js';
import { referenceStep, type TwoLayerParams } from '../reference.js';
import { relError } from '../../testing/compare.js';
import { createWasmTwoLayerEngine } from './twoLayerEngine.js';

/** Members of one ensemble: shared fields, then each member's own. */
function members(shared: Partial<RunConfig>, own: Partial<RunConfig>[]): RunConfig[] {
  return own.map((o) => makeConfig({ probes: ['loss'], ...shared, ...o }));
}

/** The reference's state after `steps` steps from `state`, with the divergence rule every `checkEvery` steps. */
function referenceRun(cfg: RunConfig, state: MemberState, from: number, steps: number, checkEvery = 100) {
  const p: TwoLayerParams = { W: state.params.W.slice(), b: state.params.b?.slice() ?? new Float32Array(0), V: state.params.V.slice() };
  let lossSum = state.lossSum;
  let frozenAt = -1;
  for (let t = from; t < from + steps; t++) {
    lossSum += referenceStep(cfg, p, t);
    if ((t + 1) % checkEvery === 0) {
      const norms = [p.W, p.b, p.V].map((a) => Math.sqrt(a.reduce((s, v) => s + v * v, 0)));
      if (!Number.isFinite(lossSum) || norms.some((n) => !Number.isFinite(n) || n > cfg.divergenceThreshold)) {
        frozenAt = t + 1;
        break;
      }
    }
  }
  return { params: p, lossSum, frozenAt };
}


/** An ensemble: the fields its members share, and each member's own. */
type Case = { name: string; shared: Partial<RunConfig>; own: Partial<RunConfig>[] };

const CASES: Case[] = [
  {
    name: 'bce, bias, gaussian, online, |B| = 1',
    shared: { loss: 'bce', bias: true, input: 'gaussian', inputDim: 13, hidden: 10 },
    own: [{ eta: 0.05, seed: 1 }, { eta: 0.2, seed: 2 }, { eta: 0.01, seed: 3 }],
  },
  {
    name: 'mse, no bias, uniform, online, |B| = 1, 3, 4',
    shared: { loss: 'mse', bias: false, input: 'uniform', inputDim: 9, hidden: 12 },
    own: [{ eta: 0.02, seed: 4, batchSize: 1 }, { eta: 0.05, seed: 5, batchSize: 3 }, { eta: 0.1, seed: 6, batchSize: 4 }],
  },
  {
    name: 'softmax-ce (C = 3), bias, gaussian, fixed set of 10, |B| = 1, 4, 10',
    shared: { loss: 'softmax-ce', classes: 3, bias: true, input: 'gaussian', inputDim: 8, hidden: 7, trainSize: 10 },
    own: [{ eta: 0.05, seed: 7, batchSize: 1 }, { eta: 0.1, seed: 8, batchSize: 4 }, { eta: 0.03, seed: 9, batchSize: 10 }],
  },
  {
    name: 'bce, no bias, uniform, fixed set of 7, |B| = 2, 7',
    shared: { loss: 'bce', bias: false, input: 'uniform', inputDim: 16, hidden: 5, trainSize: 7 },
    own: [{ eta: 0.3, seed: 10, batchSize: 2 }, { eta: 0.1, seed: 11, batchSize: 7 }],
  },
  {
    name: 'softmax-ce (C = 2), no bias, uniform, online, |B| = 5, 2',
    shared: { loss: 'softmax-ce', classes: 2, bias: false, input: 'uniform', inputDim: 5, hidden: 9 },
    own: [{ eta: 0.1, seed: 12, batchSize: 5 }, { eta: 0.2, seed: 13, batchSize: 2 }],
  },
  {
    name: 'bce, bias, gaussian, online, M = 100, N = 24, |B| = 1, 3',
    shared: { loss: 'bce', bias: true, input: 'gaussian', inputDim: 100, hidden: 24 },
    own: [{ eta: 0.05, seed: 14 }, { eta: 0.1, seed: 15, batchSize: 3 }],
  },
];

test.each(CASES)('$name: every member follows the reference for 300 steps on 2 threads', async ({ shared, own }) => {
  const configs = members(shared, own);
  const engine = createWasmTwoLayerEngine(configs, { threads: 2 });
  try {
    expect(engine.threads).toBe(2);
    const start = await Promise.all(configs.map((_, m) => engine.save(m)));
    const { inputDim, hidden, classes, bias, loss } = configs[0];
    const arch = new TwoLayerArch({ inputDim, hidden, classes, bias, loss });
    configs.forEach((c, m) => expect(start[m].params).toEqual(initMember(c, arch)));
    const all = configs.map(() => true);
    let t = 0;
    for (const k of [1, 36, 100, 163]) {
      await engine.advance(t, k, all);
      t += k;
    }
    const sums = await engine.lossSums();
    for (let m = 0; m < configs.length; m++) {
      const ref = referenceRun(configs[m], start[m], 0, t);
      const got = await engine.save(m);
      for (const name of Object.keys(engine.paramShapes)) {
        expect(relError(got.params[name], ref.params[name as keyof TwoLayerParams])).toBeLessThan(1e-5);
      }
      expect(Math.abs(sums[m] - ref.lossSum) / ref.lossSum).toBeLessThan(1e-5);
    }
    expect(await engine.takeFrozen()).toEqual([]);
  } finally {
    engine.dispose();
  }
});

test('a diverging member (huge η, MSE) is frozen at the right multiple of checkEvery while the others go on', async () => {
  const configs = members({ loss: 'mse', bias: true, input: 'gaussian', inputDim: 12, hidden: 8, divergenceThreshold: 1e3 }, [
    { eta: 0.01, seed: 1 }, { eta: 3, seed: 2 }, { eta: 0.02, seed: 3, batchSize: 2 },
  ]);
  const engine = createWasmTwoLayerEngine(configs, { threads: 2, checkEvery: 7 });
  try {
    const start = await Promise.all(configs.map((_, m) => engine.save(m)));
    const refs = configs.map((c, m) => referenceRun(c, start[m], 0, 120, 7));
    expect(refs.map((r) => r.frozenAt)).toEqual([-1, refs[1].frozenAt, -1]);
    expect(refs[1].frozenAt % 7).toBe(0);
    expect(refs[1].frozenAt).toBeGreaterThan(0);
    const all = [true, true, true];
    await engine.advance(0, 50, all);
    await engine.advance(50, 70, all);
    expect(await engine.takeFrozen()).toEqual([{ member: 1, step: refs[1].frozenAt }]);
    expect(await engine.takeFrozen()).toEqual([]);
    const frozen = await engine.save(1);
    for (const m of [0, 2]) expect(relError((await engine.save(m)).params.W, refs[m].params.W)).toBeLessThan(1e-5);
    await engine.advance(120, 30, all);
    expect(await engine.save(1)).toEqual(frozen);
    expect(await engine.takeFrozen()).toEqual([]);
    expect(Number.isFinite((await engine.lossSums())[0])).toBe(true);
  } finally {
    engine.dispose();
  }
});

test('save/load round trip gives the same continuation, on any number of threads; inactive members are untouched', async () => {
  const configs = members({ loss: 'softmax-ce', classes: 4, bias: true, input: 'uniform', inputDim: 10, hidden: 6, trainSize: 20 }, [
    { eta: 0.1, seed: 21, batchSize: 3 }, { eta: 0.05, seed: 22 }, { eta: 0.2, seed: 23, batchSize: 20 },
  ]);
  const a = createWasmTwoLayerEngine(configs, { threads: 2 });
  const b = createWasmTwoLayerEngine(configs, { threads: 1 });
  try {
    await a.advance(0, 100, [true, true, true]);
    const saved = await Promise.all(configs.map((_, m) => a.save(m)));
    for (let m = 0; m < 3; m++) await b.load(m, saved[m]);
    expect(await Promise.all(configs.map((_, m) => b.save(m)))).toEqual(saved);
    await a.advance(100, 57, [true, false, true]);
    await b.advance(100, 57, [true, false, true]);
    const after = await Promise.all(configs.map((_, m) => a.save(m)));
    expect(await Promise.all(configs.map((_, m) => b.save(m)))).toEqual(after);
    expect(after[1]).toEqual(saved[1]);
    expect(after[0].lossSum).toBeGreaterThan(saved[0].lossSum);
    await a.resetLoss([0, 2]);
    expect(Array.from(await a.lossSums())).toEqual([0, saved[1].lossSum, 0]);
  } finally {
    a.dispose();
    b.dispose();
  }
});

test('paramTensors equal save(), sumSquares agrees, and no tensor leaks', async () => {
  const before = tf.memory().numTensors;
  const configs = members({ loss: 'bce', bias: true, input: 'gaussian', inputDim: 7, hidden: 5 }, [
    { eta: 0.1, seed: 1 },
    { eta: 0.1, seed: 2 },
  ]);
  const engine = createWasmTwoLayerEngine(configs, { threads: 2 });
  try {
    for (let round = 0; round < 3; round++) {
      await engine.advance(round * 10, 10, [true, true]);
      const t = await engine.paramTensors();
      expect(await engine.paramTensors()).toEqual(t);
      expect(Object.keys(t).sort()).toEqual(['V', 'W', 'b']);
      expect([t.W.shape, t.b.shape, t.V.shape]).toEqual([[2, 5, 7], [2, 5], [2, 1, 5]]);
      const sq = await engine.sumSquares();
      for (let m = 0; m < 2; m++) {
        const s = await engine.save(m);
        for (const name of ['W', 'b', 'V']) {
          const size = s.params[name].length;
          expect(Array.from(t[name].dataSync().subarray(m * size, (m + 1) * size))).toEqual(Array.from(s.params[name]));
          expect(sq[m][name]).toBeCloseTo(s.params[name].reduce((x, v) => x + v * v, 0), 10);
        }
      }
      expect(tf.memory().numTensors).toBe(before + 3);
    }
  } finally {
    engine.dispose();
  }
  expect(tf.memory().numTensors).toBe(before);
});

test('bad input throws typed errors', async () => {
  const configs = members({ inputDim: 4, hidden: 4, bias: false }, [{ seed: 1 }]);
  expect(() => createWasmTwoLayerEngine([...configs, makeConfig({ probes: ['loss'], inputDim: 5, hidden: 4 })])).toThrow(ConfigError);
  expect(() => createWasmTwoLayerEngine(configs, { checkEvery: 0 })).toThrow(ConfigError);
  const engine = createWasmTwoLayerEngine(configs);
  try {
    expect(engine.threads).toBe(1);
    await expect(engine.advance(0, 1, [true, true])).rejects.toThrow(ConfigError);
    await expect(engine.advance(-1, 1, [true])).rejects.toThrow(ConfigError);
    await expect(engine.load(0, { params: { W: new Float32Array(3), V: new Float32Array(4) }, lossSum: 0 })).rejects.toThrow(ConfigError);
    const withBias = { W: new Float32Array(16), b: new Float32Array(4), V: new Float32Array(4) };
    await expect(engine.load(0, { params: withBias, lossSum: 0 })).rejects.toThrow(ConfigError);
    await expect(engine.save(1)).rejects.toThrow(ConfigError);
  } finally {
    engine.dispose();
  }
  await expect(engine.advance(0, 1, [true])).rejects.toThrow(/after dispose/);
});

test('a worker thread killed in the middle of an advance makes it throw, not wait for ever', async () => {
  const cfgs = [1, 2, 3, 4].map((seed) => makeConfig({ inputDim: 100, hidden: 100, seed, steps: 100_000 }));
  const engine = createWasmTwoLayerEngine(cfgs, { threads: 2 });
  try {
    await engine.advance(0, 10, [true, true, true, true]);
    const pool = (engine as unknown as { pool: { workers: { terminate(): Promise<number> }[] } }).pool;
    void pool.workers[0].terminate(); // dies while the next call runs
    await expect(engine.advance(10, 20_000, [true, true, true, true])).rejects.toThrow(/WasmPool: a worker thread failed \(worker exited with code 1\)/);
  } finally {
    engine.dispose();
  }
}, 60000);
