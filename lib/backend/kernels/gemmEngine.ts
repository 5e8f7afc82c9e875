/**
 * The library's GEMM engine (wasm/assembly/gemm.ts) on a shared memory with a worker pool: C = A·B
 * for a batch of products, A read in place through row and column offset tables (so transposes,
 * batch broadcasting and convolution patches are only tables), B packed per block. The engine owns
 * a bump arena in the shared memory, reset by each kernel before use; the kernels copy operands
 * from tfjs-backend-wasm's own memory into the arena, run {@link GemmEngine.run} and copy C back.
 */
import { sharedMemory } from '../wasmModules.js';
import { defaultThreads, WasmPool } from '../wasmPool.js';
import { gemmModule } from './gemmModule.js';
import { chooseSplit, KC, panelWidth, sharedChunks, type GemmSplit } from './gemmPlan.js';

export type { GemmSplit } from './gemmPlan.js';

/** The module's exports that run on the pool's threads (GEMM, and the planar convolutions of wasm/assembly/_conv.ts). */
const POOL_EXPORTS = ['gemm', 'gemmDot', 'gemmShared', 'gemmDotShared', 'convShared', 'filterPerImage', 'planarShare'] as const;

/** An export that {@link GemmEngine.parallel} can run. */
export type PoolExport = (typeof POOL_EXPORTS)[number];

/** Words of a job descriptor (wasm/assembly/gemm.ts). */
const DESC_WORDS = 14;
/** Column block (columns of B packed at once): a multiple of both panel widths. */
const NC = 264;
/** Bytes of a thread's pack buffer: 256 bytes of scratch, then KC × NC floats. */
const PACK_BYTES = 256 + KC * NC * 4;

/** One GEMM job: C[b] = A[b]·B[b] for b < batches, all addresses in bytes of the shared memory. */
export interface GemmJob {
  M: number;
  N: number;
  K: number;
  batches: number;
  /** Table of M u32 byte offsets of A's rows (from the batch origin). */
  aRows: number;
  /** Table of K u32 byte offsets of A's columns: A[m, k] = aBatch[b] + aRows[m] + aCols[k]. */
  aCols: number;
  /** Table of `batches` u32 byte addresses of A's origin per batch. */
  aBatch: number;
  /** Table of `batches` u32 byte addresses of B's origin per batch. */
  bBatch: number;
  /** B[k, n] = bBatch[b] + 4·(k·rsB + n·csB). */
  rsB: number;
  csB: number;
  /** C[b, m, n] = c + cOffsets[b] + 4·(m·ldc + n); cOffsets defaults to 4·b·M·ldc (batches stacked). */
  c: number;
  ldc: number;
  cOffsets?: ArrayLike<number>;
}

/**
 * A dot-form job (N ≤ 2 columns): C[b, m, n] = Σ_runs Σ_t A[m, run, t]·B[n, run, t], A's rows read as
 * `nRuns` contiguous runs of R floats, B's columns contiguous along the reduction.
 */
export interface DotJob {
  M: number;
  N: number;
  batches: number;
  /** Table of M u32 byte offsets of A's rows (from the batch origin). */
  aRows: number;
  /** Table of nRuns u32 byte offsets of a row's runs (from the row's start). */
  runs: number;
  nRuns: number;
  R: number;
  aBatch: number;
  bBatch: number;
  /** Bytes between B's columns (column n, run r at bBatch[b] + n·ldb + 4·r·R). */
  ldb: number;
  c: number;
  ldc: number;
  cOffsets?: ArrayLike<number>;
}

type GemmExports = {
  heapBase(): number;
  addInto(dst: number, src: number, n: number): void;
  padInPlace(base: number, n: number, h: number, w: number, c: number, hp: number, wp: number, top: number, left: number): void;
  planeSums(src: number, db: number, b0: number, b1: number, c: number, P: number): void;
  zeroPadding(dst: number, b0: number, b1: number, h: number, w: number, c: number, P: number, S: number, top: number, left: number): void;
};

/** The engine: shared memory, arena, worker pool. */
export class GemmEngine {
  readonly threads: number;
  /** The module build in use: 'gemm-relaxed' (fused multiply-adds) or 'gemm'. */
  readonly build: 'gemm' | 'gemm-relaxed';
  readonly memory: WebAssembly.Memory;
  private readonly pool: WasmPool;
  private readonly exports: GemmExports;
  private readonly base: number;
  private top: number;
  private zoneBytes = 0;
  private f32view: Float32Array;
  private u32view: Uint32Array;
  /**
   * Multiply-adds below which a job runs on the calling thread alone: waking a worker through
   * Atomics.wait/notify costs about 0.1 ms here, more than a second thread saves on FC6's products
   * (2.5 M multiply-adds: 0.21 ms on one thread, 0.37 ms on two). A pool whose workers spin briefly
   * before sleeping would lower it (0.13 ms on two threads measured).
   */
  minParallelWork = 1_000_000;
  /** Forces a split (tests). */
  split: GemmSplit = 'auto';

