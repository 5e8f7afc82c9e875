/**
 * How the webgpu-dense engine lays a group of members out on a device: the workgroup size, the
 * matmul tile of every job, how members are split into groups whose buffers each fit one storage
 * binding, and the word offsets of every region of the buffers:
 * - params (per group, float): parameter-major, region p = [GC members × size_p] in the
 *   architecture's order, so that one parameter of a run of members is one contiguous range;
 * - acts (per group, float): A_0 = the batch's inputs, then A_l (post-ReLU) of every hidden layer, [GC, Bmax, width];
 * - deltas (per group, float): δ_l of every layer (δ_L holds the logits until the loss turns them
 *   into dL/df), then the labels (as floats) and the per-sample losses, [GC, Bmax], then for each
 *   conv layer its split-K partial gradients [GC, splits, C_out, k·k·C_in (+1 with bias)], then
 *   the split-K partial logits of a wide output layer [GC, splits, Bmax, C], then those of each hidden
 *   layer whose fan-in is split (forwardSplit) [GC, splits, Bmax, out];
 * - consts (shared, u32): per member {η, |B|, seed, threshold, live} (8 words), then the labels of
 *   the training images and the 256-entry normalization table of each channel (image inputs);
 * - state (shared, u32): loss accumulators (4 words per member: hi, lo, float part), status (4
 *   words: frozen, step), then Σp² of every parameter of every member (float).
 * A sweep that cannot fit gives a ConfigError naming what to reduce and the limit.
 */
import { ConfigError } from '../../core/errors.js';
import { checkKeys, checkNumber } from '../../core/validate.js';
import type { DenseShape } from './shape.js';
import { PLAN_LIMIT_NAMES, type PlanLimits } from '../webgpu/plan.js';
import { SOFTWARE_LOOP_ITERATIONS } from '../webgpu/twoLayerEngine.js';

/** The device limits the plan depends on: the fused engine's, and the uniform offset alignment. */
export interface DenseLimits extends PlanLimits {
  minUniformBufferOffsetAlignment: number;
}

const LIMIT_NAMES: readonly (keyof DenseLimits)[] = [...PLAN_LIMIT_NAMES, 'minUniformBufferOffsetAlignment'];

/** A device's limits, optionally lowered (never raised) by `override` (alignment: raised only). */
export function denseLimits(device: Readonly<Record<string, number>>, override: Partial<DenseLimits> = {}): DenseLimits {
  const out = {} as DenseLimits;
  for (const name of LIMIT_NAMES) {
    const have = Number(device[name] ?? (name === 'minUniformBufferOffsetAlignment' ? 256 : 0));
    const want = override[name];
    if (want === undefined) out[name] = have;
    else out[name] = name === 'minUniformBufferOffsetAlignment' ? Math.max(have, want) : Math.min(have, want);
  }
  return out;
}

/** Tuning knobs. */
export interface DenseTuning {
  /** Invocations per workgroup: 64, 128 or 256 (default 256, capped by the device). */
  workgroupSize?: number;
  /** Largest register block per invocation along rows and columns (1, 2 or 4; default 4; with 4, narrow jobs hold up to 8 columns). */
  maxRegisterBlock?: number;
  /** Depth of a tile's reduction chunk (default 32, or 16 for nets with conv layers; halved until the tiles fit the workgroup memory). */
  tileDepth?: number;
  /**
   * Rows (sample-pixels) per split of a conv layer's weight gradient (default 128; rounded up to a
   * multiple of the reduction depth TK, and longer where there would be more than MAX_SPLITS splits).
   */
  splitDepth?: number;
  /** Inputs per split of the output layer's logits when it has more (default 1024; rounded up to a multiple of TK). */
  outputSplitDepth?: number;
  /**
   * Inputs per split of a hidden dense layer's forward sum when it has more (rounded up to a
   * multiple of TK; default: split only a fan-in whose walk would be over SOFTWARE_LOOP_ITERATIONS,
   * in as few equal splits as keep each walk within it; see forwardSplitSize).
   */
  forwardSplitDepth?: number;
}

