import { newlyFrozen } from './frozenWords.js';

test('frozen members are reported once, with their step, at any stride', () => {
  const reported = [false, false, false];
  const words = new Uint32Array([0, 0, 9, 9, 1, 40, 9, 9, 1, 70, 9, 9]);
  expect(newlyFrozen(words, 3, 4, reported)).toEqual([{ member: 1, step: 40 }, { member: 2, step: 70 }]);
  expect(newlyFrozen(words, 3, 4, reported)).toEqual([]);
  expect(newlyFrozen(new Uint32Array([1, 5, 0, 0]), 2, 2, [false, false])).toEqual([{ member: 0, step: 5 }]);
});
