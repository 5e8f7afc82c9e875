/**
 * The configuration of one training run: a flat, JSON-serializable object, so that any
 * field can be swept and a run's directory can be derived from it.
 */
import { ConfigError } from './errors.js';
import { checkArray, checkBoolean, checkEnum, checkKeys, checkNumber } from './validate.js';
import { BACKEND_NAMES, type BackendName } from '../backend/backends.js';

/** Model families. */
export const MODEL_NAMES = ['two-layer'] as const;
/** A model family. */
export type ModelName = (typeof MODEL_NAMES)[number];

/** Named initializations. `pytorch-default` is nn.Linear's default, U(±1/√fan_in) for weights and biases. */
export const INIT_NAMES = ['pytorch-default', 'glorot-uniform', 'he-normal', 'lecun-normal'] as const;
/** An initialization name. */
export type InitName = (typeof INIT_NAMES)[number];

/** Losses: BCE with logits (labels 0/1) or squared error (f − y)². */
export const LOSS_NAMES = ['bce', 'mse'] as const;
/** A loss name. */
export type LossName = (typeof LOSS_NAMES)[number];

/** Input distributions: x ~ N(0, I_M) or U(0,1)^M. */
export const INPUT_NAMES = ['gaussian', 'uniform'] as const;
/** An input distribution name. */
export type InputName = (typeof INPUT_NAMES)[number];

/** Probe names the trainer knows (see `probes/`). */
export const PROBE_NAMES = ['activation-rate', 'activation-rate-exact', 'weight-norms', 'loss'] as const;
/** A probe name. */
export type ProbeName = (typeof PROBE_NAMES)[number];

/** Everything that determines one run. */
export interface RunConfig {
  /** Model family. */
  model: ModelName;
  /** Input dimension M. */
  inputDim: number;
  /** Hidden units N. */
  hidden: number;
  /** Whether the hidden layer has a bias b. */
  bias: boolean;
  /** Initialization scheme. */
  init: InitName;
  /** Loss. */
  loss: LossName;
  /** Input distribution. */
  input: InputName;
  /** Size n of a fixed training set, or 0 for online SGD (a fresh sample every step). */
  trainSize: number;
  /** Learning rate η. */
  eta: number;
  /** Batch size |B|. */
  batchSize: number;
  /** Number of SGD steps. */
  steps: number;
  /** Seed of the run (init, data and probe set streams derive from it). */
  seed: number;
  /** Record probes every k steps (0: never by this rule). */
  probeEvery: number;
  /** Also record at about this many log-spaced steps (0: none). */
  probeLogPoints: number;
  /** Also record at this many evenly spaced steps, round(steps·i/P) (0: none). */
  probeLinearPoints: number;
  /** Samples in the fixed probe set. */
  probeSamples: number;
  /** Probes to record. */
  probes: ProbeName[];
  /** Backend to train on. */
  backend: BackendName;
  /** A run whose parameter norm exceeds this (or is NaN/Inf) is marked diverged. */
  divergenceThreshold: number;
}

/** The defaults of every field. */
export const DEFAULT_CONFIG: Readonly<RunConfig> = Object.freeze({
  model: 'two-layer',
  inputDim: 100,
  hidden: 100,
  bias: true,
  init: 'pytorch-default',
  loss: 'bce',
  input: 'gaussian',
  trainSize: 0,
  eta: 0.05,
  batchSize: 1,
  steps: 1000,
  seed: 0,
  probeEvery: 0,
  probeLogPoints: 100,
  probeLinearPoints: 100,
  probeSamples: 1000,
  probes: ['activation-rate', 'activation-rate-exact', 'weight-norms', 'loss'],
  backend: 'cpu',
  divergenceThreshold: 1e6,
} as RunConfig);

/** Names of all config fields. */
export const CONFIG_KEYS = Object.keys(DEFAULT_CONFIG) as (keyof RunConfig)[];

/** Checks one field's value; throws a ConfigError naming `where` and what is allowed. */
export function checkField(key: string, value: unknown, where = `config.${key}`): unknown {
  switch (key as keyof RunConfig) {
    case 'model':
      return checkEnum(value, MODEL_NAMES, where);
    case 'inputDim':
    case 'hidden':
    case 'batchSize':
    case 'steps':
    case 'probeSamples':
      return checkNumber(value, { integer: true, ge: 1 }, where);
    case 'bias':
      return checkBoolean(value, where);
    case 'init':
      return checkEnum(value, INIT_NAMES, where);
    case 'loss':
      return checkEnum(value, LOSS_NAMES, where);
    case 'input':
      return checkEnum(value, INPUT_NAMES, where);
    case 'trainSize':
    case 'probeEvery':
    case 'probeLogPoints':
    case 'probeLinearPoints':
      return checkNumber(value, { integer: true, ge: 0 }, where);
    case 'eta':
      return checkNumber(value, { gt: 0 }, where);
    case 'seed':
      return checkNumber(value, { integer: true, ge: 0, le: 2 ** 32 - 1 }, where);
    case 'probes':
      return checkArray(value, where, (v, w) => checkEnum(v, PROBE_NAMES, w));
    case 'backend':
      return checkEnum(value, BACKEND_NAMES, where);
    case 'divergenceThreshold':
      return checkNumber(value, { gt: 0 }, where);
    default:
      throw new ConfigError(where, value, `no such option; known options: ${CONFIG_KEYS.join(', ')}`);
  }
}

/**
 * Fills defaults and checks every field of a partial config. Unknown keys, wrong types and
 * out-of-range values throw a {@link ConfigError}.
 */
export function makeConfig(partial: unknown, where = 'config'): RunConfig {
  checkKeys(partial ?? {}, CONFIG_KEYS, where);
  const merged: Record<string, unknown> = { ...DEFAULT_CONFIG, ...(partial as object) };
  for (const key of CONFIG_KEYS) merged[key] = checkField(key, merged[key], `${where}.${key}`);
  const cfg = merged as unknown as RunConfig;
  if (cfg.trainSize > 0 && cfg.trainSize < cfg.batchSize) {
    throw new ConfigError(`${where}.trainSize`, cfg.trainSize, `0 (online) or >= batchSize (${cfg.batchSize})`);
  }
  if (cfg.probes.includes('activation-rate-exact') && cfg.input !== 'gaussian') {
    throw new ConfigError(`${where}.probes`, cfg.probes, "'activation-rate-exact' only with input 'gaussian' (it uses Φ(b/‖w‖))");
  }
  return { ...cfg, probes: [...cfg.probes] };
}
