/**
 * Synthetic data of the paper's two-layer experiments: x ~ N(0, I_M) or U(0,1)^M, labels
 * i.i.d. uniform on {0, 1} and independent of x (random labels). Either a fresh sample every
 * step (online SGD, `trainSize` 0) or a fixed training set of n samples visited in shuffled epochs.
 */
import type { InputName } from '../core/config.js';
import { Rng, type RngState } from '../core/rng.js';

/** A batch as flat arrays: x is [B, M] row-major, y is [B]. */
export interface Batch {
  x: Float32Array;
  y: Float32Array;
  size: number;
}

/** Options of {@link SyntheticTask}. */
export interface SyntheticOptions {
  input: InputName;
  inputDim: number;
  trainSize: number;
  seed: number;
  /** Label classes (1 or 2: labels 0/1; C > 2: labels 0..C−1). Default 1. */
  classes?: number;
}

/** Fills `out` with inputs from the named distribution. */
export function drawInputs(input: InputName, out: Float32Array, rng: Rng): void {
  if (input === 'gaussian') rng.fillNormal(out);
  else if (input === 'uniform') rng.fillUniform(out, 0, 1);
  else throw new Error(`input '${input}' is a dataset, not a synthetic distribution`);
}

/** Fills `out` with i.i.d. uniform labels: 0/1 for classes ≤ 2, else 0..classes−1. */
export function drawLabels(out: Float32Array, rng: Rng, classes = 1): void {
  if (classes <= 2) for (let i = 0; i < out.length; i++) out[i] = rng.uniform() < 0.5 ? 0 : 1;
  else for (let i = 0; i < out.length; i++) out[i] = rng.int(classes);
}

/** Where a {@link SyntheticTask}'s stream stands. */
export interface SyntheticTaskState {
  rng: RngState;
  order: number[] | null;
  cursor: number;
}

/** A stream of training batches and a fixed probe set, all seeded. */
export class SyntheticTask {
  private readonly opts: SyntheticOptions;
  private readonly rng: Rng;
  private readonly train: Batch | null;
  private order: Uint32Array | null = null;
  private cursor = 0;

  constructor(opts: SyntheticOptions) {
    this.opts = opts;
    this.rng = new Rng(opts.seed, 'data');
    if (opts.trainSize > 0) {
      this.train = makeSample(opts.input, opts.inputDim, opts.trainSize, new Rng(opts.seed, 'train-set'), opts.classes);
      this.order = new Uint32Array(opts.trainSize);
      this.cursor = opts.trainSize; // forces a shuffle on first use
    } else {
      this.train = null;
    }
  }

  /** The next training batch of `size` samples. */
  nextBatch(size: number): Batch {
    const M = this.opts.inputDim;
    if (this.train === null) return makeSample(this.opts.input, M, size, this.rng, this.opts.classes);
    const x = new Float32Array(size * M);
    const y = new Float32Array(size);
    const order = this.order!;
    for (let i = 0; i < size; i++) {
      if (this.cursor >= order.length) {
        for (let j = 0; j < order.length; j++) order[j] = j;
        this.rng.shuffle(order);
        this.cursor = 0;
      }
      const k = order[this.cursor++];
      x.set(this.train.x.subarray(k * M, (k + 1) * M), i * M);
      y[i] = this.train.y[k];
    }
    return { x, y, size };
  }

  /** The stream's position, for checkpoints. */
  getState(): SyntheticTaskState {
    return { rng: this.rng.getState(), order: this.order ? Array.from(this.order) : null, cursor: this.cursor };
  }

  /** Restores a position saved by {@link getState}. */
  setState(state: SyntheticTaskState): void {
    this.rng.setState(state.rng);
    if (state.order) this.order = Uint32Array.from(state.order);
    this.cursor = state.cursor;
  }

  /** A fixed probe set of n samples from the input distribution, drawn apart from the training stream. */
  probeSet(n: number): Batch {
    return makeSample(this.opts.input, this.opts.inputDim, n, new Rng(this.opts.seed, 'probe-set'), this.opts.classes);
  }
}

/** Draws n samples (inputs then labels) from `rng`. */
export function makeSample(input: InputName, inputDim: number, n: number, rng: Rng, classes = 1): Batch {
  const x = new Float32Array(n * inputDim);
  const y = new Float32Array(n);
  drawInputs(input, x, rng);
  drawLabels(y, rng, classes);
  return { x, y, size: n };
}
