/**
 * How the GEMM engine runs a product: the micro-kernel's panel width for the number of columns, and
 * how the work is shared among threads (by batches, rows, columns or the reduction) from a cost
 * model of whole tiles and B's packing.
 */

/** How a job is split among threads (for tests and benchmarks; normally chosen by cost). */
export type GemmSplit = 'auto' | 'batches' | 'rows' | 'cols' | 'reduction';

/** The engine's reduction block (rows of B packed at once); splitting the reduction pays from four blocks. */
export const KC = 256;

/**
 * Panel width of the micro-kernel for N columns: 12 (the 3×12 kernel, about 15% faster per lane than
 * the 4×8) unless 8 lanes waste so many fewer columns that the 4×8 kernel wins.
 */
export function panelWidth(N: number): 8 | 12 {
  const lanes = (w: number) => Math.ceil(N / w) * w;
  return N <= 8 || lanes(8) * 1.15 < lanes(12) ? 8 : 12;
}

/**
 * The split with the least work on the busiest thread: multiply-adds over whole tiles plus packing of
 * B (each thread packs the panels it uses), plus the sum of the shares for a split reduction.
 */
export function chooseSplit(
  batches: number, M: number, N: number, K: number, mr: number, nr: number, T: number,
): Exclude<GemmSplit, 'auto'> {
  const tilesM = Math.ceil(M / mr);
  const tilesN = Math.ceil(N / nr);
  const cost = (b: number, tm: number, tn: number, k: number) => b * (tm * tn * k * mr * nr + 3 * k * tn * nr);
  const per = (n: number) => Math.ceil(n / T);
  const options: [Exclude<GemmSplit, 'auto'>, number][] = [
    ['batches', batches >= T ? cost(per(batches), tilesM, tilesN, K) : Infinity],
    ['rows', tilesM >= T ? cost(batches, per(tilesM), tilesN, K) : Infinity],
    ['cols', tilesN >= T ? cost(batches, tilesM, per(tilesN), K) : Infinity],
    ['reduction', K >= 4 * KC ? cost(batches, tilesM, tilesN, per(K)) + 2 * batches * M * N : Infinity],
  ];
  options.sort((p, q) => p[1] - q[1]);
  return options[0][1] === Infinity ? 'batches' : options[0][0];
}

/**
 * Pieces a job of `units` (tiles, panels or batches) is cut into for T threads taking them on demand:
 * four per thread, fewer when that would leave under eight units a piece (each piece packs its own B).
 */
export function sharedChunks(units: number, T: number): number {
  return Math.max(1, Math.min(units, 4 * T, Math.max(T, Math.floor(units / 8))));
}
