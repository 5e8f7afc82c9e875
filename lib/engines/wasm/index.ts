/**
 * The fused CPU engine of the two-layer family ('wasm-fused'): whether an ensemble can use it, and
 * the engine itself (see twoLayerEngine.ts; kernel in wasm/assembly/twolayer.ts).
 */
export { wasmFusedEligible, SHARED_FIELDS, type WasmEligibility } from './eligible.js';
export { createWasmTwoLayerEngine, WasmTwoLayerEngine, type WasmEngineOptions } from './twoLayerEngine.js';
export { benchFusedTwoLayer, benchDataDraw, type FusedBenchOptions } from './bench.js';
