/**
 * The data job: slots 0 … |B|−1 of step S.t of each member into A_0 (inputs) and the labels
 * region, from data/stream.ts's definitions (stream.wgsl.ts translates them):
 * - online synthetic: sample (t, b) of TRAIN_X / TRAIN_Y;
 * - fixed synthetic set: sample k = EpochOrder's index of (t, b) (the Feistel permutation of the
 *   member's epoch), drawn as sample (0, k) of SET_X / SET_Y;
 * - image dataset: training image k (same index rule), its pixels (4 per u32 word, in bindings of
 *   `imagesPerPart` images) normalized through the per-channel table in consts, its label from consts.
 * Each workgroup fills SPW slots with TPS invocations per slot.
 */
import type { Job } from './kernel.wgsl.js';
import type { DensePlan } from './plan.js';
import { feistelBits } from '../../data/stream.js';

const u = (x: number) => `${x}u`;
/** Loop iterations of one Philox4x32-10 draw (its rounds). */
const PHILOX_ROUNDS = 10;
/** Passes of the Feistel permutation's cycle walk counted per drawn index (it averages under 4: its domain 4^h is below 4n), each 1 + 4 rounds. */
export const FEISTEL_WALKS = 16;
const pow2ceil = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/** Invocations per slot and slots per workgroup for `units` work items per slot. */
export function dataLayout(plan: DensePlan): { units: number; TPS: number; SPW: number } {
  const units = plan.images ? plan.images.wordsPerImage : Math.ceil(plan.shape.inputDim / 4);
  const TPS = Math.min(plan.WG, pow2ceil(units));
  return { units, TPS, SPW: plan.WG / TPS };
}

/** Stores of the 4 values of vec4 `v` at inputs 4j … 4j+3 of row `row` (those below M). */
function store4(M: number): string {
  const set = (e: number) => `A[base + ${u(e)}] = v[${e}];`;
  const tail = [1, 2, 3].map((e) => (M % 4 === 0 ? set(e) : `if (4u * j + ${u(e)} < ${u(M)}) { ${set(e)} }`));
  return `let base = row + 4u * j;
        A[base] = v[0];
        ${tail.join('\n        ')}`;
}

/** The image word fetch: word j of training image k, from its part. */
function imageWord(plan: DensePlan): string {
  const im = plan.images!;
  const branches = Array.from({ length: im.parts }, (_, p) => {
    const body = `return img${p}[(k - ${u(p * im.imagesPerPart)}) * ${u(im.wordsPerImage)} + j];`;
    return p === im.parts - 1 ? body : `if (k < ${u((p + 1) * im.imagesPerPart)}) { ${body} }`;
  });
  return `fn img_word(k: u32, j: u32) -> u32 {
  ${branches.join('\n  ')}
}`;
}

/** The data job of `plan`. */
export function dataJob(plan: DensePlan): Job {
  const { units, TPS, SPW } = dataLayout(plan);
  const M = plan.shape.inputDim;
  const C = plan.shape.classes;
  const n = plan.shape.trainSize;
  const indexed = n > 0;
  const sampleIndex = indexed
    ? `
var<workgroup> wk: array<u32, ${SPW}>;

// EpochOrder.index(t, b, |B|): position p = t·|B| + b, epoch ⌊p/n⌋, permuted p mod n
fn sample_index(seed: u32, t: u32, B: u32, b: u32) -> u32 {
  let tb = mul64(t, B);
  let lo = tb.y + b;
  let hi = tb.x + select(0u, 1u, lo < tb.y);
  let qr = divmod64(vec2<u32>(hi, lo), ${u(n)});
  return permute_with_keys(qr.y, ${u(n)}, perm_keys(seed, STREAM_ORDER, qr.x), ${u(feistelBits(n))});
}`
    : '';
  let fill: string;
  let label: string;
  if (plan.images) {
    const ch = plan.images.channels;
    const px = [0, 1, 2, 3].map((e) => {
      const set = `A[row + i${e}] = bitcast<f32>(consts[${u(plan.constLut)} + (i${e} % ${u(ch)}) * 256u + ((w >> ${u(8 * e)}) & 255u)]);`;
      return `let i${e} = 4u * j + ${u(e)};
        ${M % 4 === 0 ? set : `if (i${e} < ${u(M)}) { ${set} }`}`;
    });
    fill = `let w = img_word(k, j);
        ${px.join('\n        ')}`;
    label = `f32(consts[${u(plan.constLabels)} + k])`;
  } else {
    const draw = plan.shape.input === 'gaussian' ? 'gaussian4' : 'uniform4';
    const block = indexed ? 'stream_block(seed, STREAM_SET_X, 0u, k, j)' : 'stream_block(seed, STREAM_TRAIN_X, S.t, b, j)';
    fill = `let v = ${draw}(${block});
        ${store4(M)}`;
    label = indexed ? `f32(stream_label(seed, STREAM_SET_Y, 0u, k, ${u(C)}))` : `f32(stream_label(seed, STREAM_TRAIN_Y, S.t, b, ${u(C)}))`;
  }
  // per word of the slot a draw (synthetic), the label's draw, and the sample index: divmod64's 32 bits, the keys' draw, the walk
  const perWord = 1 + (plan.images ? 0 : PHILOX_ROUNDS);
  const iterations = Math.ceil(units / TPS) * perWord + (plan.images ? 0 : PHILOX_ROUNDS) + (indexed ? 32 + PHILOX_ROUNDS + 5 * FEISTEL_WALKS : 0);
  return {
    name: 'data',
    tiles: Math.ceil(plan.Bmax / SPW),
    loops: { iterations, what: `the data job (${units} words of a sample)`, field: 'inputDim', value: M },
    code: `${sampleIndex}
${plan.images ? imageWord(plan) : ''}
fn job_data(ml: u32, tile: u32, B: u32, lid: u32) {
  let b0 = tile * ${u(SPW)};
  if (b0 >= B) {
    return;
  }
  let seed = cfg_seed(S.base + ml);
  let sl = lid / ${u(TPS)};
  let lane = lid % ${u(TPS)};
  let b = b0 + sl;
  ${indexed ? `if (lane == 0u && b < B) { wk[sl] = sample_index(seed, S.t, B, b); }
  workgroupBarrier();` : ''}
  if (b < B) {
    ${indexed ? 'let k = wk[sl];' : ''}
    let row = ${u(plan.actOffset[0])} + (ml * BMAX + b) * ${u(M)};
    for (var j = lane; j < ${u(units)}; j += ${u(TPS)}) {
        ${fill}
    }
    if (lane == 0u) { D[${u(plan.labelOffset)} + ml * BMAX + b] = ${label}; }
  }
}`,
  };
}
