/**
 * The webgpu backend, tested on whatever adapter this machine has: in CI, Mesa's software
 * adapter (llvmpipe over EGL). Correctness against cpu; a software adapter is refused when a
 * real GPU is required. Without an adapter these tests skip with one line saying why, except in
 * CI (CI=true), where they run; THERMO_SKIP_WEBGPU=1 skips them explicitly.
 */
import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError } from '../core/errors.js';
import { memberMatMul } from '../models/matmul.js';
import { expectBackendAgrees, expectEnsembleAgrees, modelFamilyCases } from '../testing/agree.js';
import { describeWebgpu, webgpuAvailability } from '../testing/webgpu.js';
import { isBackendInstalled, useBackend } from './backends.js';

afterAll(() => useBackend('cpu'));

test('THERMO_SKIP_WEBGPU=1 is an explicit skip, with its reason', async () => {
  const saved = process.env.THERMO_SKIP_WEBGPU;
  process.env.THERMO_SKIP_WEBGPU = '1';
  try {
    expect(await webgpuAvailability()).toEqual({ ok: false, reason: 'THERMO_SKIP_WEBGPU=1' });
  } finally {
    if (saved === undefined) delete process.env.THERMO_SKIP_WEBGPU;
    else process.env.THERMO_SKIP_WEBGPU = saved;
  }
});

await describeWebgpu('webgpu backend', () => {
test('webgpu is installed (optional dependency) and finds an adapter', async () => {
  expect(isBackendInstalled('webgpu')).toBe(true);
  const info = await useBackend('webgpu');
  expect(info.name).toBe('webgpu');
  expect(info.tfName).toBe('webgpu');
  expect(info.adapter).toEqual(expect.objectContaining({ api: expect.stringMatching(/vulkan|opengles/), software: expect.any(Boolean) }));
  expect(info.versions).toEqual(expect.objectContaining({ '@tensorflow/tfjs-backend-webgpu': '4.22.0', webgpu: '0.6.2' }));
});

test('a software adapter is refused when a real GPU is required', async () => {
  const info = await useBackend('webgpu');
  if (!info.adapter?.software) return; // a real GPU: nothing to refuse
  await expect(useBackend('webgpu', { requireGpu: true })).rejects.toThrow(BackendUnavailableError);
  await expect(useBackend('webgpu', { requireGpu: true })).rejects.toThrow(/only a software adapter \(.+\) is available.*Vulkan ICD/);
});

test.each(modelFamilyCases(40, 32))('training a %s model on webgpu gives the numbers of cpu, without leaking tensors', async (_n, cfg) => {
  await expectBackendAgrees('webgpu', cfg, { activation: 0.02, relative: 1e-3 });
}, 120000);

// Members on a leading axis: 5-D conv filters [K, k, k, C_in, C_out] in the tfjs engine's steps and
// in every engine's probes (tfjs-webgpu cannot pad rank 5: a member's slice is taken 2-D).
test.each(modelFamilyCases(24, 32).flatMap(([n, c]) => (['tfjs', 'auto'] as const).map((e) => [n, e, c] as const)))(
  'a 2-member %s ensemble on webgpu (engine %s) gives the numbers of cpu, without leaking tensors',
  async (_n, engine, cfg) => {
    await expectEnsembleAgrees('webgpu', cfg, 2, { activation: 0.02, relative: 2e-3 }, engine);
  },
  180000,
);

test('a member with NaN or Inf parameters does not spill into the other members\' products or gradients (tfjs-webgpu\'s batched matMul does)', async () => {
  // shapes at which tfjs-webgpu 4.22's own product spills (the activation-rate probe's: 120 samples, 8 units, 10 inputs)
  const xs = Array.from({ length: 2 * 120 * 10 }, (_, i) => Math.sin(i));
  const good = Array.from({ length: 8 * 10 }, (_, i) => Math.cos(i));
  const dys = Array.from({ length: 120 * 8 }, (_, i) => Math.cos(0.3 * i));
  // member 0 on cpu, alone: its product and the gradients of Σ dy·(x·wᵀ)
  await useBackend('cpu');
  const ref = tf.tidy(() => {
    const x0 = tf.tensor3d(xs.slice(0, 1200), [1, 120, 10]);
    const w0 = tf.tensor3d(good, [1, 8, 10]);
    const f = (x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x as tf.Tensor3D, w as tf.Tensor3D, false, true), tf.tensor3d(dys, [1, 120, 8])));
    const [gx, gw] = tf.grads(f)([x0, w0]);
    return [tf.matMul(x0, w0, false, true), gx, gw].map((t) => Array.from(t.dataSync()));
  });
  await useBackend('webgpu');
  for (const bad of [NaN, Infinity]) {
    const before = tf.memory().numTensors;
    const [out, gx, gw] = tf.tidy(() => {
      const x = tf.tensor3d(xs, [2, 120, 10]);
      const w = tf.tensor3d([...good, ...good.map(() => bad)], [2, 8, 10]);
      const dy = tf.tensor3d([...dys, ...dys], [2, 120, 8]);
      const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(memberMatMul(a as tf.Tensor3D, b as tf.Tensor3D, false, true), dy));
      const { grads } = tf.valueAndGrads(f)([x, w]);
      return [memberMatMul(x, w, false, true), grads[0], grads[1]];
    });
    const [o, a, b] = await Promise.all([out.data(), gx.data(), gw.data()]);
    tf.dispose([out, gx, gw]);
    expect(tf.memory().numTensors).toBe(before);
    const close = (v: Float32Array | Int32Array | Uint8Array, r: number[]) => expect(Array.from(v)).toEqual(r.map((x) => expect.closeTo(x, 3)));
    close(o.slice(0, 960), ref[0]);
    expect(Array.from(o.slice(960)).every(Number.isNaN)).toBe(true);
    close(a.slice(0, 1200), ref[1]);
    close(b.slice(0, 80), ref[2]);
    // the broken member gets no gradient from the product (zeros, not NaN)
    expect(Array.from(a.slice(1200)).every((v) => v === 0)).toBe(true);
    expect(Array.from(b.slice(80)).every((v) => v === 0)).toBe(true);
  }
}, 60000);

test('one member: memberMatMul is the plain product (no guard, nothing to spill into)', async () => {
  await useBackend('webgpu');
  const x = tf.tensor3d(Array.from({ length: 60 }, (_, i) => Math.sin(i)), [1, 6, 10]);
  const w = tf.tensor3d(Array.from({ length: 40 }, (_, i) => Math.cos(i)), [1, 4, 10]);
  const info = await tf.profile(() => memberMatMul(x, w, false, true));
  expect(info.kernels.map((k) => k.name)).toEqual(['BatchMatMul']);
  const [got, want] = [memberMatMul(x, w, false, true), tf.matMul(x, w, false, true)];
  expect(Array.from(await got.data())).toEqual(Array.from(await want.data()));
  tf.dispose([x, w, got, want, info.result as tf.Tensor]);
});
});
