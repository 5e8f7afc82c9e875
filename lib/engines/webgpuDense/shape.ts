/**
 * The dense network a group of configs trains, as the webgpu-dense engine sees it: a chain of
 * dense layers (weights W_l [out, in], optional bias b_l [out], ReLU between layers, none after
 * the last), with the parameter names and order of models/create.ts's architecture. Model 'fc'
 * is W1, b1, …, W_depth, b_depth; model 'two-layer' is W, b (hidden bias optional), V (no output bias).
 */
import { isImageInput, type InputName, type LossName, type RunConfig } from '../../core/config.js';
import { createArchitecture } from '../../models/create.js';

/** One dense layer: parameter names, fan-in and fan-out. */
export interface DenseLayer {
  W: string;
  b: string | null;
  in: number;
  out: number;
}

/** What every member shares. */
export interface DenseShape {
  family: 'fc' | 'two-layer';
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

/** The dense layers of a 'fc' or 'two-layer' config. */
export function denseLayers(cfg: RunConfig): DenseLayer[] {
  const { inputDim: M, hidden: N, classes: C } = cfg;
  if (cfg.model === 'two-layer') {
    return [
      { W: 'W', b: cfg.bias ? 'b' : null, in: M, out: N },
      { W: 'V', b: null, in: N, out: C },
    ];
  }
  if (cfg.model !== 'fc') throw new Error(`webgpu-dense: model '${cfg.model}' is not dense`);
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
    if (!w || w[0] !== l.out || w[1] !== l.in || (l.b !== null && arch.shapes[l.b]?.[0] !== l.out)) {
      throw new Error(`webgpu-dense: layer ${l.W} does not match the architecture's shapes`);
    }
  }
  return {
    family: cfg.model as 'fc' | 'two-layer',
    layers,
    params,
    loss: cfg.loss,
    classes: cfg.classes,
    input: cfg.input,
    inputDim: cfg.inputDim,
    trainSize: isImageInput(cfg.input) ? imageCount : cfg.trainSize,
  };
}
