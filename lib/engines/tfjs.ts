/**
 * The tfjs engine: K members as one batched program on any tfjs backend (K = 1 is the single-model
 * path). Parameters are variables with a leading member axis; each step draws every member's batch
 * from the data streams (padded to the largest |B|, padded samples weighted 0), takes the
 * architecture's loss and gradients with η folded in, and updates in place.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../core/config.js';
import { memberData, type MemberData } from '../data/source.js';
import { STREAM, StreamDraw } from '../data/stream.js';
import { parameterCount, type Architecture, type MemberStats, type Params } from '../models/arch.js';
import { createArchitecture } from '../models/create.js';
import { gradientVariance } from '../models/perSample.js';
import { initMember } from '../models/init.js';
import { selectMembers } from './selectMembers.js';
import { readTensor } from '../backend/read.js';
import { divergedOnDevice } from './divergence.js';
import type { BatchStats, Engine, EngineOptions, FrozenMember, MemberState } from './engine.js';

/** The tfjs engine (see the file comment). */
export class TfjsEngine implements Engine {
  readonly name = 'tfjs' as const;
  readonly configs: readonly RunConfig[];
  readonly paramShapes: Readonly<Record<string, readonly number[]>>;
  readonly arch: Architecture;
  private readonly K: number;
  private readonly M: number;
  private readonly Bmax: number;
  private readonly checkEvery: number;
  private readonly data: MemberData[];
  private readonly params: Record<string, tf.Variable>;
  private readonly lossSum: tf.Variable;
  private readonly xs: Float32Array;
  private readonly ys: Float32Array;
  /** Step count at which each member froze (0: live), kept on the device: no host read inside the step loop. */
  private readonly frozenAt: tf.Variable;
  private readonly reported: boolean[];
  private readonly thresholds: tf.Tensor1D;
  private maskKey = '';
  private masks: { w: tf.Tensor2D; eta: tf.Tensor1D; keep: tf.Tensor1D | null } | null = null;
  private disposed = false;
  private selection: Record<string, tf.Tensor> | null = null;

  private constructor(cfgs: readonly RunConfig[], data: MemberData[], opts: EngineOptions) {
    this.configs = cfgs;
    this.arch = createArchitecture(cfgs[0]);
    this.paramShapes = this.arch.shapes;
    this.K = cfgs.length;
    this.M = cfgs[0].inputDim;
    this.Bmax = Math.max(...cfgs.map((c) => c.batchSize));
    this.checkEvery = opts.checkEvery ?? 100;
    this.data = data;
    const inits = cfgs.map((c) => initMember(c, this.arch));
    const params: Record<string, tf.Variable> = {};
    for (const [name, shape] of Object.entries(this.arch.shapes)) {
      const size = shape.reduce((a, b) => a * b, 1);
      const all = new Float32Array(this.K * size);
      inits.forEach((init, m) => all.set(init[name], m * size));
      params[name] = tf.tidy(() => tf.variable(tf.tensor(all, [this.K, ...shape], 'float32'), false));
    }
    this.params = params;
    this.lossSum = tf.tidy(() => tf.variable(tf.zeros([this.K]), false));
    this.xs = new Float32Array(this.K * this.Bmax * this.M);
    this.ys = new Float32Array(this.K * this.Bmax);
    this.frozenAt = tf.tidy(() => tf.variable(tf.zeros([this.K], 'int32'), false));
    this.reported = cfgs.map(() => false);
    this.thresholds = tf.tensor1d(cfgs.map((c) => c.divergenceThreshold));
  }

  /** An engine for `cfgs` (same architecture and data source; own η, seed, |B|, steps), initialized from their seeds. */
  static async create(cfgs: readonly RunConfig[], opts: EngineOptions = {}): Promise<TfjsEngine> {
    const bySeed = new Map<number, Promise<MemberData>>();
    const data = await Promise.all(
      cfgs.map((c) => {
        let d = bySeed.get(c.seed);
        if (!d) bySeed.set(c.seed, (d = memberData(c)));
        return d;
      }),
    );
    return new TfjsEngine(cfgs, data, opts);
  }

