/**
 * Kernels the library registers on tfjs-backend-wasm 4.22 so that training every model family
 * works there with plain tfjs ops: Conv2DBackpropFilter is missing from that backend. It is
 * computed from the backend's own kernels as an ordinary Conv2D on transposed tensors (channels
 * as batch, batch as channels, the output gradient as the filter, dilated by the stride).
 */
import * as tf from '@tensorflow/tfjs';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap };
type Info = tf.TensorInfo;

function run(name: string, args: Omit<KernelArgs, 'attrs'> & { attrs: tf.NamedAttrMap }): Info {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new Error(`tfjs-backend-wasm has no ${name} kernel`);
  return kernel.kernelFunc(args) as Info;
}

/** dW of y = conv2d(x, W) for NHWC, any stride and padding (dilation 1), from wasm's Pad, Transpose, Conv2D and Slice kernels. */
export function conv2dBackpropFilterWasm({ inputs, backend, attrs }: KernelArgs): Info {
  const { x, dy } = inputs as { x: Info; dy: Info };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as {
    strides: number | [number, number];
    pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
  };
  if (dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter on wasm supports NHWC only, got ${dataFormat}`);
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const [kh, kw, cin, cout] = filterShape;
  const { top, bottom, left, right } = info.padInfo;
  const temps: Info[] = [];
  const keep = (t: Info) => {
    temps.push(t);
    return t;
  };
  try {
    const xp = keep(run('PadV2', { inputs: { x }, backend, attrs: { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 } }));
    const xt = keep(run('Transpose', { inputs: { x: xp }, backend, attrs: { perm: [3, 1, 2, 0] } })); // [C_in, Hp, Wp, N]
    const f = keep(run('Transpose', { inputs: { x: dy }, backend, attrs: { perm: [1, 2, 0, 3] } })); // [Ho, Wo, N, C_out]
    const g = keep(
      run('Conv2D', {
        inputs: { x: xt, filter: f },
        backend,
        attrs: { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [info.strideHeight, info.strideWidth], dimRoundingMode: undefined as never },
      }),
    ); // [C_in, ≥kh, ≥kw, C_out]
    const gs = keep(run('Slice', { inputs: { x: g }, backend, attrs: { begin: [0, 0, 0, 0], size: [cin, kh, kw, cout] } }));
    return run('Transpose', { inputs: { x: gs }, backend, attrs: { perm: [1, 2, 0, 3] } }); // [kh, kw, C_in, C_out]
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

let registered = false;

/** Registers the library's wasm kernels once (no-op when the backend already has them). */
export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
    tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilterWasm as unknown as tf.KernelFunc });
  }
}
