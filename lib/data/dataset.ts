/** An image dataset in memory: uint8 pixels in HWC order and class labels, split into train and test. */
import { DataFormatError } from './errors.js';

/** One split: n images of `dim` bytes each, and their labels. */
export interface Split {
  x: Uint8Array;
  y: Uint8Array;
  n: number;
}

/** A loaded image dataset. */
export interface Dataset {
  name: 'fashion-mnist' | 'cifar10';
  shape: [number, number, number];
  classes: number;
  train: Split;
  test: Split;
  /** Where the data came from, in words (recorded with runs). */
  source: string;
  /** The files the data was read from (their checksums are recorded with runs). */
  files: string[];
}

/** Throws a DataFormatError unless a split holds at least one image. */
export function checkSplitNotEmpty(split: Split, file: string, which: string): void {
  if (split.n === 0) throw new DataFormatError(file, `the ${which} split holds 0 images: truncated or not the dataset`);
}

/** Checks that labels are below `classes`; returns the first bad index or -1. */
export function firstBadLabel(y: Uint8Array, classes: number): number {
  for (let i = 0; i < y.length; i++) if (y[i] >= classes) return i;
  return -1;
}
