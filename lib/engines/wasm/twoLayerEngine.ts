/**
 * The fused CPU engine of the two-layer family ('wasm-fused'): every member's parameters, loss
 * accumulator and divergence state live in one shared WebAssembly memory; `advance` splits the
 * members over a pool of worker threads and each thread runs k steps of each of its members in
 * one call of wasm/assembly/twolayer.ts (f32x4 SIMD, data drawn inside WASM from the counter-based
 * streams of data/stream.ts, the divergence rule applied at multiples of checkEvery).
 */
import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../../core/config.js';
import { ConfigError } from '../../core/errors.js';
import { initMember } from '../../models/init.js';
import { TwoLayerArch } from '../../models/twoLayer.js';
import { sharedMemory, wasmModule } from '../../backend/wasmModules.js';
import { defaultThreads, WasmPool } from '../../backend/wasmPool.js';
import type { Engine, EngineOptions, FrozenMember, MemberState } from '../engine.js';
import { wasmFusedEligible } from './eligible.js';
import { TWO_LAYER_KERNELS, TWO_LAYER_MODULE, type TwoLayerExports } from './kernel.js';
import { HDR, INPUT_CODES, LOSS_CODES, planLayout, REC, type Layout } from './layout.js';

/** Options of the wasm-fused engine. */
export interface WasmEngineOptions extends EngineOptions {
  /** Worker threads, the calling one included (default: $THERMO_THREADS or the number of cores; at most the member count). */
  threads?: number;
}

const PAGE = 65536;

/** Assigns members to threads, largest batch first to the least loaded thread (cost ∝ |B|). */
export function assignMembers(members: readonly number[], batch: readonly number[], threads: number): number[][] {
  const lists: number[][] = Array.from({ length: threads }, () => []);
  const load = new Array<number>(threads).fill(0);
  const sorted = [...members].sort((a, b) => batch[b] - batch[a] || a - b);
  for (const m of sorted) {
    let t = 0;
    for (let u = 1; u < threads; u++) if (load[u] < load[t]) t = u;
    lists[t].push(m);
    load[t] += batch[m];
  }
  return lists.filter((l) => l.length > 0);
}

/** K two-layer members trained in lockstep by WASM SIMD kernels on worker threads. */
export class WasmTwoLayerEngine implements Engine {
  readonly name = 'wasm-fused' as const;
  readonly configs: readonly RunConfig[];
  readonly paramShapes: Readonly<Record<string, readonly number[]>>;
  /** Threads the members are spread over. */
  readonly threads: number;
  private readonly M: number;
  private readonly N: number;
  private readonly C: number;
  private readonly bias: boolean;
  private readonly memory: WebAssembly.Memory;
  private readonly pool: WasmPool;
  private readonly layout: Layout;
  private readonly view: DataView;
  private readonly f32: Float32Array;
  private readonly reported: boolean[];
  private pending: FrozenMember[] = [];
  private tensors: Record<string, tf.Tensor> | null = null;
  private tensorsKey = '';
  private disposed = false;

  /**
   * Places K members, initialized by models/init.ts's initMember (as every engine), in a new shared
   * memory and starts the pool.
   */
  constructor(configs: readonly RunConfig[], opts: WasmEngineOptions = {}) {
    const checkEvery = opts.checkEvery ?? 100;
    if (!Number.isInteger(checkEvery) || checkEvery < 1 || checkEvery >= 2 ** 32) {
      throw new ConfigError('engine.checkEvery', opts.checkEvery, 'a positive integer');
    }
    if (opts.threads !== undefined && (!Number.isInteger(opts.threads) || opts.threads < 1)) {
      throw new ConfigError('engine.threads', opts.threads, 'a positive integer');
    }
    const threads = Math.max(1, Math.min(opts.threads ?? defaultThreads(), configs.length));
    const verdict = wasmFusedEligible(configs, threads);
    if (!verdict.eligible) {
      throw new ConfigError('engine.configs', configs.length, `configs the wasm-fused engine can train: ${verdict.reason}`);
    }
    this.configs = configs.map((c) => ({ ...c, probes: [...c.probes] }));
    const first = configs[0];
    [this.M, this.N, this.C, this.bias] = [first.inputDim, first.hidden, first.classes, first.bias];
    this.paramShapes = this.bias ? { W: [this.N, this.M], b: [this.N], V: [this.C, this.N] } : { W: [this.N, this.M], V: [this.C, this.N] };
    this.threads = threads;
    this.memory = sharedMemory(16);
    this.pool = new WasmPool(wasmModule(TWO_LAYER_MODULE), this.memory, TWO_LAYER_KERNELS, threads);
    try {
      const base = (this.pool.exports as TwoLayerExports).heapBase();
      const maxBatch = Math.max(...configs.map((c) => c.batchSize));
      this.layout = planLayout(base, this.M, this.N, this.C, configs.length, maxBatch, threads);
      const pages = Math.ceil(this.layout.end / PAGE);
      const have = this.memory.buffer.byteLength / PAGE;
      if (pages > have) this.memory.grow(pages - have);
      this.view = new DataView(this.memory.buffer);
      this.f32 = new Float32Array(this.memory.buffer);
      this.reported = configs.map(() => false);
      this.writeHeader(first, checkEvery);
      (this.pool.exports as TwoLayerExports).initTables(this.layout.tables);
      const arch = new TwoLayerArch({ inputDim: this.M, hidden: this.N, classes: this.C, bias: this.bias, loss: first.loss });
      configs.forEach((c, m) => {
        this.writeRecord(m, c);
        this.writeParams(m, initMember(c, arch) as { W: Float32Array; b?: Float32Array; V: Float32Array });
      });
    } catch (e) {
      this.pool.close();
      throw e;
    }
  }