  /** Sample weights (1/|B| on a member's own slots), η per member, and which members move. */
  private masksFor(live: boolean[]) {
    const key = live.map((a) => (a ? '1' : '0')).join('');
    if (this.masks && key === this.maskKey) return this.masks;
    if (this.masks) tf.dispose([this.masks.w, this.masks.eta, ...(this.masks.keep ? [this.masks.keep] : [])]);
    const w = new Float32Array(this.K * this.Bmax);
    const eta = new Float32Array(this.K);
    this.configs.forEach((c, m) => {
      if (!live[m]) return;
      w.fill(1 / c.batchSize, m * this.Bmax, m * this.Bmax + c.batchSize);
      eta[m] = c.eta;
    });
    const all = live.every(Boolean);
    this.masks = {
      w: tf.tensor2d(w, [this.K, this.Bmax]),
      eta: tf.tensor1d(eta),
      keep: all ? null : tf.tensor1d(live.map((a) => (a ? 1 : 0)), 'bool' as never),
    };
    this.maskKey = key;
    return this.masks;
  }

  /** Fills the batch buffers for step t; members sharing a seed and |B| draw once. */
  private fillBatch(t: number, live: boolean[]): void {
    const done = new Map<string, number>();
    const row = this.Bmax * this.M;
    this.configs.forEach((c, m) => {
      if (!live[m]) return;
      const key = `${c.seed}|${c.batchSize}`;
      const src = done.get(key);
      if (src !== undefined) {
        this.xs.copyWithin(m * row, src * row, src * row + c.batchSize * this.M);
        this.ys.copyWithin(m * this.Bmax, src * this.Bmax, src * this.Bmax + c.batchSize);
        return;
      }
      this.data[m].batch(t, c.batchSize, c.batchSize, this.xs, this.ys, m * this.Bmax);
      done.set(key, m);
    });
  }

  /** Isotropic noise η·σ_k·ξ with σ_k² = tr Σ_k/(noiseBatchSize·P), ξ from the noise stream of step t. */
  private noiseStep(t: number, params: Params, x: tf.Tensor3D, y: tf.Tensor2D, eta: tf.Tensor1D): Params {
    const P = parameterCount(this.arch);
    const n = x.shape[1];
    const stats = this.arch.perSampleGradientStats(params, x, y);
    const trace = Object.values(stats)
      .map((s) => gradientVariance(s, n))
      .reduce((a, b) => tf.add(a, b));
    const nb = tf.tensor1d(this.configs.map((c) => c.noiseBatchSize));
    const sigma = tf.mul(eta, tf.sqrt(tf.div(tf.relu(trace), tf.mul(nb, P)))); // η·σ per member
    const xi = new Float32Array(this.K * P);
    this.configs.forEach((c, m) => new StreamDraw(c.seed).normals(STREAM.noise, t, 0, P, xi, m * P));
    const out: Params = {};
    let offset = 0;
    for (const [name, shape] of Object.entries(this.arch.shapes)) {
      const size = shape.reduce((a, b) => a * b, 1);
      const part = new Float32Array(this.K * size);
      for (let m = 0; m < this.K; m++) part.set(xi.subarray(m * P + offset, m * P + offset + size), m * size);
      offset += size;
      out[name] = tf.mul(tf.tensor(part, [this.K, ...shape]), tf.reshape(sigma, [this.K, ...shape.map(() => 1)]));
    }
    return out;
  }

  async advance(from: number, k: number, active: readonly boolean[]): Promise<void> {
    await this.run(from, k, active, false);
  }

  async advanceWithBatchStats(from: number, k: number, active: readonly boolean[]): Promise<BatchStats | null> {
    return this.run(from, k, active, true);
  }

