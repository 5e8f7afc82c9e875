/**
 * Named weight initializations, drawn from the library's seeded {@link Rng} so that a
 * seed fixes the initial parameters on every backend.
 */
import type { InitName } from '../core/config.js';
import type { Rng } from '../core/rng.js';

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
