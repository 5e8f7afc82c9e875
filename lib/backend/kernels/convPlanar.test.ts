import { convPlanar, filterPlanar, planarLayout, planeStride, spread, type Planar } from './convPlanar.js';
import { GemmEngine } from './gemmEngine.js';
import { planarPaddingSum } from '../../testing/planar.js';

/** Deterministic values in [-1, 1). */
const values = (n: number, seed: number) =>
  Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.37 + seed * 7.1) * 0.9 + Math.cos(i * 0.11 + seed) * 0.1);

/** A convolution's sizes: input n × h × w × ci, filter kh × kw × ci × co, dilations, top/left padding, output ho × wo. */
interface Geo {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  kh: number;
  kw: number;
  dh: number;
  dw: number;
  top: number;
  left: number;
  ho: number;
  wo: number;
}

/** 'same' (stride 1) or 'valid' geometry. */
function geo(n: number, h: number, w: number, ci: number, co: number, kh: number, kw: number, same: boolean, dh = 1, dw = 1): Geo {
  const eh = (kh - 1) * dh + 1;
  const ew = (kw - 1) * dw + 1;
  if (!same) return { n, h, w, ci, co, kh, kw, dh, dw, top: 0, left: 0, ho: h - eh + 1, wo: w - ew + 1 };
  return { n, h, w, ci, co, kh, kw, dh, dw, top: Math.floor((eh - 1) / 2), left: Math.floor((ew - 1) / 2), ho: h, wo: w };
}

/** x[b, y, x, c] of NHWC data, 0 outside. */
function at(x: Float32Array, g: Geo, b: number, y: number, xx: number, c: number): number {
  return y < 0 || y >= g.h || xx < 0 || xx >= g.w ? 0 : x[((b * g.h + y) * g.w + xx) * g.ci + c];
}

/** The reference convolution, NHWC, in float64. */
function refConv(x: Float32Array, f: Float32Array, g: Geo, bias: Float32Array | null, relu: boolean): Float64Array {
  const y = new Float64Array(g.n * g.ho * g.wo * g.co);
  for (let b = 0; b < g.n; b++) {
    for (let r = 0; r < g.ho; r++) {
      for (let s = 0; s < g.wo; s++) {
        for (let o = 0; o < g.co; o++) {
          let v = bias ? bias[o] : 0;
          for (let i = 0; i < g.kh; i++) {
            for (let j = 0; j < g.kw; j++) {
              for (let c = 0; c < g.ci; c++) v += at(x, g, b, r + i * g.dh - g.top, s + j * g.dw - g.left, c) * f[((i * g.kw + j) * g.ci + c) * g.co + o];
            }
          }
          y[((b * g.ho + r) * g.wo + s) * g.co + o] = relu ? Math.max(0, v) : v;
        }
      }
    }
  }
  return y;
}

/** The reference filter gradient dW[i, j, c, o] = Σ x_window·dy. */
function refFilter(x: Float32Array, dy: Float32Array, g: Geo): Float64Array {
  const dW = new Float64Array(g.kh * g.kw * g.ci * g.co);
  for (let i = 0; i < g.kh; i++) {
    for (let j = 0; j < g.kw; j++) {
      for (let c = 0; c < g.ci; c++) {
        for (let o = 0; o < g.co; o++) {
          let v = 0;
          for (let b = 0; b < g.n; b++) {
            for (let r = 0; r < g.ho; r++) {
              for (let s = 0; s < g.wo; s++) v += at(x, g, b, r + i * g.dh - g.top, s + j * g.dw - g.left, c) * dy[((b * g.ho + r) * g.wo + s) * g.co + o];
            }
          }
          dW[((i * g.kw + j) * g.ci + c) * g.co + o] = v;
        }
      }
    }
  }
  return dW;
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-4): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
  expect(worst).toBeLessThanOrEqual(tol);
}

/** The input layout a convolution of g reads. */
function inputLayout(g: Geo, minS = 0): Omit<Planar, 'addr'> {
  const hp = (g.ho - 1) + (g.kh - 1) * g.dh + 1;
  const wp = (g.wo - 1) + (g.kw - 1) * g.dw + 1;
  return planarLayout(g.n, g.h, g.w, g.ci, g.top, g.left, hp, Math.max(wp, minS));
}