  /** Steps from … from + k − 1; with `withStats`, the last one through {@link Architecture.lossAndStats}, whose statistics it returns. */
  private async run(from: number, k: number, active: readonly boolean[], withStats: boolean): Promise<BatchStats | null> {
    this.dropSelection();
    const noisy = this.configs[0].gradientNoise === 'isotropic';
    const live = active.map((a, m) => a && !this.reported[m]);
    if (!live.some(Boolean) || k < 1) return null;
    const masks = this.masksFor(live);
    let kept: BatchStats | null = null;
    for (let t = from; t < from + k; t++) {
      this.fillBatch(t, live);
      tf.tidy(() => {
        // members the divergence rule froze on the device take no step: their η and sample weights are 0, and
        // their parameters enter the pass as zeros, so that their gradients are exactly 0 even when the
        // parameters are huge (p − 0 = p; a tf.where over every parameter would double a small model's step)
        const alive = tf.cast(tf.equal(this.frozenAt, 0), 'float32') as tf.Tensor1D;
        const moving = masks.keep ? tf.logicalAnd(masks.keep, tf.cast(alive, 'bool')) : tf.cast(alive, 'bool');
        const w = tf.mul(masks.w, tf.expandDims(alive, 1)) as tf.Tensor2D;
        const eta = tf.mul(masks.eta, alive) as tf.Tensor1D;
        const params: Params = {};
        // (an already infinite parameter of a frozen member turns NaN here: both are non-finite)
        for (const [name, p] of Object.entries(this.params)) params[name] = tf.mul(p, tf.reshape(alive, [this.K, ...this.paramShapes[name].map(() => 1)]));
        const x = tf.tensor3d(this.xs, [this.K, this.Bmax, this.M]);
        const y = tf.tensor2d(this.ys, [this.K, this.Bmax]);
        let loss: tf.Tensor1D;
        let grads: Params;
        if (withStats && t === from + k - 1) {
          // one pass gives the batch gradient ḡ (the mean of the per-sample gradients) and the statistics
          const r = this.batchLossAndStats(params, x, y);
          const stepping = tf.cast(tf.greater(tf.sum(w, 1), 0), 'float32');
          loss = tf.mul(r.loss, stepping) as tf.Tensor1D;
          grads = {};
          // members that take no step move by exactly 0 (tf.where: their statistics may be non-finite)
          const moves = tf.cast(stepping, 'bool');
          for (const [name, st] of Object.entries(r.stats)) {
            const shape = [this.K, ...this.paramShapes[name].map(() => 1)];
            const g = tf.mul(st.mean, tf.reshape(eta, shape));
            grads[name] = tf.where(tf.reshape(moves, shape).broadcastTo(g.shape), g, tf.zerosLike(g));
          }
          const stats: BatchStats['stats'] = {};
          for (const [name, st] of Object.entries(r.stats)) stats[name] = { sumSq: tf.keep(st.sumSq), mean: tf.keep(st.mean) };
          kept = { stats, n: this.configs.map((c) => c.batchSize) };
        } else {
          ({ loss, grads } = this.arch.lossAndGradients(params, x, y, w, eta));
        }
        const noise = noisy ? this.noiseStep(t, params, x, y, eta) : null;
        for (const [name, p] of Object.entries(this.params)) p.assign(tf.sub(p, noise ? tf.add(grads[name], noise[name]) : grads[name]));
        this.lossSum.assign(tf.add(this.lossSum, loss));
        const s = t + 1;
        if (s % this.checkEvery === 0) this.check(s, moving);
      });
    }
    return kept;
  }

  /**
   * {@link Architecture.lossAndStats} of every member on its own |B| slots of the batch buffers x [K, Bmax, M],
   * y [K, Bmax]: in one call when all members share |B|, else once per |B| on the members of that size.
   */
  private batchLossAndStats(params: Params, x: tf.Tensor3D, y: tf.Tensor2D): ReturnType<Architecture['lossAndStats']> {
    const sizes = [...new Set(this.configs.map((c) => c.batchSize))];
    if (sizes.length === 1) return this.arch.lossAndStats(params, x, y);
    const parts = sizes.map((B) => {
      const idx = this.configs.flatMap((c, m) => (c.batchSize === B ? [m] : []));
      const at = tf.tensor1d(idx, 'int32');
      const sub: Params = {};
      for (const [name, p] of Object.entries(params)) sub[name] = tf.gather(p, at);
      const xs = tf.slice(tf.gather(x, at), [0, 0, 0], [-1, B, -1]) as tf.Tensor3D;
      const ys = tf.slice(tf.gather(y, at), [0, 0], [-1, B]) as tf.Tensor2D;
      return { idx, ...this.arch.lossAndStats(sub, xs, ys) };
    });
    // back into member order
    const order = parts.flatMap((q) => q.idx);
    const inverse = tf.tensor1d(Array.from({ length: this.K }, (_, m) => order.indexOf(m)), 'int32');
    const join = (ts: tf.Tensor[]) => tf.gather(tf.concat(ts, 0), inverse);
    const stats: Record<string, MemberStats> = {};
    for (const name of Object.keys(parts[0].stats)) {
      stats[name] = { sumSq: join(parts.map((q) => q.stats[name].sumSq)) as tf.Tensor1D, mean: join(parts.map((q) => q.stats[name].mean)) };
    }
    return { loss: join(parts.map((q) => q.loss)) as tf.Tensor1D, stats };
  }

