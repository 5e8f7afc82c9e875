/**
 * Parameter tensors of a selection of members, for probes: each parameter's member ranges are
 * copied on the device (copyBufferToBuffer, consecutive members in one copy) into a staging
 * buffer the engine owns (of exactly the selection's size: tfjs reads a wrapped buffer whole),
 * wrapped as a tfjs tensor [K', …shape] without a further copy. The
 * tensors stay valid until the next gather, drop or dispose (the engine contract's lifetime).
 */
import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError } from '../../core/errors.js';
import { flushTfjs, USAGE, type GpuBuffer } from '../webgpu/gpu.js';
import type { DenseDevice } from './device.js';

/** Where member m's values of one parameter lie. */
export interface MemberLocation {
  buffer: GpuBuffer;
  /** Byte offset of the member's values. */
  offset: number;
}

/** One parameter: name, per-member shape and float count, and its members' locations. */
export interface GatherParam {
  name: string;
  shape: readonly number[];
  size: number;
  locate(member: number): MemberLocation;
}

/** Throws a BackendUnavailableError unless tfjs's webgpu backend is the active one. */
export function requireWebgpuBackend(): void {
  if (tf.getBackend() !== 'webgpu') {
    throw new BackendUnavailableError('webgpu', `parameter tensors need tfjs's webgpu backend active (it is '${tf.getBackend()}')`);
  }
}

/** Wraps a GPU buffer as a float32 tfjs tensor without a copy (tfjs's webgpu backend must be active). */
export function wrapBuffer(buffer: GpuBuffer, shape: number[]): tf.Tensor {
  requireWebgpuBackend();
  return tf.tensor({ buffer: buffer as never, zeroCopy: true }, shape, 'float32');
}

/** Staging buffers and the tensors of the last selection. */
export class ParamStaging {
  private readonly device: DenseDevice;
  private readonly label: string;
  private readonly buffers = new Map<string, GpuBuffer>();
  private tensors: tf.Tensor[] = [];

  constructor(device: DenseDevice, label: string) {
    this.device = device;
    this.label = label;
  }

  /** Disposes the last selection's tensors (the staging buffers stay for the next). */
  drop(): void {
    for (const t of this.tensors) t.dispose();
    this.tensors = [];
  }

  /** Copies `members`' values of every parameter into staging and returns them as tensors [K', …shape]. */
  gather(params: readonly GatherParam[], members: readonly number[]): Record<string, tf.Tensor> {
    this.drop();
    requireWebgpuBackend();
    flushTfjs(); // tfjs work enqueued on the previous tensors runs before they are overwritten
    const enc = this.device.createCommandEncoder();
    const out: Record<string, tf.Tensor> = {};
    for (const p of params) {
      const bytes = p.size * 4;
      const dst = this.buffer(p.name, Math.max(4, members.length * bytes));
      for (let i = 0; i < members.length; ) {
        const start = p.locate(members[i]);
        let j = i + 1;
        while (j < members.length) {
          const next = p.locate(members[j]);
          if (next.buffer !== start.buffer || next.offset !== start.offset + (j - i) * bytes) break;
          j++;
        }
        if (bytes > 0) enc.copyBufferToBuffer(start.buffer, start.offset, dst, i * bytes, (j - i) * bytes);
        i = j;
      }
      out[p.name] = wrapBuffer(dst, [members.length, ...p.shape]);
      this.tensors.push(out[p.name]);
    }
    this.device.queue.submit([enc.finish()]);
    return out;
  }

  /** The staging buffer of `name`, of exactly `size` bytes (tfjs reads a wrapped buffer whole). */
  private buffer(name: string, size: number): GpuBuffer {
    const have = this.buffers.get(name);
    if (have && have.size === size) return have;
    have?.destroy(); // work already submitted on it completes first
    const usage = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;
    const made = this.device.createBuffer({ size, usage, label: `${this.label} ${name} selection` });
    this.buffers.set(name, made);
    return made;
  }

  /** Frees the tensors and the staging buffers. */
  dispose(): void {
    this.drop();
    for (const b of this.buffers.values()) b.destroy();
    this.buffers.clear();
  }
}
