/**
 * Backend selection. One tfjs-core instance (the one `@tensorflow/tfjs` brings); the
 * backend is picked by option or by the `THERMO_BACKEND` environment variable. A backend
 * asked for but not installed gives a {@link BackendUnavailableError} that says how to install it.
 */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { BackendUnavailableError } from '../core/errors.js';
import { checkEnum } from '../core/validate.js';
import { registerWasmKernels } from './wasmKernels.js';
import { activeDevice, watchDevice } from './deviceErrors.js';
import { installWebgpu, WEBGPU_HINT, type WebgpuAdapter } from './webgpu.js';

/** Backends this library can run on. */
export const BACKEND_NAMES = ['cpu', 'wasm', 'tensorflow', 'cuda', 'webgpu'] as const;
/** A backend name; `auto` picks the fastest installed one. */
export type BackendName = (typeof BACKEND_NAMES)[number];
/** What may be asked for: a backend name or `auto`. */
export type BackendChoice = BackendName | 'auto';

/**
 * Order in which `auto` tries backends, fastest first: webgpu only with a real (non-software) GPU
 * adapter, then the native and embedded CPU backends.
 */
export const AUTO_ORDER: readonly BackendName[] = ['webgpu', 'cuda', 'tensorflow', 'wasm', 'cpu'];

/** How to install each optional backend. */
export const INSTALL_HINTS: Record<BackendName, string> = {
  cpu: 'It ships with @tensorflow/tfjs; reinstall with `npm install`.',
  wasm: 'Install it with `npm install @tensorflow/tfjs-backend-wasm@4.22.0`.',
  tensorflow:
    'Install it with `npm install @tensorflow/tfjs-node@4.22.0` and approve its install script in package.json ' +
    '(`"allowScripts": { "@tensorflow/tfjs-node": true }`, npm 11), which downloads libtensorflow 2.9.1.',
  webgpu: WEBGPU_HINT,
  cuda:
    'Install it with `npm install @tensorflow/tfjs-node-gpu@4.22.0` on a Linux x86-64 machine with CUDA 11.2 and cuDNN 8.1, ' +
    'and approve its install script in package.json (`"allowScripts": { "@tensorflow/tfjs-node-gpu": true }`, npm 11).',
};

/** The backend a run actually used, recorded in every run's config. */
export interface BackendInfo {
  /** The library's name for it. */
  name: BackendName;
  /** tfjs's name for it (`tf.getBackend()`). */
  tfName: string;
  /** Versions of the packages involved. */
  versions: Record<string, string>;
  /** The GPU adapter (webgpu only): vendor, architecture, device, description, and whether it is a software adapter. */
  adapter?: Record<string, unknown>;
}

const require = createRequire(import.meta.url);
let current: BackendInfo | null = null;
let quieted = false;

/** The package that provides each backend, and tfjs's registered name for it. */
const PROVIDERS: Record<BackendName, { pkg: string | null; tfName: string }> = {
  cpu: { pkg: null, tfName: 'cpu' },
  wasm: { pkg: '@tensorflow/tfjs-backend-wasm', tfName: 'wasm' },
  tensorflow: { pkg: '@tensorflow/tfjs-node', tfName: 'tensorflow' },
  cuda: { pkg: '@tensorflow/tfjs-node-gpu', tfName: 'tensorflow' },
  webgpu: { pkg: '@tensorflow/tfjs-backend-webgpu', tfName: 'webgpu' },
};

/**
 * Whether this machine shows a GPU device to try WebGPU on (`auto` does not probe for a WebGPU adapter
 * otherwise: on a machine without one, Dawn would only find a software rasterizer, and say so on stderr).
 * Linux: an NVIDIA, DRM render or WSL device node; other systems: assumed.
 */
export function gpuDevicePresent(): boolean {
  if (process.platform !== 'linux') return true;
  try {
    if (fs.existsSync('/dev/nvidia0') || fs.existsSync('/dev/dxg')) return true;
    return fs.existsSync('/dev/dri') && fs.readdirSync('/dev/dri').some((d) => d.startsWith('renderD'));
  } catch {
    return false;
  }
}

