/**
 * Writes full-size CIFAR-10 files in the official binary format (five training batches of 10,000
 * images and a test batch) with pseudo-random pixels and labels, for timing `a6-cifar10` where the
 * real files cannot be downloaded: compute does not depend on the pixel values. Not for science.
 * Run: `node dist/benchmarks/cifarFiles.js DIR [imagesPerBatch]`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CIFAR10_FILES, encodeCifarBatch } from '../lib/data/cifar10.js';
import { philox4x32 } from '../lib/core/philox.js';

/** Writes the six batches of `n` images each into `dir`. */
export function writeTimingCifar(dir: string, n = 10_000): void {
  fs.mkdirSync(dir, { recursive: true });
  CIFAR10_FILES.forEach((file, f) => {
    const x = new Uint8Array(n * 3072);
    const y = new Uint8Array(n);
    const w = new Uint32Array(4);
    for (let i = 0; i < x.length; i += 16) {
      philox4x32(i, f, 0, 99, 7, 0, w);
      new Uint8Array(w.buffer).forEach((b, k) => i + k < x.length && (x[i + k] = b));
    }
    for (let i = 0; i < n; i++) y[i] = philox4x32(i, f, 1, 99, 7, 0, w)[0] % 10;
    fs.writeFileSync(path.join(dir, file), encodeCifarBatch(x, y));
  });
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const [dir = 'datasets/timing-cifar10', count = '10000', ...rest] = process.argv.slice(2);
  const n = Number(count);
  if (dir.startsWith('-') || rest.length > 0 || !Number.isInteger(n) || n < 1 || n > 10_000) {
    console.error(`usage: node dist/benchmarks/cifarFiles.js DIR [imagesPerBatch: 1 … 10000]; got ${process.argv.slice(2).join(' ')}`);
    process.exit(2);
  }
  writeTimingCifar(dir, n);
  console.log(`wrote ${dir}/{${CIFAR10_FILES.join(',')}}`);
}
