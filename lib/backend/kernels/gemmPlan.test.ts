import { chooseSplit, panelWidth, sharedChunks } from './gemmPlan.js';

test('panel width: 12 lanes unless 8 waste much less', () => {
  expect([1, 8, 10, 16, 24, 100, 784].map(panelWidth)).toEqual([8, 8, 12, 8, 12, 12, 12]);
});

test('the split follows the shape: rows for a convolution, columns for a short product, batches for many small ones', () => {
  expect(chooseSplit(1, 32 * 28 * 28, 10, 250, 3, 12, 2)).toBe('rows'); // CNN6 forward
  expect(chooseSplit(1, 32, 100, 784, 3, 12, 2)).toBe('cols'); // FC6 layer 1, a·Wᵀ
  expect(chooseSplit(16, 1, 100, 100, 3, 12, 2)).toBe('batches'); // an ensemble's layer, |B| = 1
  expect(chooseSplit(1, 3, 10, 25088, 3, 12, 2)).toBe('reduction'); // a filter gradient with one tile of rows
  expect(chooseSplit(1, 1, 1, 1, 3, 12, 2)).toBe('batches'); // nothing to share
});

test('shared pieces: at least one per thread, at most four, at least eight units each when there are enough', () => {
  expect(sharedChunks(1, 2)).toBe(1);
  expect(sharedChunks(9, 2)).toBe(2);
  expect(sharedChunks(40, 2)).toBe(5);
  expect(sharedChunks(10_000, 2)).toBe(8);
});