/**
 * The defaults of the knobs that depend on the model, chosen from benchmarks/tuneDense.ts on an
 * NVIDIA H200 (benchmarks/results/2026-11-27-h200-tune-dense.json): CNN6 at |B| = 32 ran at about
 * 1,565 steps/s with conv filter gradients split every 128 rows and reduction chunks of 16, against
 * about 1,123 with 512 and 32; FC6 and the CIFAR-size step showed no consistent gain from 16, so
 * dense-only nets keep 32.
 */
export const DEFAULT_TUNING = { tileDepth: 32, convTileDepth: 16, splitDepth: 128 } as const;

const TUNING_KEYS = ['workgroupSize', 'maxRegisterBlock', 'tileDepth', 'splitDepth', 'outputSplitDepth', 'forwardSplitDepth'] as const;

/** Checks tuning knobs: unknown keys and values out of range are ConfigErrors naming the knob and what is allowed. */
export function checkTuning(tuning: DenseTuning, where = 'engine.tuning'): void {
  checkKeys({ ...tuning }, TUNING_KEYS, where);
  const oneOf = (key: keyof DenseTuning, allowed: number[]) => {
    const v = tuning[key];
    if (v !== undefined && !allowed.includes(v)) throw new ConfigError(`${where}.${key}`, v, allowed.join(', ').replace(/, (\d+)$/, ' or $1'));
  };
  oneOf('workgroupSize', [64, 128, 256]);
  oneOf('maxRegisterBlock', [1, 2, 4]);
  oneOf('tileDepth', [1, 2, 4, 8, 16, 32, 64]);
  for (const key of ['splitDepth', 'outputSplitDepth', 'forwardSplitDepth'] as const) {
    if (tuning[key] !== undefined) checkNumber(tuning[key], { integer: true, ge: 1, le: 2 ** 24 }, `${where}.${key}`);
  }
}

/** A matmul tile: TX × TY invocations, each RR × RC outputs; TR × TC outputs per workgroup; reduction chunks of TK. */
export interface Tile {
  TX: number;
  TY: number;
  RR: number;
  RC: number;
  TR: number;
  TC: number;
  TK: number;
}

/** A contiguous range of members sharing one set of per-group buffers. */
export interface DenseGroup {
  first: number;
  count: number;
}

/** Image data: words per image, images per storage binding (part) and number of parts. */
export interface ImageLayout {
  channels: number;
  wordsPerImage: number;
  imagesPerPart: number;
  parts: number;
}

/** The layout of a webgpu-dense engine. */
export interface DensePlan {
  shape: DenseShape;
  K: number;
  Bmax: number;
  WG: number;
  /** Group capacity: every group's buffers hold GC members. */
  GC: number;
  groups: DenseGroup[];
  /** Word offset of each parameter's region in `params` and the buffer's words. */
  paramOffset: number[];
  paramWords: number;
  /** Word offset of A_l (l = 0 … L−1) in `acts` and the buffer's words. */
  actOffset: number[];
  actWords: number;
  /** Word offset of δ_l (index l − 1 for l = 1 … L) in `deltas`, of the labels and per-sample losses, and the buffer's words. */
  deltaOffset: number[];
  labelOffset: number;
  lossOffset: number;
  deltaWords: number;
  /** consts: labels and normalization table offsets (image inputs) and words. */
  constLabels: number;
  constLut: number;
  constWords: number;
  /** state: offsets of the status and norm regions, and words. */
  stateStatus: number;
  stateNorms: number;
  stateWords: number;
  images: ImageLayout | null;
  /** Tiles of each layer's jobs: forward (or output), δ of its input, and its update. */
  tiles: { forward: Tile; delta: Tile; update: Tile }[];
  /**
   * Split-K of each conv layer's weight gradient (dense layers: null): `splits` partial sums over
   * `chunk` sample-pixels each, at word `offset` of `deltas` ([GC, splits, C_out, cols]).
   */
  splitK: ({ splits: number; chunk: number; cols: number; offset: number } | null)[];
  /**
   * Split-K of the output layer's logits when its fan-in exceeds tuning.outputSplitDepth (one
   * workgroup would otherwise walk it alone): partials at word `offset` of `deltas` ([GC, splits, Bmax, C]).
   */
  outputSplit: { splits: number; chunk: number; offset: number } | null;
  /**
   * Split-K of each hidden dense layer's forward sum over its fan-in (null: one walk; conv layers
   * and the output layer: null): partial outputs at word `offset` of `deltas` ([GC, splits, Bmax, out]),
   * summed (with bias and ReLU) in one more dispatch (outputSplit.wgsl.ts).
   */
  forwardSplit: ({ splits: number; chunk: number; offset: number } | null)[];
  /** Slots of the per-step uniform buffer (steps per submit) and their stride in bytes. */
  slots: number;
  slotStride: number;
}

