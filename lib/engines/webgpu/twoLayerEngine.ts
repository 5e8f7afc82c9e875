/**
 * The fused WebGPU engine of the two-layer family ('webgpu-fused'): every member's parameters,
 * loss accumulator and divergence status live in GPU buffers of tfjs's own GPUDevice; one
 * dispatch of kernel.wgsl.ts advances every active member many steps with its data drawn on the
 * device. Parameters never leave the GPU between probes: `paramTensors()` wraps the buffers as
 * tfjs tensors without a copy (W [K, N, M], b [K, N], V [K, C, N], row-major float32).
 */
import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../../core/config.js';
import { BackendUnavailableError, ConfigError } from '../../core/errors.js';
import { initMember } from '../../models/init.js';
import { createArchitecture } from '../../models/create.js';
import { installWebgpu } from '../../backend/webgpu.js';
import type { Engine, EngineOptions, FrozenMember, MemberState } from '../engine.js';
import { webgpuFusedEligible } from './eligible.js';
import { computePipeline, flushTfjs, readRanges, tfjsDevice, USAGE } from './gpu.js';
import type { GpuBindGroup, GpuBuffer, GpuDevice, GpuPipeline } from './gpu.js';
import { BINDING, twoLayerKernel } from './kernel.wgsl.js';
import { normsKernel } from './norms.wgsl.js';
import { newlyFrozen } from './frozenWords.js';
import { decodeLossSums, encodeLossSum, resetLossSums } from './lossAccumulator.js';
import { CFG_WORDS, planLimits, planTwoLayer, STATE_WORDS, type KernelPlan, type PlanLimits, type PlanTuning } from './plan.js';

/** Options of the webgpu-fused engine. */
export interface WebgpuEngineOptions extends EngineOptions {
  /** Each member's initial parameters (default: from its seed's `init` stream, as models/init.ts draws them). */
  initial?: (member: number, cfg: RunConfig) => Record<string, Float32Array>;
  /** Lower the device's limits (tests of the splitting and of limit errors). */
  limits?: Partial<PlanLimits>;
  /** Layout knobs (workgroup size, private W rows, batch chunk, inputs in private variables; see SOFTWARE_TUNING). */
  tuning?: PlanTuning;
  /**
   * Most steps per dispatch (default: about 2³⁵ multiply-adds per dispatch on a GPU, 2³¹ on a
   * software adapter, so that none runs for seconds).
   */
  maxStepsPerDispatch?: number;
}

/** One member group's buffers and bind groups. */
interface Group {
  first: number;
  count: number;
  W: GpuBuffer;
  V: GpuBuffer;
  b: GpuBuffer | null;
  G: GpuBuffer | null;
  params: GpuBuffer;
  norms: GpuBuffer;
  bind: GpuBindGroup;
  normsBind: GpuBindGroup;
}

const TWO32 = 2 ** 32;
/** Layout defaults on a software adapter (llvmpipe reads workgroup memory lane by lane: copy inputs to private variables once). */
export const SOFTWARE_TUNING: Readonly<PlanTuning> = { xRegisters: true };
/** Multiply-adds per dispatch: milliseconds on a data-center GPU, under a second on llvmpipe. */
const MAC_BUDGET = { gpu: 2 ** 35, software: 2 ** 31 };

/** A member's initial parameters: models/init.ts's initMember, as on every engine. */
export function defaultInitial(cfg: RunConfig): Record<string, Float32Array> {
  return initMember(cfg, createArchitecture(cfg));
}

/**
 * Creates the webgpu-fused engine for `configs` on tfjs's webgpu backend (useBackend('webgpu')
 * first). Throws a ConfigError when the configs are not eligible or do not fit the device.
 */