  private writeHeader(cfg: RunConfig, checkEvery: number): void {
    const h = this.layout.header;
    const v = this.view;
    const i32 = (off: number, x: number) => v.setInt32(h + off, x, true);
    i32(HDR.M, this.M);
    i32(HDR.N, this.N);
    i32(HDR.C, this.C);
    i32(HDR.MP, this.layout.Mp);
    i32(HDR.NP, this.layout.Np);
    i32(HDR.BIAS, this.bias ? 1 : 0);
    i32(HDR.LOSS, LOSS_CODES[cfg.loss]);
    i32(HDR.INPUT, INPUT_CODES[cfg.input]!);
    v.setUint32(h + HDR.TRAIN_SIZE, cfg.trainSize, true);
    v.setUint32(h + HDR.CHECK_EVERY, checkEvery, true);
    v.setUint32(h + HDR.RECORDS, this.layout.records, true);
    v.setUint32(h + HDR.TABLES, this.layout.tables, true);
  }

  private rec(m: number): number {
    return this.layout.records + m * REC.BYTES;
  }

  private writeRecord(m: number, c: RunConfig): void {
    const r = this.rec(m);
    const v = this.view;
    const p = this.layout.params[m];
    v.setUint32(r + REC.SEED, c.seed, true);
    v.setInt32(r + REC.BATCH, c.batchSize, true);
    v.setFloat64(r + REC.ETA, c.eta, true);
    v.setFloat64(r + REC.THRESHOLD, c.divergenceThreshold, true);
    v.setFloat64(r + REC.LOSS_SUM, 0, true);
    v.setInt32(r + REC.FROZEN, 0, true);
    v.setUint32(r + REC.FROZEN_STEP, 0, true);
    v.setUint32(r + REC.W, p.W, true);
    v.setUint32(r + REC.B, p.b, true);
    v.setUint32(r + REC.V, p.V, true);
  }

  /** Copies a [rows, cols] row-major matrix into (or out of) its zero-padded place with row stride `stride`. */
  private copyRows(addr: number, stride: number, rows: number, cols: number, data: Float32Array, into: boolean): void {
    const base = addr / 4;
    for (let r = 0; r < rows; r++) {
      const row = this.f32.subarray(base + r * stride, base + r * stride + cols);
      if (into) row.set(data.subarray(r * cols, (r + 1) * cols));
      else data.set(row, r * cols);
    }
  }

  private writeParams(m: number, p: { W: Float32Array; b?: Float32Array; V: Float32Array }): void {
    const { Mp, Np, params } = this.layout;
    const a = params[m];
    this.f32.fill(0, a.W / 4, a.V / 4 + this.C * Np);
    this.copyRows(a.W, Mp, this.N, this.M, p.W, true);
    if (this.bias && p.b) this.f32.set(p.b.subarray(0, this.N), a.b / 4);
    this.copyRows(a.V, Np, this.C, this.N, p.V, true);
  }

  private readParams(m: number): Record<string, Float32Array> {
    const { Mp, Np, params } = this.layout;
    const a = params[m];
    const out: Record<string, Float32Array> = { W: new Float32Array(this.N * this.M) };
    this.copyRows(a.W, Mp, this.N, this.M, out.W, false);
    if (this.bias) out.b = this.f32.slice(a.b / 4, a.b / 4 + this.N);
    out.V = new Float32Array(this.C * this.N);
    this.copyRows(a.V, Np, this.C, this.N, out.V, false);
    return out;
  }

  private frozen(m: number): boolean {
    return this.view.getInt32(this.rec(m) + REC.FROZEN, true) !== 0;
  }

  private check(): void {
    if (this.disposed) throw new Error('wasm-fused engine: used after dispose()');
  }

  private checkMember(m: number, where: string): void {
    if (!Number.isInteger(m) || m < 0 || m >= this.configs.length) {
      throw new ConfigError(where, m, `a member index 0 … ${this.configs.length - 1}`);
    }
  }

  private dropTensors(): void {
    if (!this.tensors) return;
    for (const t of Object.values(this.tensors)) t.dispose();
    this.tensors = null;
  }

