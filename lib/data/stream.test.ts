import { EpochOrder, STREAM, StreamDraw, feistelBits, permute } from './stream.js';

test('the same (seed, stream, step, index) gives the same sample; any change gives another', () => {
  const a = new Float32Array(10);
  const b = new Float32Array(10);
  new StreamDraw(3).sample('gaussian', STREAM.trainX, 7, 2, 10, a, 0);
  new StreamDraw(3).sample('gaussian', STREAM.trainX, 7, 2, 10, b, 0);
  expect(Array.from(b)).toEqual(Array.from(a));
  for (const [seed, stream, t, i] of [[4, STREAM.trainX, 7, 2], [3, STREAM.probeX, 7, 2], [3, STREAM.trainX, 8, 2], [3, STREAM.trainX, 7, 3]]) {
    new StreamDraw(seed).sample('gaussian', stream, t, i, 10, b, 0);
    expect(Array.from(b)).not.toEqual(Array.from(a));
  }
});

test('a sample of M values is the first M values of a longer one (blocks of 4)', () => {
  const long = new Float32Array(12);
  const short = new Float32Array(7);
  const d = new StreamDraw(1);
  d.sample('gaussian', STREAM.trainX, 0, 0, 12, long, 0);
  d.sample('gaussian', STREAM.trainX, 0, 0, 7, short, 0);
  expect(Array.from(short)).toEqual(Array.from(long.subarray(0, 7)));
});

test('Gaussian inputs have mean 0 and variance 1; uniform inputs lie in [0, 1) with mean 1/2; labels are fair coins', () => {
  const d = new StreamDraw(9);
  const n = 40000;
  const x = new Float32Array(4);
  let s = 0;
  let s2 = 0;
  let u = 0;
  let ones = 0;
  for (let i = 0; i < n / 4; i++) {
    d.sample('gaussian', STREAM.trainX, i, 0, 4, x, 0);
    for (const v of x) {
      s += v;
      s2 += v * v;
    }
    d.sample('uniform', STREAM.trainX, i, 0, 4, x, 0);
    for (const v of x) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
      u += v;
    }
    ones += d.label(STREAM.trainY, i, 0, 1);
  }
  expect(Math.abs(s / n)).toBeLessThan(0.02);
  expect(Math.abs(s2 / n - 1)).toBeLessThan(0.03);
  expect(Math.abs(u / n - 0.5)).toBeLessThan(0.01);
  expect(Math.abs(ones / (n / 4) - 0.5)).toBeLessThan(0.03);
  const counts = new Array(10).fill(0);
  for (let i = 0; i < 5000; i++) counts[d.label(STREAM.trainY, i, 0, 10)]++;
  for (const c of counts) expect(Math.abs(c - 500)).toBeLessThan(100);
});

test.each([1, 2, 3, 5, 16, 17, 100, 1000, 60000])('permute is a bijection of [0, %i)', (n) => {
  const seen = new Uint8Array(n);
  for (let r = 0; r < n; r++) seen[permute(r, n, 5, STREAM.order, 2)]++;
  expect(seen.every((c) => c === 1)).toBe(true);
  expect(4 ** feistelBits(n)).toBeGreaterThanOrEqual(n);
});

test('shuffled epochs: every sample once per epoch, another order each epoch', () => {
  const n = 50;
  const order = new EpochOrder(7, n);
  const B = 5;
  const epochs: number[][] = [[], [], []];
  for (let t = 0; t < 30; t++) for (let b = 0; b < B; b++) epochs[Math.floor((t * B + b) / n)].push(order.index(t, b, B));
  for (const e of epochs) expect([...e].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
  expect(epochs[1]).not.toEqual(epochs[0]);
});