export async function createWebgpuTwoLayerEngine(
  configs: readonly RunConfig[],
  opts: WebgpuEngineOptions = {},
): Promise<WebgpuTwoLayerEngine> {
  const checkEvery = opts.checkEvery ?? 100;
  if (!Number.isInteger(checkEvery) || checkEvery < 1 || checkEvery >= TWO32) {
    throw new ConfigError('engine.checkEvery', opts.checkEvery, 'a positive integer');
  }
  const spd = opts.maxStepsPerDispatch;
  if (spd !== undefined && (!Number.isInteger(spd) || spd < 1)) {
    throw new ConfigError('engine.maxStepsPerDispatch', spd, 'a positive integer');
  }
  const verdict = webgpuFusedEligible(configs);
  if (!verdict.eligible) {
    throw new ConfigError('engine.configs', configs.length, `configs the webgpu-fused engine can train: ${verdict.reason}`);
  }
  const device = tfjsDevice();
  const first = configs[0];
  const maxBatch = configs.reduce((b, c) => Math.max(b, c.batchSize), 1);
  const software = (await installWebgpu(false)).software;
  const tuning: PlanTuning = { ...(software ? SOFTWARE_TUNING : {}), ...opts.tuning };
  const plan = planTwoLayer({ ...first, members: configs.length, maxBatch }, planLimits(device.limits, opts.limits), tuning);
  // one after the other: each creation brackets its own error scopes, which must not interleave
  const main = await computePipeline(device, twoLayerKernel(plan), 'webgpu-fused two-layer SGD');
  const norms = await computePipeline(device, normsKernel(plan), 'webgpu-fused norms');
  const byMacs = stepsFor(software ? MAC_BUDGET.software : MAC_BUDGET.gpu, configs, plan);
  const steps = opts.maxStepsPerDispatch ?? (software ? Math.min(byMacs, softwareStepCap(configs)) : byMacs);
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  const engine = new WebgpuTwoLayerEngine(device, configs, plan, main, norms, checkEvery, steps);
  let failure: unknown = null;
  try {
    const initial = opts.initial ?? ((_m: number, c: RunConfig) => defaultInitial(c));
    configs.forEach((c, m) => engine.writeParams(m, initial(m, c), 'initial'));
  } catch (err) {
    failure = err;
  }
  const invalid = await device.popErrorScope();
  const oom = await device.popErrorScope();
  if (failure || oom || invalid) engine.dispose();
  if (failure) throw failure;
  if (oom) {
    const allowed = `fewer members (or smaller hidden, inputDim): the device is out of memory (${oom.message})`;
    throw new ConfigError('members', configs.length, allowed);
  }
  if (invalid) throw new Error(`webgpu-fused: ${invalid.message}`);
  return engine;
}

/**
 * Loop iterations one invocation may run in a dispatch on llvmpipe: it silently stops an invocation
 * after 65,535 iterations of all its loops together (measured), leaving steps undone without an error.
 */
export const SOFTWARE_LOOP_ITERATIONS = 60_000;

/**
 * An upper bound of one invocation's loop iterations per SGD step (per sample: the input row both ways,
 * the hidden units both ways and once more zeroed, every output of every unit and once more zeroed).
 */
export function softwareStepIterations(configs: readonly RunConfig[]): number {
  const maxBatch = configs.reduce((b, c) => Math.max(b, c.batchSize), 1);
  const c = configs[0];
  return maxBatch * (2 * c.inputDim + 3 * c.hidden + c.classes * (c.hidden + 1) + 64);
}

/**
 * Steps per dispatch on a software adapter that keep every invocation under {@link SOFTWARE_LOOP_ITERATIONS}
 * (at least 1: members whose single step is over it are not given to this engine there, see engines/create.ts).
 */
export function softwareStepCap(configs: readonly RunConfig[]): number {
  return Math.max(1, Math.floor(SOFTWARE_LOOP_ITERATIONS / softwareStepIterations(configs)));
}

/** Steps per dispatch for about `macs` multiply-adds. */
function stepsFor(macs: number, configs: readonly RunConfig[], plan: KernelPlan): number {
  const maxBatch = configs.reduce((b, c) => Math.max(b, c.batchSize), 1);
  const perStep = configs.length * maxBatch * (2 * plan.N * plan.M + 8 * plan.M + 4 * plan.N * plan.C + 64);
  return Math.max(1, Math.floor(macs / perStep));
}

/** K two-layer members trained in lockstep by one WGSL kernel. */
export class WebgpuTwoLayerEngine implements Engine {
  readonly name = 'webgpu-fused' as const;
  readonly configs: readonly RunConfig[];
  readonly paramShapes: Readonly<Record<string, readonly number[]>>;
  /** The kernel's layout on this device. */
  readonly plan: KernelPlan;
  /** Steps per dispatch. */
  readonly stepsPerDispatch: number;
  private readonly device: GpuDevice;
  private readonly main: GpuPipeline;
  private readonly normsPipeline: GpuPipeline;
  private readonly checkEvery: number;
  private readonly cfg: GpuBuffer;
  private readonly state: GpuBuffer;
  private readonly groups: Group[];
  private readonly reported: boolean[];
  private readonly cfgWords: ArrayBuffer;
  private tensors: Record<string, tf.Tensor> | null = null;
  /** The members (joined) whose tensors `tensors` holds. */
  private tensorKey = '';
  private disposed = false;

