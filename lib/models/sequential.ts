/**
 * Deep ReLU networks built from dense and conv layers:
 * - `fc` (FC6 with depth 6): inputDim → hidden × (depth − 1) → classes, ReLU between layers;
 * - `cnn` (CNN6): convLayers × [conv k×k, `channels` channels, stride 1, 'same', ReLU], then one
 *   dense layer to `classes` outputs.
 * Training uses tfjs autodiff (conv filter gradients via {@link sameConv}); per-sample gradient
 * statistics use one forward and one backward pass: the backward pass gives δ of every weight
 * layer through zero "taps" added to the layer outputs.
 */
import * as tf from '@tensorflow/tfjs';
import { imageShape, type LossName, type RunConfig } from '../core/config.js';
import { Rng } from '../core/rng.js';
import { sameConv } from './conv.js';
import { initDense } from './init.js';
import { perSampleLoss } from './losses.js';
import type { ForwardPass, Model, PerSampleStats } from './model.js';
import { convStats, denseStats } from './perSample.js';

/** A weight layer. Dense weights are [out, in]; conv filters [k, k, C_in, C_out]. */
export interface Layer {
  kind: 'dense' | 'conv';
  W: tf.Variable;
  b: tf.Variable | null;
  /** Conv kernel size. */
  k?: number;
}

/** What a forward pass saw: every weight layer's input and output (pre-activation). */
interface Trace {
  inputs: tf.Tensor[];
  outputs: tf.Tensor[];
  logits: tf.Tensor2D;
}

/** A feed-forward ReLU network of dense and conv layers. */
export class SequentialNet implements Model {
  readonly family: string;
  readonly params: Readonly<Record<string, tf.Variable>>;
  readonly layers: Layer[];
  private readonly loss: LossName;
  private readonly shape: [number, number, number];

  constructor(cfg: RunConfig) {
    this.family = cfg.model;
    this.loss = cfg.loss;
    this.shape = imageShape(cfg);
    const rng = new Rng(cfg.seed, 'init');
    const layers: Layer[] = [];
    const dense = (fanIn: number, fanOut: number, bias: boolean) => {
      const init = initDense(cfg.init, fanIn, fanOut, rng);
      layers.push({
        kind: 'dense',
        W: tf.tidy(() => tf.variable(tf.tensor2d(init.weight, [fanOut, fanIn]), true)),
        b: bias ? tf.tidy(() => tf.variable(tf.tensor1d(init.bias), true)) : null,
      });
    };
    if (cfg.model === 'fc') {
      dense(cfg.inputDim, cfg.hidden, cfg.bias);
      for (let l = 1; l < cfg.depth - 1; l++) dense(cfg.hidden, cfg.hidden, cfg.bias);
      dense(cfg.hidden, cfg.classes, cfg.bias);
    } else {
      const [h, w, c0] = this.shape;
      const k = cfg.kernel;
      let cin = c0;
      for (let l = 0; l < cfg.convLayers; l++) {
        // fan-in of a conv filter: k·k·C_in (as PyTorch); drawn as [C_out, k·k·C_in] then laid out as [k, k, C_in, C_out]
        const init = initDense(cfg.init, k * k * cin, cfg.channels, rng);
        const filt = new Float32Array(k * k * cin * cfg.channels);
        for (let o = 0; o < cfg.channels; o++) for (let i = 0; i < k * k * cin; i++) filt[i * cfg.channels + o] = init.weight[o * k * k * cin + i];
        layers.push({
          kind: 'conv',
          k,
          W: tf.tidy(() => tf.variable(tf.tensor4d(filt, [k, k, cin, cfg.channels]), true)),
          b: cfg.bias ? tf.tidy(() => tf.variable(tf.tensor1d(init.bias), true)) : null,
        });
        cin = cfg.channels;
      }
      dense(h * w * cin, cfg.classes, cfg.bias);
    }
    this.layers = layers;
    const params: Record<string, tf.Variable> = {};
    layers.forEach((layer, i) => {
      params[`W${i + 1}`] = layer.W;
      if (layer.b) params[`b${i + 1}`] = layer.b;
    });
    this.params = params;
  }

  /** Runs the layers; `taps[l]` (zeros) is added to layer l's output so that its gradient is δ_l. */
  private run(x: tf.Tensor2D, taps?: tf.Tensor[]): Trace {
    const inputs: tf.Tensor[] = [];
    const outputs: tf.Tensor[] = [];
    let a: tf.Tensor = this.family === 'cnn' ? tf.reshape(x, [-1, ...this.shape]) : x;
    this.layers.forEach((layer, l) => {
      if (layer.kind === 'dense' && a.rank > 2) a = tf.reshape(a, [a.shape[0], -1]);
      inputs.push(a);
      let z: tf.Tensor = layer.kind === 'dense' ? tf.matMul(a, layer.W, false, true) : sameConv(a as tf.Tensor4D, layer.W as tf.Tensor4D);
      if (layer.b) z = tf.add(z, layer.b);
      if (taps) z = tf.add(z, taps[l]);
      outputs.push(z);
      a = l < this.layers.length - 1 ? tf.relu(z) : z;
    });
    return { inputs, outputs, logits: a as tf.Tensor2D };
  }

  forward(x: tf.Tensor2D): ForwardPass {
    return tf.tidy(() => {
      const t = this.run(x);
      const hidden = t.outputs.slice(0, -1).map((z) => tf.reshape(z, [z.shape[0], -1]) as tf.Tensor2D);
      return { preActivations: hidden, logits: t.logits };
    });
  }

  lossAndGradients(x: tf.Tensor2D, y: tf.Tensor1D): { loss: tf.Scalar; grads: Record<string, tf.Tensor> } {
    return tf.tidy(() => {
      const names = Object.keys(this.params);
      const vars = names.map((n) => this.params[n]);
      const { value, grads } = tf.variableGrads(() => tf.mean(perSampleLoss(this.loss, this.run(x).logits, y)) as tf.Scalar, vars);
      const out: Record<string, tf.Tensor> = {};
      names.forEach((n) => (out[n] = grads[this.params[n].name]));
      return { loss: value, grads: out };
    });
  }

  perSampleGradientStats(x: tf.Tensor2D, y: tf.Tensor1D): Record<string, PerSampleStats> {
    return tf.tidy(() => {
      const shapes = tf.tidy(() => this.run(x).outputs.map((z) => z.shape));
      const taps = shapes.map((s) => tf.zeros(s));
      let inputs: tf.Tensor[] = [];
      const deltas = tf.grads((...ts: tf.Tensor[]) => {
        const trace = this.run(x, ts);
        inputs = trace.inputs.map((a) => (a === x ? a : tf.keep(a))); // tf.grads disposes intermediates; the layer inputs are needed below
        return tf.sum(perSampleLoss(this.loss, trace.logits, y)) as tf.Scalar;
      })(taps);
      const t = { inputs };
      const out: Record<string, PerSampleStats> = {};
      this.layers.forEach((layer, l) => {
        const s =
          layer.kind === 'dense'
            ? denseStats(deltas[l] as tf.Tensor2D, t.inputs[l] as tf.Tensor2D, layer.b !== null)
            : convStats(deltas[l] as tf.Tensor4D, t.inputs[l] as tf.Tensor4D, layer.k!);
        out[`W${l + 1}`] = s.W;
        if (layer.b && s.b) out[`b${l + 1}`] = s.b;
      });
      tf.dispose(inputs.filter((a) => a !== x));
      return out;
    });
  }

  dispose(): void {
    for (const p of Object.values(this.params)) p.dispose();
  }
}
