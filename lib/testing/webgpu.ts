// Test helpers for tests that need a WebGPU adapter (Dawn over Vulkan, or Mesa's llvmpipe over OpenGL ES).
import { describe } from '@jest/globals';
import * as tf from '@tensorflow/tfjs';
import { installWebgpu, WEBGPU_HINT } from '../backend/webgpu.js';
import { useBackend } from '../backend/backends.js';
import { tfjsDevice, USAGE, readRanges, computePipeline, type GpuDevice } from '../engines/webgpu/gpu.js';

/** Whether WebGPU tests can run here, and if not, why (one line). */
export type WebgpuAvailability = { ok: true } | { ok: false; reason: string };

let availability: Promise<WebgpuAvailability> | null = null;

/**
 * Whether a WebGPU adapter can be found. `THERMO_SKIP_WEBGPU=1` says no (an explicit skip);
 * otherwise the adapter search of backend/webgpu.ts decides.
 */
export function webgpuAvailability(): Promise<WebgpuAvailability> {
  if (process.env.THERMO_SKIP_WEBGPU === '1') return Promise.resolve({ ok: false, reason: 'THERMO_SKIP_WEBGPU=1' });
  const why = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0].replace(WEBGPU_HINT, '').trim();
  availability ??= installWebgpu(false).then(
    () => ({ ok: true }) as const,
    (err: unknown) => ({ ok: false, reason: why(err) }) as const,
  );
  return availability;
}

/**
 * `describe` for tests that need a WebGPU adapter (use with top-level await). Without one they are
 * skipped with one line on stderr saying why, except when `CI=true`, where they run (and fail). An
 * explicit `THERMO_SKIP_WEBGPU=1` skips them everywhere.
 */
export async function describeWebgpu(name: string, fn: () => void): Promise<void> {
  const a = await webgpuAvailability();
  const explicit = process.env.THERMO_SKIP_WEBGPU === '1';
  if (a.ok || (process.env.CI === 'true' && !explicit)) {
    describe(name, fn);
    return;
  }
  process.stderr.write(`skipping '${name}': no WebGPU adapter (${a.reason})\n`);
  describe.skip(name, fn);
}

/** Activates tfjs's webgpu backend and returns its GPUDevice. */
export async function webgpuDevice(): Promise<GpuDevice> {
  await useBackend('webgpu');
  if (tf.getBackend() !== 'webgpu') throw new Error(`backend is ${tf.getBackend()}, not webgpu`);
  return tfjsDevice();
}

/** Activates the webgpu backend (as {@link webgpuDevice}) and says whether its adapter is a software one (llvmpipe). */
export async function webgpuIsSoftware(): Promise<boolean> {
  await webgpuDevice();
  return (await installWebgpu(false)).software;
}

/**
 * Runs a one-off compute shader: binding 0 is `input` (var<storage, read> array<u32>), binding 1
 * the output (var<storage, read_write> array<u32>, `outWords` words, zeroed); entry point `main`.
 * Returns the output words.
 */
export async function runCompute(
  device: GpuDevice,
  code: string,
  input: Uint32Array,
  outWords: number,
  workgroups: number,
): Promise<Uint32Array> {
  const pipeline = await computePipeline(device, code, 'test shader');
  const inBuf = device.createBuffer({ size: Math.max(16, input.byteLength), usage: USAGE.STORAGE | USAGE.COPY_DST });
  const outBuf = device.createBuffer({ size: Math.max(16, outWords * 4), usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST });
  try {
    device.queue.writeBuffer(inBuf, 0, input);
    const group = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: inBuf } },
        { binding: 1, resource: { buffer: outBuf } },
      ],
    });
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(workgroups);
    pass.end();
    device.queue.submit([enc.finish()]);
    const [out] = await readRanges(device, [{ buffer: outBuf, offset: 0, size: outWords * 4 }]);
    return new Uint32Array(out);
  } finally {
    inBuf.destroy();
    outBuf.destroy();
  }
}
