/**
 * Plain SGD on the batch-mean loss, with probes recorded on a schedule. Each step is wrapped
 * in tf.tidy; a run that hits NaN/Inf (or a parameter norm above `divergenceThreshold`)
 * stops, is marked diverged and keeps its records.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../core/config.js';
import { createTask } from '../data/tasks.js';
import type { ForwardPass, Model } from '../models/model.js';
import { createModel } from '../models/create.js';
import { probesFor } from '../probes/builtin.js';
import type { Probe, ProbeContext } from '../probes/probe.js';
import { configSchedule } from '../probes/schedule.js';
import type { RunRecord, RunStatus } from '../records/types.js';
import { loadParams, saveParams, type Checkpoint } from './checkpoint.js';
import { divergenceReason } from './divergence.js';
import { readTensor } from '../backend/read.js';

/** Options of {@link train}. */
export interface TrainOptions {
  /** Probes in addition to those the config names. */
  extraProbes?: Probe[];
  /** Called with each record as soon as it is measured (e.g. a RunWriter's append). */
  onRecord?: (record: RunRecord) => void;
  /** Called every `progressEvery` steps with the number of steps done since the last call. */
  onProgress?: (stepsDone: number) => void;
  /** Default 250. */
  progressEvery?: number;
  /** Steps between divergence checks outside probe steps. Default 100. */
  checkEvery?: number;
  /** Stops the run early (status stays `running`); a checkpoint is saved first. */
  signal?: AbortSignal;
  /** Resume from this checkpoint instead of step 0. */
  resumeFrom?: Checkpoint | null;
  /** Called with a checkpoint after a record at most every `checkpointEverySeconds`, and when aborted. */
  onCheckpoint?: (checkpoint: Checkpoint) => void;
  /** Default 30. 0: after every record. */
  checkpointEverySeconds?: number;
}

/** What {@link train} returns. */
export interface TrainResult {
  records: RunRecord[];
  status: RunStatus;
}

/** One SGD step on a batch: p ← p − η·∂L/∂p for every parameter; adds the batch loss to `lossSum`. */
export function sgdStep(model: Model, x: tf.Tensor2D, y: tf.Tensor1D, eta: number, lossSum: tf.Variable | null): void {
  tf.tidy(() => {
    const { loss, grads } = model.lossAndGradients(x, y);
    for (const [name, p] of Object.entries(model.params)) p.assign(tf.sub(p, tf.mul(grads[name], eta)));
    if (lossSum) lossSum.assign(tf.add(lossSum, loss));
  });
}

