/**
 * The loop iterations of one invocation per dispatch of the webgpu-dense kernels (loops.ts), without
 * a device: the counts of the paper's shapes worked out by hand from their plans' tiles, the split
 * of a hidden layer's fan-in that keeps 300,000 inputs → 2 units within SOFTWARE_LOOP_ITERATIONS,
 * and what is still over it (a batch of 50,000) with the reason a software adapter gives.
 */
import { makeConfig, type RunConfig } from '../../core/config.js';
import { SOFTWARE_LOOP_ITERATIONS } from '../webgpu/twoLayerEngine.js';
import { kernelWalks, longestWalk, softwareDispatchIterations, softwareLoopProblem } from './loops.js';
import { matmulIterations, planDense, type DenseLimits, type DenseTuning } from './plan.js';
import { denseShape } from './shape.js';
import { TEST_DENSE_LIMITS } from '../../testing/denseLimits.js';

const LIMITS: DenseLimits = TEST_DENSE_LIMITS;

const plan = (cfg: Partial<RunConfig>, maxBatch: number, opts: { images?: number; members?: number; tuning?: DenseTuning } = {}) => {
  const c = makeConfig(cfg);
  const channels = opts.images ? (c.input === 'cifar10' ? 3 : 1) : 0;
  return planDense({ shape: denseShape(c, opts.images ?? 0), members: opts.members ?? 1, maxBatch, channels }, LIMITS, opts.tuning);
};
const TWO = { model: 'two-layer', inputDim: 100, hidden: 100, classes: 1, loss: 'mse' } as const;
const CIFAR = { model: 'two-layer', input: 'cifar10', inputDim: 3072, hidden: 300, classes: 10, loss: 'softmax-ce' } as const;
const FC6 = { model: 'fc', depth: 6, inputDim: 784, hidden: 100, classes: 10, loss: 'softmax-ce' } as const;
const CNN6 = {
  model: 'cnn', input: 'fashion-mnist', inputDim: 784, classes: 10, loss: 'softmax-ce', convLayers: 5, channels: 10, kernel: 5,
} as const;
const WIDE = { model: 'two-layer', inputDim: 300_000, hidden: 2, classes: 1, loss: 'mse' } as const;

