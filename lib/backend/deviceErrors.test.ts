/**
 * A GPU device's own errors stop training: a fake device for the rules, and on a real adapter
 * (llvmpipe in CI) a probe that makes the device report an error part-way through a run.
 */
import * as tf from '@tensorflow/tfjs';
import { DeviceError, ThermoError } from '../core/errors.js';
import { makeConfig } from '../core/config.js';
import type { Probe } from '../probes/probe.js';
import type { RunRecord } from '../records/types.js';
import { describeWebgpu } from '../testing/webgpu.js';
import { tfjsDevice } from '../engines/webgpu/gpu.js';
import { train } from '../train/trainer.js';
import { useBackend } from './backends.js';
import { checkDevice, watchDevice, type WatchableDevice } from './deviceErrors.js';

/** A device whose errors and loss the test fires by hand. */
function fakeDevice() {
  let fire: (event: { error?: { message?: string } }) => void = () => {};
  let lose: (info: { message?: string; reason?: string }) => void = () => {};
  const device: WatchableDevice = {
    addEventListener: (_type, listener) => (fire = listener),
    lost: new Promise((resolve) => (lose = resolve)),
    queue: { onSubmittedWorkDone: () => Promise.resolve() },
  };
  return { device, fire: (message: string) => fire({ error: { message } }), lose };
}

test('a device without errors passes; its first error, first line only, is a one-line DeviceError', async () => {
  const { device, fire } = fakeDevice();
  watchDevice(device);
  await expect(checkDevice(device)).resolves.toBeUndefined();
  fire('Error while parsing WGSL: :148:43 error: cannot index type\n  let end = vec5(…)');
  fire('[Invalid ShaderModule "PadProgram"] is invalid due to a previous error.');
  const err = await checkDevice(device).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DeviceError);
  expect(err).toBeInstanceOf(ThermoError);
  expect((err as Error).message).toBe(
    'GPU device error: Error while parsing WGSL: :148:43 error: cannot index type (and 1 more). ' +
      'Training stopped; records and checkpoints made before it are kept',
  );
  await expect(checkDevice(device)).rejects.toThrow(DeviceError); // it stays broken
});

test('a lost device is a DeviceError; watching twice adds no second listener; no device is a no-op', async () => {
  const { device, lose } = fakeDevice();
  let listeners = 0;
  const counted = { ...device, addEventListener: (...a: Parameters<WatchableDevice['addEventListener']>) => (listeners++, device.addEventListener(...a)) };
  watchDevice(counted);
  watchDevice(counted);
  expect(listeners).toBe(1);
  lose({ reason: 'destroyed', message: 'Device was destroyed.' });
  await expect(checkDevice(counted)).rejects.toThrow(/^GPU device error: device lost \(destroyed\): Device was destroyed\./);
  await expect(checkDevice(null)).resolves.toBeUndefined();
});

await describeWebgpu('device errors during training', () => {
  afterAll(() => useBackend('cpu'));

  test('an error the device reports mid-run stops training with a DeviceError; earlier records are kept', async () => {
    await useBackend('webgpu');
    // a custom probe that, from step 8 on, hands the device a WGSL module that does not compile
    const breaker: Probe = {
      name: 'breaker',
      compute: (ctx) => {
        if (ctx.step >= 8) tfjsDevice().createShaderModule({ code: 'this is not WGSL', label: 'broken on purpose' });
        return { breaker: 0 };
      },
    };
    const cfg = makeConfig({ steps: 40, hidden: 8, inputDim: 6, probeEvery: 4, probeLogPoints: 0, probeLinearPoints: 0 });
    const seen: RunRecord[] = [];
    const checkpoints: number[] = [];
    const before = tf.memory().numTensors;
    const err = await train(cfg, {
      engine: 'tfjs',
      extraProbes: [breaker],
      checkpointEverySeconds: 0,
      onRecord: (r) => seen.push(r),
      onCheckpoint: (c) => checkpoints.push(c.step),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceError);
    expect((err as Error).message).toMatch(/^GPU device error: .*\. Training stopped; records and checkpoints made before it are kept$/);
    expect((err as Error).message).not.toContain('\n');
    expect(seen.map((r) => r.step)).toEqual([0, 4]);
    expect(checkpoints).toEqual([0, 4]);
    expect(tf.memory().numTensors).toBe(before);
  }, 60000);
});
