/**
 * BatchMatMul and _FusedMatMul on tfjs-backend-wasm through the library's GEMM engine: every
 * transposeA/transposeB combination at the same speed (a transpose is only a stride), batch
 * dimensions broadcast per dimension (NumPy rules, which tfjs's shape check enforces). When B is
 * shared by every batch (broadcast), the batches are folded into the rows of one product.
 */
import * as tf from '@tensorflow/tfjs';
import { gemmEngine } from './gemmEngine.js';
import { heapF32, output, runOriginal, type KernelArgs } from './heap.js';

/** Shapes of a batched product after broadcasting. */
export interface ProductShape {
  M: number;
  N: number;
  K: number;
  /** Broadcast batch dimensions of the output. */
  batchShape: number[];
  /** For each output batch, the index of A's and of B's batch. */
  aIndex: Int32Array;
  bIndex: Int32Array;
}

/** The output batch's source batch in an operand of batch shape `dims` (left-padded with 1s to `out`'s rank). */
function sourceIndex(out: number[], dims: number[]): Int32Array {
  const total = out.reduce((p, d) => p * d, 1);
  const padded = [...new Array<number>(out.length - dims.length).fill(1), ...dims];
  const idx = new Int32Array(total);
  for (let b = 0; b < total; b++) {
    let rest = b;
    let src = 0;
    let stride = 1;
    for (let d = out.length - 1; d >= 0; d--) {
      const i = rest % out[d];
      rest = Math.floor(rest / out[d]);
      if (padded[d] !== 1) src += i * stride;
      stride *= padded[d];
    }
    idx[b] = src;
  }
  return idx;
}

/** M, N, K and the batch mapping of a·b with the given transposes (throws on mismatched shapes). */
export function productShape(aShape: number[], bShape: number[], transposeA: boolean, transposeB: boolean): ProductShape {
  const ra = aShape.length;
  const rb = bShape.length;
  const M = transposeA ? aShape[ra - 1] : aShape[ra - 2];
  const K = transposeA ? aShape[ra - 2] : aShape[ra - 1];
  const Kb = transposeB ? bShape[rb - 1] : bShape[rb - 2];
  const N = transposeB ? bShape[rb - 2] : bShape[rb - 1];
  if (K !== Kb) {
    throw new Error(`Error in matMul: inner shapes (${K}) and (${Kb}) of Tensors with shapes ${aShape} and ${bShape} must match.`);
  }
  const aDims = aShape.slice(0, -2);
  const bDims = bShape.slice(0, -2);
  const batchShape = tf.backend_util.assertAndGetBroadcastShape(aDims, bDims);
  return { M, N, K, batchShape, aIndex: sourceIndex(batchShape, aDims), bIndex: sourceIndex(batchShape, bDims) };
}

/** a·b (rank ≥ 2, float32) into a new output, via the GEMM engine. */
export function matMulInto(
  backend: KernelArgs['backend'], a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean,
): tf.TensorInfo {
  const s = productShape(a.shape, b.shape, transposeA, transposeB);
  const { M, N, K } = s;
  const batches = s.aIndex.length;
  const e = gemmEngine();
  e.reset();
  const A = e.put(heapF32(backend, a));
  const B = a.dataId === b.dataId ? A : e.put(heapF32(backend, b));
  const rsA = transposeA ? 1 : K; // A[m, k] at m·rsA + k·csA
  const csA = transposeA ? M : 1;
  const C = e.alloc(batches * M * N * 4);
  if (N <= 2 && !transposeA && (transposeB || N === 1) && K >= 4) {
    // one or two columns, both operands contiguous along k: the dot form
    e.runDot({
      M, N, batches, aRows: e.strided(M, 0, K * 4), runs: e.table([0]), nRuns: 1, R: K,
      aBatch: e.table(Array.from(s.aIndex, (i) => A + i * M * K * 4)), bBatch: e.table(Array.from(s.bIndex, (i) => B + i * K * N * 4)),
      ldb: K * 4, c: C, ldc: N,
    });
    return output(backend, [...s.batchShape, M, N], e.f32.subarray(C >>> 2, (C >>> 2) + batches * M * N));
  }
  const sharedB = s.bIndex.every((i) => i === s.bIndex[0]);
  if (sharedB && batches > 1) {
    // one product of batches·M rows: the row table carries each batch's origin
    const rows = new Uint32Array(batches * M);
    for (let bt = 0; bt < batches; bt++) {
      const origin = s.aIndex[bt] * M * K * 4;
      for (let m = 0; m < M; m++) rows[bt * M + m] = origin + m * rsA * 4;
    }
    e.run({
      M: batches * M, N, K, batches: 1,
      aRows: e.table(rows), aCols: e.strided(K, 0, csA * 4), aBatch: e.table([A]), bBatch: e.table([B + s.bIndex[0] * K * N * 4]),
      rsB: transposeB ? 1 : N, csB: transposeB ? K : 1, c: C, ldc: N,
    });
  } else {
    e.run({
      M, N, K, batches,
      aRows: e.strided(M, 0, rsA * 4), aCols: e.strided(K, 0, csA * 4),
      aBatch: e.table(Array.from(s.aIndex, (i) => A + i * M * K * 4)), bBatch: e.table(Array.from(s.bIndex, (i) => B + i * K * N * 4)),
      rsB: transposeB ? 1 : N, csB: transposeB ? K : 1, c: C, ldc: N,
    });
  }
  return output(backend, [...s.batchShape, M, N], e.f32.subarray(C >>> 2, (C >>> 2) + batches * M * N));
}

/** The BatchMatMul kernel. */
export function batchMatMul(args: KernelArgs): tf.TensorInfo {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return runOriginal('BatchMatMul', args);
  return matMulInto(args.backend, a, b, transposeA, transposeB);
}

/** tfjs's fused activations as wasm kernels. */
const ACTIVATIONS: Record<string, string> = {
  relu: 'Relu', relu6: 'Relu6', elu: 'Elu', sigmoid: 'Sigmoid', leakyrelu: 'LeakyRelu', prelu: 'Prelu',
};

/** The _FusedMatMul kernel: the product by the engine, then bias and activation by the backend's kernels. */
export function fusedMatMul(args: KernelArgs): tf.TensorInfo {
  const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const { transposeA, transposeB, activation, leakyreluAlpha } = args.attrs as {
    transposeA: boolean;
    transposeB: boolean;
    activation: string;
    leakyreluAlpha?: number;
  };
  const covered = a!.dtype === 'float32' && b!.dtype === 'float32' && (activation === 'linear' || ACTIVATIONS[activation] !== undefined);
  if (!covered) return runOriginal('_FusedMatMul', args);
  const { backend } = args;
  let y = matMulInto(backend, a!, b!, transposeA, transposeB);
  const swap = (next: tf.TensorInfo) => {
    backend.disposeData(y.dataId);
    y = next;
  };
  if (bias) swap(runOriginal('Add', { inputs: { a: y, b: bias }, backend }));
  if (activation === 'leakyrelu') swap(runOriginal('LeakyRelu', { inputs: { x: y }, backend, attrs: { alpha: leakyreluAlpha ?? 0.2 } }));
  else if (activation === 'prelu') swap(runOriginal('Prelu', { inputs: { x: y, alpha: preluActivationWeights! }, backend }));
  else if (activation !== 'linear') swap(runOriginal(ACTIVATIONS[activation], { inputs: { x: y }, backend }));
  return y;
}
