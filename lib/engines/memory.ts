/**
 * Memory estimates, checked before training: what a group of members needs on its engine against
 * what the backend can hold, so that an impossible sweep fails at once with a one-line error
 * naming the field that dominates, its value and the limit (not after minutes, or by swapping).
 */
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { imageShape, isImageInput, type RunConfig } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { parameterCount } from '../models/arch.js';
import { createArchitecture } from '../models/create.js';
import type { EngineName } from './engine.js';

/** Bytes one float takes. */
const F = 4;

/** The largest activation width of a layer of the config's model (units per sample). */
function widestLayer(cfg: RunConfig): number {
  if (cfg.model === 'cnn') {
    const [h, w, c] = imageShape(cfg);
    return h * w * Math.max(c, cfg.channels) * cfg.kernel * cfg.kernel; // the conv gradients' windows
  }
  return Math.max(cfg.inputDim, cfg.hidden, cfg.classes);
}

/** Images in the official training splits (files with fewer hold less; the estimate is an upper bound). */
const IMAGE_TRAIN_SPLIT = { 'fashion-mnist': 60_000, cifar10: 50_000 } as const;

/** Floats the probe forward holds per probe sample (measured peaks: 6 per hidden unit of a dense net). */
function probeFloatsPerSample(cfg: RunConfig, width: number): number {
  return cfg.model === 'cnn' ? 3 * (cfg.inputDim + width) : 2 * cfg.inputDim + 6 * Math.max(cfg.hidden, cfg.classes);
}

/** The estimated bytes of a group's training and measurement, and the term that dominates. */
export function estimateGroupBytes(cfgs: readonly RunConfig[]): { bytes: number; field: keyof RunConfig; value: number } {
  const c = cfgs[0];
  const K = cfgs.length;
  const P = parameterCount(createArchitecture(c));
  const B = Math.max(...cfgs.map((x) => x.batchSize));
  const width = widestLayer(c);
  const terms: [keyof RunConfig, number, number][] = [
    // parameters, gradients and the update's temporaries
    [c.hidden >= c.inputDim ? 'hidden' : 'inputDim', c.hidden >= c.inputDim ? c.hidden : c.inputDim, 4 * K * P * F],
    // the batch's activations through forward and backward passes
    ['batchSize', B, 6 * K * B * (c.inputDim + width + c.hidden * Math.max(1, c.depth)) * F],
    // probe sets: inputs and the forward pass of a chunk of members (dense layers: pre-activations,
    // activations, masks and a product's temporaries, ~6 per unit, measured; conv layers: their maps)
    ['probeSamples', c.probeSamples, Math.min(K, 64) * c.probeSamples * probeFloatsPerSample(c, width) * F],
  ];
  // an image dataset's training split: one copy for the group, a byte per pixel and a label (in host memory,
  // whole whatever trainSize takes; webgpu-dense packs the same bytes on the device)
  if (isImageInput(c.input)) {
    const n = IMAGE_TRAIN_SPLIT[c.input as keyof typeof IMAGE_TRAIN_SPLIT] ?? c.trainSize;
    terms.push(['trainSize', n, n * (c.inputDim + 4)]);
  }
  const bytes = terms.reduce((a, t) => a + t[2], 0);
  const top = terms.reduce((a, t) => (t[2] > a[2] ? t : a));
  return { bytes, field: top[0], value: top[1] };
}

/** What the backend of an engine can hold, bytes, and in words. */
export function memoryLimit(engine: EngineName): { bytes: number; what: string } {
  const backend = tf.getBackend();
  if (engine === 'webgpu-fused' || backend === 'webgpu') {
    const device = (tf.backend() as unknown as { device?: { limits?: { maxBufferSize?: number } } }).device;
    const max = device?.limits?.maxBufferSize ?? 2 ** 31;
    return { bytes: Math.max(max * 16, 2 ** 32), what: `the GPU (maxBufferSize ${(max / 2 ** 30).toFixed(1)} GiB per buffer)` };
  }
  if (engine === 'wasm-fused' || backend === 'wasm') {
    return { bytes: Math.min(4 * 2 ** 30, os.totalmem() * 0.8), what: 'WebAssembly memory (4 GiB)' };
  }
  return { bytes: os.totalmem() * 0.8, what: `this machine's memory (${(os.totalmem() / 2 ** 30).toFixed(0)} GiB)` };
}

/** Throws a ConfigError when a group cannot fit its engine's memory, naming the dominant field. */
export function checkEngineMemory(cfgs: readonly RunConfig[], engine: EngineName): void {
  const need = estimateGroupBytes(cfgs);
  const limit = memoryLimit(engine);
  if (need.bytes <= limit.bytes) return;
  const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;
  throw new ConfigError(
    `config.${need.field}`,
    need.value,
    `a smaller value: ${cfgs.length} run(s) together would need about ${gib(need.bytes)}, more than ${limit.what} holds (${gib(limit.bytes)}); reduce ${need.field}, the model's size or the number of seeds`,
  );
}
