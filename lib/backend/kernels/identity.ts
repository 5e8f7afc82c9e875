/**
 * The Identity kernel on tfjs-backend-wasm without a copy: the output shares the input's data (a reference
 * count more), as tfjs-backend-cpu's Identity and every Reshape do; tensors are immutable, so sharing is safe.
 * tfjs uses Identity for tf.clone and for every tensor a custom gradient saves (a conv layer's input and
 * output: 1 MB each in CNN6), which the backend's own kernel copies.
 */
import type * as tf from '@tensorflow/tfjs';
import { runOriginal, type KernelArgs } from './heap.js';

/** The backend's reference counting (BackendWasm.incRef). */
interface RefCounted {
  incRef(dataId: tf.DataId): void;
}

/** The Identity kernel (strings go to the backend's own). */
export function identity(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo };
  if (x.dtype === 'string') return runOriginal('Identity', args);
  (args.backend as unknown as RefCounted).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}