/** Whether the package that provides `name` can be resolved (without loading it). */
export function isBackendInstalled(name: BackendName): boolean {
  const pkgs = [PROVIDERS[name].pkg, ...(name === 'webgpu' ? ['webgpu'] : [])];
  try {
    for (const pkg of pkgs) if (pkg !== null) require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/** The backend choice from an explicit option, else `THERMO_BACKEND`, else `auto`. */
export function resolveBackendChoice(option?: string): BackendChoice {
  const raw = option ?? process.env.THERMO_BACKEND ?? 'auto';
  const where = option !== undefined ? 'backend' : 'THERMO_BACKEND';
  return checkEnum(raw, [...BACKEND_NAMES, 'auto'] as const, where);
}

/** Silences tfjs's "install the node backend" banner (tfjs prints it unless in production mode). */
export function quietTfjs(): void {
  if (!quieted) {
    tf.env().set('PROD', true);
    quieted = true;
  }
}

/** Options of {@link useBackend}. */
export interface UseBackendOptions {
  /** webgpu: refuse a software adapter (default: $THERMO_WEBGPU_REQUIRE_GPU = 1). */
  requireGpu?: boolean;
}

async function loadProvider(name: BackendName, opts: UseBackendOptions): Promise<WebgpuAdapter | undefined> {
  if (name === 'webgpu') {
    if (!isBackendInstalled('webgpu')) throw new BackendUnavailableError('webgpu', WEBGPU_HINT);
    return installWebgpu(opts.requireGpu ?? process.env.THERMO_WEBGPU_REQUIRE_GPU === '1');
  }
  const { pkg, tfName } = PROVIDERS[name];
  if (pkg !== null && tf.findBackendFactory(tfName) === null) {
    if (!isBackendInstalled(name)) throw new BackendUnavailableError(name, INSTALL_HINTS[name]);
    try {
      await import(pkg);
    } catch (err) {
      throw new BackendUnavailableError(name, INSTALL_HINTS[name], err);
    }
    if (tf.findBackendFactory(tfName) === null) {
      throw new BackendUnavailableError(
        name,
        `${pkg} loaded but registered no '${tfName}' backend with this library's tfjs-core: ` +
          'its @tensorflow/tfjs version must match 4.22.0 so that npm installs one tfjs-core.',
      );
    }
  }
  return undefined;
}

/**
 * Makes `choice` the active tfjs backend and returns what was selected. With `auto`,
 * the first of {@link AUTO_ORDER} that is installed and initializes is used.
 */
export async function useBackend(choice?: string, opts: UseBackendOptions = {}): Promise<BackendInfo> {
  quietTfjs();
  const resolved = resolveBackendChoice(choice);
  const candidates = resolved === 'auto' ? AUTO_ORDER.filter((b) => isBackendInstalled(b) && (b !== 'webgpu' || gpuDevicePresent())) : [resolved];
  let lastError: unknown = null;
  for (const name of candidates) {
    try {
      const adapter = await loadProvider(name, resolved === 'auto' && name === 'webgpu' ? { ...opts, requireGpu: true } : opts);
      if (name === 'wasm') registerWasmKernels();
      const ok = await tf.setBackend(PROVIDERS[name].tfName);
      if (!ok) throw new BackendUnavailableError(name, `tfjs could not initialize it. ${INSTALL_HINTS[name]}`);
      await tf.ready();
      const device = activeDevice();
      if (device) watchDevice(device);
      current = { name, tfName: tf.getBackend(), versions: packageVersions(name), ...(adapter ? { adapter: { ...adapter } } : {}) };
      return current;
    } catch (err) {
      lastError = err;
      if (resolved !== 'auto') throw err;
    }
  }
  throw lastError instanceof Error ? lastError : new BackendUnavailableError('auto', 'no backend could be initialized');
}

/** The backend selected by the last {@link useBackend}, or null. */
export function currentBackend(): BackendInfo | null {
  return current;
}

function packageVersions(name: BackendName): Record<string, string> {
  const out: Record<string, string> = { '@tensorflow/tfjs-core': tf.version_core };
  const pkgs = [PROVIDERS[name].pkg, ...(name === 'webgpu' ? ['webgpu'] : [])];
  for (const pkg of pkgs) {
    if (pkg === null) continue;
    try {
      out[pkg] = (require(`${pkg}/package.json`) as { version: string }).version;
    } catch {
      /* version unknown */
    }
  }
  return out;
}

/** Which backends are installed here, for benchmarks and `thermo backends`. */
export function listBackends(): { name: BackendName; installed: boolean; hint: string }[] {
  return BACKEND_NAMES.map((name) => ({ name, installed: isBackendInstalled(name), hint: INSTALL_HINTS[name] }));
}
