/**
 * The webgpu-dense engine's view of tfjs's GPUDevice: one explicit bind group layout shared by
 * every kernel (a per-step uniform with a dynamic offset, then the storage buffers of
 * {@link BINDING}), pipelines compiled against it (cached per device, layout and code), and the
 * encoding of dispatches over a flat workgroup count.
 */
import { compilePipeline, type GpuBuffer, type GpuDevice, type GpuPipeline } from '../webgpu/gpu.js';

/** Binding numbers: the step uniform, then consts, state, params, acts, deltas and the image parts. */
export const BINDING = { step: 0, consts: 1, state: 2, params: 3, acts: 4, deltas: 5, image0: 6 } as const;

/** GPUShaderStage.COMPUTE. */
const COMPUTE = 4;

type BufferType = 'uniform' | 'storage' | 'read-only-storage';
/** A GPUBindGroupLayout or GPUPipelineLayout (opaque). */
type Opaque = object;

/** A GPUBindGroupLayoutEntry of a buffer. */
interface LayoutEntry {
  binding: number;
  visibility: number;
  buffer: { type: BufferType; hasDynamicOffset?: boolean };
}

/** A compute pass with dynamic offsets. */
export interface DensePass {
  setPipeline(p: GpuPipeline): void;
  setBindGroup(index: number, group: Opaque, dynamicOffsets?: number[]): void;
  dispatchWorkgroups(x: number, y?: number, z?: number): void;
  end(): void;
}

/** The parts of the GPUDevice API the engine uses beyond webgpu/gpu.ts's. */
export interface DenseDevice extends Omit<GpuDevice, 'createBindGroup' | 'createComputePipelineAsync' | 'createCommandEncoder'> {
  createBindGroupLayout(d: { entries: LayoutEntry[] }): Opaque;
  createPipelineLayout(d: { bindGroupLayouts: Opaque[] }): Opaque;
  createComputePipelineAsync(d: { layout: Opaque; compute: { module: unknown; entryPoint: string }; label?: string }): Promise<GpuPipeline>;
  createBindGroup(d: { layout: Opaque; entries: { binding: number; resource: { buffer: GpuBuffer; offset?: number; size?: number } }[] }):
    Opaque;
  createCommandEncoder(): {
    beginComputePass(): DensePass;
    copyBufferToBuffer(src: GpuBuffer, srcOffset: number, dst: GpuBuffer, dstOffset: number, size: number): void;
    finish(): unknown;
  };
}

/** The layout objects of one device and image-part count. */
export interface DenseLayout {
  group: Opaque;
  pipeline: Opaque;
  parts: number;
}

const layouts = new WeakMap<object, Map<number, DenseLayout>>();
const pipelines = new WeakMap<object, Map<string, Promise<GpuPipeline>>>();

/** The shared bind group layout (and pipeline layout) for `parts` image bindings. */
export function denseLayout(device: DenseDevice, parts: number): DenseLayout {
  let cache = layouts.get(device);
  if (!cache) layouts.set(device, (cache = new Map()));
  const hit = cache.get(parts);
  if (hit) return hit;
  const entry = (binding: number, type: BufferType, hasDynamicOffset = false): LayoutEntry => ({
    binding,
    visibility: COMPUTE,
    buffer: { type, hasDynamicOffset },
  });
  const entries = [
    entry(BINDING.step, 'uniform', true),
    entry(BINDING.consts, 'read-only-storage'),
    entry(BINDING.state, 'storage'),
    entry(BINDING.params, 'storage'),
    entry(BINDING.acts, 'storage'),
    entry(BINDING.deltas, 'storage'),
    ...Array.from({ length: parts }, (_, i) => entry(BINDING.image0 + i, 'read-only-storage')),
  ];
  const group = device.createBindGroupLayout({ entries });
  const made = { group, pipeline: device.createPipelineLayout({ bindGroupLayouts: [group] }), parts };
  cache.set(parts, made);
  return made;
}

/** A compute pipeline for `code` (entry point `main`) on `layout`, cached; a WGSL error rejects with the compiler's messages. */
export function densePipeline(device: DenseDevice, layout: DenseLayout, code: string, label: string): Promise<GpuPipeline> {
  let cache = pipelines.get(device);
  if (!cache) pipelines.set(device, (cache = new Map()));
  const key = `${layout.parts}\n${code}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const made = compilePipeline(device, code, label, layout.pipeline);
  cache.set(key, made);
  made.catch(() => cache.delete(key));
  return made;
}

/** Most workgroups along one dimension of a dispatch (kernels read the flat index as x + y·65535). */
export const GRID_X = 65535;

/** Dispatches `n` workgroups as a flat grid (x ≤ 65535, then rows of y). */
export function dispatchFlat(pass: DensePass, n: number): void {
  if (n <= 0) return;
  pass.dispatchWorkgroups(Math.min(n, GRID_X), Math.ceil(n / GRID_X));
}
