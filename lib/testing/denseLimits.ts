/**
 * A device for webgpu-dense plans in tests without a GPU: 2^27-byte storage bindings, 32 KiB of
 * workgroup memory, 1,024 invocations per workgroup, 8 storage buffers per stage.
 */
import { denseLimits, type DenseLimits } from '../engines/webgpuDense/plan.js';

/** The limits of that device, as denseLimits derives them. */
export const TEST_DENSE_LIMITS: DenseLimits = denseLimits({
  maxStorageBufferBindingSize: 2 ** 27,
  maxBufferSize: 2 ** 31,
  maxComputeWorkgroupStorageSize: 32768,
  maxComputeInvocationsPerWorkgroup: 1024,
  maxComputeWorkgroupSizeX: 1024,
  maxComputeWorkgroupsPerDimension: 65535,
  maxStorageBuffersPerShaderStage: 8,
  minUniformBufferOffsetAlignment: 256,
});
