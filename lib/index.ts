/**
 * sgd-thermophoresis: measure how SGD noise regularizes neural networks.
 * The public API: configs, backends, models, data, trainer, probes, records, sweeps,
 * analysis and reports.
 */
export * from './core/errors.js';
export * from './core/config.js';
export { Rng, type RngState } from './core/rng.js';
export { normalCdf } from './core/normal.js';
export * from './backend/backends.js';
export { readTensor } from './backend/read.js';
export type { Model, ForwardPass } from './models/model.js';
export { TwoLayerModel, type TwoLayerOptions } from './models/twoLayer.js';
export { SequentialNet } from './models/sequential.js';
export { createModel } from './models/create.js';
export { initDense } from './models/init.js';
export { perSampleLoss, lossGradient, meanSquaredPredictionError } from './models/losses.js';
export type { PerSampleStats } from './models/model.js';
export { SyntheticTask, makeSample, type Batch, type SyntheticOptions } from './data/synthetic.js';
export { prepareData, createTask, DatasetTask, dataDirFor, type Task, type TaskState } from './data/tasks.js';
export type { Dataset, Split } from './data/dataset.js';
export { DataFormatError, ChecksumError, DataMissingError } from './data/errors.js';
export { loadFashionMnistIdx, loadFashionMnistNpm, downloadFashionMnist, FASHION_MNIST_FILES, FASHION_MNIST_URL } from './data/fashionMnist.js';
export { loadCifar10, loadCifar10Dir, parseCifarBatch, CIFAR10_ARCHIVE, CIFAR10_FILES } from './data/cifar10.js';
export { parseIdx, encodeIdx } from './data/idx.js';
export { fetchCached, sha256 } from './data/download.js';
export { train, sgdStep, type TrainOptions, type TrainResult } from './train/trainer.js';
export type { Probe, ProbeContext } from './probes/probe.js';
export { every, logSpaced, linearSpaced, union, configSchedule, type Schedule } from './probes/schedule.js';
export { activationRateProbe, exactActivationRateProbe, weightNormsProbe, lossProbe, gradVarianceProbe, probesFor } from './probes/builtin.js';
export * from './records/types.js';
export { runId, runDir, configHash } from './records/runDir.js';
export { RunLockedError } from './records/lock.js';
export type { Checkpoint } from './train/checkpoint.js';
export { RunWriter } from './records/writer.js';
export { readRun, readSweepRuns, parseRecords, recordsToCsv } from './records/reader.js';
export * from './sweep/sweep.js';
export { runConfig, runSweep, type RunOutcome, type RunnerOptions } from './sweep/runner.js';
export type { ExampleSpec, ExampleOptions } from './sweep/example.js';
export { groupCurves, meanCurve, interpolate, type Curve, type CurveGroup } from './analysis/curves.js';
export { timeFactor, rescaleCurve, referenceValue } from './analysis/rescale.js';
export { collapseScore } from './analysis/collapse.js';
export { scanExponent, fitExponent, type ExponentFit, type ScanResult } from './analysis/fit.js';
export { analyzeSweep, type SweepSummary, type SweepAnalysis, type QuantitySummary } from './analysis/summary.js';
export { renderReport } from './report/html.js';
export { writeSweepReport } from './report/write.js';
export { runExample, type RunExampleOptions, type ExampleResult } from './cli/runExample.js';