const pow2ceil = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/** The tile of a job with `rows` × `cols` outputs (compile-time upper bounds). */
export function tileFor(rows: number, cols: number, WG: number, tuning: DenseTuning = {}): Tile {
  const maxR = tuning.maxRegisterBlock ?? 4;
  const TK = tuning.tileDepth ?? 32;
  // a narrow job (at most 16 columns, rows for every invocation: a conv layer's 10 channels over
  // 25,088 sample-pixels) spans its columns with 1 or 2 invocations of up to 8 columns each, none idle
  if (cols <= 16 && maxR >= 4) {
    const TX = cols <= 8 ? 1 : 2;
    const TY = WG / TX;
    const RC = Math.ceil(cols / TX);
    if (rows >= TY) return { TX, TY, RR: 1, RC, TR: TY, TC: TX * RC, TK };
  }
  const TX = Math.min(16, pow2ceil(cols), 2 ** Math.ceil(Math.log2(WG) / 2));
  const TY = WG / TX;
  const block = (n: number, t: number) => (n >= 4 * t && maxR >= 4 ? 4 : n >= 2 * t && maxR >= 2 ? 2 : 1);
  const RC = block(cols, TX);
  const RR = TY >= 256 ? 1 : block(rows, TY);
  return { TX, TY, RR, RC, TR: TY * RR, TC: TX * RC, TK };
}

/**
 * The row stride of a staged operand tile of T columns and TK rows (matmul.wgsl.ts). Read along
 * its columns (`alongColumns`), neighbouring invocations store neighbouring columns: T. Read along
 * k, a 32-wide group of invocations stores TK rows × 32/TK columns, which fall in 32 different
 * banks of workgroup memory when the stride is g times an odd number, g = 32/TK (1 from TK = 32):
 * the smallest such stride ≥ T.
 */
export function stagedStride(T: number, TK: number, alongColumns: boolean): number {
  if (alongColumns) return T;
  const g = TK < 32 && 32 % TK === 0 ? 32 / TK : 1;
  const m = Math.ceil(T / g);
  return g * (m % 2 === 1 ? m : m + 1);
}

/**
 * Loop iterations of one invocation of a tiled matmul (matmul.wgsl.ts's mm_*) summing over `depth`
 * values: per reduction chunk of TK, one pass of the chunk loop, the staging loops of the A and B
 * tiles (invocation 0 runs ⌈TK·TR/WG⌉ and ⌈TK·TC/WG⌉) and the TK products (loops.ts adds them up).
 */
export function matmulIterations(tile: Tile, WG: number, depth: number): number {
  const perChunk = 1 + Math.ceil((tile.TK * tile.TR) / WG) + Math.ceil((tile.TK * tile.TC) / WG) + tile.TK;
  return Math.ceil(depth / tile.TK) * perChunk;
}

/** Floats of workgroup memory the tiles need (As, Bs at their largest stride; As also serves reductions of WG values). */
export function tileFloats(tiles: readonly Tile[], WG: number): { a: number; b: number } {
  return {
    a: Math.max(WG, ...tiles.map((t) => t.TK * stagedStride(t.TR, t.TK, false))),
    b: Math.max(1, ...tiles.map((t) => t.TK * stagedStride(t.TC, t.TK, false))),
  };
}

