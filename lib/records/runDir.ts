/**
 * A run's directory is derived from its config (as in edge-of-stability style research
 * repos): a readable prefix of the swept fields plus a hash of everything that determines its
 * numbers — the whole config but where files live, the data streams' version and the identity of
 * its data (synthetic, or the checksums of the dataset files) — so the same experiment always
 * lands in the same place and different ones never collide. The backend and engine are
 * provenance, recorded beside the run, not part of its identity.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { isImageInput, type RunConfig } from '../core/config.js';
import { DATA_STREAM_VERSION } from '../data/stream.js';

/** JSON with object keys sorted, so equal configs serialize equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Config fields that never change a run's numbers (where files live): left out of its identity. */
export const IDENTITY_EXCLUDED: readonly (keyof RunConfig)[] = ['dataDir'];

/**
 * The fields of a config that determine its numbers: all but {@link IDENTITY_EXCLUDED} and the ones
 * its model, data and probes do not read (the source of a dataset is in the data id, which hashes
 * the decoded data), with the probes in a fixed order.
 */
export function identityOf(cfg: RunConfig): Record<string, unknown> {
  const id: Record<string, unknown> = { ...cfg, probes: [...cfg.probes].sort() };
  const drop = (...keys: (keyof RunConfig)[]) => keys.forEach((k) => delete id[k]);
  drop(...IDENTITY_EXCLUDED, 'dataSource');
  if (!isImageInput(cfg.input)) drop('normalize');
  if (cfg.model !== 'fc') drop('depth');
  if (cfg.model !== 'cnn') drop('convLayers', 'channels', 'kernel');
  if (cfg.model === 'cnn') drop('hidden');
  if (!cfg.probes.includes('grad-variance')) drop('gradVarSamples', 'gradVarLogPoints');
  // gradVarUnbiased scales both variance probes
  if (!cfg.probes.includes('grad-variance') && !cfg.probes.includes('batch-grad-variance')) drop('gradVarUnbiased');
  if (cfg.gradientNoise === 'none') drop('noiseBatchSize');
  return id;
}

/** First 10 hex digits of the sha256 of the run's identity ({@link identityOf}, the streams' version, the data id). */
export function configHash(cfg: RunConfig, dataId = 'synthetic'): string {
  const identity = identityOf(cfg);
  return createHash('sha256')
    .update(canonicalJson({ config: identity, dataStream: DATA_STREAM_VERSION, data: dataId }))
    .digest('hex')
    .slice(0, 10);
}

/** The sha256 (hex) of a config as written to config.json (canonical JSON), so that a later edit of the file shows. */
export function configChecksum(cfg: RunConfig): string {
  return createHash('sha256').update(canonicalJson(cfg)).digest('hex');
}

/** The run's directory name, e.g. `two-layer_eta0.05_B1_seed0_3f2a9c01de`. */
export function runId(cfg: RunConfig, dataId = 'synthetic'): string {
  return `${cfg.model}_eta${cfg.eta}_B${cfg.batchSize}_seed${cfg.seed}_${configHash(cfg, dataId)}`;
}

/** The run's directory under a sweep directory. */
export function runDir(sweepDir: string, cfg: RunConfig, dataId = 'synthetic'): string {
  return path.join(sweepDir, 'runs', runId(cfg, dataId));
}
