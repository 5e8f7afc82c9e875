/** An image dataset in memory: uint8 pixels in HWC order and class labels, split into train and test. */

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
}

/** Checks that labels are below `classes`; returns the first bad index or -1. */
export function firstBadLabel(y: Uint8Array, classes: number): number {
  for (let i = 0; i < y.length; i++) if (y[i] >= classes) return i;
  return -1;
}
