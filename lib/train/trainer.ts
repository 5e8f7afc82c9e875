/**
 * Training runs: one config, or several that share an architecture (an ensemble), through the one
 * loop (train/loop.ts) on an engine. Plain SGD on the batch-mean loss; a run that hits NaN/Inf or a
 * parameter norm above `divergenceThreshold` stops, is marked diverged and keeps its records.
 */
import { checkSameEnsemble, makeConfig, type RunConfig } from '../core/config.js';
import { checkEnum, checkKeys, checkNumber, checkSignal } from '../core/validate.js';
import { ENGINE_NAMES } from '../engines/engine.js';
import { createEngine, pickEngine, type EngineChoice } from '../engines/create.js';
import { checkEngineMemory } from '../engines/memory.js';
import type { Engine } from '../engines/engine.js';
import { createArchitecture } from '../models/create.js';
import type { Probe } from '../probes/probe.js';
import { ConfigError } from '../core/errors.js';
import type { RunRecord } from '../records/types.js';
import { checkpointState, type Checkpoint } from './checkpoint.js';
import { runLoop, type LoopOptions, type TrainResult } from './loop.js';

export type { TrainResult } from './loop.js';

/** Options of {@link train}. */
export interface TrainOptions extends LoopOptions {
  /** Probes in addition to those the config names. */
  extraProbes?: readonly Probe[];
  /** Called with each record as soon as it is measured (e.g. a RunWriter's append). */
  onRecord?: (record: RunRecord) => void;
  /** Resume from this checkpoint instead of step 0. */
  resumeFrom?: Checkpoint | null;
  /** Called with a checkpoint after a record at most every `checkpointEverySeconds`, and when stopped. */
  onCheckpoint?: (checkpoint: Checkpoint) => void;
  /** Engine: `auto` (default: the fused kernels where they cover the run), `tfjs`, `wasm-fused`, `webgpu-fused`, `webgpu-dense`. */
  engine?: EngineChoice;
  /** Divergence checks every this many steps (besides every record). Default 100. */
  checkEvery?: number;
}

/** Options of {@link trainMembers}: per-member callbacks and resume points. */
export interface MembersOptions extends LoopOptions {
  extraProbes?: readonly Probe[];
  onRecord?: (member: number, record: RunRecord) => void;
  onCheckpoint?: (member: number, checkpoint: Checkpoint) => void;
  /** Checkpoints to resume from, per member (all at one step). */
  resumeFrom?: readonly (Checkpoint | null)[];
  engine?: EngineChoice;
  checkEvery?: number;
  /** Called with the engine once it exists (its name is provenance). */
  onEngine?: (engine: Engine) => void;
}

const LOOP_KEYS = ['signal', 'checkpointEverySeconds', 'onProgress', 'sliceMs', 'measureFloats'] as const;
const MEMBERS_KEYS = [...LOOP_KEYS, 'extraProbes', 'onRecord', 'onCheckpoint', 'resumeFrom', 'engine', 'checkEvery', 'onEngine'] as const;
const TRAIN_KEYS = [...LOOP_KEYS, 'extraProbes', 'onRecord', 'onCheckpoint', 'resumeFrom', 'engine', 'checkEvery'] as const;

/** Checks the options shared by {@link train} and {@link trainMembers}. */
function checkTrainOptions(opts: Record<string, unknown>, keys: readonly string[], where: string): void {
  checkKeys(opts, keys, where);
  if (opts.engine !== undefined) checkEnum(opts.engine, [...ENGINE_NAMES, 'auto'], `${where}.engine`);
  if (opts.checkEvery !== undefined) checkNumber(opts.checkEvery, { integer: true, ge: 1, le: 2 ** 31 }, `${where}.checkEvery`);
  if (opts.checkpointEverySeconds !== undefined) checkNumber(opts.checkpointEverySeconds, { ge: 0, le: 1e9 }, `${where}.checkpointEverySeconds`);
  // longer slices would let a signal wait: at most a second between looks
  if (opts.sliceMs !== undefined) checkNumber(opts.sliceMs, { gt: 0, le: 1000 }, `${where}.sliceMs`);
  if (opts.measureFloats !== undefined) checkNumber(opts.measureFloats, { integer: true, ge: 1, le: 2 ** 31 }, `${where}.measureFloats`);
  checkSignal(opts.signal, `${where}.signal`);
  if (opts.extraProbes !== undefined && !Array.isArray(opts.extraProbes)) throw new ConfigError(`${where}.extraProbes`, opts.extraProbes, 'an array of probes');
}

/**
 * Trains several runs together on one engine (same architecture and data; each with its own η,
 * seed, |B| and steps); each gets the records and status it would get alone. The configs and
 * options are checked first (a ConfigError names what is wrong).
 */
export async function trainMembers(configs: readonly RunConfig[], opts: MembersOptions = {}): Promise<TrainResult[]> {
  checkTrainOptions({ ...opts }, MEMBERS_KEYS, 'options');
  const cfgs = configs.map((c, m) => makeConfig(c, `members[${m}]`));
  checkSameEnsemble(cfgs);
  if (cfgs.length === 0) return [];
  const choice = pickEngine(cfgs, opts.engine);
  checkEngineMemory(cfgs, choice);
  const engine = await createEngine(cfgs, choice, { checkEvery: opts.checkEvery });
  try {
    opts.onEngine?.(engine);
    const resume = opts.resumeFrom ?? [];
    for (const [m, cp] of resume.entries()) if (cp) await engine.load(m, checkpointState(cp, engine.paramShapes, `member ${m}`));
    return await runLoop(
      engine,
      createArchitecture(cfgs[0]),
      cfgs.map((cfg, m) => ({
        cfg,
        extraProbes: opts.extraProbes,
        resumeFrom: resume[m] ?? null,
        onRecord: opts.onRecord ? (r) => opts.onRecord!(m, r) : undefined,
        onCheckpoint: opts.onCheckpoint ? (c) => opts.onCheckpoint!(m, c) : undefined,
      })),
      opts,
    );
  } finally {
    engine.dispose();
  }
}

/** Trains one run from its config on the active backend (config and options checked first). */
export async function train(config: RunConfig, opts: TrainOptions = {}): Promise<TrainResult> {
  checkTrainOptions({ ...opts }, TRAIN_KEYS, 'options');
  const cfg = makeConfig(config);
  const [result] = await trainMembers([cfg], {
    ...opts,
    onRecord: opts.onRecord ? (_m, r) => opts.onRecord!(r) : undefined,
    onCheckpoint: opts.onCheckpoint ? (_m, c) => opts.onCheckpoint!(c) : undefined,
    resumeFrom: [opts.resumeFrom ?? null],
  });
  return result;
}
