/**
 * The webgpu-dense engine's GPU buffers: shared (consts, state, image parts) and per member group
 * (params, acts, deltas, the per-step uniform slots) with the group's bind group, sized by the plan.
 */
import type { GpuBuffer } from '../webgpu/gpu.js';
import { USAGE } from '../webgpu/gpu.js';
import { BINDING, type DenseDevice, type DenseLayout } from './device.js';
import { STEP_WORDS } from './kernel.wgsl.js';
import type { DenseGroup, DensePlan } from './plan.js';

/** One member group's buffers and bind group. */
export interface GroupBuffers extends DenseGroup {
  params: GpuBuffer;
  acts: GpuBuffer;
  deltas: GpuBuffer;
  step: GpuBuffer;
  bind: object;
}

/** Buffers shared by every group. */
export interface SharedBuffers {
  consts: GpuBuffer;
  state: GpuBuffer;
  images: GpuBuffer[];
}

const STORAGE = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;

/** Allocates the shared buffers (state zeroed; consts and images are written by the caller). */
export function sharedBuffers(device: DenseDevice, plan: DensePlan): SharedBuffers {
  const mk = (words: number, label: string) => device.createBuffer({ size: Math.max(16, 4 * words), usage: STORAGE, label });
  const images: GpuBuffer[] = [];
  const im = plan.images;
  if (im) {
    for (let p = 0; p < im.parts; p++) {
      const count = Math.min(im.imagesPerPart, plan.shape.trainSize - p * im.imagesPerPart);
      images.push(mk(Math.max(1, count) * im.wordsPerImage, `webgpu-dense images ${p}`));
    }
  }
  return { consts: mk(plan.constWords, 'webgpu-dense consts'), state: mk(plan.stateWords, 'webgpu-dense state'), images };
}

/** Allocates the buffers and bind group of each member group. */
export function groupBuffers(device: DenseDevice, plan: DensePlan, layout: DenseLayout, shared: SharedBuffers): GroupBuffers[] {
  const mk = (words: number, label: string) => device.createBuffer({ size: Math.max(16, 4 * words), usage: STORAGE, label });
  return plan.groups.map((g) => {
    const bufs = {
      params: mk(plan.paramWords, 'webgpu-dense params'),
      acts: mk(plan.actWords, 'webgpu-dense activations'),
      deltas: mk(plan.deltaWords, 'webgpu-dense deltas'),
      step: device.createBuffer({ size: plan.slots * plan.slotStride, usage: USAGE.UNIFORM | USAGE.COPY_DST, label: 'webgpu-dense steps' }),
    };
    const entries = [
      { binding: BINDING.step, resource: { buffer: bufs.step, offset: 0, size: STEP_WORDS * 4 } },
      { binding: BINDING.consts, resource: { buffer: shared.consts } },
      { binding: BINDING.state, resource: { buffer: shared.state } },
      { binding: BINDING.params, resource: { buffer: bufs.params } },
      { binding: BINDING.acts, resource: { buffer: bufs.acts } },
      { binding: BINDING.deltas, resource: { buffer: bufs.deltas } },
      ...shared.images.map((buffer, i) => ({ binding: BINDING.image0 + i, resource: { buffer } })),
    ];
    return { ...g, ...bufs, bind: device.createBindGroup({ layout: layout.group, entries }) };
  });
}

/** Destroys every buffer. */
export function destroyBuffers(shared: SharedBuffers, groups: readonly GroupBuffers[]): void {
  for (const g of groups) for (const b of [g.params, g.acts, g.deltas, g.step]) b.destroy();
  for (const b of [shared.consts, shared.state, ...shared.images]) b.destroy();
}
