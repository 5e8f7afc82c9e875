/**
 * sgd-thermophoresis: measure how SGD noise regularizes neural networks.
 * The public API: configs, backends, data streams, models, engines, the training loop, probes,
 * records, sweeps, analysis and reports.
 */
export * from './core/errors.js';
export * from './core/config.js';
export { Rng, type RngState } from './core/rng.js';
export { philox4x32 } from './core/philox.js';
export { normalCdf } from './core/normal.js';
export * from './backend/backends.js';
export { readTensor } from './backend/read.js';
export type { Model, ForwardPass, PerSampleStats } from './models/model.js';
export type { Architecture, BatchedForward, MemberStats, Params } from './models/arch.js';
export { createArchitecture } from './models/create.js';
export { ArchModel, TwoLayerModel, SequentialNet, createModel, type TwoLayerOptions, type Layer } from './models/single.js';
export { initDense, initMember } from './models/init.js';
export { perSampleLoss, lossGradient, squaredPredictionError, meanSquaredPredictionError } from './models/losses.js';
export { DATA_STREAM_VERSION, STREAM, StreamDraw, EpochOrder, permute } from './data/stream.js';
export { memberData, type MemberData, type Samples } from './data/source.js';
export { loadDataset, dataProvenance, dataDirFor, clearLoadedData, type DataProvenance, type LoadedDataset } from './data/load.js';
export type { Dataset, Split } from './data/dataset.js';
export { DataFormatError, ChecksumError, DataMissingError } from './data/errors.js';
export { loadFashionMnistIdx, loadFashionMnistNpm, downloadFashionMnist, FASHION_MNIST_FILES, FASHION_MNIST_URL } from './data/fashionMnist.js';
export { loadCifar10, loadCifar10Dir, parseCifarBatch, CIFAR10_ARCHIVE, CIFAR10_FILES } from './data/cifar10.js';
export { parseIdx, encodeIdx } from './data/idx.js';
export { fetchCached, sha256 } from './data/download.js';
export { ENGINE_NAMES, type Engine, type EngineName, type EngineOptions, type MemberState, type FrozenMember } from './engines/engine.js';
export { createEngine, pickEngine, registerFusedEngine, type EngineChoice, type FusedEngineFactory } from './engines/create.js';
export { TfjsEngine } from './engines/tfjs.js';
export { checkEngineMemory, estimateGroupBytes } from './engines/memory.js';
export { train, trainMembers, type TrainOptions, type MembersOptions, type TrainResult } from './train/trainer.js';
export { runLoop, type LoopMember, type LoopOptions } from './train/loop.js';
export { divergenceReason, recordReason, divergedOnDevice } from './engines/divergence.js';
export type { Checkpoint } from './train/checkpoint.js';
export type { Probe, ProbeContext, ProbeValues, MemberModel } from './probes/probe.js';
export { every, logSpaced, linearSpaced, atSteps, union, configSchedule, nextDue, type Schedule } from './probes/schedule.js';
export { activationRateProbe, exactActivationRateProbe, weightNormsProbe, lossProbe, gradVarianceProbe, probesFor } from './probes/builtin.js';
export { soretProbe, soretUnit } from './probes/soret.js';
export * from './records/types.js';
export { runId, runDir, configHash, configChecksum } from './records/runDir.js';
export { RunLockedError } from './records/lock.js';
export { RunWriter } from './records/writer.js';
export { readManifest, writeManifest, type SweepManifest } from './records/manifest.js';
export {
  readRun, readSweep, readSweepRuns, readStoredConfig, readStatus, parseRecords, recordsToCsv, editedConfig, type ReadRun, type SweepRuns,
} from './records/reader.js';
export * from './sweep/sweep.js';
export { runConfig, runMembers, planGroups, claimRun, type RunOutcome, type RunnerOptions } from './sweep/runner.js';
export { planSweep, runSweep, runExample, exampleSweeps, type RunExampleOptions, type ExampleResult, type Shard, type PlannedSweep, type SweepRunOptions } from './run/run.js';
export { findSweeps } from './run/find.js';
export type { ExampleSpec, ExampleOptions, ExampleSummary, SweepResult } from './run/example.js';
export { groupCurves, meanCurve, interpolate, type Curve, type CurveGroup } from './analysis/curves.js';
export { timeFactor, rescaleCurve, referenceValue } from './analysis/rescale.js';
export { collapseScore } from './analysis/collapse.js';
export { scanExponent, fitExponent, isBimodal, type ExponentFit, type ScanResult } from './analysis/fit.js';
export { analyzeSweep, PREDICTION, PREDICTED_TO_FALL } from './analysis/summary.js';
export type {
  SweepSummary, SweepAnalysis, QuantitySummary, AnalyzeOptions, FitSummary, RegimeSummary, UnstableRun, IgnoredRun, LeftOutRun,
} from './analysis/summaryTypes.js';
export {
  regimeExit, regimeRule, runningTrainLoss, inRegimeRecords, describeRule, LOSS_EXIT_FACTOR, LOSS_WINDOW_STEPS, NORM_EXIT_FACTOR,
  NORM_EXIT_FIELDS, REGIME_RATIONALE, FIT_EXIT_FACTOR, LEARN_EXIT_DROP, LEARN_RATIONALE, type RegimeOptions, type RegimeExit,
  type RegimeRule,
} from './analysis/regime.js';
export { checkRegimeOptions, mergeRegimeOptions, REGIME_LIMITS } from './sweep/regimeOptions.js';
export { regimeWindow, MIN_WINDOW_POINTS, MIN_SHORT_WINDOW_POINTS, SHORT_COVERAGE, type RegimeWindow } from './analysis/window.js';
export { verdict, COLLAPSE_GOOD, COLLAPSE_POOR, MIN_SEEDS_TO_JUDGE, type Claim } from './analysis/verdict.js';
export { groupChange, direction, type GroupChange } from './analysis/change.js';
export { speedOf, formatSpeed } from './analysis/speed.js';
export { initStudyTable, initStudyRow, type InitStudyInput, type InitStudyRow, type InitStudyTable } from './analysis/initStudy.js';
export { analyzeControls, DRIFT_PREDICTION, type ControlRun, type Dynamics, type ControlsAnalysis } from './analysis/controls.js';
export { driftCells, changeOver } from './analysis/drift.js';
export { fitPowerLaw } from './analysis/powerLaw.js';
export { syntheticRun, syntheticEtaSweep } from './analysis/synthetic.js';
export { renderReport, PANEL_GUIDE } from './report/html.js';
export { renderPage, type PageSection, type PagePlot } from './report/page.js';
export { writeSweepReport } from './report/write.js';
export { writeSweepReportInWorker } from './report/writeInWorker.js';
export { writeFileAtomic, writeJsonAtomic } from './records/files.js';
