/**
 * A member's data, from the counter-based streams of data/stream.ts: the samples of any slot of
 * any step, its probe set, and its fixed training set (if it has one). Synthetic inputs are drawn
 * from the seed; image datasets are indexed through the seeded permutations and normalized as
 * the config says.
 */
import { isImageInput, type RunConfig } from '../core/config.js';
import type { Dataset } from './dataset.js';
import { loadDataset } from './load.js';
import { EpochOrder, STREAM, StreamDraw, permutationKeys, permuteWithKeys } from './stream.js';

/** Inputs [n, M] and labels [n], row-major. */
export interface Samples {
  x: Float32Array;
  y: Float32Array;
  size: number;
}

/** The fields of a config that fix its data. */
export type DataConfig = Pick<RunConfig, 'input' | 'inputDim' | 'classes' | 'trainSize' | 'seed' | 'normalize' | 'dataSource' | 'dataDir'>;

/** One member's data. */
export interface MemberData {
  /** Writes slots 0 … B−1 of step t (for batch size `batchSize`) into x (at row `row`) and y. */
  batch(t: number, B: number, batchSize: number, x: Float32Array, y: Float32Array, row: number): void;
  /** The first n samples of the probe set. */
  probeSet(n: number): Samples;
  /** The fixed training set in index order (null for online SGD on synthetic data). */
  trainSet(): Samples | null;
  /** The first min(n, size) samples of {@link trainSet}, without building the rest (null where it is null). */
  trainSample(n: number): Samples | null;
}

/** Largest synthetic training set kept in memory (floats); larger ones are redrawn sample by sample. */
const CACHE_FLOATS = 1 << 24;

/** Synthetic data: x ~ N(0, I) or U(0,1)^M, labels uniform, from the seed's streams. */
class SyntheticData implements MemberData {
  private readonly cfg: DataConfig;
  private readonly draw: StreamDraw;
  private readonly order: EpochOrder | null;
  private set: Samples | null = null;

  constructor(cfg: DataConfig) {
    this.cfg = cfg;
    this.draw = new StreamDraw(cfg.seed);
    this.order = cfg.trainSize > 0 ? new EpochOrder(cfg.seed, cfg.trainSize) : null;
    if (cfg.trainSize > 0 && cfg.trainSize * cfg.inputDim <= CACHE_FLOATS) this.set = this.draws(STREAM.setX, STREAM.setY, cfg.trainSize);
  }

  private draws(xs: number, ys: number, n: number): Samples {
    const M = this.cfg.inputDim;
    const x = new Float32Array(n * M);
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      this.draw.sample(this.cfg.input, xs, 0, i, M, x, i * M);
      y[i] = this.draw.label(ys, 0, i, this.cfg.classes);
    }
    return { x, y, size: n };
  }

  batch(t: number, B: number, batchSize: number, x: Float32Array, y: Float32Array, row: number): void {
    const M = this.cfg.inputDim;
    for (let b = 0; b < B; b++) {
      const off = (row + b) * M;
      if (!this.order) {
        this.draw.sample(this.cfg.input, STREAM.trainX, t, b, M, x, off);
        y[row + b] = this.draw.label(STREAM.trainY, t, b, this.cfg.classes);
        continue;
      }
      const k = this.order.index(t, b, batchSize);
      if (this.set) {
        x.set(this.set.x.subarray(k * M, (k + 1) * M), off);
        y[row + b] = this.set.y[k];
      } else {
        this.draw.sample(this.cfg.input, STREAM.setX, 0, k, M, x, off);
        y[row + b] = this.draw.label(STREAM.setY, 0, k, this.cfg.classes);
      }
    }
  }

  probeSet(n: number): Samples {
    return this.draws(STREAM.probeX, STREAM.probeY, n);
  }

  trainSet(): Samples | null {
    return this.trainSample(this.cfg.trainSize);
  }

  trainSample(n: number): Samples | null {
    if (!this.order) return null;
    const m = Math.min(n, this.cfg.trainSize);
    if (!this.set) return this.draws(STREAM.setX, STREAM.setY, m);
    if (m === this.set.size) return this.set;
    return { x: this.set.x.slice(0, m * this.cfg.inputDim), y: this.set.y.slice(0, m), size: m };
  }
}

