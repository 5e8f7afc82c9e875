/**
 * The loss accumulator of the WebGPU engines, shared by webgpu-fused and webgpu-dense: per member an
 * exact 32.32 fixed-point sum (two u32 words: integer and fraction) of the batch-mean losses, plus a
 * float32 part that takes what does not fit (huge or non-finite losses), in `stride` words per member.
 */

const TWO32 = 2 ** 32;

/** The members' accumulated losses from the accumulator words (member m at word stride·m). */
export function decodeLossSums(buf: ArrayBuffer, members: number, stride: number): Float64Array {
  const u = new Uint32Array(buf);
  const f = new Float32Array(buf);
  return Float64Array.from({ length: members }, (_, m) => u[stride * m] + u[stride * m + 1] / TWO32 + f[stride * m + 2]);
}

/** The `stride` words of one member's accumulator holding `x`. */
export function encodeLossSum(x: number, stride: number): Uint32Array {
  const words = new Uint32Array(stride);
  if (Number.isFinite(x) && x >= 0 && x < 2 ** 31) {
    words[0] = Math.floor(x);
    words[1] = Math.min(TWO32 - 1, Math.round((x - words[0]) * TWO32));
  } else {
    new Float32Array(words.buffer)[2] = x;
  }
  return words;
}

/** Zeroes the accumulators of `members` in `buffer` (member m at byte 4·stride·m), one write per run of consecutive members. */
export function resetLossSums<B>(
  device: { queue: { writeBuffer(buffer: B, offset: number, data: Uint32Array): void } },
  buffer: B,
  members: readonly number[],
  stride: number,
): void {
  const sorted = [...new Set(members)].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    device.queue.writeBuffer(buffer, 4 * stride * sorted[i], new Uint32Array(stride * (j - i + 1)));
    i = j + 1;
  }
}