  async advance(from: number, k: number, active: readonly boolean[]): Promise<void> {
    this.check();
    if (!Number.isInteger(from) || from < 0) throw new ConfigError('advance.from', from, 'a step index >= 0');
    if (!Number.isInteger(k) || k < 0 || from + k > 2 ** 32 - 1) {
      throw new ConfigError('advance.k', k, 'a step count >= 0 with from + k < 2^32');
    }
    if (active.length !== this.configs.length) {
      throw new ConfigError('advance.active', active.length, `one flag per member (${this.configs.length})`);
    }
    const members = this.configs.map((_, m) => m).filter((m) => active[m] && !this.frozen(m));
    if (k === 0 || members.length === 0) return;
    this.dropTensors();
    const lists = assignMembers(members, this.configs.map((c) => c.batchSize), this.threads);
    const args = lists.map((list, t) => {
      new Int32Array(this.memory.buffer, this.layout.lists[t], list.length).set(list);
      return [this.layout.header, this.layout.lists[t], list.length, from, k, this.layout.scratch[t]];
    });
    const results = await this.pool.runAsync('advance', args);
    if (results.some((r) => !Number.isFinite(r))) throw new Error('wasm-fused engine: a worker thread failed in advance');
    for (const m of members) {
      if (this.reported[m] || !this.frozen(m)) continue;
      this.reported[m] = true;
      this.pending.push({ member: m, step: this.view.getUint32(this.rec(m) + REC.FROZEN_STEP, true) });
    }
  }

  async takeFrozen(): Promise<FrozenMember[]> {
    this.check();
    const out = this.pending;
    this.pending = [];
    return out;
  }

  async lossSums(): Promise<Float64Array> {
    this.check();
    return Float64Array.from(this.configs, (_, m) => this.view.getFloat64(this.rec(m) + REC.LOSS_SUM, true));
  }

  async resetLoss(members: readonly number[]): Promise<void> {
    this.check();
    for (const m of members) this.checkMember(m, 'resetLoss.members');
    for (const m of members) this.view.setFloat64(this.rec(m) + REC.LOSS_SUM, 0, true);
  }

  async sumSquares(): Promise<Record<string, number>[]> {
    this.check();
    return this.configs.map((_, m) => {
      const out: Record<string, number> = {};
      for (const [name, values] of Object.entries(this.readParams(m))) {
        let s = 0;
        for (let i = 0; i < values.length; i++) s += values[i] * values[i];
        out[name] = s;
      }
      return out;
    });
  }

  async paramTensors(members?: readonly number[]): Promise<Record<string, tf.Tensor>> {
    this.check();
    const ids = members ?? this.configs.map((_, m) => m);
    const key = ids.join(',');
    if (!this.tensors || this.tensorsKey !== key) {
      if (this.tensors) tf.dispose(Object.values(this.tensors));
      const K = ids.length;
      const all = ids.map((m) => this.readParams(m));
      const tensors: Record<string, tf.Tensor> = {};
      for (const [name, shape] of Object.entries(this.paramShapes)) {
        const size = shape.reduce((a, b) => a * b, 1);
        const data = new Float32Array(K * size);
        all.forEach((p, m) => data.set(p[name], m * size));
        tensors[name] = tf.tensor(data, [K, ...shape], 'float32');
      }
      this.tensors = tensors;
      this.tensorsKey = key;
    }
    return { ...this.tensors };
  }

  async save(member: number): Promise<MemberState> {
    this.check();
    this.checkMember(member, 'save.member');
    return { params: this.readParams(member), lossSum: this.view.getFloat64(this.rec(member) + REC.LOSS_SUM, true) };
  }

  /** Restores a member's parameters and loss accumulator; it is no longer frozen. */
  async load(member: number, state: MemberState): Promise<void> {
    this.check();
    this.checkMember(member, 'load.member');
    for (const [name, shape] of Object.entries(this.paramShapes)) {
      const size = shape.reduce((a, b) => a * b, 1);
      const p = state.params[name];
      if (!(p instanceof Float32Array) || p.length !== size) {
        throw new ConfigError(`load.state.params.${name}`, p?.length, `a Float32Array of ${size} values (shape [${shape.join(', ')}])`);
      }
    }
    const extra = Object.keys(state.params).filter((n) => !(n in this.paramShapes));
    if (extra.length) throw new ConfigError('load.state.params', extra, `only ${Object.keys(this.paramShapes).join(', ')}`);
    if (typeof state.lossSum !== 'number') throw new ConfigError('load.state.lossSum', state.lossSum, 'a number');
    this.dropTensors();
    this.writeParams(member, state.params as { W: Float32Array; b?: Float32Array; V: Float32Array });
    const r = this.rec(member);
    this.view.setFloat64(r + REC.LOSS_SUM, state.lossSum, true);
    this.view.setInt32(r + REC.FROZEN, 0, true);
    this.view.setUint32(r + REC.FROZEN_STEP, 0, true);
    this.reported[member] = false;
    this.pending = this.pending.filter((f) => f.member !== member);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.dropTensors();
    this.pool.close();
  }
}

/**
 * The wasm-fused engine for `configs` (see {@link wasmFusedEligible}; throws a ConfigError naming
 * the reason when they are not eligible).
 */
export function createWasmTwoLayerEngine(configs: readonly RunConfig[], opts: WasmEngineOptions = {}): WasmTwoLayerEngine {
  return new WasmTwoLayerEngine(configs, opts);
}
