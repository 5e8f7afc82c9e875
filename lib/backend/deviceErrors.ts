/**
 * A GPU device's own errors. WebGPU reports a kernel that fails to compile or validate, or an
 * invalid dispatch, as an "uncaptured error" event and goes on; every result after it may be
 * garbage. Each device of the webgpu backend is watched from the moment the backend is set, and
 * {@link checkDevice} turns what it reported (and a lost device) into a {@link DeviceError}.
 */
import * as tf from '@tensorflow/tfjs';
import { DeviceError } from '../core/errors.js';

/** What watching needs of a WebGPU device. */
export interface WatchableDevice {
  addEventListener(type: 'uncapturederror', listener: (event: { error?: { message?: string } }) => void): void;
  lost?: Promise<{ message?: string; reason?: string }>;
  queue: { onSubmittedWorkDone(): Promise<void> };
}

/** Messages each watched device reported, first lines only. */
const reports = new WeakMap<WatchableDevice, string[]>();

const firstLine = (s: string): string => s.trim().split('\n')[0] || 'no message';

/** Starts collecting the uncaptured errors and the loss of `device` (once per device). */
export function watchDevice(device: WatchableDevice): void {
  if (reports.has(device)) return;
  const messages: string[] = [];
  reports.set(device, messages);
  device.addEventListener('uncapturederror', (event) => messages.push(firstLine(event.error?.message ?? '')));
  void device.lost?.then((info) => messages.push(`device lost (${info.reason ?? 'unknown'}): ${firstLine(info.message ?? '')}`));
}

/** The active tfjs backend's WebGPU device, or null on other backends. */
export function activeDevice(): WatchableDevice | null {
  if (tf.getBackend() !== 'webgpu') return null;
  return (tf.backend() as unknown as { device?: WatchableDevice }).device ?? null;
}

/**
 * Throws a {@link DeviceError} if `device` (default: the active backend's) reported an error:
 * first waits for the work submitted so far, so that errors of queued work are in. A no-op
 * without a GPU device.
 */
export async function checkDevice(device: WatchableDevice | null = activeDevice()): Promise<void> {
  if (!device) return;
  watchDevice(device);
  await device.queue.onSubmittedWorkDone();
  await new Promise<void>((resolve) => setImmediate(resolve));
  const messages = reports.get(device)!;
  if (messages.length > 0) throw new DeviceError(messages[0], messages.length);
}
