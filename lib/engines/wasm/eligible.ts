/**
 * Which sets of configs the fused two-layer WASM engine ('wasm-fused') can train together, and
 * why not when it cannot.
 */
import { sharedFieldMismatch, type RunConfig } from '../../core/config.js';
import { INPUT_CODES, MAX_BYTES, planLayout } from './layout.js';

/** The verdict of {@link wasmFusedEligible}. */
export type WasmEligibility = { eligible: true } | { eligible: false; reason: string };

/** Fields every member must share (the architecture and its data). */
export const SHARED_FIELDS = ['model', 'inputDim', 'hidden', 'classes', 'bias', 'loss', 'input', 'trainSize'] as const;

/** Room assumed for the module's static data below the layout. */
const STATIC_BYTES = 1 << 16;

/**
 * Whether the wasm-fused engine can train these configs as one ensemble: model 'two-layer' on
 * synthetic input ('gaussian' or 'uniform', online or a fixed set), loss 'bce'/'mse' with one
 * output or 'softmax-ce' with C ≥ 2, every member sharing the fields of {@link SHARED_FIELDS}
 * (η, seed, |B|, steps, init, outputInitScale and divergenceThreshold are per member;
 * gradientNoise must be 'none'), and the whole state
 * fitting in a 4 GiB memory on `threads` threads (default 2).
 */
export function wasmFusedEligible(configs: readonly RunConfig[], threads = 2): WasmEligibility {
  const no = (reason: string): WasmEligibility => ({ eligible: false, reason });
  if (configs.length === 0) return no('no configs');
  const first = configs[0];
  const differ = sharedFieldMismatch(configs, SHARED_FIELDS);
  if (differ) {
    const { member, field } = differ;
    return no(`members differ in ${field} (member ${member}: ${String(configs[member][field])}, member 0: ${String(first[field])})`);
  }
  if (first.model !== 'two-layer') return no(`model '${first.model}' (only 'two-layer')`);
  if (INPUT_CODES[first.input] === undefined) return no(`input '${first.input}' (only synthetic 'gaussian' or 'uniform')`);
  if (first.classes === 1 ? first.loss === 'softmax-ce' : first.loss !== 'softmax-ce') {
    return no(`loss '${first.loss}' with classes = ${first.classes} ('bce' or 'mse' with 1 class, 'softmax-ce' with 2 or more)`);
  }
  for (const key of ['inputDim', 'hidden', 'classes'] as const) {
    if (!Number.isInteger(first[key]) || first[key] < 1) return no(`${key} = ${first[key]} (a positive integer)`);
  }
  if (!Number.isInteger(first.trainSize) || first.trainSize < 0 || first.trainSize >= 2 ** 32) return no(`trainSize = ${first.trainSize}`);
  for (let m = 0; m < configs.length; m++) {
    const c = configs[m];
    if (!Number.isInteger(c.batchSize) || c.batchSize < 1) return no(`member ${m}: batchSize = ${c.batchSize} (a positive integer)`);
    if (c.trainSize > 0 && c.trainSize < c.batchSize) return no(`member ${m}: trainSize ${c.trainSize} < batchSize ${c.batchSize}`);
    if (!Number.isInteger(c.seed) || c.seed < 0 || c.seed >= 2 ** 32) return no(`member ${m}: seed = ${c.seed} (a u32)`);
    if (!(c.eta > 0) || !Number.isFinite(c.eta)) return no(`member ${m}: eta = ${c.eta} (a positive number)`);
    if (c.gradientNoise !== 'none') return no(`member ${m}: gradientNoise '${c.gradientNoise}' (only 'none')`);
  }
  const maxBatch = Math.max(...configs.map((c) => c.batchSize));
  const { end } = planLayout(STATIC_BYTES, first.inputDim, first.hidden, first.classes, configs.length, maxBatch, Math.max(1, threads));
  if (end > MAX_BYTES) return no(`the ensemble needs ${(end / 2 ** 30).toFixed(1)} GiB of WASM memory (at most 4 GiB)`);
  return { eligible: true };
}