  /** Allocates the buffers (parameters zero); use {@link createWebgpuTwoLayerEngine}, which also writes the initial parameters. */
  constructor(
    device: GpuDevice,
    configs: readonly RunConfig[],
    plan: KernelPlan,
    main: GpuPipeline,
    norms: GpuPipeline,
    checkEvery: number,
    stepsPerDispatch: number,
  ) {
    this.device = device;
    this.configs = configs.map((c) => ({ ...c, probes: [...c.probes] }));
    this.plan = plan;
    this.main = main;
    this.normsPipeline = norms;
    this.checkEvery = checkEvery;
    const { M, N, C, bias } = plan;
    const K = configs.length;
    this.paramShapes = bias ? { W: [N, M], b: [N], V: [C, N] } : { W: [N, M], V: [C, N] };
    this.stepsPerDispatch = stepsPerDispatch;
    this.reported = configs.map(() => false);
    const storage = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;
    this.cfg = device.createBuffer({ size: K * CFG_WORDS * 4, usage: USAGE.STORAGE | USAGE.COPY_DST, label: 'webgpu-fused configs' });
    this.state = device.createBuffer({ size: K * STATE_WORDS * 4, usage: storage, label: 'webgpu-fused state' });
    this.cfgWords = new ArrayBuffer(K * CFG_WORDS * 4);
    const f = new Float32Array(this.cfgWords);
    const w = new Uint32Array(this.cfgWords);
    configs.forEach((c, m) => {
      f[m * CFG_WORDS] = c.eta;
      w[m * CFG_WORDS + 1] = c.batchSize;
      w[m * CFG_WORDS + 2] = c.seed;
      f[m * CFG_WORDS + 3] = Math.min(c.divergenceThreshold, 3.4e38);
    });
    this.groups = plan.groups.map((g) => {
      const mk = (floats: number, label: string) => device.createBuffer({ size: Math.max(16, floats * 4), usage: storage, label });
      const grp = {
        ...g,
        W: mk(g.count * N * M, 'webgpu-fused W'),
        V: mk(g.count * C * N, 'webgpu-fused V'),
        b: bias ? mk(g.count * N, 'webgpu-fused b') : null,
        G: plan.gradScratch ? mk(g.count * N * M, 'webgpu-fused gradient scratch') : null,
        params: device.createBuffer({ size: 32, usage: USAGE.UNIFORM | USAGE.COPY_DST, label: 'webgpu-fused params' }),
        norms: mk(g.count * 3, 'webgpu-fused norms'),
      };
      const res = (buffer: GpuBuffer) => ({ buffer });
      type Entry = { binding: number; resource: { buffer: GpuBuffer } };
      const entries: Entry[] = [
        { binding: BINDING.params, resource: res(grp.params) },
        { binding: BINDING.cfg, resource: res(this.cfg) },
        { binding: BINDING.state, resource: res(this.state) },
        { binding: BINDING.W, resource: res(grp.W) },
        { binding: BINDING.V, resource: res(grp.V) },
      ];
      if (grp.b) entries.push({ binding: BINDING.b, resource: res(grp.b) });
      if (grp.G) entries.push({ binding: BINDING.G, resource: res(grp.G) });
      const normEntries: Entry[] = [
        { binding: BINDING.W, resource: res(grp.W) },
        { binding: BINDING.V, resource: res(grp.V) },
        { binding: BINDING.out, resource: res(grp.norms) },
      ];
      if (grp.b) normEntries.push({ binding: BINDING.b, resource: res(grp.b) });
      return {
        ...grp,
        bind: device.createBindGroup({ layout: main.getBindGroupLayout(0), entries }),
        normsBind: device.createBindGroup({ layout: norms.getBindGroupLayout(0), entries: normEntries }),
      };
    });
  }

  private check(): void {
    if (this.disposed) throw new Error('webgpu-fused engine: used after dispose()');
  }

  private checkMember(m: number, where: string): void {
    if (!Number.isInteger(m) || m < 0 || m >= this.configs.length) {
      throw new ConfigError(where, m, `a member index 0 … ${this.configs.length - 1}`);
    }
  }

  /** The group of member m and m's index in it. */
  private locate(m: number): { g: Group; k: number } {
    const g = this.groups.find((x) => m >= x.first && m < x.first + x.count)!;
    return { g, k: m - g.first };
  }

  private dropTensors(): void {
    if (!this.tensors) return;
    for (const t of Object.values(this.tensors)) t.dispose();
    this.tensors = null;
  }

