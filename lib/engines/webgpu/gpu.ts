/**
 * The slice of the WebGPU API the fused engine uses, typed locally (the `webgpu` package and its
 * types are optional dependencies), and access to the GPUDevice of tfjs's active webgpu backend,
 * so that the engine's buffers can be wrapped as tfjs tensors without a copy.
 */
import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError } from '../../core/errors.js';

/** GPUBufferUsage flags (WebGPU spec values). */
export const USAGE = { MAP_READ: 1, MAP_WRITE: 2, COPY_SRC: 4, COPY_DST: 8, UNIFORM: 64, STORAGE: 128 } as const;
/** GPUMapMode.READ. */
export const MAP_READ = 1;

/** A GPUBuffer. */
export interface GpuBuffer {
  readonly size: number;
  readonly usage: number;
  mapAsync(mode: number, offset?: number, size?: number): Promise<void>;
  getMappedRange(offset?: number, size?: number): ArrayBuffer;
  unmap(): void;
  destroy(): void;
}

/** A GPUComputePipeline. */
export interface GpuPipeline {
  getBindGroupLayout(index: number): unknown;
}

/** A GPUBindGroup (opaque). */
export type GpuBindGroup = object;

/** A GPUComputePassEncoder. */
export interface GpuPass {
  setPipeline(p: GpuPipeline): void;
  setBindGroup(index: number, group: GpuBindGroup): void;
  dispatchWorkgroups(x: number, y?: number, z?: number): void;
  end(): void;
}

/** A GPUCommandEncoder. */
export interface GpuEncoder {
  beginComputePass(): GpuPass;
  copyBufferToBuffer(src: GpuBuffer, srcOffset: number, dst: GpuBuffer, dstOffset: number, size: number): void;
  finish(): unknown;
}

/** A GPUQueue. */
export interface GpuQueue {
  submit(buffers: unknown[]): void;
  writeBuffer(buffer: GpuBuffer, offset: number, data: ArrayBufferView | ArrayBuffer, dataOffset?: number, size?: number): void;
  onSubmittedWorkDone(): Promise<void>;
}

/** A GPUDevice. */
export interface GpuDevice {
  readonly limits: Readonly<Record<string, number>>;
  readonly queue: GpuQueue;
  createBuffer(d: { size: number; usage: number; mappedAtCreation?: boolean; label?: string }): GpuBuffer;
  createShaderModule(d: { code: string; label?: string }): {
    getCompilationInfo?(): Promise<{ messages: readonly { type: string; message: string; lineNum: number }[] }>;
  };
  createComputePipelineAsync(d: { layout: 'auto'; compute: { module: unknown; entryPoint: string }; label?: string }): Promise<GpuPipeline>;
  createBindGroup(d: { layout: unknown; entries: { binding: number; resource: { buffer: GpuBuffer } }[] }): GpuBindGroup;
  createCommandEncoder(): GpuEncoder;
  pushErrorScope(filter: 'validation' | 'out-of-memory' | 'internal'): void;
  popErrorScope(): Promise<{ message: string } | null>;
}

