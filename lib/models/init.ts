/**
 * Named weight initializations, drawn from the library's seeded {@link Rng} so that a
 * seed fixes the initial parameters on every backend.
 */
import type { InitName, RunConfig } from '../core/config.js';
import { Rng } from '../core/rng.js';
import type { Architecture } from './arch.js';

/** Initial values of a dense layer's weight matrix (rows = fan_out, cols = fan_in) and bias. */
export interface DenseInit {
  weight: Float32Array;
  bias: Float32Array;
}

/**
 * Draws a dense layer's weight [fanOut, fanIn] and bias [fanOut].
 * - `pytorch-default`: nn.Linear's default, W and b ~ U(±1/√fan_in).
 * - `glorot-uniform`: W ~ U(±√(6/(fan_in+fan_out))), b = 0.
 * - `he-normal`: W ~ N(0, 2/fan_in), b = 0.
 * - `lecun-normal`: W ~ N(0, 1/fan_in), b = 0.
 */
export function initDense(init: InitName, fanIn: number, fanOut: number, rng: Rng): DenseInit {
  const weight = new Float32Array(fanIn * fanOut);
  const bias = new Float32Array(fanOut);
  switch (init) {
    case 'pytorch-default': {
      const k = 1 / Math.sqrt(fanIn);
      rng.fillUniform(weight, -k, k);
      rng.fillUniform(bias, -k, k);
      break;
    }
    case 'glorot-uniform': {
      const k = Math.sqrt(6 / (fanIn + fanOut));
      rng.fillUniform(weight, -k, k);
      break;
    }
    case 'he-normal':
    case 'lecun-normal': {
      const std = Math.sqrt((init === 'he-normal' ? 2 : 1) / fanIn);
      rng.fillNormal(weight);
      for (let i = 0; i < weight.length; i++) weight[i] *= std;
      break;
    }
  }
  return { weight, bias };
}

/** The config fields that fix a member's initial parameters. */
export type InitConfig = Pick<RunConfig, 'model' | 'init' | 'seed' | 'outputInitScale'>;

/**
 * A member's initial parameters, by name in the shapes of its architecture, drawn from its seed's
 * `init` stream layer by layer (dense weights [out, in] from fan-in `in`; conv filters [k, k, C_in,
 * C_out] from fan-in k·k·C_in, drawn as [C_out, k·k·C_in]); the output layer's weights are then
 * multiplied by `outputInitScale`.
 */
export function initMember(cfg: InitConfig, arch: Architecture): Record<string, Float32Array> {
  const rng = new Rng(cfg.seed, 'init');
  const out: Record<string, Float32Array> = {};
  const names = Object.keys(arch.shapes).filter((n) => n.startsWith('W') || n === 'V');
  for (const name of names) {
    const shape = arch.shapes[name];
    const bias = name === 'V' ? null : name === 'W' ? 'b' : `b${name.slice(1)}`;
    if (shape.length === 4) {
      const [k, , cin, cout] = shape;
      const d = initDense(cfg.init, k * k * cin, cout, rng);
      const filt = new Float32Array(k * k * cin * cout);
      for (let o = 0; o < cout; o++) for (let i = 0; i < k * k * cin; i++) filt[i * cout + o] = d.weight[o * k * k * cin + i];
      out[name] = filt;
      if (bias && arch.shapes[bias]) out[bias] = d.bias;
    } else {
      const [fanOut, fanIn] = shape;
      const d = initDense(cfg.init, fanIn, fanOut, rng);
      out[name] = d.weight;
      if (bias && arch.shapes[bias]) out[bias] = d.bias;
    }
  }
  const last = names[names.length - 1];
  if (cfg.outputInitScale !== 1) for (let i = 0; i < out[last].length; i++) out[last][i] *= cfg.outputInitScale;
  return out;
}