  /** Writes member m's parameters (checked against paramShapes; `where` names the caller in errors). */
  writeParams(m: number, p: Record<string, Float32Array>, where: string): void {
    const { M, N, C, bias } = this.plan;
    const want: Record<string, number> = bias ? { W: N * M, b: N, V: C * N } : { W: N * M, V: C * N };
    for (const [name, len] of Object.entries(want)) {
      if (!(p[name] instanceof Float32Array) || p[name].length !== len) {
        const allowed = `a Float32Array of ${len} values (shape ${JSON.stringify(this.paramShapes[name])})`;
        throw new ConfigError(`${where}.params.${name}`, p[name]?.length, allowed);
      }
    }
    const { g, k } = this.locate(m);
    const q = this.device.queue;
    q.writeBuffer(g.W, k * N * M * 4, p.W);
    q.writeBuffer(g.V, k * C * N * 4, p.V);
    if (g.b) q.writeBuffer(g.b, k * N * 4, p.b);
  }

  /** Enqueues the steps (in dispatches of at most `stepsPerDispatch` steps) and returns without waiting for them. */
  async advance(from: number, k: number, active: readonly boolean[]): Promise<void> {
    this.check();
    if (!Number.isInteger(from) || from < 0) throw new ConfigError('advance.from', from, 'a step index >= 0');
    if (!Number.isInteger(k) || k < 0 || from + k > TWO32 - 1) {
      throw new ConfigError('advance.k', k, 'a step count >= 0 with from + k < 2^32');
    }
    const K = this.configs.length;
    if (active.length !== K) throw new ConfigError('advance.active', active.length, `one flag per member (${K})`);
    const n = this.plan.trainSize;
    if (n > 0) {
      const maxB = this.configs.reduce((b, c) => Math.max(b, c.batchSize), 1);
      if (Math.floor(((from + k) * maxB) / n) >= TWO32) {
        throw new ConfigError('advance.k', k, 'steps whose epoch (step·batchSize/trainSize) is below 2^32');
      }
    }
    if (k === 0 || !active.some((a) => a)) return;
    flushTfjs();
    this.dropTensors();
    const w = new Uint32Array(this.cfgWords);
    for (let m = 0; m < K; m++) w[m * CFG_WORDS + 4] = active[m] ? 1 : 0;
    const q = this.device.queue;
    q.writeBuffer(this.cfg, 0, this.cfgWords);
    const groups = this.groups.filter((g) => active.slice(g.first, g.first + g.count).some((a) => a));
    for (let done = 0; done < k; done += this.stepsPerDispatch) {
      const steps = Math.min(this.stepsPerDispatch, k - done);
      for (const g of groups) q.writeBuffer(g.params, 0, Uint32Array.of(from + done, steps, this.checkEvery, g.first, K, 0, 0, 0));
      const enc = this.device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(this.main);
      for (const g of groups) {
        pass.setBindGroup(0, g.bind);
        pass.dispatchWorkgroups(g.count);
      }
      pass.end();
      q.submit([enc.finish()]);
    }
    // resolve when the device has done the work: the loop sizes its chunks (and so its response to signals) by this
    await q.onSubmittedWorkDone();
  }

  async takeFrozen(): Promise<FrozenMember[]> {
    this.check();
    const K = this.configs.length;
    const [buf] = await readRanges(this.device, [{ buffer: this.state, offset: 12 * K, size: 8 * K }]);
    return newlyFrozen(new Uint32Array(buf), K, 2, this.reported);
  }

  async lossSums(): Promise<Float64Array> {
    this.check();
    const K = this.configs.length;
    const [buf] = await readRanges(this.device, [{ buffer: this.state, offset: 0, size: 12 * K }]);
    return decodeLossSums(buf, K, 3);
  }

  async resetLoss(members: readonly number[]): Promise<void> {
    this.check();
    for (const m of members) this.checkMember(m, 'resetLoss.members');
    resetLossSums(this.device, this.state, members, 3);
  }

  async sumSquares(): Promise<Record<string, number>[]> {
    this.check();
    flushTfjs();
    const enc = this.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(this.normsPipeline);
    for (const g of this.groups) {
      pass.setBindGroup(0, g.normsBind);
      pass.dispatchWorkgroups(g.count);
    }
    pass.end();
    this.device.queue.submit([enc.finish()]);
    const parts = await readRanges(this.device, this.groups.map((g) => ({ buffer: g.norms, offset: 0, size: 12 * g.count })));
    const out: Record<string, number>[] = [];
    parts.forEach((buf) => {
      const f = new Float32Array(buf);
      for (let k = 0; k < f.length / 3; k++) {
        out.push(this.plan.bias ? { W: f[3 * k], b: f[3 * k + 1], V: f[3 * k + 2] } : { W: f[3 * k], V: f[3 * k + 2] });
      }
    });
    return out;
  }