  /**
   * The divergence rule (engines/divergence.ts's divergedOnDevice) on every moving member
   * after step count s: a non-finite loss accumulator, or a parameter norm that is non-finite or above
   * the member's threshold, freezes it at s.
   */
  private check(s: number, moving: tf.Tensor): void {
    const newly = tf.logicalAnd(moving, divergedOnDevice(this.params, this.lossSum as tf.Tensor1D, this.thresholds));
    this.frozenAt.assign(tf.where(newly, tf.fill([this.K], s, 'int32'), this.frozenAt));
  }

  async takeFrozen(): Promise<FrozenMember[]> {
    const at = await readTensor(this.frozenAt);
    const out: FrozenMember[] = [];
    for (let m = 0; m < this.K; m++) {
      if (at[m] > 0 && !this.reported[m]) {
        this.reported[m] = true;
        out.push({ member: m, step: at[m] });
      }
    }
    return out;
  }

  async lossSums(): Promise<Float64Array> {
    return Float64Array.from(await readTensor(this.lossSum));
  }

  async resetLoss(members: readonly number[]): Promise<void> {
    if (members.length === 0) return;
    const keep = new Float32Array(this.K).fill(1);
    for (const m of members) keep[m] = 0;
    tf.tidy(() => this.lossSum.assign(tf.mul(this.lossSum, tf.tensor1d(keep))));
  }

  async sumSquares(): Promise<Record<string, number>[]> {
    const names = Object.keys(this.params);
    const t = tf.tidy(() => tf.stack(names.map((n) => tf.sum(tf.reshape(tf.square(this.params[n]), [this.K, -1]), 1)), 1));
    const v = await readTensor(t);
    t.dispose();
    return Array.from({ length: this.K }, (_, m) => Object.fromEntries(names.map((n, i) => [n, v[m * names.length + i]])));
  }

  async paramTensors(members?: readonly number[]): Promise<Record<string, tf.Tensor>> {
    this.dropSelection();
    if (!members || (members.length === this.K && members.every((m, i) => m === i))) return { ...this.params };
    this.selection = Object.fromEntries(Object.entries(this.params).map(([n, p]) => [n, selectMembers(p, members)]));
    return { ...this.selection };
  }

  /** Frees the last selection of {@link paramTensors}. */
  private dropSelection(): void {
    if (this.selection) tf.dispose(Object.values(this.selection));
    this.selection = null;
  }

  async save(member: number): Promise<MemberState> {
    const params: Record<string, Float32Array> = {};
    for (const [name, p] of Object.entries(this.params)) {
      const t = tf.tidy(() => tf.slice(p, member, 1));
      params[name] = Float32Array.from(await readTensor(t));
      t.dispose();
    }
    return { params, lossSum: (await this.lossSums())[member] };
  }

  async load(member: number, state: MemberState): Promise<void> {
    for (const [name, p] of Object.entries(this.params)) {
      const shape = this.paramShapes[name];
      tf.tidy(() => {
        const parts: tf.Tensor[] = [];
        if (member > 0) parts.push(tf.slice(p, 0, member));
        parts.push(tf.tensor(state.params[name], [1, ...shape], 'float32'));
        if (member < this.K - 1) parts.push(tf.slice(p, member + 1, this.K - member - 1));
        p.assign(parts.length === 1 ? parts[0] : tf.concat(parts, 0));
      });
    }
    tf.tidy(() => {
      const mask = new Float32Array(this.K);
      mask[member] = 1;
      const hot = tf.tensor1d(mask);
      this.lossSum.assign(tf.add(tf.mul(this.lossSum, tf.sub(1, hot)), tf.mul(hot, state.lossSum)));
    });
    tf.tidy(() => {
      const mask = new Int32Array(this.K);
      mask[member] = 1;
      this.frozenAt.assign(tf.where(tf.cast(tf.tensor1d(mask, 'int32'), 'bool'), tf.zeros([this.K], 'int32'), this.frozenAt));
    });
    this.reported[member] = false;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.dropSelection();
    tf.dispose([...Object.values(this.params), this.lossSum, this.frozenAt, this.thresholds]);
    if (this.masks) tf.dispose([this.masks.w, this.masks.eta, ...(this.masks.keep ? [this.masks.keep] : [])]);
  }
}