describe('webgpu-dense loop iterations per invocation and dispatch', () => {
  test('a tiled matmul: per chunk of TK, the chunk loop, the two staging loops (invocation 0) and TK products', () => {
    const tile = { TX: 16, TY: 16, RR: 4, RC: 4, TR: 64, TC: 64, TK: 32 };
    // 96 chunks × (1 + ⌈32·64/256⌉ + ⌈32·64/256⌉ + 32)
    expect(matmulIterations(tile, 256, 3072)).toBe(96 * 49);
    expect(matmulIterations(tile, 256, 1)).toBe(49);
    expect(matmulIterations({ ...tile, TR: 128, TC: 2, TK: 16 }, 256, 300_000)).toBe(18_750 * (1 + 8 + 1 + 16));
  });

  test('the paper shapes are far within the cap; their longest walks by hand', () => {
    // two-layer 100 → 100 → 1 at |B| 32 (TK 16: the 256-row output tile halves it): the output job,
    // one tile across, 7 chunks × (1 + 16 + 1 + 16) + 1 for the tile, + 1 loss loop pass (mse)
    const two = plan(TWO, 32);
    expect(two.tiles[1].forward).toMatchObject({ TR: 256, TC: 1, TK: 16 });
    expect(longestWalk(two)).toMatchObject({ kernel: 'output', iterations: 1 + 7 * 34 + 1 });
    // the CIFAR net 3072 → 300 → 10 at |B| 1000: layer 1's forward, 96 chunks × 49
    const cifar = plan(CIFAR, 1000, { images: 50000 });
    expect(longestWalk(cifar)).toMatchObject({ kernel: 'forward 1', iterations: 4704, field: 'inputDim', value: 3072 });
    // its norms: ⌈921,600/256⌉ + ⌈300/256⌉ + ⌈3,000/256⌉ plus 3 workgroup sums of log₂ 256
    expect(kernelWalks(cifar).find((w) => w.kernel === 'norms')?.iterations).toBe(3600 + 2 + 12 + 3 * 8);
    // its updates sum over the 1000 samples: 32 chunks × (1 + 2 + 8 + 32) (layer 2's 16-row tile), 32 × 49 (layer 1); the loss ⌈1000/256⌉ + 8
    expect(kernelWalks(cifar).filter((w) => w.kernel === 'update').map((w) => w.iterations)).toEqual([32 * 43, 32 * 49, 4 + 8]);
    // FC6 at |B| 100: layer 1's fan-in of 784, 25 chunks × 49
    expect(longestWalk(plan(FC6, 100))).toMatchObject({ kernel: 'forward 1', iterations: 1225 });
    // CNN6 at |B| 32: the output layer's partial logits, chunks of 1,024 of its 7,840 inputs, reduction
    // chunks of 16 (a conv net's default): 64 × (1 + 2 + 1 + 16)
    const cnn6 = plan(CNN6, 32, { images: 60000 });
    expect(longestWalk(cnn6)).toMatchObject({ kernel: 'output partials', iterations: 1280 });
    for (const p of [two, cifar, cnn6]) expect(softwareDispatchIterations(p)).toBeLessThan(SOFTWARE_LOOP_ITERATIONS / 10);
    expect(plan(CIFAR, 1000, { images: 50000 }).forwardSplit).toEqual([null, null]);
  });

  test('300,000 inputs → 2 units: one walk over the fan-in is 487,500 iterations; the plan splits it in 9 walks within the cap', () => {
    const p = plan(WIDE, 4);
    const tile = p.tiles[0].forward;
    expect(tile).toMatchObject({ TR: 128, TC: 2, TK: 16 });
    expect(matmulIterations(tile, p.WG, 300_000)).toBe(487_500);
    // at most ⌊60,000 / 26⌋ = 2,307 chunks of 16 a walk: 9 splits of 2,084 chunks (33,344 inputs), the last shorter
    expect(p.forwardSplit).toEqual([{ splits: 9, chunk: 33_344, offset: p.lossOffset + 4 }, null]);
    expect(p.deltaWords).toBe(p.forwardSplit[0]!.offset + 9 * 4 * 2);
    const walks = kernelWalks(p);
    const kernels = ['data', 'forward partials 1', 'forward 1', 'output', 'backward 2', 'update', 'update', 'update', 'norms'];
    expect(walks.map((w) => w.kernel)).toEqual(kernels);
    expect(walks[1]).toMatchObject({ iterations: 2084 * 26, what: "layer 1's forward pass (a sum over 33344 of its fan-in of 300000 inputs)" });
    expect(walks[2].iterations).toBe(9); // A_1 = relu(Σ of 9 partials + b)
    expect(softwareDispatchIterations(p)).toBe(54_184);
    expect(softwareLoopProblem(p)).toBeNull();
    // the data job's longest invocation: 75,000 words over 256 lanes, each a Philox draw (10 rounds), + the label's draw
    expect(walks[0].iterations).toBe(293 * 11 + 10);
  });

  test('what stays over the cap: a batch of 50,000 (the updates sum over every sample), with the reason and what to reduce', () => {
    const p = plan(TWO, 50_000);
    expect(softwareDispatchIterations(p)).toBe(3125 * (1 + 4 + 4 + 16)); // layer 1's update: 3,125 chunks of 16 samples
    expect(softwareLoopProblem(p)).toEqual({
      field: 'config.batchSize',
      value: 50_000,
      why: "on a software adapter layer 1's update (a sum over batchSize = 50000 samples) runs 78125 loop iterations in one invocation of the " +
        "'update' kernel, over its limit of 60000: reduce batchSize",
    });
    expect(softwareLoopProblem(plan(TWO, 30_000))).toBeNull();
  });

  test('forwardSplitDepth splits every hidden layer with a longer fan-in; its partials follow the output split in deltas', () => {
    const fc3 = { model: 'fc', depth: 3, inputDim: 20, hidden: 12, classes: 3, loss: 'softmax-ce' } as const;
    const p = plan(fc3, 5, { members: 2, tuning: { tileDepth: 8, forwardSplitDepth: 8, outputSplitDepth: 8 } });
    const out = p.outputSplit!;
    expect(out).toMatchObject({ splits: 2, chunk: 8 });
    expect(p.forwardSplit).toEqual([
      { splits: 3, chunk: 8, offset: out.offset + 2 * 2 * 5 * 3 },
      { splits: 2, chunk: 8, offset: out.offset + 2 * 2 * 5 * 3 + 2 * 3 * 5 * 12 },
      null,
    ]);
    expect(p.deltaWords).toBe(p.forwardSplit[1]!.offset + 2 * 2 * 5 * 12);
    expect(plan(fc3, 5, { tuning: { tileDepth: 8, forwardSplitDepth: 16 } }).forwardSplit.map((s) => s?.splits ?? null)).toEqual([2, null, null]);
    expect(plan(fc3, 5).forwardSplit).toEqual([null, null, null]);
    expect(() => plan(fc3, 5, { tuning: { forwardSplitDepth: 0 } })).toThrow(/engine\.tuning\.forwardSplitDepth: got 0/);
  });
});