/** What the plan needs besides the shape. */
export interface PlanInput {
  shape: DenseShape;
  members: number;
  maxBatch: number;
  /** Image channels (image inputs), else 0. */
  channels: number;
}

/** Plans the engine for `input` on a device with `limits`; throws a ConfigError when it cannot fit. */
export function planDense(input: PlanInput, limits: DenseLimits, tuning: DenseTuning = {}): DensePlan {
  const { shape, members: K, maxBatch: Bmax } = input;
  const wgCap = Math.min(limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX);
  checkTuning(tuning);
  const want = tuning.workgroupSize ?? 256;
  if (wgCap < 64) throw new ConfigError('webgpu.maxComputeInvocationsPerWorkgroup', wgCap, '>= 64');
  const WG = Math.min(want, 2 ** Math.floor(Math.log2(wgCap)));
  const tilesAt = (tileDepth: number) =>
    shape.layers.map((l) => {
      const t = { ...tuning, tileDepth };
      const c = l.conv;
      if (!c) {
        return { forward: tileFor(Bmax, l.out, WG, t), delta: tileFor(Bmax, l.in, WG, t), update: tileFor(l.out, l.in + (l.b ? 1 : 0), WG, t) };
      }
      const rows = Bmax * c.H * c.W;
      const cols = c.k * c.k * c.Cin + (l.b ? 1 : 0);
      // the filter gradient as [patch entries q, C_out]: a narrow job, like the forward and delta
      return { forward: tileFor(rows, c.Cout, WG, t), delta: tileFor(rows, c.Cin, WG, t), update: tileFor(cols, c.Cout, WG, t) };
    });
  const sharedBytes = (t: ReturnType<typeof tilesAt>) => {
    // layer 1 has no delta job (its input is data): its tile must not shrink everyone's TK
    const f = tileFloats(t.flatMap((x, l) => (l > 0 ? [x.forward, x.delta, x.update] : [x.forward, x.update])), WG);
    return 4 * (f.a + f.b + 64);
  };
  // the default reduction chunk (32, or 16 with conv layers) halves until the staged tiles fit the workgroup memory
  const convNet = shape.layers.some((l) => l.conv);
  let tiles = tilesAt(tuning.tileDepth ?? (convNet ? DEFAULT_TUNING.convTileDepth : DEFAULT_TUNING.tileDepth));
  while (tuning.tileDepth === undefined && tiles[0].forward.TK > 1 && sharedBytes(tiles) > limits.maxComputeWorkgroupStorageSize) {
    tiles = tilesAt(tiles[0].forward.TK / 2);
  }
  const shared = sharedBytes(tiles);
  if (shared > limits.maxComputeWorkgroupStorageSize) {
    const allowed = `tiles within maxComputeWorkgroupStorageSize = ${limits.maxComputeWorkgroupStorageSize} bytes (they need ${shared})`;
    throw new ConfigError('engine.tuning', JSON.stringify(tuning), `${allowed}: lower workgroupSize or tileDepth`);
  }
  if (limits.maxStorageBuffersPerShaderStage < 5) {
    throw new ConfigError('webgpu.maxStorageBuffersPerShaderStage', limits.maxStorageBuffersPerShaderStage, '>= 5');
  }
  const binding = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const widths = [shape.inputDim, ...shape.layers.slice(0, -1).map((l) => l.out)];
  const outs = shape.layers.map((l) => l.out);
  const P = shape.params.reduce((s, p) => s + p.size, 0);
  const split = splitSizes(shape, Bmax, tiles[0].forward.TK, tuning.splitDepth ?? DEFAULT_TUNING.splitDepth);
  const outSplit = outputSplitSize(shape, tiles[0].forward.TK, tuning.outputSplitDepth ?? 1024);
  const hiddenDense = (i: number) => i < shape.layers.length - 1 && !shape.layers[i].conv;
  const fwdSplit = shape.layers.map((l, i) => (hiddenDense(i) ? forwardSplitSize(l.in, tiles[i].forward, WG, tuning.forwardSplitDepth) : null));
  const splitWords = split.reduce((s, k) => s + (k ? k.splits * k.rows * k.cols : 0), 0) + (outSplit ? outSplit.splits * Bmax * shape.classes : 0) +
    fwdSplit.reduce((s, k, i) => s + (k ? k.splits * Bmax * shape.layers[i].out : 0), 0);
  const perMember = {
    params: P,
    acts: Bmax * widths.reduce((a, b) => a + b, 0),
    deltas: Bmax * (outs.reduce((a, b) => a + b, 0) + 2) + splitWords,
  };
  const fits = (words: number) => Math.floor(binding / (4 * words));
  const GCmax = Math.min(fits(perMember.params), fits(perMember.acts), fits(perMember.deltas));
  if (GCmax < 1) {
    const width = shape.family === 'cnn' ? 'channels' : 'hidden';
    const field = perMember.params >= Math.max(perMember.acts, perMember.deltas) ? width : 'batchSize';
    const value = field === 'batchSize' ? Bmax : (shape.layers[0].conv?.Cout ?? shape.layers[0].out);
    const bytes = 4 * Math.max(perMember.params, perMember.acts, perMember.deltas);
    const fit = `fits maxStorageBufferBindingSize = ${binding}`;
    const allowed = `a size whose largest per-member buffer (${bytes} bytes) ${fit}: reduce ${field}`;
    throw new ConfigError(`config.${field}`, value, allowed);
  }
  const GC = Math.min(K, GCmax);
  const groups: DenseGroup[] = [];
  for (let first = 0; first < K; first += GC) groups.push({ first, count: Math.min(GC, K - first) });
  const prefix = (xs: number[]) => xs.map((_, i) => xs.slice(0, i).reduce((a, b) => a + b, 0));
  const paramOffset = prefix(shape.params.map((p) => GC * p.size));
  const actOffset = prefix(widths.map((w) => GC * Bmax * w));
  const deltaOffset = prefix(outs.map((w) => GC * Bmax * w));
  const labelOffset = GC * Bmax * outs.reduce((a, b) => a + b, 0);
  let next = labelOffset + 2 * GC * Bmax;
  const splitK = split.map((k) => {
    if (!k) return null;
    const offset = next;
    next += GC * k.splits * k.rows * k.cols;
    return { splits: k.splits, chunk: k.chunk, cols: k.cols, offset };
  });
  const outputSplit = outSplit ? { ...outSplit, offset: next } : null;
  if (outSplit) next += GC * outSplit.splits * Bmax * shape.classes;
  const forwardSplit = fwdSplit.map((k, i) => {
    if (!k) return null;
    const offset = next;
    next += GC * k.splits * Bmax * shape.layers[i].out;
    return { ...k, offset };
  });
  const images = input.channels > 0 ? imageLayout(shape, input.channels, binding, limits) : null;
  const constLabels = 8 * K;
  const constLut = constLabels + (images ? shape.trainSize : 0);
  const constWords = constLut + (images ? 256 * images.channels : 0);
  const NP = shape.params.length;
  const stateWords = K * (8 + NP);
  if (4 * Math.max(constWords, stateWords) > binding) {
    throw new ConfigError('members', K, `fewer members: their configs and state must fit maxStorageBufferBindingSize = ${binding}`);
  }
  const slotStride = Math.max(256, limits.minUniformBufferOffsetAlignment);
  return {
    shape,
    K,
    Bmax,
    WG,
    GC,
    groups,
    paramOffset,
    paramWords: GC * P,
    actOffset,
    actWords: GC * perMember.acts,
    deltaOffset,
    labelOffset,
    lossOffset: labelOffset + GC * Bmax,
    deltaWords: GC * perMember.deltas,
    constLabels,
    constLut,
    constWords: Math.max(4, constWords),
    stateStatus: 4 * K,
    stateNorms: 8 * K,
    stateWords,
    images,
    tiles,
    splitK,
    outputSplit,
    forwardSplit,
    slots: 64,
    slotStride,
  };
}

