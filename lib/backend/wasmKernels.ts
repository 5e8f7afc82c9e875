/**
 * Kernels the library registers on tfjs-backend-wasm 4.22 (lib/backend/kernels): BatchMatMul,
 * _FusedMatMul, Conv2D, Conv2DBackpropInput, FusedConv2D and DepthwiseConv2dNative replace the backend's
 * own (whose transposed products run 12–16× slower than plain ones, and whose convolutions use one
 * core); Identity shares its input's data instead of copying it (kernels/identity.ts); Conv2DBackpropFilter
 * is added (that backend lacks it); ThermoConvLayer and ThermoConvLayerGrad are the library's own (a conv
 * layer with bias and ReLU, and all of its gradients in one call: lib/models/conv.ts's convLayer; 'library'
 * set only). They run the library's GEMM and planar convolutions (wasm/build/gemm-relaxed.wasm or gemm.wasm,
 * see kernels/gemmModule.ts) on every core; the replaced kernels stay available for what the library's do
 * not cover (other dtypes, NCHW, strided input gradients, depthwise multipliers under 4).
 * `THERMO_WASM_KERNELS=tfjs` keeps the backend's own kernels (Conv2DBackpropFilter is still added).
 */
import * as tf from '@tensorflow/tfjs';
import { batchMatMul, fusedMatMul } from './kernels/batchMatMul.js';
import { conv2d, conv2dBackpropFilter, conv2dBackpropInput, depthwiseConv2d } from './kernels/conv2d.js';
import { CONV_LAYER, CONV_LAYER_GRAD, convLayer, convLayerGrad, fusedConv2d } from './kernels/convLayer.js';
import { keepOriginal, original, type KernelArgs } from './kernels/heap.js';
import { identity } from './kernels/identity.js';

/** Which kernels run BatchMatMul, _FusedMatMul, Conv2D, Conv2DBackpropInput, FusedConv2D and DepthwiseConv2dNative on wasm. */
export type WasmKernelSet = 'library' | 'tfjs';

/** The library's kernel for each name it replaces. */
const REPLACED: Record<string, (args: KernelArgs) => tf.TensorInfo> = {
  BatchMatMul: batchMatMul,
  _FusedMatMul: fusedMatMul,
  Conv2D: conv2d,
  Conv2DBackpropInput: conv2dBackpropInput,
  DepthwiseConv2dNative: depthwiseConv2d,
  FusedConv2D: fusedConv2d,
  Identity: identity,
};

let active: WasmKernelSet | null = null;

function register(name: string, kernelFunc: (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[], setupFunc?: tf.KernelSetupFunc): void {
  if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc, setupFunc });
}

/**
 * Registers `set` on the wasm backend (default: $THERMO_WASM_KERNELS, else 'library'). The backend's
 * own kernels are kept (their setup still runs when the backend initializes) and are registered
 * back by `setWasmKernels('tfjs')`.
 */
export function setWasmKernels(set: WasmKernelSet = process.env.THERMO_WASM_KERNELS === 'tfjs' ? 'tfjs' : 'library'): void {
  if (active === set) return;
  for (const name of Object.keys(REPLACED)) {
    const own = tf.getKernel(name, 'wasm');
    if (own && active === null) keepOriginal(name, own);
  }
  for (const [name, mine] of Object.entries(REPLACED)) {
    const own = original(name);
    if (!own) continue;
    if (set === 'library') register(name, mine, own.setupFunc);
    else register(name, own.kernelFunc as unknown as (args: KernelArgs) => tf.TensorInfo, own.setupFunc);
  }
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) register('Conv2DBackpropFilter', conv2dBackpropFilter);
  for (const [name, kernel] of [[CONV_LAYER, convLayer], [CONV_LAYER_GRAD, convLayerGrad]] as const) {
    if (set === 'library') register(name, kernel);
    else if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
  }
  active = set;
}

/** The kernel set registered on wasm (null before {@link registerWasmKernels}). */
export function wasmKernelSet(): WasmKernelSet | null {
  return active;
}

/** Registers the library's wasm kernels once (no-op afterwards; see {@link setWasmKernels}). */
export function registerWasmKernels(): void {
  if (active === null) setWasmKernels();
}