/** The data of a planar copy, back in NHWC order. */
function unspread(e: GemmEngine, p: Planar): Float32Array {
  const out = new Float32Array(p.n * p.h * p.w * p.c);
  const f = e.f32;
  for (let b = 0; b < p.n; b++) {
    for (let c = 0; c < p.c; c++) {
      for (let y = 0; y < p.h; y++) {
        for (let x = 0; x < p.w; x++) out[((b * p.h + y) * p.w + x) * p.c + c] = f[(p.addr >>> 2) + (b * p.c + c) * p.P + (p.top + y) * p.S + p.left + x];
      }
    }
  }
  return out;
}

const engines: GemmEngine[] = [];
afterAll(() => engines.forEach((e) => e.close()));

/** An engine of `threads` threads that shares every job it can. */
function engine(threads: number): GemmEngine {
  const e = new GemmEngine(threads);
  e.minParallelWork = 0;
  engines.push(e);
  return e;
}

test('plane strides stay at least 512 bytes off multiples of 4 KiB; rows are multiples of 4 floats', () => {
  for (const size of [1, 100, 1024, 1023, 1025, 2048, 4096, 1168, 5000]) {
    const P = planeStride(size);
    expect(P).toBeGreaterThanOrEqual(size);
    expect(P % 4).toBe(0);
    const off = (P * 4) % 4096;
    expect(off >= 512 && off <= 4096 - 512).toBe(true);
  }
  const l = planarLayout(2, 28, 28, 10, 2, 2, 32, 32);
  expect([l.S, l.hp, l.P]).toEqual([32, 32, planeStride(32 * 32)]);
  expect(planarLayout(1, 5, 7, 1, 0, 0, 3, 1).S).toBe(8); // the data's width rounded up, whatever the minimum
});

test.each([1, 2])('spread puts NHWC data in zero-padded planes; masked, with bias sums, and into given room (%i threads)', (threads) => {
  const e = engine(threads);
  for (const [n, h, w, c, top, left] of [[1, 3, 5, 1, 0, 0], [3, 5, 6, 5, 2, 1], [2, 7, 9, 10, 2, 2]]) {
    e.reset();
    const layout = planarLayout(n, h, w, c, top, left, h + 2 * top, w + 2 * left + 1);
    const x = values(n * h * w * c, n + c);
    const { planar, db } = spread(e, x, layout);
    expect(db).toBeNull();
    expectClose(unspread(e, planar), x, 0);
    expect(planarPaddingSum(e.f32, planar)).toBe(0);
    const mask = values(n * h * w * c, 7);
    const masked = spread(e, x, layout, mask, true);
    const want = x.map((v, i) => (mask[i] > 0 ? v : 0));
    expectClose(unspread(e, masked.planar), want, 0);
    const sums = new Float64Array(c);
    want.forEach((v, i) => (sums[i % c] += v));
    expectClose(masked.db!, sums, 1e-5);
    // into room the caller owns (dirty beforehand), which is then whole: data and zeros
    const room = e.alloc(n * c * layout.P * 4 + (layout.S + 4) * 4);
    e.f32.fill(7, room >>> 2, (room >>> 2) + n * c * layout.P + layout.S + 4);
    const mark = e.mark();
    const into = spread(e, x, layout, undefined, false, room);
    expect(into.planar.addr).toBe(room);
    expect(e.mark()).toBe(mark); // the copies it made on the way are freed
    expectClose(unspread(e, into.planar), x, 0);
    expect(planarPaddingSum(e.f32, into.planar)).toBe(0);
  }
});

// n, h, w, ci, co, kh, kw, same: batch 1, odd sizes, every panel mix of co (3s and 2s), rows that end mid-vector
const CONVS: Geo[] = [
  geo(1, 5, 7, 1, 1, 3, 3, true),
  geo(2, 6, 9, 3, 2, 3, 3, true),
  geo(3, 7, 5, 2, 3, 5, 5, true),
  geo(2, 9, 13, 4, 4, 3, 2, true),
  geo(1, 8, 8, 5, 5, 5, 5, true),
  geo(2, 11, 6, 3, 7, 3, 3, false),
  geo(3, 12, 10, 10, 10, 5, 5, true),
  geo(2, 9, 9, 2, 3, 3, 3, true, 2, 1), // dilated
  geo(1, 1, 1, 3, 4, 1, 1, true), // one pixel
];

