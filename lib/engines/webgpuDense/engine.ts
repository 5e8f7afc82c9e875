/**
 * The fused WebGPU engine for layer chains ('webgpu-dense'): model 'fc' (any depth and width),
 * 'two-layer' (any size) and 'cnn' (stride-1 'same' conv layers as implicit GEMMs, conv.wgsl.ts),
 * on synthetic or image data, K members in lockstep. Parameters, data, activations, loss
 * accumulators and divergence status live in GPU buffers of tfjs's own device; each SGD step is
 * 2L + 1 dispatches (one more with conv layers, one more with a split output layer, one more per
 * hidden layer with a split fan-in) of tiled matmul kernels with fused bias, ReLU, loss gradient
 * and update (kernels.ts), many steps per submit, no host read in the step loop.
 * `paramTensors(members)` copies the selected members' parameters on the device into staging
 * buffers wrapped as tfjs tensors ([K', …shape], dense W as [out, in]).
 */
import type * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../../core/config.js';
import { ConfigError } from '../../core/errors.js';
import type { Engine, EngineName, FrozenMember, MemberState } from '../engine.js';
import { newlyFrozen } from '../webgpu/frozenWords.js';
import { decodeLossSums, encodeLossSum, resetLossSums } from '../webgpu/lossAccumulator.js';
import { flushTfjs, readRanges, type GpuPipeline } from '../webgpu/gpu.js';
import { destroyBuffers, type GroupBuffers, type SharedBuffers } from './buffers.js';
import { dispatchFlat, type DenseDevice, type DensePass } from './device.js';
import { ParamStaging, type GatherParam } from './gather.js';
import { CFG_WORDS, jobWorkgroups, STEP_WORDS, type Job } from './kernel.wgsl.js';
import type { DensePlan } from './plan.js';

/** The engine's name (add it to ENGINE_NAMES in engines/engine.ts). */
export const WEBGPU_DENSE = 'webgpu-dense';

const TWO32 = 2 ** 32;

/** A compiled step kernel and its jobs. */
export interface CompiledKernel {
  pipeline: GpuPipeline;
  jobs: Job[];
}

/** K dense members trained in lockstep by WGSL kernels (see the file comment). */
export class WebgpuDenseEngine implements Engine {
  readonly name = WEBGPU_DENSE as unknown as EngineName;
  readonly configs: readonly RunConfig[];
  readonly paramShapes: Readonly<Record<string, readonly number[]>>;
  /** The layout on this device. */
  readonly plan: DensePlan;
  /** Steps encoded per submit. */
  readonly stepsPerSubmit: number;
  private readonly device: DenseDevice;
  private readonly kernels: CompiledKernel[];
  private readonly norms: GpuPipeline;
  private readonly checkEvery: number;
  private readonly shared: SharedBuffers;
  private readonly groups: GroupBuffers[];
  private readonly cfgWords: ArrayBuffer;
  private readonly reported: boolean[];
  private readonly staging: ParamStaging;
  private readonly gatherParams: GatherParam[];
  private disposed = false;

  /** Use createWebgpuDenseEngine (it plans, compiles, allocates and writes the initial state). */
  constructor(
    device: DenseDevice,
    configs: readonly RunConfig[],
    plan: DensePlan,
    kernels: CompiledKernel[],
    norms: GpuPipeline,
    buffers: { shared: SharedBuffers; groups: GroupBuffers[] },
    opts: { checkEvery: number; stepsPerSubmit: number },
  ) {
    this.device = device;
    this.configs = configs.map((c) => ({ ...c, probes: [...c.probes] }));
    this.plan = plan;
    this.paramShapes = Object.fromEntries(plan.shape.params.map((p) => [p.name, p.shape]));
    this.kernels = kernels;
    this.norms = norms;
    this.checkEvery = opts.checkEvery;
    this.stepsPerSubmit = Math.min(opts.stepsPerSubmit, plan.slots);
    this.shared = buffers.shared;
    this.groups = buffers.groups;
    this.reported = configs.map(() => false);
    this.staging = new ParamStaging(device, 'webgpu-dense');
    this.cfgWords = new ArrayBuffer(configs.length * CFG_WORDS * 4);
    const f = new Float32Array(this.cfgWords);
    const w = new Uint32Array(this.cfgWords);
    configs.forEach((c, m) => {
      f[m * CFG_WORDS] = c.eta;
      w[m * CFG_WORDS + 1] = c.batchSize;
      w[m * CFG_WORDS + 2] = c.seed;
      f[m * CFG_WORDS + 3] = Math.min(c.divergenceThreshold, 3.4e38);
    });
    this.gatherParams = plan.shape.params.map((p, i) => ({
      name: p.name,
      shape: p.shape,
      size: p.size,
      locate: (m: number) => {
        const { g, k } = this.locate(m);
        return { buffer: g.params, offset: 4 * (plan.paramOffset[i] + k * p.size) };
      },
    }));
  }

