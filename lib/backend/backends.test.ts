import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError, ConfigError } from '../core/errors.js';
import { makeConfig } from '../core/config.js';
import { expectBackendAgrees } from '../testing/agree.js';
import { isBackendInstalled, listBackends, resolveBackendChoice, useBackend } from './backends.js';

afterAll(() => useBackend('cpu'));

test('cpu and wasm are built in', async () => {
  expect(isBackendInstalled('cpu')).toBe(true);
  expect(isBackendInstalled('wasm')).toBe(true);
  expect(listBackends().map((b) => b.name)).toEqual(['cpu', 'wasm', 'tensorflow', 'cuda', 'webgpu']);
});

test('THERMO_BACKEND is read when no option is given; an unknown name is a ConfigError', async () => {
  const saved = process.env.THERMO_BACKEND;
  process.env.THERMO_BACKEND = 'cpu';
  expect(resolveBackendChoice()).toBe('cpu');
  expect(resolveBackendChoice('wasm')).toBe('wasm');
  process.env.THERMO_BACKEND = 'gpu';
  expect(() => resolveBackendChoice()).toThrow(/THERMO_BACKEND: got 'gpu'; allowed: one of 'cpu', 'wasm', 'tensorflow', 'cuda', 'webgpu', 'auto'/);
  if (saved === undefined) delete process.env.THERMO_BACKEND;
  else process.env.THERMO_BACKEND = saved;
  expect(() => resolveBackendChoice('tpu')).toThrow(ConfigError);
});

test.each(['tensorflow', 'cuda'] as const)('asking for %s when it is not installed says how to install it', async (name) => {
  if (isBackendInstalled(name)) return; // installed here: nothing to check
  const pkg = name === 'cuda' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  await expect(useBackend(name)).rejects.toThrow(BackendUnavailableError);
  await expect(useBackend(name)).rejects.toThrow(new RegExp(`backend '${name}' is not available.*npm install ${pkg}@4\\.22\\.0.*allowScripts`));
});

test('auto picks the fastest installed backend', async () => {
  const info = await useBackend('auto');
  const cpuBest = isBackendInstalled('tensorflow') ? (isBackendInstalled('cuda') ? 'cuda' : 'tensorflow') : 'wasm';
  // webgpu only with a real GPU adapter; a software one (Mesa's llvmpipe) is passed over
  expect(info.name === 'webgpu' ? info.adapter?.software : info.name).toBe(info.name === 'webgpu' ? false : cpuBest);
  expect(info.versions['@tensorflow/tfjs-core']).toBe(tf.version_core);
});

test('wasm gives the same records as cpu on a small two-layer run (batch 1 and batch 4)', async () => {
  for (const batchSize of [1, 4]) {
    const cfg = makeConfig({ inputDim: 12, hidden: 9, steps: 300, batchSize, probeSamples: 300, probeLogPoints: 8, probeLinearPoints: 3 });
    await expectBackendAgrees('wasm', cfg, { activation: 2 / (300 * 9), relative: 1e-4 });
  }
});
