/**
 * An image dataset's training split on the device: the pixels as they are (u8, four per u32 word,
 * each image word-aligned, split over bindings of `imagesPerPart` images), the labels, and the
 * normalization of data/source.ts as a table: value v of channel c is
 * fround(v·scale[c] + shift[c]) with scale and shift float32 as source.ts keeps them, so the
 * device's inputs are bit-identical to the tfjs engine's.
 */
import type { RunConfig } from '../../core/config.js';
import { normalization } from '../../data/source.js';
import type { Dataset } from '../../data/dataset.js';

/** The table [channel][v] of normalized values, as u32 words (float bits). */
export function normalizationTable(normalize: RunConfig['normalize'], ds: Dataset): Uint32Array {
  const { scale, shift } = normalization(normalize, ds);
  const table = new Float32Array(256 * scale.length);
  for (let c = 0; c < scale.length; c++) for (let v = 0; v < 256; v++) table[c * 256 + v] = v * scale[c] + shift[c];
  return new Uint32Array(table.buffer);
}

/** Images [first, first + count) of the training split as u32 words, `wordsPerImage` per image (zero-padded). */
export function imageWords(ds: Dataset, first: number, count: number, wordsPerImage: number): Uint32Array {
  const dim = ds.shape[0] * ds.shape[1] * ds.shape[2];
  const bytes = new Uint8Array(count * wordsPerImage * 4);
  if (dim === wordsPerImage * 4) bytes.set(ds.train.x.subarray(first * dim, (first + count) * dim));
  else for (let i = 0; i < count; i++) bytes.set(ds.train.x.subarray((first + i) * dim, (first + i + 1) * dim), i * wordsPerImage * 4);
  return new Uint32Array(bytes.buffer);
}

/** The first n labels of the training split as u32 words. */
export function labelWords(ds: Dataset, n: number): Uint32Array {
  return Uint32Array.from(ds.train.y.subarray(0, n));
}
