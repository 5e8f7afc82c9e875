/**
 * CIFAR-10, binary version (32×32×3, 10 classes): data_batch_1..5.bin (train, 50,000) and
 * test_batch.bin (10,000), each record one label byte and 3,072 pixel bytes (1,024 red, then
 * green, then blue, row-major). Sources: a directory holding the six files (directly or in
 * `cifar-10-batches-bin/`), else the official archive cifar-10-binary.tar.gz, downloaded into the
 * cache with its published sha256 and extracted.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { fetchCached, type Fetcher } from './download.js';
import { DataFormatError, DataMissingError } from './errors.js';
import { readTar } from './tar.js';
import type { Dataset, Split } from './dataset.js';

/** The official archive, its location and published sha256. */
export const CIFAR10_ARCHIVE = {
  url: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz',
  name: 'cifar-10-binary.tar.gz',
  sha256: 'c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd',
};

/** The six batch files. */
export const CIFAR10_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];

const RECORD = 1 + 3072;

/** Parses one batch file into HWC pixels and labels. */
export function parseCifarBatch(buf: Buffer, file: string): Split {
  if (buf.length === 0 || buf.length % RECORD !== 0) {
    throw new DataFormatError(file, `${buf.length} bytes is not a whole number of ${RECORD}-byte records (1 label + 3072 pixels): truncated or not a CIFAR-10 binary batch`);
  }
  const n = buf.length / RECORD;
  const x = new Uint8Array(n * 3072);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const off = i * RECORD;
    const label = buf[off];
    if (label > 9) throw new DataFormatError(file, `record ${i} has label ${label}, expected 0..9: corrupt file`);
    y[i] = label;
    for (let p = 0; p < 1024; p++) {
      const o = i * 3072 + p * 3;
      x[o] = buf[off + 1 + p];
      x[o + 1] = buf[off + 1 + 1024 + p];
      x[o + 2] = buf[off + 1 + 2048 + p];
    }
  }
  return { x, y, n };
}

/** Encodes a CIFAR-10 binary batch from HWC pixels [n·3072] and labels [n] (the inverse of {@link parseCifarBatch}). */
export function encodeCifarBatch(x: Uint8Array, y: Uint8Array): Buffer {
  const n = y.length;
  const buf = Buffer.alloc(n * RECORD);
  for (let i = 0; i < n; i++) {
    const off = i * RECORD;
    buf[off] = y[i];
    for (let p = 0; p < 1024; p++) {
      const o = i * 3072 + p * 3;
      buf[off + 1 + p] = x[o];
      buf[off + 1 + 1024 + p] = x[o + 1];
      buf[off + 1 + 2048 + p] = x[o + 2];
    }
  }
  return buf;
}

/** The batch files missing from `dir` (and from `dir/cifar-10-batches-bin`). */
export function missingCifarFiles(dir: string): string[] {
  const inner = path.join(dir, 'cifar-10-batches-bin');
  return CIFAR10_FILES.filter((f) => !fs.existsSync(path.join(dir, f)) && !fs.existsSync(path.join(inner, f)));
}

/** The directory holding the six files: `dir` or `dir/cifar-10-batches-bin`, or null. */
export function findCifarDir(dir: string): string | null {
  for (const d of [dir, path.join(dir, 'cifar-10-batches-bin')]) {
    if (CIFAR10_FILES.every((f) => fs.existsSync(path.join(d, f)))) return d;
  }
  return null;
}

function concat(splits: Split[]): Split {
  const n = splits.reduce((a, s) => a + s.n, 0);
  const x = new Uint8Array(n * 3072);
  const y = new Uint8Array(n);
  let k = 0;
  for (const s of splits) {
    x.set(s.x, k * 3072);
    y.set(s.y, k);
    k += s.n;
  }
  return { x, y, n };
}

/** Loads the six batch files from a directory. */
export function loadCifar10Dir(dir: string): Dataset {
  const d = findCifarDir(dir);
  if (!d) throw new DataMissingError(dir, `does not hold ${CIFAR10_FILES.join(', ')}`);
  const read = (f: string) => parseCifarBatch(fs.readFileSync(path.join(d, f)), path.join(d, f));
  return {
    name: 'cifar10',
    shape: [32, 32, 3],
    classes: 10,
    train: concat(CIFAR10_FILES.slice(0, 5).map(read)),
    test: read('test_batch.bin'),
    source: `binary batches in ${d}`,
    files: CIFAR10_FILES.map((f) => path.join(d, f)),
  };
}

/** Extracts the six batch files of an archive (tar.gz) into `dir`. */
export function extractCifarArchive(archive: Buffer, file: string, dir: string): void {
  let tar: Buffer;
  try {
    tar = zlib.gunzipSync(archive);
  } catch (err) {
    throw new DataFormatError(file, `corrupt gzip data (${(err as Error).message})`);
  }
  const entries = readTar(tar, file);
  const out = path.join(dir, 'cifar-10-batches-bin');
  fs.mkdirSync(out, { recursive: true });
  for (const f of CIFAR10_FILES) {
    const e = entries.find((x) => path.basename(x.name) === f);
    if (!e) throw new DataFormatError(file, `archive has no ${f}`);
    fs.writeFileSync(path.join(out, f), e.data);
  }
}

/** Loads CIFAR-10 from `dir`, downloading and extracting the official archive into it when needed. */
export async function loadCifar10(dir: string, fetcher?: Fetcher, archiveSpec = CIFAR10_ARCHIVE): Promise<Dataset> {
  if (findCifarDir(dir)) return loadCifar10Dir(dir);
  const archive = await fetchCached(archiveSpec.url, dir, archiveSpec.name, archiveSpec.sha256, fetcher);
  extractCifarArchive(archive, path.join(dir, archiveSpec.name), dir);
  return loadCifar10Dir(dir);
}