  private check(): void {
    if (this.disposed) throw new Error('webgpu-dense engine: used after dispose()');
  }

  private checkMember(m: number, where: string): void {
    if (!Number.isInteger(m) || m < 0 || m >= this.configs.length) {
      throw new ConfigError(where, m, `a member index 0 … ${this.configs.length - 1}`);
    }
  }

  /** The group of member m and m's index in it. */
  private locate(m: number): { g: GroupBuffers; k: number } {
    const g = this.groups[Math.floor(m / this.plan.GC)];
    return { g, k: m - g.first };
  }

  /** The member config words (η, |B|, seed, threshold, live) into consts. */
  writeConfigs(): void {
    this.device.queue.writeBuffer(this.shared.consts, 0, this.cfgWords);
  }

  /** Writes member m's parameters (checked against paramShapes; `where` names the caller in errors). */
  writeParams(m: number, p: Record<string, Float32Array>, where: string): void {
    const { g, k } = this.locate(m);
    for (const q of this.plan.shape.params) {
      const v = p[q.name];
      if (!(v instanceof Float32Array) || v.length !== q.size) {
        const allowed = `a Float32Array of ${q.size} values (shape ${JSON.stringify(q.shape)})`;
        throw new ConfigError(`${where}.params.${q.name}`, v?.length, allowed);
      }
    }
    this.plan.shape.params.forEach((q, i) => {
      this.device.queue.writeBuffer(g.params, 4 * (this.plan.paramOffset[i] + k * q.size), p[q.name]);
    });
  }

  /** Writes every group's step slots for steps t0 … t0 + n − 1 (flags: divergence check after the step). */
  private writeSlots(t0: number, n: number): void {
    const stride = this.plan.slotStride / 4;
    for (const g of this.groups) {
      const words = new Uint32Array(stride * (n - 1) + STEP_WORDS);
      for (let s = 0; s < n; s++) {
        const t = t0 + s;
        words.set([t, (t + 1) % this.checkEvery === 0 ? 1 : 0, g.first, g.count, this.configs.length], s * stride);
      }
      this.device.queue.writeBuffer(g.step, 0, words);
    }
  }

  /** Enqueues the steps (stepsPerSubmit per submit) and returns without waiting for them. */
  async advance(from: number, k: number, active: readonly boolean[]): Promise<void> {
    this.check();
    if (!Number.isInteger(from) || from < 0) throw new ConfigError('advance.from', from, 'a step index >= 0');
    if (!Number.isInteger(k) || k < 0 || from + k > TWO32 - 1) {
      throw new ConfigError('advance.k', k, 'a step count >= 0 with from + k < 2^32');
    }
    const K = this.configs.length;
    if (active.length !== K) throw new ConfigError('advance.active', active.length, `one flag per member (${K})`);
    if (k === 0 || !active.some((a) => a)) return;
    flushTfjs();
    this.staging.drop();
    const w = new Uint32Array(this.cfgWords);
    for (let m = 0; m < K; m++) w[m * CFG_WORDS + 4] = active[m] ? 1 : 0;
    this.writeConfigs();
    const groups = this.groups.filter((g) => active.slice(g.first, g.first + g.count).some((a) => a));
    const stride = this.plan.slotStride;
    for (let done = 0; done < k; done += this.stepsPerSubmit) {
      const n = Math.min(this.stepsPerSubmit, k - done);
      this.writeSlots(from + done, n);
      const enc = this.device.createCommandEncoder();
      const pass = enc.beginComputePass();
      for (let s = 0; s < n; s++) {
        for (const kern of this.kernels) {
          pass.setPipeline(kern.pipeline);
          for (const g of groups) {
            pass.setBindGroup(0, g.bind, [s * stride]);
            dispatchFlat(pass, jobWorkgroups(kern.jobs, g.count));
          }
        }
        if ((from + done + s + 1) % this.checkEvery === 0) this.encodeNorms(pass, groups, s * stride);
      }
      pass.end();
      this.device.queue.submit([enc.finish()]);
    }
    // resolve when the device has done the work: the loop sizes its chunks (and so its response to signals) by this
    await this.device.queue.onSubmittedWorkDone();
  }