  /**
   * Parameters of `members` (default all, in order) as [K′, …shape] tensors: the buffers wrapped
   * without a copy when the members are exactly one group (and its buffers exactly their size:
   * tfjs reads a wrapped buffer whole), else copies gathered on the device from their groups.
   * Owned by the engine until the next paramTensors, advance, load or dispose.
   */
  async paramTensors(members?: readonly number[]): Promise<Record<string, tf.Tensor>> {
    this.check();
    const K = this.configs.length;
    const list = members ? [...members] : Array.from({ length: K }, (_, m) => m);
    for (const m of list) this.checkMember(m, 'paramTensors.members');
    if (tf.getBackend() !== 'webgpu') {
      throw new BackendUnavailableError('webgpu', `paramTensors() needs tfjs's webgpu backend active (it is '${tf.getBackend()}')`);
    }
    const key = list.join(',');
    if (this.tensors && this.tensorKey === key) return this.tensors;
    this.dropTensors();
    const { M, N, C } = this.plan;
    const shapes: Record<string, number[]> = this.plan.bias ? { W: [N, M], b: [N], V: [C, N] } : { W: [N, M], V: [C, N] };
    const bufferOf = (g: Group, name: string) => (name === 'W' ? g.W : name === 'V' ? g.V : g.b!);
    const bytes = (name: string) => 4 * shapes[name].reduce((a, x) => a * x, 1);
    const wrap = (g: Group, name: string) =>
      tf.tensor({ buffer: bufferOf(g, name) as never, zeroCopy: true }, [g.count, ...shapes[name]], 'float32');
    const whole = this.groups.find((g) => list.length === g.count && list.every((m, i) => m === g.first + i));
    const t: Record<string, tf.Tensor> = {};
    for (const name of Object.keys(shapes)) {
      if (whole && bufferOf(whole, name).size === whole.count * bytes(name)) {
        t[name] = wrap(whole, name);
        continue;
      }
      t[name] = tf.tidy(() => {
        const parts: tf.Tensor[] = [];
        const order: number[] = []; // list position of each gathered row
        for (const g of this.groups) {
          const mine = list.flatMap((m, i) => (m >= g.first && m < g.first + g.count ? [[m - g.first, i]] : []));
          if (mine.length === 0) continue;
          parts.push(tf.gather(wrap(g, name), mine.map(([k]) => k)));
          order.push(...mine.map(([, i]) => i));
        }
        const rows = parts.length === 1 ? parts[0] : tf.concat(parts, 0);
        const inverse = new Array<number>(order.length);
        order.forEach((pos, j) => (inverse[pos] = j));
        return inverse.every((j, i) => j === i) ? rows : tf.gather(rows, inverse);
      });
    }
    this.tensors = t;
    this.tensorKey = key;
    return t;
  }

  async save(member: number): Promise<MemberState> {
    this.check();
    this.checkMember(member, 'save.member');
    flushTfjs();
    const { M, N, C } = this.plan;
    const { g, k } = this.locate(member);
    const ranges = [
      { buffer: this.state, offset: 12 * member, size: 12 },
      { buffer: g.W, offset: k * N * M * 4, size: N * M * 4 },
      { buffer: g.V, offset: k * C * N * 4, size: C * N * 4 },
    ];
    if (g.b) ranges.push({ buffer: g.b, offset: k * N * 4, size: N * 4 });
    const [loss, W, V, b] = await readRanges(this.device, ranges);
    const params: Record<string, Float32Array> = { W: new Float32Array(W) };
    if (b) params.b = new Float32Array(b);
    params.V = new Float32Array(V);
    return { params, lossSum: decodeLossSums(loss, 1, 3)[0] };
  }

  /** Restores a member's parameters and loss accumulator and clears its frozen status. */
  async load(member: number, state: MemberState): Promise<void> {
    this.check();
    this.checkMember(member, 'load.member');
    flushTfjs();
    this.writeParams(member, state.params, 'load.state');
    this.dropTensors();
    const q = this.device.queue;
    q.writeBuffer(this.state, 12 * member, encodeLossSum(state.lossSum, 3));
    q.writeBuffer(this.state, 12 * this.configs.length + 8 * member, new Uint32Array(2));
    this.reported[member] = false;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    try {
      flushTfjs();
    } catch {
      /* the backend is gone: nothing to flush */
    }
    this.dropTensors();
    for (const g of this.groups) for (const b of [g.W, g.V, g.b, g.G, g.params, g.norms]) b?.destroy();
    this.cfg.destroy();
    this.state.destroy();
  }
}
