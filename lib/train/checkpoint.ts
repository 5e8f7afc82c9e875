/**
 * Checkpoints: everything needed to continue a run exactly where it stopped. Data streams are
 * counter-based (data/stream.ts), so the step fixes the data; with the parameters and the
 * training-loss accumulator that is the whole state (plain SGD has no optimizer state).
 */
import { DATA_STREAM_VERSION } from '../data/stream.js';
import type { MemberState } from '../engines/engine.js';

/** A run's state after `step` SGD updates. */
export interface Checkpoint {
  version: 2;
  /** The data streams the run draws from (a checkpoint of other streams is not resumed). */
  dataStream: string;
  step: number;
  /** Whether the record due at `step` (if any) was already written. */
  recorded: boolean;
  /** Every parameter's float32 values (base64) and shape. */
  params: Record<string, { shape: number[]; data: string }>;
  /** Training-loss accumulator and the step of the last record (the loss is averaged over the steps since). */
  lossSum: number;
  lastRecord: number;
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

/** A checkpoint of one engine member. */
export function makeCheckpoint(
  state: MemberState,
  shapes: Readonly<Record<string, readonly number[]>>,
  at: { step: number; recorded: boolean; lastRecord: number; wallSeconds: number },
): Checkpoint {
  const params: Checkpoint['params'] = {};
  for (const [name, data] of Object.entries(state.params)) params[name] = { shape: [...shapes[name]], data: encodeFloat32(data) };
  return { version: 2, dataStream: DATA_STREAM_VERSION, ...at, params, lossSum: state.lossSum };
}

/** The engine state a checkpoint holds; throws unless its parameters have the given shapes. */
export function checkpointState(cp: Checkpoint, shapes: Readonly<Record<string, readonly number[]>>, file: string): MemberState {
  const params: Record<string, Float32Array> = {};
  for (const [name, shape] of Object.entries(shapes)) {
    const saved = cp.params?.[name];
    const data = saved ? decodeFloat32(saved.data) : null;
    if (!saved || saved.shape.join('x') !== shape.join('x') || data!.length !== shape.reduce((a, b) => a * b, 1)) {
      throw new Error(`${file}: the checkpoint has no parameter ${name} of shape [${shape.join(', ')}]`);
    }
    params[name] = data!;
  }
  return { params, lossSum: cp.lossSum };
}

/** Whether a parsed checkpoint is one this version can resume (version 2, same data streams). */
export function isResumable(cp: unknown): cp is Checkpoint {
  const c = cp as Partial<Checkpoint> | null;
  return !!c && c.version === 2 && c.dataStream === DATA_STREAM_VERSION && Number.isInteger(c.step) && typeof c.params === 'object';
}