  /** Encodes the norms kernel (the divergence rule where the slot at `offset` says so) for `groups`. */
  private encodeNorms(pass: DensePass, groups: GroupBuffers[], offset: number): void {
    pass.setPipeline(this.norms);
    for (const g of groups) {
      pass.setBindGroup(0, g.bind, [offset]);
      dispatchFlat(pass, g.count);
    }
  }

  private async readState(offsetWords: number, words: number): Promise<ArrayBuffer> {
    const [buf] = await readRanges(this.device as never, [{ buffer: this.shared.state, offset: 4 * offsetWords, size: 4 * words }]);
    return buf;
  }

  async takeFrozen(): Promise<FrozenMember[]> {
    this.check();
    const K = this.configs.length;
    return newlyFrozen(new Uint32Array(await this.readState(4 * K, 4 * K)), K, 4, this.reported);
  }

  async lossSums(): Promise<Float64Array> {
    this.check();
    const K = this.configs.length;
    return decodeLossSums(await this.readState(0, 4 * K), K, 4);
  }

  async resetLoss(members: readonly number[]): Promise<void> {
    this.check();
    for (const m of members) this.checkMember(m, 'resetLoss.members');
    resetLossSums(this.device, this.shared.state, members, 4);
  }

  async sumSquares(): Promise<Record<string, number>[]> {
    this.check();
    flushTfjs();
    const K = this.configs.length;
    for (const g of this.groups) this.device.queue.writeBuffer(g.step, 0, Uint32Array.of(0, 0, g.first, g.count, K, 0, 0, 0));
    const enc = this.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    this.encodeNorms(pass, this.groups, 0);
    pass.end();
    this.device.queue.submit([enc.finish()]);
    const NP = this.plan.shape.params.length;
    const f = new Float32Array(await this.readState(8 * K, K * NP));
    return Array.from({ length: K }, (_, m) => Object.fromEntries(this.plan.shape.params.map((p, i) => [p.name, f[m * NP + i]])));
  }

  async paramTensors(members?: readonly number[]): Promise<Record<string, tf.Tensor>> {
    this.check();
    const K = this.configs.length;
    const list = members ?? Array.from({ length: K }, (_, m) => m);
    for (const m of list) this.checkMember(m, 'paramTensors.members');
    return this.staging.gather(this.gatherParams, list);
  }

  async save(member: number): Promise<MemberState> {
    this.check();
    this.checkMember(member, 'save.member');
    flushTfjs();
    const ranges = [
      { buffer: this.shared.state, offset: 16 * member, size: 12 },
      ...this.gatherParams.map((p) => ({ ...p.locate(member), size: 4 * p.size })),
    ];
    const [loss, ...parts] = await readRanges(this.device as never, ranges);
    const params = Object.fromEntries(this.gatherParams.map((p, i) => [p.name, new Float32Array(parts[i])]));
    return { params, lossSum: decodeLossSums(loss, 1, 3)[0] };
  }

  /** Restores a member's parameters and loss accumulator and clears its frozen status. */
  async load(member: number, state: MemberState): Promise<void> {
    this.check();
    this.checkMember(member, 'load.member');
    flushTfjs();
    this.staging.drop();
    this.writeParams(member, state.params, 'load.state');
    const q = this.device.queue;
    q.writeBuffer(this.shared.state, 16 * member, encodeLossSum(state.lossSum, 4));
    q.writeBuffer(this.shared.state, 16 * this.configs.length + 16 * member, new Uint32Array(4));
    this.reported[member] = false;
  }

  /** The inputs [K, Bmax, M] and labels [K, Bmax] of the last step drawn (rows past a member's |B| are 0), for tests. */
  async lastBatch(): Promise<{ x: Float32Array; y: Float32Array }> {
    this.check();
    flushTfjs();
    const { Bmax, K, labelOffset } = this.plan;
    const M = this.plan.shape.inputDim;
    const ranges = this.groups.flatMap((g) => [
      { buffer: g.acts, offset: 4 * this.plan.actOffset[0], size: 4 * g.count * Bmax * M },
      { buffer: g.deltas, offset: 4 * labelOffset, size: 4 * g.count * Bmax },
    ]);
    const parts = await readRanges(this.device as never, ranges);
    const x = new Float32Array(K * Bmax * M);
    const y = new Float32Array(K * Bmax);
    this.groups.forEach((g, i) => {
      x.set(new Float32Array(parts[2 * i]), g.first * Bmax * M);
      y.set(new Float32Array(parts[2 * i + 1]), g.first * Bmax);
    });
    return { x, y };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    try {
      flushTfjs();
    } catch {
      /* the backend is gone: nothing to flush */
    }
    this.staging.dispose();
    destroyBuffers(this.shared, this.groups);
  }
}
