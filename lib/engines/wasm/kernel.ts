/**
 * The typed exports of wasm/build/twolayer.wasm (source: wasm/assembly/twolayer.ts): the fused
 * advance kernel and the stream functions it is built on (exported for tests).
 */

/** Name of the module in wasm/build. */
export const TWO_LAYER_MODULE = 'twolayer';

/** Exports a {@link WasmPool} may call on worker threads. */
export const TWO_LAYER_KERNELS = ['advance'];

/** The module's exports (u32 arguments and results travel as JS numbers; results come back as i32). */
export interface TwoLayerExports extends WebAssembly.Exports {
  /** The first address above the module's static data. */
  heapBase(): number;
  /** Advances the `count` members listed at `list` through steps from … from + k − 1; returns how many it froze. */
  advance(header: number, list: number, count: number, from: number, k: number, scratch: number): number;
  /** Philox4x32-10: four u32 words at `out`. */
  testPhilox(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: number): void;
  /** Fills the sin/cos tables at `tables` (TABLE_BYTES), once before any advance. */
  initTables(tables: number): void;
  /** StreamDraw.sample (gaussian 1, uniform 0): M f32 at `out`, by the fast path (tables ≠ 0) or the exact translation (tables = 0). */
  testSample(gaussian: number, seed: number, stream: number, t: number, i: number, M: number, out: number, tables: number): void;
  /** Sets the fast Gaussian path's rounding-check margins ε = abs + rel·|z|. */
  testSetMargins(abs: number, rel: number): void;
  /** Box–Muller pairs this instance recomputed exactly. */
  testFallbacks(): number;
  /** StreamDraw.label. */
  testLabel(seed: number, stream: number, t: number, i: number, classes: number): number;
  /** permute(r, n, seed, stream, epoch). */
  testPermute(r: number, n: number, seed: number, stream: number, epoch: number): number;
  /** EpochOrder(seed, n).index(t, b, B). */
  testEpochIndex(seed: number, n: number, t: number, b: number, B: number): number;
}
