/**
 * A run's directory is derived from its config (as in edge-of-stability style research
 * repos): a readable prefix of the swept fields plus a hash of the whole config, so the
 * same config always lands in the same place and different configs never collide.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { RunConfig } from '../core/config.js';

/** JSON with object keys sorted, so equal configs serialize equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Config fields that do not change a run's numbers (where files live): left out of its identity. */
export const IDENTITY_EXCLUDED: readonly (keyof RunConfig)[] = ['dataDir'];

/** First 10 hex digits of the sha256 of the canonical config (without {@link IDENTITY_EXCLUDED} fields). */
export function configHash(cfg: RunConfig): string {
  const identity: Record<string, unknown> = { ...cfg };
  for (const k of IDENTITY_EXCLUDED) delete identity[k];
  return createHash('sha256').update(canonicalJson(identity)).digest('hex').slice(0, 10);
}

/** The run's directory name, e.g. `two-layer_eta0.05_B1_seed0_3f2a9c01de`. */
export function runId(cfg: RunConfig): string {
  return `${cfg.model}_eta${cfg.eta}_B${cfg.batchSize}_seed${cfg.seed}_${configHash(cfg)}`;
}

/** The run's directory under a sweep directory. */
export function runDir(sweepDir: string, cfg: RunConfig): string {
  return path.join(sweepDir, 'runs', runId(cfg));
}
