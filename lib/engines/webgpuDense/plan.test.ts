/**
 * The webgpu-dense layout without a device: shapes in the architecture's order, tiles, member
 * groups and buffer regions, limit errors, and which configs are eligible.
 */
import { makeConfig, type RunConfig } from '../../core/config.js';
import { webgpuDenseEligible } from './eligible.js';
import { DEFAULT_TUNING, planDense, stagedStride, tileFor, type DenseLimits } from './plan.js';
import { denseShape } from './shape.js';
import { TEST_DENSE_LIMITS } from '../../testing/denseLimits.js';

const LIMITS: DenseLimits = TEST_DENSE_LIMITS;
const FC6 = { model: 'fc', depth: 6, inputDim: 784, hidden: 100, classes: 10, loss: 'softmax-ce' } as const;
const fc = (p: Partial<RunConfig> = {}) => makeConfig({ ...FC6, ...p });
const CIFAR = { model: 'two-layer', input: 'cifar10', inputDim: 3072, hidden: 300, classes: 10, loss: 'softmax-ce' } as const;

describe('webgpu-dense plan', () => {
  test('FC6 and the CIFAR net: layers and parameters in the architecture order', () => {
    const s = denseShape(fc());
    expect(s.layers.map((l) => [l.W, l.b, l.in, l.out])).toEqual([
      ['W1', 'b1', 784, 100],
      ['W2', 'b2', 100, 100],
      ['W3', 'b3', 100, 100],
      ['W4', 'b4', 100, 100],
      ['W5', 'b5', 100, 100],
      ['W6', 'b6', 100, 10],
    ]);
    expect(s.params.map((p) => p.name)).toEqual(['W1', 'b1', 'W2', 'b2', 'W3', 'b3', 'W4', 'b4', 'W5', 'b5', 'W6', 'b6']);
    const cifar = denseShape(makeConfig(CIFAR), 50000);
    expect(cifar.layers.map((l) => [l.W, l.b, l.in, l.out])).toEqual([['W', 'b', 3072, 300], ['V', null, 300, 10]]);
    expect(cifar.params.map((p) => [p.name, p.shape])).toEqual([['W', [300, 3072]], ['b', [300]], ['V', [10, 300]]]);
    expect(cifar.trainSize).toBe(50000);
  });

  test('tiles: 16 × 16 invocations with up to 4 × 4 outputs each, narrower for few columns, 1 or 2 across for narrow jobs', () => {
    expect(tileFor(1000, 300, 256)).toEqual({ TX: 16, TY: 16, RR: 4, RC: 4, TR: 64, TC: 64, TK: 32 });
    expect(tileFor(32, 100, 256)).toMatchObject({ TR: 32, TC: 64 });
    expect(tileFor(32, 10, 256)).toMatchObject({ TX: 16, RC: 1, TR: 32 });
    expect(tileFor(4, 1, 256)).toMatchObject({ TX: 1, TY: 256, RR: 1 });
    // narrow jobs with rows for every invocation: 1 or 2 invocations across, all of their columns used
    expect(tileFor(25088, 10, 256)).toEqual({ TX: 2, TY: 128, RR: 1, RC: 5, TR: 128, TC: 10, TK: 32 });
    expect(tileFor(1000, 3, 256)).toMatchObject({ TX: 1, TY: 256, RC: 3, TR: 256, TC: 3 });
    expect(tileFor(25088, 10, 256, { maxRegisterBlock: 2 })).toMatchObject({ TX: 16, RC: 1, TC: 16 });
    expect(tileFor(100, 785, 64, { maxRegisterBlock: 2, tileDepth: 8 })).toEqual({ TX: 8, TY: 8, RR: 2, RC: 2, TR: 16, TC: 16, TK: 8 });
    // the reduction chunk halves to fit a small workgroup memory; an explicit one that does not fit is an error
    const input = { shape: denseShape(fc()), members: 1, maxBatch: 256, channels: 0 };
    expect(planDense(input, { ...LIMITS, maxComputeWorkgroupStorageSize: 8192 }).tiles[0].forward.TK).toBe(8);
    expect(planDense(input, LIMITS).tiles[0].forward.TK).toBe(32);
    expect(() => planDense(input, { ...LIMITS, maxComputeWorkgroupStorageSize: 8192 }, { tileDepth: 16 })).toThrow(
      /engine\.tuning: got .*allowed: tiles within maxComputeWorkgroupStorageSize = 8192 bytes .*lower workgroupSize or tileDepth/,
    );
  });

  test('tuning knobs: unknown keys and values out of range are one-line ConfigErrors naming the knob', () => {
    const input = { shape: denseShape(fc()), members: 1, maxBatch: 32, channels: 0 };
    const bad = (tuning: object) => () => planDense(input, LIMITS, tuning as never);
    expect(bad({ splitdepth: 8 })).toThrow(/engine\.tuning\.splitdepth: got 8; allowed: no such option; known options: .*splitDepth/);
    expect(bad({ workgroupSize: 100 })).toThrow('engine.tuning.workgroupSize: got 100; allowed: 64, 128 or 256');
    expect(bad({ maxRegisterBlock: 3 })).toThrow(/engine\.tuning\.maxRegisterBlock: got 3; allowed: 1, 2 or 4/);
    expect(bad({ tileDepth: 24 })).toThrow(/engine\.tuning\.tileDepth: got 24/);
    expect(bad({ splitDepth: 0 })).toThrow(/engine\.tuning\.splitDepth: got 0/);
    expect(bad({ outputSplitDepth: 1.5 })).toThrow(/engine\.tuning\.outputSplitDepth: got 1\.5/);
    for (const t of [{ splitdepth: 8 }, { workgroupSize: 100 }, { splitDepth: 0 }]) {
      try {
        bad(t)();
      } catch (err) {
        expect((err as Error).message).not.toMatch(/\n/);
      }
    }
  });

  test('staged strides: the stores of 32 neighbouring invocations fall in 32 different banks', () => {
    expect([stagedStride(64, 32, false), stagedStride(10, 32, false), stagedStride(5, 32, false), stagedStride(64, 32, true)]).toEqual([65, 11, 5, 64]);
    expect([stagedStride(64, 16, false), stagedStride(10, 16, false), stagedStride(64, 8, false)]).toEqual([66, 10, 68]);
    for (const TK of [4, 8, 16, 32, 64]) {
      for (let T = 1; T <= 130; T++) {
        const s = stagedStride(T, TK, false);
        expect(s).toBeGreaterThanOrEqual(T);
        // staging along k: invocation e stores row kk = e % TK, column xx = ⌊e / TK⌋, at kk·s + xx
        for (let w = 0; w < 4; w++) {
          const banks = new Set(Array.from({ length: 32 }, (_, i) => ((32 * w + i) % TK) * s + Math.floor((32 * w + i) / TK)).map((a) => a % 32));
          expect(banks.size).toBe(32);
        }
      }
    }
    // CNN6: layer 1's delta tile (C_in = 1 over 25,088 rows) has no job and does not halve every layer's
    // TK: conv nets keep their default (16), and at 32 they keep 32
    const cnn6 = makeConfig({ model: 'cnn', input: 'fashion-mnist', inputDim: 784, classes: 10, loss: 'softmax-ce', convLayers: 5, channels: 10, kernel: 5 });
    const cnnPlan = (tuning = {}) => planDense({ shape: denseShape(cnn6, 60000), members: 1, maxBatch: 32, channels: 1 }, LIMITS, tuning);
    expect(cnnPlan().tiles[0].forward.TK).toBe(DEFAULT_TUNING.convTileDepth);
    expect(cnnPlan({ tileDepth: 32 }).tiles[0].forward.TK).toBe(32);
  });

  test('regions and groups: one group when it fits, else groups of equal capacity', () => {
    const shape = denseShape(fc());
    const one = planDense({ shape, members: 16, maxBatch: 32, channels: 0 }, LIMITS);
    expect(one.groups).toEqual([{ first: 0, count: 16 }]);
    expect(one.paramOffset.slice(0, 3)).toEqual([0, 16 * 78400, 16 * 78500]);
    expect(one.actOffset).toEqual([0, 1, 2, 3, 4, 5].map((l) => 16 * 32 * (l === 0 ? 0 : 784 + 100 * (l - 1))));
    expect(one.labelOffset).toBe(16 * 32 * 510);
    const P = shape.params.reduce((s, p) => s + p.size, 0);
    const split = planDense({ shape, members: 5, maxBatch: 32, channels: 0 }, { ...LIMITS, maxStorageBufferBindingSize: 4 * 2 * P });
    expect(split.GC).toBe(2);
    expect(split.groups).toEqual([{ first: 0, count: 2 }, { first: 2, count: 2 }, { first: 4, count: 1 }]);
  });

  test('image data is split over at most 3 bindings; limit errors name what to reduce', () => {
    const cifar = denseShape(makeConfig(CIFAR), 50000);
    const plan = (maxBatch: number, binding: number) =>
      planDense({ shape: cifar, members: 1, maxBatch, channels: 3 }, { ...LIMITS, maxStorageBufferBindingSize: binding });
    const p = plan(1000, LIMITS.maxStorageBufferBindingSize);
    expect(p.images).toEqual({ channels: 3, wordsPerImage: 768, imagesPerPart: 43690, parts: 2 });
    expect(() => plan(1000, 2 ** 25)).toThrow(
      /config\.trainSize: got 50000; allowed: at most 32766 training images .*set a smaller trainSize/,
    );
    expect(() => plan(1, 2 ** 20)).toThrow(/config\.hidden: got 300; allowed: .*reduce hidden/);
    const huge = { shape: denseShape(fc()), members: 1, maxBatch: 100000, channels: 0 };
    expect(() => planDense(huge, LIMITS)).toThrow(/config\.batchSize: got 100000/);
  });

  test("CNN6: conv layers with their geometry, and each conv layer's split-K region after the labels and losses, then the output's", () => {
    const cnn6 = makeConfig({ model: 'cnn', input: 'fashion-mnist', inputDim: 784, classes: 10, loss: 'softmax-ce', convLayers: 5, channels: 10, kernel: 5 });
    const s = denseShape(cnn6, 60000);
    expect(s.layers.map((l) => [l.W, l.in, l.out, l.conv?.Cin ?? null])).toEqual([
      ['W1', 784, 7840, 1],
      ['W2', 7840, 7840, 10],
      ['W3', 7840, 7840, 10],
      ['W4', 7840, 7840, 10],
      ['W5', 7840, 7840, 10],
      ['W6', 7840, 10, null],
    ]);
    expect(s.params.find((p) => p.name === 'W2')?.shape).toEqual([5, 5, 10, 10]);
    const plan = planDense({ shape: s, members: 2, maxBatch: 32, channels: 1 }, LIMITS);
    // 32 images × 784 pixels in chunks of 128 rows: 196 splits of C_out × (k·k·C_in + 1 for the bias)
    expect(plan.splitK.map((k) => k && [k.splits, k.chunk, k.cols])).toEqual([[196, 128, 26], [196, 128, 251], [196, 128, 251], [196, 128, 251], [196, 128, 251], null]);
    const regions = plan.splitK.filter((k) => k !== null).map((k) => [k!.offset, k!.offset + 2 * k!.splits * 10 * k!.cols]);
    expect(regions[0][0]).toBe(plan.lossOffset + 2 * 32);
    regions.slice(1).forEach((r, i) => expect(r[0]).toBe(regions[i][1]));
    // then the 7,840-wide output layer's partial logits: 8 splits of 1,024 inputs, [GC, 8, Bmax, 10]
    expect(plan.outputSplit).toEqual({ splits: 8, chunk: 1024, offset: regions[regions.length - 1][1] });
    expect(plan.outputSplit!.offset + 2 * 8 * 32 * 10).toBe(plan.deltaWords);
    expect(planDense({ shape: denseShape(fc()), members: 1, maxBatch: 32, channels: 0 }, LIMITS).outputSplit).toBeNull();
    // a target of 100 rounds up to a multiple of TK (16 in a conv net): 784 rows in 7 chunks of 112
    expect(planDense({ shape: s, members: 1, maxBatch: 1, channels: 1 }, LIMITS, { splitDepth: 100 }).splitK[1]).toMatchObject({ splits: 7, chunk: 112 });
    // a large batch gets longer chunks, not more than MAX_SPLITS partials: 500 × 784 rows in 256 chunks of 1,536
    expect(planDense({ shape: s, members: 1, maxBatch: 500, channels: 1 }, LIMITS).splitK[1]).toMatchObject({ splits: 256, chunk: 1536 });
    // a fan-in that one rounded-up chunk holds is not split (1,010 inputs, target 1,000, chunks of 1,024)
    const wide = denseShape(fc({ hidden: 1010 }));
    expect(planDense({ shape: wide, members: 1, maxBatch: 4, channels: 0 }, LIMITS, { outputSplitDepth: 1000, tileDepth: 32 }).outputSplit).toBeNull();
  });

  test('eligibility: fc, two-layer and cnn on any input, members sharing the architecture and data, plain SGD', () => {
    expect(webgpuDenseEligible([fc(), fc({ seed: 2, eta: 0.1, batchSize: 7 })])).toEqual({ eligible: true });
    const cnn = (p: Partial<RunConfig> = {}) => makeConfig({ model: 'cnn', inputDim: 16, classes: 2, loss: 'softmax-ce', ...p });
    expect(webgpuDenseEligible([cnn(), cnn({ seed: 3, depth: 4, hidden: 7 })])).toEqual({ eligible: true });
    expect(webgpuDenseEligible([cnn(), cnn({ channels: 4 })])).toMatchObject({ reason: 'members differ in channels (member 1: 4, member 0: 10)' });
    expect(webgpuDenseEligible([fc(), fc({ depth: 4 })])).toMatchObject({ reason: 'members differ in depth (member 1: 4, member 0: 6)' });
    const two = { model: 'two-layer', depth: 3 } as const;
    expect(webgpuDenseEligible([makeConfig(two), makeConfig({ ...two, depth: 5 })])).toEqual({ eligible: true });
    const noisy = fc({ gradientNoise: 'isotropic', trainSize: 10, batchSize: 10 });
    expect(webgpuDenseEligible([noisy])).toMatchObject({ reason: "member 0: gradientNoise 'isotropic' (only plain SGD)" });
    expect(webgpuDenseEligible([fc()], { ...LIMITS, maxStorageBufferBindingSize: 1024 })).toMatchObject({ eligible: false });
    expect(webgpuDenseEligible([])).toMatchObject({ reason: 'no configs' });
  });
});
