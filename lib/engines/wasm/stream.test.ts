import { philox4x32 } from '../../core/philox.js';
import { EpochOrder, permute, STREAM, StreamDraw } from '../../data/stream.js';
import { instantiate, sharedMemory } from '../../backend/wasmModules.js';
import { TWO_LAYER_MODULE, type TwoLayerExports } from './kernel.js';

const memory = sharedMemory(16);
const wasm = instantiate<TwoLayerExports>(TWO_LAYER_MODULE, memory);
const out = Math.ceil(wasm.heapBase() / 64) * 64;
const tables = out + 1024;
wasm.initTables(tables);

/** A small LCG for test inputs (u32). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}

test('Philox4x32-10 words are bit-identical to the TS reference (known-answer vectors and random counters)', () => {
  const next = lcg(1);
  const cases: number[][] = [
    [0, 0, 0, 0, 0, 0],
    [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
    [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0],
  ];
  for (let n = 0; n < 2000; n++) cases.push([next(), next(), next(), next(), next(), next()]);
  const words = new Uint32Array(memory.buffer, out, 4);
  for (const [c0, c1, c2, c3, k0, k1] of cases) {
    wasm.testPhilox(c0, c1, c2, c3, k0, k1, out);
    expect(Array.from(words)).toEqual(Array.from(philox4x32(c0, c1, c2, c3, k0, k1)));
  }
  wasm.testPhilox(0, 0, 0, 0, 0, 0, out);
  expect(Array.from(words, (w) => w.toString(16).padStart(8, '0')).join(' ')).toBe('6627e8d5 e169c58d bc57ac4c 9b00dbd8');
});

test('inputs equal the reference as float32 (uniform exactly; Gaussian within 1 ulp, in practice exactly), on both paths', () => {
  const next = lcg(2);
  const ref = new Float32Array(128);
  const exact = new Float32Array(memory.buffer, out, 128);
  const fast = new Float32Array(memory.buffer, out + 512, 128);
  const bits = new Int32Array(1);
  const asFloat = new Float32Array(bits.buffer);
  const ulp = (a: number, b: number) => {
    asFloat[0] = a;
    const x = bits[0];
    asFloat[0] = b;
    return Math.abs(x - bits[0]);
  };
  let values = 0;
  let inexact = 0;
  for (const input of ['gaussian', 'uniform'] as const) {
    for (let n = 0; n < 1500; n++) {
      const seed = next();
      const draw = new StreamDraw(seed);
      const M = [1, 2, 3, 4, 5, 7, 100, 127, 16, 17, 13][n % 11];
      const [stream, t, i] = [1 + (n % 9), next(), next() % 4096];
      draw.sample(input, stream, t, i, M, ref, 0);
      const g = input === 'gaussian' ? 1 : 0;
      wasm.testSample(g, seed, stream, t, i, M, out, 0);
      fast.fill(-7);
      wasm.testSample(g, seed, stream, t, i, M, out + 512, tables);
      expect(Array.from(fast.subarray(0, M))).toEqual(Array.from(exact.subarray(0, M)));
      expect(fast[M]).toBe(-7);
      for (let e = 0; e < M; e++) {
        values++;
        if (exact[e] === ref[e]) continue;
        inexact++;
        expect(input).toBe('gaussian');
        expect(ulp(exact[e], ref[e])).toBeLessThanOrEqual(1);
      }
    }
  }
  expect(values).toBeGreaterThan(50000);
  expect(inexact).toBeLessThanOrEqual(values * 1e-4);
});

test("the fast Gaussian path gives the exact path's float32 values bit for bit, and falls back to it when too close to call", () => {
  const M = 128;
  const exact = new Float32Array(memory.buffer, out, M);
  const fast = new Float32Array(memory.buffer, out + 512, M);
  let mismatches = 0;
  for (let i = 0; i < 4000; i++) {
    wasm.testSample(1, 77, 1, i, 0, M, out, 0);
    wasm.testSample(1, 77, 1, i, 0, M, out + 512, tables);
    for (let e = 0; e < M; e++) if (!Object.is(fast[e], exact[e])) mismatches++;
  }
  expect(mismatches).toBe(0);
  const before = wasm.testFallbacks();
  wasm.testSetMargins(1, 0);
  try {
    for (let i = 0; i < 50; i++) {
      wasm.testSample(1, 78, 1, i, 3, M, out, 0);
      wasm.testSample(1, 78, 1, i, 3, M, out + 512, tables);
      expect(Array.from(fast)).toEqual(Array.from(exact));
    }
  } finally {
    wasm.testSetMargins(2e-14, 3e-15);
  }
  expect(wasm.testFallbacks() - before).toBe((50 * M) / 4);
});

test('labels are identical for one, two and several classes', () => {
  const next = lcg(3);
  for (let n = 0; n < 3000; n++) {
    const seed = next();
    const classes = [1, 2, 3, 10, 7, 1000][n % 6];
    const [t, i] = [next(), next() % 100000];
    expect(wasm.testLabel(seed, STREAM.trainY, t, i, classes) >>> 0).toBe(new StreamDraw(seed).label(STREAM.trainY, t, i, classes));
  }
});

test('permutations are identical, index by index, for small and large n', () => {
  const next = lcg(4);
  for (const n of [1, 2, 3, 4, 5, 16, 17, 100, 1000, 4097]) {
    for (let e = 0; e < 3; e++) {
      const seed = next();
      const got = Array.from({ length: n }, (_, r) => wasm.testPermute(r, n, seed, STREAM.order, e) >>> 0);
      expect(got).toEqual(Array.from({ length: n }, (_, r) => permute(r, n, seed, STREAM.order, e)));
    }
  }
  for (const n of [2 ** 20 + 3, 2 ** 31 + 5, 2 ** 32 - 1]) {
    const seed = next();
    for (let k = 0; k < 200; k++) {
      const r = next() % n;
      expect(wasm.testPermute(r, n, seed, STREAM.probeOrder, k) >>> 0).toBe(permute(r, n, seed, STREAM.probeOrder, k));
    }
  }
});

test('the shuffled-epoch order is identical, across epochs and for t·|B| beyond 2³²', () => {
  for (const [n, B] of [[10, 1], [10, 3], [7, 7], [1000, 32], [5, 5]]) {
    const seed = 12345 + n;
    const order = new EpochOrder(seed, n);
    for (let t = 0; t < 40; t++) {
      for (let b = 0; b < B; b++) expect(wasm.testEpochIndex(seed, n, t, b, B) >>> 0).toBe(order.index(t, b, B));
    }
  }
  const order = new EpochOrder(9, 1000);
  for (const t of [2 ** 31, 2 ** 32 - 1, 3e9]) {
    for (let b = 0; b < 3; b++) expect(wasm.testEpochIndex(9, 1000, t, b, 4096) >>> 0).toBe(order.index(t, b, 4096));
  }
});
