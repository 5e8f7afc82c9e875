/**
 * Reading tensors back to JS. GPU backends (webgpu) have no synchronous reads in Node, so the
 * library reads asynchronously there; on backends with synchronous reads (cpu, wasm, tensorflow)
 * it uses them, which avoids the event-loop round trip (about a millisecond) of `data()`.
 */
import * as tf from '@tensorflow/tfjs';

const ASYNC_ONLY = new Set(['webgpu', 'webgl']);

/** The values of `t` (awaitable on every backend). */
export async function readTensor(t: tf.Tensor): Promise<tf.TypedArray> {
  return ASYNC_ONLY.has(tf.getBackend()) ? ((await t.data()) as tf.TypedArray) : (t.dataSync() as tf.TypedArray);
}