/** Most split-K partials of one conv layer's weight gradient (larger batches get longer chunks). */
export const MAX_SPLITS = 256;

/**
 * Split-K sizes of each conv layer's weight gradient: depth Bmax·H·W in chunks of about `target`
 * (a multiple of TK), longer where that would make more than MAX_SPLITS partials.
 */
function splitSizes(shape: DenseShape, Bmax: number, TK: number, target: number) {
  return shape.layers.map((l) => {
    const c = l.conv;
    if (!c) return null;
    const depth = Bmax * c.H * c.W;
    const want = Math.max(TK * Math.ceil(target / TK), TK * Math.ceil(depth / (MAX_SPLITS * TK)));
    const chunk = Math.min(TK * Math.ceil(depth / TK), want);
    return { splits: Math.ceil(depth / chunk), chunk, rows: c.Cout, cols: c.k * c.k * c.Cin + (l.b ? 1 : 0) };
  });
}

/** Split-K of the output layer: its fan-in in chunks of about `target` (a multiple of TK), or null when one chunk holds it. */
function outputSplitSize(shape: DenseShape, TK: number, target: number): { splits: number; chunk: number } | null {
  const depth = shape.layers[shape.layers.length - 1].in;
  const chunk = TK * Math.ceil(target / TK);
  if (depth <= chunk) return null;
  return { splits: Math.ceil(depth / chunk), chunk };
}

