/**
 * Rows of a tensor with a leading member axis, as slices of contiguous runs rather than a gather:
 * tfjs-backend-wasm's GatherV2 copies element by element (about 130 ms for 3 × 300 × 3072 floats,
 * as long as a CIFAR-size step), a slice is a block copy.
 */
import * as tf from '@tensorflow/tfjs';

/** The contiguous ascending runs of `members`, as [start, length] pairs. */
export function memberRuns(members: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const m of members) {
    const last = runs[runs.length - 1];
    if (last && last[0] + last[1] === m) last[1]++;
    else runs.push([m, 1]);
  }
  return runs;
}

/** `t`'s rows `members` along axis 0, in that order (a new tensor; the caller disposes it). */
export function selectMembers(t: tf.Tensor, members: readonly number[]): tf.Tensor {
  if (members.length === 0) throw new Error('selectMembers: no members');
  return tf.tidy(() => {
    const parts = memberRuns(members).map(([start, n]) => tf.slice(t, start, n));
    return parts.length === 1 ? parts[0] : tf.concat(parts, 0);
  });
}
