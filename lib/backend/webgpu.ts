/**
 * The `webgpu` backend: tfjs's WebGPU backend over Dawn's Node bindings (the npm package
 * `webgpu`, which ships its binary). It needs a Vulkan or OpenGL(ES) driver, not CUDA: on NVIDIA
 * machines the driver's Vulkan ICD (libnvidia-gl / nvidia_icd.json, with `libvulkan1`; in
 * containers the `graphics` driver capability). Adapters are tried in order: Vulkan (core
 * features), then OpenGL ES through EGL (`backend=opengles`, `featureLevel: 'compatibility'`,
 * `EGL_PLATFORM=surfaceless`), which is what Debian 12's stock Mesa offers (llvmpipe, a
 * software rasterizer). A software adapter is refused when a real GPU is required.
 */
import { BackendUnavailableError } from '../core/errors.js';

/** What was found: the adapter's identity and whether it renders in software. */
export interface WebgpuAdapter {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** Dawn's backend: vulkan or opengles. */
  api: 'vulkan' | 'opengles';
  featureLevel: 'core' | 'compatibility';
  software: boolean;
}

/** How to make a real GPU available to the webgpu backend. */
export const WEBGPU_HINT =
  'It needs `npm install @tensorflow/tfjs-backend-webgpu@4.22.0 webgpu@0.6.2` and a Vulkan or OpenGL ES driver: ' +
  "on NVIDIA machines the driver's Vulkan ICD (libnvidia-gl, nvidia_icd.json) with Debian's libvulkan1, and in containers " +
  'NVIDIA_DRIVER_CAPABILITIES including `graphics`; without a GPU, Mesa (llvmpipe over EGL, or lavapipe) gives a software adapter.';

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|software/i;

type Gpu = { requestAdapter(o?: Record<string, unknown>): Promise<GpuAdapter | null>; wgslLanguageFeatures?: unknown };
type GpuAdapter = { info: { vendor: string; architecture: string; device: string; description: string } };

let installed: WebgpuAdapter | null = null;

/**
 * Finds an adapter, installs `navigator.gpu` (before the tfjs backend is imported: it reads it at
 * import) and imports @tensorflow/tfjs-backend-webgpu. With `requireGpu`, a software adapter is refused.
 */
export async function installWebgpu(requireGpu: boolean): Promise<WebgpuAdapter> {
  if (installed) {
    if (requireGpu && installed.software) {
      const name = installed.device || installed.description;
      throw new BackendUnavailableError('webgpu', `only a software adapter (${name}) is available. ${WEBGPU_HINT}`);
    }
    return installed;
  }
  const specifier = 'webgpu';
  let mod: { create(options: string[]): Gpu; globals: Record<string, unknown> };
  try {
    mod = (await import(specifier)) as typeof mod;
  } catch (err) {
    throw new BackendUnavailableError('webgpu', WEBGPU_HINT, err);
  }
  Object.assign(globalThis, mod.globals);
  process.env.EGL_PLATFORM ??= 'surfaceless';
  const attempts: { options: string[]; api: WebgpuAdapter['api']; featureLevel: WebgpuAdapter['featureLevel'] }[] = [
    { options: [], api: 'vulkan', featureLevel: 'core' },
    { options: ['backend=opengles'], api: 'opengles', featureLevel: 'compatibility' },
  ];
  type Found = { gpu: Gpu; adapter: WebgpuAdapter; featureLevel: string };
  let found: Found | null = null;
  let softwareFallback: Found | null = null;
  for (const a of attempts) {
    let gpu: Gpu;
    try {
      gpu = mod.create(a.options);
    } catch {
      continue;
    }
    const opts = a.featureLevel === 'compatibility' ? { featureLevel: 'compatibility' } : { powerPreference: 'high-performance' };
    const ad = await gpu.requestAdapter(opts).catch(() => null);
    if (!ad) continue;
    const i = ad.info;
    const adapter: WebgpuAdapter = {
      vendor: i.vendor,
      architecture: i.architecture,
      device: i.device,
      description: i.description,
      api: a.api,
      featureLevel: a.featureLevel,
      software: SOFTWARE.test(`${i.vendor} ${i.architecture} ${i.device} ${i.description}`),
    };
    const entry = { gpu, adapter, featureLevel: a.featureLevel };
    if (!adapter.software) {
      found = entry;
      break;
    }
    softwareFallback ??= entry;
  }
  found ??= softwareFallback;
  if (!found) throw new BackendUnavailableError('webgpu', `no WebGPU adapter was found (Vulkan or OpenGL ES). ${WEBGPU_HINT}`);
  if (requireGpu && found.adapter.software) {
    const name = found.adapter.device || found.adapter.description;
    throw new BackendUnavailableError('webgpu', `only a software adapter (${name}) is available. ${WEBGPU_HINT}`);
  }
  const { gpu, featureLevel } = found;
  const wrapped = {
    requestAdapter: (o?: Record<string, unknown>) =>
      gpu.requestAdapter({ ...(o ?? {}), ...(featureLevel === 'compatibility' ? { featureLevel } : {}) }),
    getPreferredCanvasFormat: () => 'rgba8unorm',
    wgslLanguageFeatures: gpu.wgslLanguageFeatures,
  };
  const g = globalThis as unknown as { navigator?: Record<string, unknown> };
  if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: wrapped, configurable: true, writable: true });
  else g.navigator = { gpu: wrapped };
  try {
    await import('@tensorflow/tfjs-backend-webgpu');
  } catch (err) {
    throw new BackendUnavailableError('webgpu', WEBGPU_HINT, err);
  }
  installed = found.adapter;
  return installed;
}