/** Trains one run from its config on the current backend. */
export async function train(cfg: RunConfig, opts: TrainOptions = {}): Promise<TrainResult> {
  const model = createModel(cfg);
  const task = createTask(cfg);
  const probeSet = task.probeSet(cfg.probeSamples);
  const probeX = tf.tensor2d(probeSet.x, [probeSet.size, cfg.inputDim]);
  const probeY = tf.tensor1d(probeSet.y);
  const lossSum = tf.tidy(() => tf.variable(tf.scalar(0), false));
  const probes = [...probesFor(cfg), ...(opts.extraProbes ?? [])];
  const schedule = configSchedule(cfg);
  const checkEvery = opts.checkEvery ?? 100;
  const progressEvery = opts.progressEvery ?? 250;
  const checkpointMs = (opts.checkpointEverySeconds ?? 30) * 1000;
  const records: RunRecord[] = [];
  let lossCount = 0;
  let startStep = 0;
  let skipRecordAt = -1;
  const resume = opts.resumeFrom;
  if (resume) {
    loadParams(model, resume.params);
    task.setState(resume.data);
    tf.tidy(() => lossSum.assign(tf.scalar(resume.lossSum)));
    lossCount = resume.lossCount;
    startStep = resume.step;
    if (resume.recorded) skipRecordAt = resume.step;
  }
  let status: RunStatus = { state: 'running', step: startStep };
  const priorSeconds = resume?.wallSeconds ?? 0;
  const started = performance.now();
  let lastCheckpoint = performance.now();
  let lastProgress = startStep;
  let forceRecord = false;
  const checkpoint = async (step: number, recorded: boolean): Promise<Checkpoint> => ({
    version: 1,
    step,
    recorded,
    params: await saveParams(model),
    data: task.getState(),
    lossSum: (await readTensor(lossSum))[0],
    lossCount,
    wallSeconds: priorSeconds + (performance.now() - started) / 1000,
  });

  try {
    for (let step = startStep; ; step++) {
      const last = step === cfg.steps;
      const due = step === skipRecordAt ? [] : probes.filter((p) => last || forceRecord || (p.schedule ?? schedule).isDue(step));
      if (due.length > 0) {
        const record = await measure(step, cfg, model, probeX, probeY, due);
        if (lossCount > 0) {
          record.trainLoss = (await readTensor(lossSum))[0] / lossCount;
          tf.tidy(() => lossSum.assign(tf.zerosLike(lossSum)));
          lossCount = 0;
        }
        records.push(record);
        opts.onRecord?.(record);
        const nonFinite = Object.entries(record).find(([, v]) => !Number.isFinite(v));
        const reason = nonFinite ? `non-finite ${nonFinite[0]}` : await divergenceReason(model, null, cfg.divergenceThreshold);
        if (reason) {
          status = { state: 'diverged', step, reason };
          break;
        }
        if (!last && opts.onCheckpoint && performance.now() - lastCheckpoint >= checkpointMs) {
          opts.onCheckpoint(await checkpoint(step, true));
          lastCheckpoint = performance.now();
        }
      }
      if (last) {
        status = { state: 'finished', step };
        break;
      }
      if (opts.signal?.aborted) {
        if (opts.onCheckpoint) opts.onCheckpoint(await checkpoint(step, due.length > 0 || step === skipRecordAt));
        status = { state: 'running', step };
        break;
      }
      forceRecord = false;
      const batch = task.nextBatch(cfg.batchSize);
      tf.tidy(() => {
        const x = tf.tensor2d(batch.x, [batch.size, cfg.inputDim]);
        const y = tf.tensor1d(batch.y);
        sgdStep(model, x, y, cfg.eta, lossSum);
      });
      lossCount++;
      const done = step + 1;
      if (done % checkEvery === 0 && (await divergenceReason(model, lossSum, cfg.divergenceThreshold)) !== null) forceRecord = true;
      if (opts.onProgress && done - lastProgress >= progressEvery) {
        opts.onProgress(done - lastProgress);
        lastProgress = done;
      }
    }
    if (opts.onProgress && status.step > lastProgress) opts.onProgress(status.step - lastProgress);
  } finally {
    model.dispose();
    probeX.dispose();
    probeY.dispose();
    lossSum.dispose();
  }
  const wallSeconds = priorSeconds + (performance.now() - started) / 1000;
  status = { ...status, wallSeconds, stepsPerSecond: status.step / Math.max(wallSeconds, 1e-9) };
  return { records, status };
}

/** Runs the due probes at `step`, sharing one lazily computed forward pass on the probe set. */
async function measure(step: number, cfg: RunConfig, model: Model, probeX: tf.Tensor2D, probeY: tf.Tensor1D, due: Probe[]): Promise<RunRecord> {
  let forward: ForwardPass | null = null;
  const ctx: ProbeContext = {
    step,
    config: cfg,
    model,
    probeX,
    probeY,
    forwardOnProbeSet: () => (forward ??= model.forward(probeX)),
  };
  const record: RunRecord = { step };
  try {
    for (const probe of due) Object.assign(record, await probe.compute(ctx));
  } finally {
    const fw = forward as ForwardPass | null;
    if (fw) tf.dispose([...fw.preActivations, fw.logits]);
  }
  return record;
}
