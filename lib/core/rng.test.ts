import { Rng } from './rng.js';
import { normalCdf, erfc } from './normal.js';

describe('Rng', () => {
  test('same seed and stream give the same numbers; different streams differ', () => {
    const a = new Rng(7, 'data');
    const b = new Rng(7, 'data');
    const c = new Rng(7, 'init');
    const xs = Array.from({ length: 5 }, () => a.uniform());
    expect(Array.from({ length: 5 }, () => b.uniform())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.uniform())).not.toEqual(xs);
  });

  test('state round-trips mid-stream, including the cached normal', () => {
    const a = new Rng(3);
    a.normal();
    const state = a.getState();
    const next = [a.normal(), a.normal(), a.uniform()];
    const b = new Rng(99);
    b.setState(state);
    expect([b.normal(), b.normal(), b.uniform()]).toEqual(next);
  });

  test('normal deviates have mean 0 and variance 1; uniforms lie in [0,1)', () => {
    const r = new Rng(1);
    const n = 200000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.01);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.01);
    for (let i = 0; i < 1000; i++) {
      const u = r.uniform();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
    }
  });
});

describe('normalCdf', () => {
  test.each([
    [0, 0.5],
    [1, 0.8413447460685429],
    [-1, 0.15865525393145707],
    [1.959963984540054, 0.975],
    [-3, 0.0013498980316301],
    [5, 0.9999997133484281],
  ])('Φ(%p) = %p', (x, p) => {
    expect(normalCdf(x)).toBeCloseTo(p, 12);
  });
  test('erfc(0.5) matches the tabulated value', () => {
    expect(erfc(0.5)).toBeCloseTo(0.4795001221869535, 13);
  });
});
