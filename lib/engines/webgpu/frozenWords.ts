/**
 * The freeze words the GPU engines' kernels write when the divergence rule stops a member: per
 * member, a flag and the step count at which it froze, at words stride·m and stride·m + 1.
 */
import type { FrozenMember } from '../engine.js';

/** Members whose flag is set and that were not reported before (they are marked reported now). */
export function newlyFrozen(words: Uint32Array, members: number, stride: number, reported: boolean[]): FrozenMember[] {
  const out: FrozenMember[] = [];
  for (let m = 0; m < members; m++) {
    if (words[stride * m] !== 0 && !reported[m]) {
      reported[m] = true;
      out.push({ member: m, step: words[stride * m + 1] });
    }
  }
  return out;
}
