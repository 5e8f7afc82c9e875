/**
 * Checkpoints: everything needed to continue a run exactly where it stopped: the step,
 * every parameter's float32 values (base64), the data stream's RNG state and position, and
 * the training-loss accumulator. Plain SGD has no optimizer state beyond these.
 */
import * as tf from '@tensorflow/tfjs';
import type { TaskState } from '../data/tasks.js';
import type { Model } from '../models/model.js';
import { readTensor } from '../backend/read.js';

/** A run's state after `step` SGD updates. */
export interface Checkpoint {
  version: 1;
  step: number;
  /** Whether the record due at `step` (if any) was already written. */
  recorded: boolean;
  params: Record<string, { shape: number[]; data: string }>;
  data: TaskState;
  lossSum: number;
  lossCount: number;
  /** Training wall time before this checkpoint, seconds. */
  wallSeconds: number;
}

/** float32 values as base64 (exact round trip). */
export function encodeFloat32(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

/** Inverse of {@link encodeFloat32}. */
export function decodeFloat32(text: string): Float32Array {
  const buf = Buffer.from(text, 'base64');
  const out = new Float32Array(buf.byteLength / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

/** The model's parameters, encoded. */
export async function saveParams(model: Model): Promise<Checkpoint['params']> {
  const out: Checkpoint['params'] = {};
  for (const [name, p] of Object.entries(model.params)) out[name] = { shape: [...p.shape], data: encodeFloat32((await readTensor(p)) as Float32Array) };
  return out;
}

/** Loads encoded parameters into the model (shapes must match). */
export function loadParams(model: Model, params: Checkpoint['params']): void {
  for (const [name, p] of Object.entries(model.params)) {
    const saved = params[name];
    if (!saved || saved.shape.join('x') !== p.shape.join('x')) throw new Error(`checkpoint has no parameter ${name} of shape [${p.shape}]`);
    tf.tidy(() => p.assign(tf.tensor(decodeFloat32(saved.data), p.shape, 'float32')));
  }
}
