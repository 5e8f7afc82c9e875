/**
 * The webgpu backend, tested on whatever adapter this machine has: in CI, Mesa's software
 * adapter (llvmpipe over EGL). Correctness against cpu; a software adapter is refused when a
 * real GPU is required.
 */
import { BackendUnavailableError } from '../core/errors.js';
import { expectBackendAgrees, modelFamilyCases } from '../testing/agree.js';
import { isBackendInstalled, useBackend } from './backends.js';

afterAll(() => useBackend('cpu'));

// Machines without Mesa's EGL/GLES (or a GPU driver) cannot run these: THERMO_SKIP_WEBGPU=1 skips them
// (CI never sets it: .ci/run installs Mesa).
const maybe = process.env.THERMO_SKIP_WEBGPU === '1' ? describe.skip : describe;

maybe('webgpu backend', () => {
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
});