  constructor(threads = defaultThreads()) {
    this.memory = sharedMemory(64);
    const { name, module } = gemmModule();
    this.build = name;
    this.pool = new WasmPool(module, this.memory, [...POOL_EXPORTS], threads);
    this.threads = this.pool.threads;
    this.exports = this.pool.exports as unknown as GemmExports;
    this.base = align(this.exports.heapBase());
    this.top = this.base;
    this.f32view = new Float32Array(this.memory.buffer);
    this.u32view = new Uint32Array(this.memory.buffer);
  }

  /** Frees everything allocated since the last reset (kernels call it first). */
  reset(): void {
    this.top = this.base + this.threads * PACK_BYTES + this.zoneBytes;
    this.ensure(this.top);
  }

  /**
   * A region of at least `bytes` that {@link reset} leaves alone (kernels/planarCache.ts keeps planar copies
   * there from one kernel to the next); returns its address, the same for every call. Takes effect at the next
   * reset: call it before allocating.
   */
  zone(bytes: number): number {
    if (bytes > this.zoneBytes) {
      this.zoneBytes = align(bytes);
      this.ensure(this.base + this.threads * PACK_BYTES + this.zoneBytes);
    }
    return this.base + this.threads * PACK_BYTES;
  }

  /**
   * Zeroes all but the data of a planar copy at `dst` (n images of c planes of P floats, rows of S floats, the
   * data h × w at row top, column left): kernels/convPlanar.ts.
   */
  zeroPadding(dst: number, n: number, h: number, w: number, c: number, P: number, S: number, top: number, left: number): void {
    this.exports.zeroPadding(dst, 0, n, h, w, c, P, S, top, left);
  }

  /** Adds to db[ch] the sums of the planes [b][ch] of a planar copy at `src` (n images of c planes of P floats). */
  planeSums(src: number, db: number, n: number, c: number, P: number): void {
    this.exports.planeSums(src, db, 0, n, c, P);
  }

  /** The arena's current top, for {@link release}. */
  mark(): number {
    return this.top;
  }

  /** Frees everything allocated since {@link mark} returned `top`. */
  release(top: number): void {
    this.top = top;
  }

  /** Allocates `bytes` (64-byte aligned, with at least 16 readable bytes after them) in the arena and returns their address. */
  alloc(bytes: number): number {
    const p = this.top;
    this.top = align(p + bytes + 16);
    this.ensure(this.top);
    return p;
  }

  /** A float32 view of the whole shared memory (refreshed when it grows). */
  get f32(): Float32Array {
    if (this.f32view.buffer.byteLength !== this.memory.buffer.byteLength) this.f32view = new Float32Array(this.memory.buffer);
    return this.f32view;
  }

  /** A u32 view of the whole shared memory. */
  get u32(): Uint32Array {
    if (this.u32view.buffer.byteLength !== this.memory.buffer.byteLength) this.u32view = new Uint32Array(this.memory.buffer);
    return this.u32view;
  }

  /** Copies `src` into the arena; returns its address. */
  put(src: Float32Array): number {
    const p = this.alloc(src.length * 4);
    this.f32.set(src, p >>> 2);
    return p;
  }

  /**
   * Spreads x [n, h, w, c] stored at `base` into the zero-padded layout [n, hp, wp, c] at the same
   * address (top/left zeros before; needs hp ≥ top + h, wp ≥ left + w and room for the padded size).
   */
  padInPlace(base: number, n: number, h: number, w: number, c: number, hp: number, wp: number, top: number, left: number): void {
    this.exports.padInPlace(base, n, h, w, c, hp, wp, top, left);
  }

  /** A table of `n` u32 values start + i·step at a new address. */
  strided(n: number, start: number, step: number): number {
    const p = this.alloc(n * 4);
    const u = this.u32;
    for (let i = 0, o = p >>> 2, v = start; i < n; i++, v += step) u[o + i] = v;
    return p;
  }

  /** A table holding `values` at a new address. */
  table(values: ArrayLike<number>): number {
    const p = this.alloc(values.length * 4);
    this.u32.set(values, p >>> 2);
    return p;
  }

