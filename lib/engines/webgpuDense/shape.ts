/**
 * The network a group of configs trains, as the webgpu-dense engine sees it: a chain of weight
 * layers (dense W_l [out, in] or stride-1 'same' conv W_l [k, k, C_in, C_out], optional bias b_l,
 * ReLU between layers, none after the last), with the parameter names and order of
 * models/create.ts's architecture. Model 'fc' is W1, b1, …, W_depth, b_depth; model 'two-layer'
 * is W, b (hidden bias optional), V (no output bias); model 'cnn' is convLayers conv layers, then
 * one dense layer from the flattened [H, W, C] maps (NHWC order) to the classes.
 */
import { imageShape, isImageInput, type InputName, type LossName, type RunConfig } from '../../core/config.js';
import { createArchitecture } from '../../models/create.js';

/** A conv layer's geometry: H × W maps, C_in → C_out channels, k × k kernel (odd), stride 1, 'same'. */
export interface ConvGeometry {
  H: number;
  W: number;
  Cin: number;
  Cout: number;
  k: number;
}

/**
 * One weight layer: parameter names and the values per sample it reads (in) and writes (out);
 * a conv layer's are H·W·C_in and H·W·C_out, with its geometry in `conv`.
 */
export interface DenseLayer {
  W: string;
  b: string | null;
  in: number;
  out: number;
  conv?: ConvGeometry;
}

/** What every member shares. */
export interface DenseShape {
  family: 'fc' | 'two-layer' | 'cnn';
  layers: DenseLayer[];
  /** Parameter names and per-member shapes in the architecture's order. */
  params: { name: string; shape: number[]; size: number }[];
  loss: LossName;
  classes: number;
  input: InputName;
  inputDim: number;
  /** Fixed synthetic set size, or the number of training images used (image inputs); 0: online synthetic. */
  trainSize: number;
}

/** The weight layers of a 'fc', 'two-layer' or 'cnn' config. */
export function denseLayers(cfg: RunConfig): DenseLayer[] {
  const { inputDim: M, hidden: N, classes: C } = cfg;
  if (cfg.model === 'cnn') {
    const [H, W, C0] = imageShape(cfg);
    const k = cfg.kernel;
    const convs: DenseLayer[] = Array.from({ length: cfg.convLayers }, (_, l) => {
      const Cin = l === 0 ? C0 : cfg.channels;
      const conv = { H, W, Cin, Cout: cfg.channels, k };
      return { W: `W${l + 1}`, b: cfg.bias ? `b${l + 1}` : null, in: H * W * Cin, out: H * W * cfg.channels, conv };
    });
    const L = cfg.convLayers + 1;
    const last = cfg.convLayers > 0 ? H * W * cfg.channels : H * W * C0;
    return [...convs, { W: `W${L}`, b: cfg.bias ? `b${L}` : null, in: last, out: C }];
  }
  if (cfg.model === 'two-layer') {
    return [
      { W: 'W', b: cfg.bias ? 'b' : null, in: M, out: N },
      { W: 'V', b: null, in: N, out: C },
    ];
  }
  if (cfg.model !== 'fc') throw new Error(`webgpu-dense: model '${cfg.model}' is not fc, two-layer or cnn`);
  return Array.from({ length: cfg.depth }, (_, l) => ({
    W: `W${l + 1}`,
    b: cfg.bias ? `b${l + 1}` : null,
    in: l === 0 ? M : N,
    out: l === cfg.depth - 1 ? C : N,
  }));
}

/** The shape of `cfg`'s network; `imageCount` is the number of training images used (image inputs). */
export function denseShape(cfg: RunConfig, imageCount = 0): DenseShape {
  const layers = denseLayers(cfg);
  const arch = createArchitecture(cfg);
  const params = Object.entries(arch.shapes).map(([name, s]) => ({ name, shape: [...s], size: s.reduce((a, b) => a * b, 1) }));
  for (const l of layers) {
    const w = arch.shapes[l.W];
    const c = l.conv;
    const want = c ? [c.k, c.k, c.Cin, c.Cout] : [l.out, l.in];
    const outs = c ? c.Cout : l.out;
    if (!w || w.join() !== want.join() || (l.b !== null && arch.shapes[l.b]?.[0] !== outs)) {
      throw new Error(`webgpu-dense: layer ${l.W} does not match the architecture's shapes`);
    }
  }
  return {
    family: cfg.model,
    layers,
    params,
    loss: cfg.loss,
    classes: cfg.classes,
    input: cfg.input,
    inputDim: cfg.inputDim,
    trainSize: isImageInput(cfg.input) ? imageCount : cfg.trainSize,
  };
}