/**
 * Split-K of a hidden dense layer's forward sum over its `fanIn` inputs, or null for one walk.
 * With `target`, chunks of about `target` inputs (a multiple of TK) when the fan-in is longer.
 * By default only a fan-in whose one walk (matmulIterations) would be over SOFTWARE_LOOP_ITERATIONS
 * is split, in as few splits of equal whole TK-chunks as keep each walk within it: llvmpipe stops
 * an invocation silently past about 65,535 loop iterations (one walk over 300,000 inputs → 2 units
 * is some 490,000), and a GPU gets such a walk spread over more workgroups.
 */
export function forwardSplitSize(fanIn: number, tile: Tile, WG: number, target?: number): { splits: number; chunk: number } | null {
  const TK = tile.TK;
  const chunks = Math.ceil(fanIn / TK);
  let splits: number;
  if (target !== undefined) {
    splits = Math.ceil(chunks / Math.ceil(target / TK));
  } else {
    if (matmulIterations(tile, WG, fanIn) <= SOFTWARE_LOOP_ITERATIONS) return null;
    const most = Math.max(1, Math.floor(SOFTWARE_LOOP_ITERATIONS / matmulIterations(tile, WG, TK)));
    splits = Math.ceil(chunks / most);
  }
  if (splits <= 1) return null;
  const chunk = TK * Math.ceil(chunks / splits);
  return { splits: Math.ceil(fanIn / chunk), chunk };
}

/** How the training images are split over storage bindings (at most 3: the bindings left by the other buffers). */
function imageLayout(shape: DenseShape, channels: number, binding: number, limits: DenseLimits): ImageLayout {
  const wordsPerImage = Math.ceil(shape.inputDim / 4);
  const imagesPerPart = Math.floor(binding / (4 * wordsPerImage));
  const parts = Math.ceil(shape.trainSize / imagesPerPart);
  const most = Math.min(3, limits.maxStorageBuffersPerShaderStage - 5);
  if (parts > most) {
    const bindings = `${most} bindings of maxStorageBufferBindingSize = ${binding}`;
    const allowed = `at most ${most * imagesPerPart} training images on this device (${bindings})`;
    throw new ConfigError('config.trainSize', shape.trainSize, `${allowed}: set a smaller trainSize`);
  }
  return { channels, wordsPerImage, imagesPerPart, parts: Math.max(1, parts) };
}
