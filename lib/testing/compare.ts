// Test helpers shared by kernel and engine tests: a cpu reference result and a scale-relative error.
import * as tf from '@tensorflow/tfjs';

/** The result of `f` on the cpu backend (the reference); leaves cpu as the active backend. */
export async function onCpu(f: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend('cpu');
  const out = tf.tidy(f);
  const data = out.dataSync() as Float32Array;
  out.dispose();
  return data;
}

/** max |a − b| / max |b|: the error relative to the tensor's scale (0 when a equals b, e.g. both empty). */
export function relError(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return d === 0 ? 0 : d / s;
}