describe.each([1, 2])('with %i threads', (threads) => {
  test.each(CONVS)('convPlanar equals the reference: %j, with and without bias and ReLU', (g) => {
    const e = engine(threads);
    e.reset();
    const x = values(g.n * g.h * g.w * g.ci, 1);
    const f = values(g.kh * g.kw * g.ci * g.co, 2);
    const bias = values(g.co, 3);
    const { planar: X } = spread(e, x, inputLayout(g));
    const win = { kh: g.kh, kw: g.kw, dh: g.dh, dw: g.dw, ho: g.ho, wo: g.wo, co: g.co };
    const size = g.n * g.ho * g.wo * g.co;
    for (const [b, relu] of [[null, false], [bias, true], [bias, false]] as const) {
      const y = e.alloc(size * 4);
      convPlanar(e, X, win, f, b, relu, y);
      expectClose(e.f32.subarray(y >>> 2, (y >>> 2) + size), refConv(x, f, g, b, relu));
    }
  });

  test.each(CONVS.filter((g) => g.ho === g.h && g.wo === g.w))('convPlanar also writes a planar copy, masked or not: %j', (g) => {
    const e = engine(threads);
    e.reset();
    const x = values(g.n * g.h * g.w * g.ci, 4);
    const f = values(g.kh * g.kw * g.ci * g.co, 5);
    const { planar: X } = spread(e, x, inputLayout(g));
    const win = { kh: g.kh, kw: g.kw, dh: g.dh, dw: g.dw, ho: g.ho, wo: g.wo, co: g.co };
    const want = refConv(x, f, g, null, false);
    const mask = values(want.length, 6);
    const out = planarLayout(g.n, g.ho, g.wo, g.co, 1, 2, g.ho + 3, g.wo + 5);
    const { planar: M } = spread(e, mask, { ...out, top: 0, left: 1, S: out.S, P: out.P });
    for (const masked of [false, true]) {
      const Z = spread(e, new Float32Array(want.length), out).planar; // zero padding, data overwritten below
      const y = e.alloc(want.length * 4);
      convPlanar(e, X, win, f, null, false, y, masked ? { Z, M } : { Z });
      expectClose(e.f32.subarray(y >>> 2, (y >>> 2) + want.length), want);
      expectClose(unspread(e, Z), masked ? want.map((v, i) => (mask[i] > 0 ? v : 0)) : want);
      expect(planarPaddingSum(e.f32, Z)).toBe(0);
    }
  });

  test.each(CONVS)('filterPlanar equals the reference: %j, over whole images and row by row', (g) => {
    const e = engine(threads);
    e.reset();
    const x = values(g.n * g.h * g.w * g.ci, 7);
    const dy = values(g.n * g.ho * g.wo * g.co, 8);
    const want = refFilter(x, dy, g);
    const win = { kh: g.kh, kw: g.kw, dh: g.dh, dw: g.dw, ho: g.ho, wo: g.wo, co: g.co };
    const { planar: X } = spread(e, x, inputLayout(g));
    const flat = spread(e, dy, planarLayout(g.n, g.ho, g.wo, g.co, 0, 0, g.ho, X.S)).planar; // X's row stride: whole images
    expect(flat.S).toBe(X.S);
    expectClose(filterPlanar(e, X, flat, win), want);
    const rows = spread(e, dy, planarLayout(g.n, g.ho, g.wo, g.co, 1, 3, g.ho + 2, X.S + 8)).planar; // another stride: rows
    expectClose(filterPlanar(e, X, rows, win), want);
  });
});

test('filterPlanar gives the same bits on 1 and 2 threads and on every repetition (images are summed in order, whoever took them)', () => {
  const g = geo(32, 12, 12, 10, 10, 5, 5, true);
  const x = values(g.n * g.h * g.w * g.ci, 9);
  const dy = values(g.n * g.ho * g.wo * g.co, 10);
  const win = { kh: g.kh, kw: g.kw, dh: g.dh, dw: g.dw, ho: g.ho, wo: g.wo, co: g.co };
  const run = (e: GemmEngine) => {
    e.reset();
    const { planar: X } = spread(e, x, inputLayout(g));
    const D = spread(e, dy, planarLayout(g.n, g.ho, g.wo, g.co, 0, 0, g.ho, X.S)).planar;
    return filterPlanar(e, X, D, win);
  };
  const one = run(engine(1));
  const two = engine(2);
  for (let i = 0; i < 20; i++) expect(run(two)).toEqual(one);
});
