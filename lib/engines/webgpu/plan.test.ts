import { ConfigError } from '../../core/errors.js';
import { planLimits, planTwoLayer, sharedBytes, type PlanLimits, type PlanShape } from './plan.js';

/** An H200's limits as Dawn reports them over Vulkan (binding 2 GiB), and llvmpipe's in compatibility mode as tfjs requests them. */
const GPU: PlanLimits = {
  maxStorageBufferBindingSize: 2 ** 31 - 4,
  maxBufferSize: 2 ** 40,
  maxComputeWorkgroupStorageSize: 49152,
  maxComputeInvocationsPerWorkgroup: 1024,
  maxComputeWorkgroupSizeX: 1024,
  maxComputeWorkgroupsPerDimension: 65535,
  maxStorageBuffersPerShaderStage: 8,
};
const COMPAT: PlanLimits = {
  ...GPU,
  maxStorageBufferBindingSize: 2 ** 27,
  maxBufferSize: 2 ** 28,
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeInvocationsPerWorkgroup: 128,
  maxComputeWorkgroupSizeX: 128,
};

const shape = (s: Partial<PlanShape>): PlanShape => ({
  inputDim: 100, hidden: 100, classes: 1, bias: true, loss: 'bce', input: 'gaussian', trainSize: 0, members: 16, maxBatch: 1, ...s,
});

test('the paper case (M = N = 100, |B| = 1): one workgroup of N invocations per member, W rows private, inputs double-buffered', () => {
  const p = planTwoLayer(shape({ members: 4096 }), GPU);
  expect(p).toMatchObject({ WG: 100, U: 1, privateW: true, xRegisters: false, BC: 1, chunks: 1, xsBuffers: 2 });
  expect(p.groups).toEqual([{ first: 0, count: 4096 }]);
  expect(p.sharedBytes).toBeLessThan(4096);
});

test('hidden 1024 on compatibility limits: 128 invocations of 8 units each, W in storage; inputDim 3072 still fits 16 KiB', () => {
  expect(planTwoLayer(shape({ hidden: 1024 }), COMPAT)).toMatchObject({ WG: 128, U: 8, privateW: false });
  const wide = planTwoLayer(shape({ inputDim: 3072, hidden: 1024 }), COMPAT);
  expect(wide.sharedBytes).toBeLessThanOrEqual(16384);
  expect(wide.BC).toBe(1);
  expect(planTwoLayer(shape({ inputDim: 3072, classes: 10, loss: 'softmax-ce' }), COMPAT).sharedBytes).toBeLessThanOrEqual(16384);
});

test('large batches are processed in balanced chunks (with a gradient scratch buffer); small ones in one', () => {
  expect(planTwoLayer(shape({ maxBatch: 8 }), GPU)).toMatchObject({ BC: 8, chunks: 1 });
  expect(planTwoLayer(shape({ maxBatch: 40 }), GPU)).toMatchObject({ BC: 20, chunks: 2 });
  expect(planTwoLayer(shape({ maxBatch: 1000, inputDim: 784 }), COMPAT).chunks).toBeGreaterThan(1);
});

test('members split into groups that fit one storage binding (65,536 members × 10⁴ weights over a 2 GiB binding)', () => {
  const p = planTwoLayer(shape({ members: 65536 }), GPU);
  const per = Math.floor((2 ** 31 - 4) / 40000);
  expect(p.groups).toEqual([{ first: 0, count: per }, { first: per, count: 65536 - per }]);
  expect(planTwoLayer(shape({ members: 100000, inputDim: 4, hidden: 4 }), GPU).groups.every((g) => g.count <= 65535)).toBe(true);
});

test('limit errors are one-line ConfigErrors naming what to reduce and the limit', () => {
  const err = (s: Partial<PlanShape>, l: Partial<PlanLimits>) => {
    try {
      planTwoLayer(shape(s), { ...GPU, ...l });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
    throw new Error('no error');
  };
  expect(err({ hidden: 200000, inputDim: 3000 }, {})).toMatch(
    /^config\.hidden: got 200000; allowed: .*2147483644 \(maxStorageBufferBindingSize.*reduce hidden or inputDim$/,
  );
  expect(err({ inputDim: 5000 }, { maxComputeWorkgroupStorageSize: 16384 })).toMatch(
    /^config\.inputDim: got 5000; allowed: at most about \d+ .*16384 bytes.*reduce inputDim/,
  );
  expect(err({ members: 2 ** 26, inputDim: 1, hidden: 1 }, {})).toMatch(/^members: .*reduce the number of members/);
  expect(err({ maxBatch: 64 }, { maxStorageBuffersPerShaderStage: 4 })).toMatch(/maxStorageBuffersPerShaderStage/);
  for (const m of [err({ inputDim: 5000 }, { maxComputeWorkgroupStorageSize: 16384 })]) expect(m).not.toContain('\n');
});

test('planLimits takes the device limits, lowered (never raised) by an override', () => {
  const l = planLimits({ ...COMPAT, other: 1 }, { maxStorageBufferBindingSize: 1000, maxComputeWorkgroupStorageSize: 10 ** 9 });
  expect(l.maxStorageBufferBindingSize).toBe(1000);
  expect(l.maxComputeWorkgroupStorageSize).toBe(16384);
  expect(Object.keys(l)).not.toContain('other');
  expect(sharedBytes(25, 1, 100, 1, 2, false)).toBe(4 * (200 + 300 + 7 + 1 + 2 + 2) + 64);
});
