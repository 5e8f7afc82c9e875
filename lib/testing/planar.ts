/** Test oracle for planar conv copies (lib/backend/kernels/convPlanar.ts). */
import type { Planar } from '../backend/kernels/convPlanar.js';

/**
 * Σ |floats| of a planar copy outside its data: each plane's padding and the S + 4 floats after the
 * last plane, which kernels may read past a row (zero when the padding is).
 */
export function planarPaddingSum(f: Float32Array, p: Planar): number {
  let s = 0;
  for (let q = 0; q < p.n * p.c; q++) {
    for (let k = 0; k < p.P; k++) {
      const y = Math.floor(k / p.S) - p.top;
      const x = (k % p.S) - p.left;
      if (y < 0 || y >= p.h || x < 0 || x >= p.w) s += Math.abs(f[(p.addr >>> 2) + q * p.P + k]);
    }
  }
  for (let k = 0; k < p.S + 4; k++) s += Math.abs(f[(p.addr >>> 2) + p.n * p.c * p.P + k]);
  return s;
}
