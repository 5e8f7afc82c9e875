// Test helpers: small dataset files in the official formats (IDX for Fashion-MNIST, binary batches for CIFAR-10).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { encodeIdx } from '../data/idx.js';
import { CIFAR10_FILES } from '../data/cifar10.js';
import { writeTar } from '../data/tar.js';

/** Deterministic pseudo-pixels. */
function pixels(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

/** Writes the four Fashion-MNIST IDX files (gzipped or not) with `train` and `test` images into `dir`. */
export function writeFashionMnistFiles(dir: string, train = 40, test = 20, gz = true): void {
  fs.mkdirSync(dir, { recursive: true });
  const write = (name: string, buf: Buffer) => fs.writeFileSync(path.join(dir, gz ? `${name}.gz` : name), gz ? zlib.gzipSync(buf) : buf);
  write('train-images-idx3-ubyte', encodeIdx([train, 28, 28], pixels(train * 784, 1)));
  write('train-labels-idx1-ubyte', encodeIdx([train], Uint8Array.from({ length: train }, (_, i) => i % 10)));
  write('t10k-images-idx3-ubyte', encodeIdx([test, 28, 28], pixels(test * 784, 2)));
  write('t10k-labels-idx1-ubyte', encodeIdx([test], Uint8Array.from({ length: test }, (_, i) => (i * 3) % 10)));
}

/** One CIFAR-10 binary batch of n records (label byte + 3072 pixel bytes, planes R, G, B). */
export function cifarBatch(n: number, seed: number): Buffer {
  const buf = Buffer.alloc(n * 3073);
  const px = pixels(n * 3072, seed);
  for (let i = 0; i < n; i++) {
    buf[i * 3073] = (i + seed) % 10;
    buf.set(px.subarray(i * 3072, (i + 1) * 3072), i * 3073 + 1);
  }
  return buf;
}

/** Writes the six CIFAR-10 batch files (n records each) into `dir`. */
export function writeCifarFiles(dir: string, n = 12): void {
  fs.mkdirSync(dir, { recursive: true });
  CIFAR10_FILES.forEach((f, i) => fs.writeFileSync(path.join(dir, f), cifarBatch(n, i + 1)));
}

/** The official archive layout (cifar-10-batches-bin/…) as tar.gz bytes. */
export function cifarArchive(n = 12): Buffer {
  return zlib.gzipSync(writeTar(CIFAR10_FILES.map((f, i) => ({ name: `cifar-10-batches-bin/${f}`, data: cifarBatch(n, i + 1) }))));
}
