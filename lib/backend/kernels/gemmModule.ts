/**
 * Which build of the GEMM module to run: wasm/build/gemm-relaxed.wasm (the same source built with
 * relaxed SIMD: fused multiply-adds, about 1.7× the plain build's speed on x86-64 with FMA) when
 * this runtime accepts it, else wasm/build/gemm.wasm. Node 20's V8 has relaxed SIMD behind a flag,
 * which is turned on for it (v8.setFlagsFromString, before the module is compiled); Node ≥ 22 has
 * it by default. `THERMO_WASM_RELAXED=0` keeps the plain build. A fused multiply-add rounds once,
 * so results may differ from the plain build's in the last bits.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { packageRoot, wasmModule } from '../wasmModules.js';

/** The build in use and the compiled module. */
export interface GemmModule {
  name: 'gemm' | 'gemm-relaxed';
  module: WebAssembly.Module;
}

let chosen: GemmModule | null = null;

/** The relaxed build's bytes if this runtime can compile them (enabling V8's flag on Node 20), else null. */
function relaxedBytes(): Uint8Array<ArrayBuffer> | null {
  if (process.env.THERMO_WASM_RELAXED === '0') return null;
  const file = path.join(packageRoot(), 'wasm', 'build', 'gemm-relaxed.wasm');
  if (!fs.existsSync(file)) return null;
  const bytes = new Uint8Array(fs.readFileSync(file)) as Uint8Array<ArrayBuffer>;
  if (WebAssembly.validate(bytes)) return bytes;
  if (Number(process.versions.node.split('.')[0]) !== 20) return null;
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(bytes) ? bytes : null;
}

/** The GEMM module for this process (chosen once). */
export function gemmModule(): GemmModule {
  if (chosen) return chosen;
  const relaxed = relaxedBytes();
  chosen = relaxed ? { name: 'gemm-relaxed', module: new WebAssembly.Module(relaxed) } : { name: 'gemm', module: wasmModule('gemm') };
  return chosen;
}

/** Chooses the build again (tests: after changing THERMO_WASM_RELAXED). */
export function resetGemmModule(): void {
  chosen = null;
}
