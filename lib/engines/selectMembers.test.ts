import * as tf from '@tensorflow/tfjs';
import { memberRuns, selectMembers } from './selectMembers.js';

test('runs of member lists: contiguous ascending stretches', () => {
  expect(memberRuns([0, 1, 2])).toEqual([[0, 3]]);
  expect(memberRuns([2, 3, 0, 5, 6, 7, 1])).toEqual([[2, 2], [0, 1], [5, 3], [1, 1]]);
  expect(memberRuns([4])).toEqual([[4, 1]]);
});

test('selectMembers equals tf.gather for random member lists, without leaking tensors', () => {
  const t = tf.randomNormal([7, 3, 5]);
  const before = tf.memory().numTensors;
  for (let trial = 0; trial < 20; trial++) {
    const n = 1 + Math.floor(Math.random() * 7);
    const members = Array.from({ length: n }, () => Math.floor(Math.random() * 7));
    const got = selectMembers(t, members);
    const want = tf.gather(t, members);
    expect(got.shape).toEqual(want.shape);
    expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
    tf.dispose([got, want]);
  }
  expect(tf.memory().numTensors).toBe(before);
  expect(() => selectMembers(t, [])).toThrow(/no members/);
  t.dispose();
});