/** The private parts of tfjs-backend-webgpu 4.22's WebGPUBackend that the engine relies on. */
interface TfWebgpuBackend {
  device: GpuDevice;
  commandEncoder: unknown;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

/** The tfjs webgpu backend, which must be registered and initialized (useBackend('webgpu')). */
function webgpuBackend(): TfWebgpuBackend {
  let be: unknown = null;
  try {
    be = tf.findBackend('webgpu');
  } catch {
    be = null;
  }
  const b = be as Partial<TfWebgpuBackend> | null;
  if (!b || !b.device || typeof b.submitQueue !== 'function') {
    throw new BackendUnavailableError('webgpu', "the webgpu-fused engine runs on tfjs's webgpu backend: call useBackend('webgpu') first.");
  }
  return b as TfWebgpuBackend;
}

/** The GPUDevice of tfjs's webgpu backend (throws a BackendUnavailableError when it is not initialized). */
export function tfjsDevice(): GpuDevice {
  return webgpuBackend().device;
}

/**
 * Submits the commands tfjs has recorded but not yet submitted, so that work the engine submits
 * next runs after them (e.g. a probe enqueued on the parameter tensors sees the parameters it was
 * enqueued on).
 */
export function flushTfjs(): void {
  const be = webgpuBackend();
  if (be.commandEncoder) {
    be.endComputePassEncoder();
    be.submitQueue();
  }
}

/** Copies byte ranges of GPU buffers into one staging buffer, maps it and returns a copy of its contents per range. */
export async function readRanges(
  device: GpuDevice,
  ranges: readonly { buffer: GpuBuffer; offset: number; size: number }[],
): Promise<ArrayBuffer[]> {
  const total = ranges.reduce((s, r) => s + r.size, 0);
  if (total === 0) return ranges.map(() => new ArrayBuffer(0));
  const staging = device.createBuffer({ size: total, usage: USAGE.MAP_READ | USAGE.COPY_DST, label: 'webgpu-fused staging' });
  try {
    const enc = device.createCommandEncoder();
    let at = 0;
    for (const r of ranges) {
      if (r.size > 0) enc.copyBufferToBuffer(r.buffer, r.offset, staging, at, r.size);
      at += r.size;
    }
    device.queue.submit([enc.finish()]);
    await staging.mapAsync(MAP_READ);
    const all = staging.getMappedRange().slice(0);
    staging.unmap();
    at = 0;
    return ranges.map((r) => {
      const part = all.slice(at, at + r.size);
      at += r.size;
      return part;
    });
  } finally {
    staging.destroy();
  }
}

/** What compiling a pipeline needs of a device, whatever its pipeline layouts are (`L`). */
export interface PipelineCompiler<L> {
  createShaderModule: GpuDevice['createShaderModule'];
  createComputePipelineAsync(d: { layout: L; compute: { module: unknown; entryPoint: string }; label?: string }): Promise<GpuPipeline>;
  pushErrorScope: GpuDevice['pushErrorScope'];
  popErrorScope: GpuDevice['popErrorScope'];
}

/**
 * Compiles `code` (entry point `main`) on `layout`, uncached: a WGSL error rejects with the
 * compiler's messages (line numbers), a failed pipeline with the validation scope's message.
 */
export async function compilePipeline<L>(device: PipelineCompiler<L>, code: string, label: string, layout: L): Promise<GpuPipeline> {
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code, label });
  const info = module.getCompilationInfo ? await module.getCompilationInfo() : { messages: [] };
  const errors = info.messages.filter((m) => m.type === 'error');
  let pipeline: GpuPipeline | null = null;
  let failure: unknown = null;
  if (errors.length === 0) {
    try {
      pipeline = await device.createComputePipelineAsync({ layout, compute: { module, entryPoint: 'main' }, label });
    } catch (err) {
      failure = err;
    }
  }
  const scope = await device.popErrorScope();
  if (errors.length > 0) throw new Error(`${label}: WGSL errors: ${errors.map((e) => `line ${e.lineNum}: ${e.message}`).join('; ')}`);
  if (failure || !pipeline) {
    throw new Error(`${label}: pipeline creation failed: ${failure instanceof Error ? failure.message : scope?.message}`);
  }
  return pipeline;
}

const pipelines = new WeakMap<GpuDevice, Map<string, Promise<GpuPipeline>>>();

/**
 * A compute pipeline for `code` (entry point `main`), cached per device and code. A WGSL error
 * rejects with the compiler's messages.
 */
export function computePipeline(device: GpuDevice, code: string, label: string): Promise<GpuPipeline> {
  let cache = pipelines.get(device);
  if (!cache) pipelines.set(device, (cache = new Map()));
  const hit = cache.get(code);
  if (hit) return hit;
  const made = compilePipeline(device, code, label, 'auto' as const);
  cache.set(code, made);
  made.catch(() => cache.delete(code));
  return made;
}
