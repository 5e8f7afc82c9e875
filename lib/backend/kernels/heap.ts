/**
 * Access to tfjs-backend-wasm's own (non-shared) memory from the library's kernels: views of a
 * tensor's data, new outputs, and calls of the backend's original kernels (kept when the library's
 * replace them, for what the library's do not cover).
 */
import * as tf from '@tensorflow/tfjs';

/** The parts of tfjs-backend-wasm's BackendWasm that the kernels use. */
export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
  disposeData(dataId: object): boolean;
}

/** The arguments tfjs passes a kernel. */
export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: WasmBackendLike;
  attrs?: tf.NamedAttrMap;
}

/** A float32 view of a tensor's data in the backend's memory (valid until the next allocation there). */
export function heapF32(backend: WasmBackendLike, t: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

/** A new float32 output of `shape` whose data is `data` (copied into the backend's memory). */
export function output(backend: WasmBackendLike, shape: number[], data: Float32Array): tf.TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  heapF32(backend, out).set(data);
  return out;
}

const originals = new Map<string, tf.KernelConfig>();

/** Remembers the backend's own kernel `name` before the library replaces it. */
export function keepOriginal(name: string, config: tf.KernelConfig): void {
  if (!originals.has(name)) originals.set(name, config);
}

/** The backend's own kernel `name` as it was before the library replaced it (or the current one). */
export function original(name: string): tf.KernelConfig | undefined {
  return originals.get(name) ?? tf.getKernel(name, 'wasm');
}

/** Runs the backend's own kernel `name`. */
export function runOriginal(name: string, args: KernelArgs): tf.TensorInfo {
  const k = original(name);
  if (!k) throw new Error(`tfjs-backend-wasm has no ${name} kernel`);
  return k.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
}
