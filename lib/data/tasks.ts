/**
 * Training tasks: where batches and the probe set come from. Synthetic tasks draw them from
 * seeded streams; dataset tasks visit the training split in seeded, shuffled epochs and take the
 * probe set from the test split (apart from the training order). Datasets are loaded (and
 * downloaded if needed) once per process by {@link prepareData}, before training.
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import { isImageInput, type RunConfig } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { loadCifar10, findCifarDir, loadCifar10Dir } from './cifar10.js';
import type { Dataset } from './dataset.js';
import type { Fetcher } from './download.js';
import { DataMissingError } from './errors.js';
import { downloadFashionMnist, hasFashionMnistFiles, hasFashionMnistPackage, loadFashionMnistIdx, loadFashionMnistNpm } from './fashionMnist.js';
import { SyntheticTask, type Batch, type SyntheticTaskState } from './synthetic.js';

/** Where a task's stream stands (for checkpoints). */
export type TaskState = SyntheticTaskState;

/** A source of training batches and a fixed probe set. */
export interface Task {
  nextBatch(size: number): Batch;
  probeSet(n: number): Batch;
  getState(): TaskState;
  setState(state: TaskState): void;
}

/** The data directory of a config: `dataDir`, else $THERMO_DATA_DIR, else `datasets/cache`. */
export function dataDirFor(cfg: Pick<RunConfig, 'dataDir'>): string {
  return path.resolve(cfg.dataDir || process.env.THERMO_DATA_DIR || path.join('datasets', 'cache'));
}

const loaded = new Map<string, Dataset>();

function key(cfg: RunConfig): string {
  return `${cfg.input}|${cfg.dataSource}|${dataDirFor(cfg)}`;
}

/** Loads (and if needed downloads) the dataset a config names; a no-op for synthetic input. */
export async function prepareData(cfg: RunConfig, fetcher?: Fetcher): Promise<Dataset | null> {
  if (!isImageInput(cfg.input)) return null;
  const k = key(cfg);
  const have = loaded.get(k);
  if (have) return have;
  const root = dataDirFor(cfg);
  if (cfg.dataDir && !fs.existsSync(root)) throw new DataMissingError(root, 'the data directory does not exist (config.dataDir / --data-dir)');
  let ds: Dataset;
  if (cfg.input === 'fashion-mnist') {
    const dir = hasFashionMnistFiles(root) ? root : path.join(root, 'fashion-mnist');
    const local = hasFashionMnistFiles(dir);
    if (cfg.dataSource === 'npm') ds = loadFashionMnistNpm();
    else if (local) ds = loadFashionMnistIdx(dir);
    else if (cfg.dataSource === 'auto' && hasFashionMnistPackage()) ds = loadFashionMnistNpm();
    else ds = await downloadFashionMnist(dir, fetcher);
  } else {
    if (cfg.dataSource === 'npm') throw new ConfigError('config.dataSource', 'npm', "'auto' or 'official' for input 'cifar10' (no npm copy exists)");
    ds = findCifarDir(root) ? loadCifar10Dir(root) : await loadCifar10(path.join(root, 'cifar10'), fetcher);
  }
  loaded.set(k, ds);
  return ds;
}

/** Forgets loaded datasets (tests). */
export function clearLoadedData(): void {
  loaded.clear();
}

/** Batches from an image dataset, normalized as the config says. */
export class DatasetTask implements Task {
  private readonly ds: Dataset;
  private readonly cfg: RunConfig;
  private readonly rng: Rng;
  private readonly order: Uint32Array;
  private cursor: number;
  private readonly scale: Float32Array;
  private readonly shift: Float32Array;

  constructor(cfg: RunConfig, ds: Dataset) {
    this.ds = ds;
    this.cfg = cfg;
    this.rng = new Rng(cfg.seed, 'data');
    const n = cfg.trainSize > 0 ? Math.min(cfg.trainSize, ds.train.n) : ds.train.n;
    this.order = new Uint32Array(n);
    this.cursor = n;
    const c = ds.shape[2];
    this.scale = new Float32Array(c).fill(1);
    this.shift = new Float32Array(c);
    if (cfg.normalize === 'unit') this.scale.fill(1 / 255);
    if (cfg.normalize === 'standardize') {
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
        this.scale[ch] = 1 / (255 * std);
        this.shift[ch] = -mean / std;
      }
    }
  }

  private copy(split: 'train' | 'test', index: number, x: Float32Array, y: Float32Array, at: number): void {
    const s = this.ds[split];
    const dim = this.cfg.inputDim;
    const c = this.ds.shape[2];
    const src = s.x.subarray(index * dim, (index + 1) * dim);
    const off = at * dim;
    for (let i = 0; i < dim; i++) x[off + i] = src[i] * this.scale[i % c] + this.shift[i % c];
    y[at] = s.y[index];
  }

  nextBatch(size: number): Batch {
    const x = new Float32Array(size * this.cfg.inputDim);
    const y = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      if (this.cursor >= this.order.length) {
        for (let j = 0; j < this.order.length; j++) this.order[j] = j;
        this.rng.shuffle(this.order);
        this.cursor = 0;
      }
      this.copy('train', this.order[this.cursor++], x, y, i);
    }
    return { x, y, size };
  }

  /** The first n images of a seeded permutation of the test split. */
  probeSet(n: number): Batch {
    const perm = new Rng(this.cfg.seed, 'probe-set').shuffle(Uint32Array.from({ length: this.ds.test.n }, (_, i) => i));
    const m = Math.min(n, this.ds.test.n);
    const x = new Float32Array(m * this.cfg.inputDim);
    const y = new Float32Array(m);
    for (let i = 0; i < m; i++) this.copy('test', perm[i], x, y, i);
    return { x, y, size: m };
  }

  getState(): TaskState {
    return { rng: this.rng.getState(), order: Array.from(this.order), cursor: this.cursor };
  }

  setState(state: TaskState): void {
    this.rng.setState(state.rng);
    if (state.order) this.order.set(state.order);
    this.cursor = state.cursor;
  }
}

/** The task of a config. Image datasets must have been loaded by {@link prepareData}. */
export function createTask(cfg: RunConfig): Task {
  if (!isImageInput(cfg.input)) return new SyntheticTask(cfg);
  const ds = loaded.get(key(cfg));
  if (!ds) throw new DataMissingError(cfg.input, 'dataset not loaded: call `await prepareData(config)` before training');
  return new DatasetTask(cfg, ds);
}
