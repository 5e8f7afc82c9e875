/**
 * A driver of engines/reference.ts that follows the engine contract (members, active flags, the
 * divergence rule every `checkEvery` steps, frozen members), and the distance of an engine's
 * members from it: the oracle of the webgpu-fused tests.
 */
import { makeConfig, type RunConfig } from '../core/config.js';
import { divergenceReason } from '../engines/divergence.js';
import type { Engine } from '../engines/engine.js';
import { referenceStep, type TwoLayerParams } from '../engines/reference.js';
import { defaultInitial } from '../engines/webgpu/twoLayerEngine.js';
import { relError } from './compare.js';

/** A two-layer config for tests (small sizes, no probes). */
export function testConfig(partial: Partial<RunConfig>): RunConfig {
  return makeConfig({ model: 'two-layer', inputDim: 6, hidden: 5, probes: ['loss'], probeLogPoints: 0, probeLinearPoints: 0, ...partial });
}

/** One member of the reference: parameters, loss accumulator and frozen step (0: not frozen). */
export interface RefMember {
  cfg: RunConfig;
  p: TwoLayerParams;
  loss: number;
  frozenAt: number;
}

/** Reference members initialized as the engine initializes them. */
export function refMembers(configs: readonly RunConfig[]): RefMember[] {
  return configs.map((cfg) => {
    const init = defaultInitial(cfg);
    return { cfg, p: { W: init.W, b: init.b ?? new Float32Array(0), V: init.V }, loss: 0, frozenAt: 0 };
  });
}

function sumSq(a: Float32Array): number {
  let s = 0;
  for (const x of a) s += x * x;
  return s;
}

/** Steps from … from + k − 1 of the active, unfrozen reference members, with the divergence rule every `checkEvery` steps. */
export function refAdvance(members: RefMember[], from: number, k: number, active: readonly boolean[], checkEvery: number): void {
  members.forEach((r, m) => {
    if (!active[m]) return;
    for (let t = from; t < from + k && r.frozenAt === 0; t++) {
      r.loss += referenceStep(r.cfg, r.p, t);
      if ((t + 1) % checkEvery === 0) {
        const sq: Record<string, number> = { W: sumSq(r.p.W), V: sumSq(r.p.V) };
        if (r.cfg.bias) sq.b = sumSq(r.p.b);
        if (divergenceReason(sq, r.loss, r.cfg.divergenceThreshold) !== null) r.frozenAt = t + 1;
      }
    }
  });
}

/** max |a − b| / max |b| (testing/compare.ts's relError, under the name the webgpu tests use). */
export const relErr = relError;

/** How far one engine member is from its reference member. */
export interface MemberDistance {
  /** max |Δp| / max |p| of each parameter. */
  W: number;
  b: number;
  V: number;
  /** |Δ loss sum| / max(1, |loss sum|). */
  loss: number;
  /** Whether save() agrees with lossSums() and has a `b` exactly when the config has a bias. */
  consistent: boolean;
}

/** The distance of every member of `engine` from its reference member. */
export async function distances(engine: Engine, refs: readonly RefMember[]): Promise<MemberDistance[]> {
  const losses = await engine.lossSums();
  const out: MemberDistance[] = [];
  for (let m = 0; m < refs.length; m++) {
    const s = await engine.save(m);
    const r = refs[m];
    out.push({
      W: relErr(s.params.W, r.p.W),
      b: r.cfg.bias ? relErr(s.params.b, r.p.b) : 0,
      V: relErr(s.params.V, r.p.V),
      loss: Math.abs(losses[m] - r.loss) / Math.max(1, Math.abs(r.loss)),
      consistent: s.lossSum === losses[m] && (s.params.b !== undefined) === r.cfg.bias,
    });
  }
  return out;
}

/** The largest distance over members and fields, and whether every member is consistent. */
export function worst(d: readonly MemberDistance[]): { err: number; consistent: boolean } {
  return { err: Math.max(...d.map((x) => Math.max(x.W, x.b, x.V, x.loss))), consistent: d.every((x) => x.consistent) };
}