/** Per-channel affine normalization of pixels, x·scale[c] + shift[c], as `normalize` says (`standardize`: train-split statistics). */
export function normalization(normalize: RunConfig['normalize'], ds: Dataset): { scale: Float32Array; shift: Float32Array } {
  const c = ds.shape[2];
  const scale = new Float32Array(c).fill(normalize === 'unit' ? 1 / 255 : 1);
  const shift = new Float32Array(c);
  if (normalize === 'standardize') {
    const sum = new Float64Array(c);
    const sq = new Float64Array(c);
    const x = ds.train.x;
    for (let i = 0; i < x.length; i++) {
      const v = x[i] / 255;
      sum[i % c] += v;
      sq[i % c] += v * v;
    }
    const count = x.length / c;
    for (let ch = 0; ch < c; ch++) {
      const mean = sum[ch] / count;
      const std = Math.sqrt(Math.max(sq[ch] / count - mean * mean, 1e-12));
      scale[ch] = 1 / (255 * std);
      shift[ch] = -mean / std;
    }
  }
  return { scale, shift };
}

/** Per-pixel scale and shift (the channel's, repeated along a row), per dataset and `normalize`. */
const norms = new WeakMap<Dataset, Map<string, { scale: Float32Array; shift: Float32Array }>>();

/** The channel normalization spread over the `dim` values of an image (channels last). */
function perPixel(nrm: { scale: Float32Array; shift: Float32Array }, dim: number): { scale: Float32Array; shift: Float32Array } {
  const c = nrm.scale.length;
  const scale = new Float32Array(dim);
  const shift = new Float32Array(dim);
  for (let i = 0; i < dim; i++) {
    scale[i] = nrm.scale[i % c];
    shift[i] = nrm.shift[i % c];
  }
  return { scale, shift };
}

/** Image data: the training split (or its first `trainSize` images) in shuffled epochs; probe sets from the test split. */
class ImageData implements MemberData {
  private readonly cfg: DataConfig;
  private readonly ds: Dataset;
  private readonly order: EpochOrder;
  private readonly scale: Float32Array;
  private readonly shift: Float32Array;

  constructor(cfg: DataConfig, ds: Dataset) {
    this.cfg = cfg;
    this.ds = ds;
    const n = cfg.trainSize > 0 ? Math.min(cfg.trainSize, ds.train.n) : ds.train.n;
    this.order = new EpochOrder(cfg.seed, n);
    let cache = norms.get(ds);
    if (!cache) norms.set(ds, (cache = new Map()));
    const key = `${cfg.normalize}|${cfg.inputDim}`;
    let nrm = cache.get(key);
    if (!nrm) cache.set(key, (nrm = perPixel(normalization(cfg.normalize, ds), cfg.inputDim)));
    this.scale = nrm.scale;
    this.shift = nrm.shift;
  }

  private copy(split: 'train' | 'test', index: number, x: Float32Array, y: Float32Array, row: number): void {
    const s = this.ds[split];
    const dim = this.cfg.inputDim;
    const src = s.x.subarray(index * dim, (index + 1) * dim);
    const off = row * dim;
    const { scale, shift } = this;
    for (let i = 0; i < dim; i++) x[off + i] = src[i] * scale[i] + shift[i];
    y[row] = s.y[index];
  }

  batch(t: number, B: number, batchSize: number, x: Float32Array, y: Float32Array, row: number): void {
    for (let b = 0; b < B; b++) this.copy('train', this.order.index(t, b, batchSize), x, y, row + b);
  }

  probeSet(n: number): Samples {
    const total = this.ds.test.n;
    const m = Math.min(n, total);
    const keys = permutationKeys(this.cfg.seed, STREAM.probeOrder, 0);
    const x = new Float32Array(m * this.cfg.inputDim);
    const y = new Float32Array(m);
    for (let i = 0; i < m; i++) this.copy('test', permuteWithKeys(i, total, keys), x, y, i);
    return { x, y, size: m };
  }

  trainSet(): Samples | null {
    return this.trainSample(Infinity);
  }

  trainSample(count: number): Samples | null {
    const size = this.cfg.trainSize > 0 ? Math.min(this.cfg.trainSize, this.ds.train.n) : this.ds.train.n;
    const n = Math.min(count, size);
    const x = new Float32Array(n * this.cfg.inputDim);
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) this.copy('train', i, x, y, i);
    return { x, y, size: n };
  }
}

/** A member's data (loading its dataset first if it names one). */
export async function memberData(cfg: DataConfig): Promise<MemberData> {
  if (!isImageInput(cfg.input)) return new SyntheticData(cfg);
  const { dataset } = await loadDataset(cfg as RunConfig);
  return new ImageData(cfg, dataset);
}