  /** Runs a job (blocking): splits it among the threads and sums split reductions. */
  run(job: GemmJob): void {
    const { M, N, K, batches } = job;
    if (M === 0 || N === 0 || batches === 0) return;
    if (K === 0) {
      for (let b = 0; b < batches; b++) {
        const origin = job.c + (job.cOffsets ? job.cOffsets[b] : b * M * job.ldc * 4);
        for (let m = 0; m < M; m++) this.f32.fill(0, (origin >>> 2) + m * job.ldc, (origin >>> 2) + m * job.ldc + N);
      }
      return;
    }
    const nr = panelWidth(N);
    const mr = nr === 8 ? 4 : 3;
    const [cBatch, cBytes] = this.cTable(job);
    const desc = this.alloc(DESC_WORDS * 4);
    const words = [M, N, K, job.aRows, job.aCols, job.aBatch, job.bBatch, job.rsB >>> 0, job.csB >>> 0, job.ldc, nr, KC, NC, cBatch];
    this.u32.set(words, desc >>> 2);
    const T = batches * M * N * K < this.minParallelWork ? 1 : this.threads;
    const split = T === 1 ? 'none' : this.split === 'auto' ? chooseSplit(batches, M, N, K, mr, nr, T) : this.split;
    const packs = Array.from({ length: T }, (_, t) => this.base + t * PACK_BYTES);
    const partial: number[] = [];
    if (split === 'none') {
      this.pool.run('gemm', [[desc, 0, batches, 0, M, 0, N, 0, K, job.c, packs[0]]]);
    } else if (split === 'reduction') {
      // static shares of k, each into its own C (zeroed outside the rows it writes), summed below
      const per = Math.ceil(K / T);
      const args: number[][] = [];
      for (let t = 0; t < T && t * per < K; t++) {
        let c = job.c;
        if (t > 0) {
          c = this.alloc(cBytes);
          this.f32.fill(0, c >>> 2, (c + cBytes) >>> 2);
          partial.push(c);
        }
        args.push([desc, 0, batches, 0, M, 0, N, t * per, Math.min(K, (t + 1) * per), c, packs[t]]);
      }
      this.pool.run('gemm', args);
    } else {
      const dim = split === 'batches' ? 0 : split === 'rows' ? 1 : 2;
      const [unit, extent] = dim === 0 ? [1, batches] : dim === 1 ? [mr, M] : [nr, N];
      const counter = this.counter();
      const chunks = sharedChunks(Math.ceil(extent / unit), T);
      this.pool.run('gemmShared', packs.map((p) => [desc, counter, chunks, dim, unit, 0, extent, batches, M, N, K, job.c, p]));
    }
    for (const p of partial) this.exports.addInto(job.c, p, cBytes >>> 2);
  }

  /**
   * Calls export `name` on `args.length` threads (thread t with args[t]) and returns when all are done;
   * the caller shares the work out (static shares, or an atomic {@link counter} the threads draw from).
   */
  parallel(name: PoolExport, args: readonly (readonly number[])[]): number[] {
    return this.pool.run(name, args);
  }

  /** Thread t's 256 bytes of scratch (the start of its pack buffer; free outside a GEMM job). */
  scratch(t: number): number {
    return this.base + t * PACK_BYTES;
  }

  /** A zeroed word for the threads' atomic counter of shares taken. */
  counter(): number {
    const p = this.alloc(4);
    Atomics.store(this.u32, p >>> 2, 0);
    return p;
  }

  /** The table of C's batch offsets and the bytes C spans. */
  private cTable(job: GemmJob | DotJob): [number, number] {
    const { M, batches, ldc } = job;
    const offsets = job.cOffsets ?? Array.from({ length: batches }, (_, b) => b * M * ldc * 4);
    let end = 0;
    for (let b = 0; b < batches; b++) end = Math.max(end, offsets[b] + ((M - 1) * ldc + job.N) * 4);
    return [this.table(offsets), end];
  }

  /** Runs a dot-form job (blocking), rows split among the threads. */
  runDot(job: DotJob): void {
    const { M, N, batches } = job;
    if (M === 0 || N === 0 || batches === 0) return;
    const [cBatch] = this.cTable(job);
    const desc = this.alloc(11 * 4);
    this.u32.set([M, N, job.aRows, job.runs, job.nRuns, job.R, job.aBatch, job.bBatch, job.ldb, job.ldc, cBatch], desc >>> 2);
    const T = batches * M * N * job.nRuns * job.R < this.minParallelWork ? 1 : this.threads;
    if (T === 1) {
      this.pool.run('gemmDot', [[desc, 0, batches, 0, M, 0, N, job.c]]);
      return;
    }
    const byBatch = batches >= T && M < 4 * T;
    const [unit, extent] = byBatch ? [1, batches] : [4, M];
    const counter = this.counter();
    const chunks = sharedChunks(Math.ceil(extent / unit), T);
    const args = [desc, counter, chunks, byBatch ? 0 : 1, unit, 0, extent, batches, M, N, job.c];
    this.pool.run('gemmDotShared', Array.from({ length: T }, () => args));
  }

  /** Stops the worker threads. */
  close(): void {
    this.pool.close();
  }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / 65536));
  }
}

function align(p: number): number {
  return Math.ceil(p / 64) * 64;
}

let engine: GemmEngine | null = null;

/** The process's engine (created on first use, with {@link defaultThreads} threads). */
export function gemmEngine(): GemmEngine {
  return (engine ??= new GemmEngine());
}

/** Replaces the process's engine (tests: another number of threads); closes the old one. */
export function setGemmEngine(next: GemmEngine | null): void {
  if (engine && engine !== next) engine.close();
  engine = next;
}
