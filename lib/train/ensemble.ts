/**
 * Ensemble-vectorized training: members of a sweep that share an architecture (two-layer
 * models) train as one batched program with a leading member axis. Each member keeps its own
 * η, seed (init, data, probe set) and |B|: batches are padded to the largest |B| and padded
 * samples get weight 0, so each member's gradient is exactly its own batch mean. Each member
 * follows its own probe schedule, step budget and divergence checks, and its records equal
 * those of the member trained alone (to floating-point tolerance: batched matmuls sum in
 * another order). Checkpoints are per member, in the single-run format, so an interrupted
 * ensemble resumes run by run.
 */
import * as tf from '@tensorflow/tfjs';
import { CONFIG_KEYS, type RunConfig } from '../core/config.js';
import { normalCdf } from '../core/normal.js';
import { createTask, type Task } from '../data/tasks.js';
import { isImageInput } from '../core/config.js';
import { lossGradient, meanSquaredPredictionError, perSampleLoss } from '../models/losses.js';
import { TwoLayerModel } from '../models/twoLayer.js';
import { configSchedule, type Schedule } from '../probes/schedule.js';
import type { RunRecord, RunStatus } from '../records/types.js';
import { encodeFloat32, type Checkpoint } from './checkpoint.js';
import type { TrainResult } from './trainer.js';
import { readTensor } from '../backend/read.js';

/** Probes the ensemble path computes itself. */
const ENSEMBLE_PROBES = new Set(['activation-rate', 'activation-rate-exact', 'weight-norms', 'loss']);

/** Record fields in the order the single-run probes write them. */
const FIELD_ORDER = ['activationRate', 'activationRateExact', 'norm_W', 'norm_V', 'norm_b', 'probeLoss', 'probeSqErr'];

/** Fields that may differ between members of one ensemble. */
export const MEMBER_FIELDS: readonly (keyof RunConfig)[] = ['eta', 'seed', 'batchSize', 'steps'];

/** Whether a config can train in an ensemble (two-layer model, synthetic data, built-in probes but the gradient variance). */
export function ensembleEligible(cfg: RunConfig): boolean {
  return cfg.model === 'two-layer' && !isImageInput(cfg.input) && cfg.probes.every((p) => ENSEMBLE_PROBES.has(p));
}

/** Configs with the same key can share an ensemble: every field but η, seed, |B| and steps. */
export function ensembleKey(cfg: RunConfig): string {
  return JSON.stringify(CONFIG_KEYS.filter((k) => !MEMBER_FIELDS.includes(k)).map((k) => cfg[k]));
}

/** Options of {@link trainEnsemble}. */
export interface EnsembleOptions {
  onRecord?: (member: number, record: RunRecord) => void;
  onCheckpoint?: (member: number, checkpoint: Checkpoint) => void;
  /** Called with network-steps done (summed over active members) since the last call. */
  onProgress?: (networkSteps: number) => void;
  progressEvery?: number;
  checkEvery?: number;
  checkpointEverySeconds?: number;
  signal?: AbortSignal;
}

/** Per-member state on the JS side. */
interface Member {
  cfg: RunConfig;
  task: Task;
  schedule: Schedule;
  active: boolean;
  forceRecord: boolean;
  lossCount: number;
  status: RunStatus;
  records: RunRecord[];
}

/** Trains the members (same {@link ensembleKey}) together; returns each member's records and status. */
export async function trainEnsemble(cfgs: RunConfig[], opts: EnsembleOptions = {}): Promise<TrainResult[]> {
  if (cfgs.length === 0) return [];
  const key = ensembleKey(cfgs[0]);
  for (const c of cfgs) {
    if (!ensembleEligible(c) || ensembleKey(c) !== key) throw new Error('trainEnsemble: members must be eligible two-layer configs differing only in η, seed, |B| and steps');
  }
  const K = cfgs.length;
  const base = cfgs[0];
  const M = base.inputDim;
  const N = base.hidden;
  const C = base.classes;
  const Bmax = Math.max(...cfgs.map((c) => c.batchSize));
  const n = base.probeSamples;
  const checkEvery = opts.checkEvery ?? 100;
  const progressEvery = opts.progressEvery ?? 250;
  const checkpointMs = (opts.checkpointEverySeconds ?? 30) * 1000;

  // Parameters: stack each member's own initialization (the single-run model's, exactly).
  const singles = cfgs.map((c) => new TwoLayerModel(c));
  const W = tf.tidy(() => tf.variable(tf.stack(singles.map((s) => s.W)) as tf.Tensor3D, false)); // [K, N, M]
  const b = base.bias ? tf.tidy(() => tf.variable(tf.reshape(tf.stack(singles.map((s) => s.b!)), [K, 1, N]), false)) : null; // [K, 1, N]
  const V = tf.tidy(() => tf.variable(tf.stack(singles.map((s) => s.V)) as tf.Tensor3D, false)); // [K, C, N]
  singles.forEach((s) => s.dispose());
  const lossSum = tf.tidy(() => tf.variable(tf.zeros([K]), false));

  const members: Member[] = cfgs.map((cfg) => ({
    cfg,
    task: createTask(cfg),
    schedule: configSchedule(cfg),
    active: true,
    forceRecord: false,
    lossCount: 0,
    status: { state: 'running', step: 0 },
    records: [],
  }));
  const probeX = tf.tidy(() => tf.stack(members.map((m) => tf.tensor2d(m.task.probeSet(n).x, [n, M]))) as tf.Tensor3D); // [K, n, M]
  const probeY = tf.tidy(() => tf.stack(members.map((m) => tf.tensor1d(m.task.probeSet(n).y))) as tf.Tensor2D); // [K, n]

  const pre = (x: tf.Tensor3D) => {
    const h = tf.matMul(x, W, false, true);
    return b ? tf.add(h, b) : h;
  };
  const logitsOf = (a: tf.Tensor) => (C === 1 ? tf.sum(tf.mul(a, V), 2, true) : tf.matMul(a, V, false, true)); // [K, B, C]

  /** Every built-in probe's value for every member (one batched pass). */
  const measureAll = async (): Promise<Record<string, Float32Array | Float64Array>> => {
    const out: Record<string, Float32Array | Float64Array> = {};
    const probes = base.probes;
    const t = tf.tidy(() => {
      const res: Record<string, tf.Tensor> = {};
      const h = pre(probeX);
      if (probes.includes('activation-rate')) res.activationRate = tf.mean(tf.step(h), [1, 2]);
      if (probes.includes('loss')) {
        const f = tf.reshape(logitsOf(tf.relu(h)), [K * n, C]) as tf.Tensor2D;
        const y = tf.reshape(probeY, [K * n]) as tf.Tensor1D;
        res.probeLoss = tf.mean(tf.reshape(perSampleLoss(base.loss, f, y), [K, n]), 1);
        const p = base.loss === 'mse' ? f : base.loss === 'softmax-ce' ? tf.softmax(f) : tf.sigmoid(f);
        const target = base.loss === 'softmax-ce' ? tf.oneHot(tf.cast(y, 'int32'), C).toFloat() : tf.reshape(y, [-1, 1]);
        res.probeSqErr = tf.mean(tf.reshape(tf.sum(tf.square(tf.sub(p, target)), 1), [K, n]), 1);
        void meanSquaredPredictionError;
      }
      if (probes.includes('weight-norms')) {
        res.norm_W = tf.sqrt(tf.sum(tf.square(W), [1, 2]));
        res.norm_V = tf.sqrt(tf.sum(tf.square(V), [1, 2]));
        if (b) res.norm_b = tf.sqrt(tf.sum(tf.square(b), [1, 2]));
      }
      return res;
    });
    for (const [k, v] of Object.entries(t)) {
      out[k] = (await readTensor(v)) as Float32Array;
      v.dispose();
    }
    if (probes.includes('activation-rate-exact')) {
      const w = await readTensor(W);
      const bias = b ? await readTensor(b) : null;
      const exact = new Float64Array(K);
      for (let m = 0; m < K; m++) {
        let sum = 0;
        for (let i = 0; i < N; i++) {
          let sq = 0;
          const off = (m * N + i) * M;
          for (let j = 0; j < M; j++) sq += w[off + j] * w[off + j];
          const bi = bias ? bias[m * N + i] : 0;
          const norm = Math.sqrt(sq);
          sum += norm > 0 ? normalCdf(bi / norm) : bi > 0 ? 1 : 0;
        }
        exact[m] = sum / N;
      }
      out.activationRateExact = exact;
    }
    return out;
  };

  /** Parameter norms per member (for divergence checks), and the loss sums. */
  const normsAndLoss = async (): Promise<{ norms: Float32Array[]; loss: Float32Array }> => {
    const [w, v, bb, l] = tf.tidy(() => [
      tf.sqrt(tf.sum(tf.square(W), [1, 2])),
      tf.sqrt(tf.sum(tf.square(V), [1, 2])),
      b ? tf.sqrt(tf.sum(tf.square(b), [1, 2])) : tf.zeros([K]),
      tf.clone(lossSum),
    ]);
    const out = { norms: [(await readTensor(w)) as Float32Array, (await readTensor(v)) as Float32Array, (await readTensor(bb)) as Float32Array], loss: (await readTensor(l)) as Float32Array };
    tf.dispose([w, v, bb, l]);
    return out;
  };
  const divergence = (m: number, norms: Float32Array[], loss: Float32Array | null): string | null => {
    if (loss && !Number.isFinite(loss[m])) return `non-finite training loss (${loss[m]})`;
    const names = ['W', 'V', 'b'];
    for (let i = 0; i < norms.length; i++) {
      if (i === 2 && !b) continue;
      const norm = norms[i][m];
      if (!Number.isFinite(norm)) return `non-finite parameter ${names[i]}`;
      if (norm > members[m].cfg.divergenceThreshold) return `‖${names[i]}‖ = ${norm.toExponential(3)} exceeds divergenceThreshold ${members[m].cfg.divergenceThreshold}`;
    }
    return null;
  };

  const memberCheckpoint = async (m: number, step: number, recorded: boolean, lossValue: number, seconds: number): Promise<Checkpoint> => {
    const params: Checkpoint['params'] = {};
    const read = async (t: tf.Tensor) => {
      const data = (await readTensor(t)) as Float32Array;
      t.dispose();
      return encodeFloat32(data);
    };
    params.W = { shape: [N, M], data: await read(tf.gather(W, m)) };
    params.V = { shape: [C, N], data: await read(tf.gather(V, m)) };
    if (b) params.b = { shape: [N], data: await read(tf.tidy(() => tf.reshape(tf.gather(b, m), [N]))) };
    return { version: 1, step, recorded, params, data: members[m].task.getState(), lossSum: lossValue, lossCount: members[m].lossCount, wallSeconds: seconds };
  };

  const maxSteps = Math.max(...cfgs.map((c) => c.steps));
  const started = performance.now();
  let lastCheckpoint = performance.now();
  let sinceProgress = 0;
  const xs = new Float32Array(K * Bmax * M);
  const ys = new Float32Array(K * Bmax);
  const wts = new Float32Array(K * Bmax);
  const etas = new Float32Array(K);
  // per-sample weights (1/|B| for a member's samples, 0 for padding and inactive members) and η
  // (0 for inactive members) change only when a member stops: kept on the device until then
  let weights: tf.Tensor3D | null = null;
  let etaT: tf.Tensor3D | null = null;
  let activeKey = '';
  try {
    for (let step = 0; step <= maxSteps; step++) {
      // 1. records of the members due at this step
      const due = members.map((mb) => mb.active && (step === mb.cfg.steps || mb.forceRecord || mb.schedule.isDue(step)));
      const recordedNow = due.slice();
      if (due.some(Boolean)) {
        const values = await measureAll();
        const needLoss = members.some((mb, m) => due[m] && mb.lossCount > 0);
        const lossVals = needLoss ? (await readTensor(lossSum)).slice() : null;
        const { norms } = await normsAndLoss();
        const reset = new Float32Array(K).fill(1);
        members.forEach((mb, m) => {
          if (!due[m]) return;
          const record: RunRecord = { step };
          for (const k of FIELD_ORDER) if (values[k]) record[k] = values[k][m];
          if (mb.lossCount > 0 && lossVals) {
            record.trainLoss = lossVals[m] / mb.lossCount;
            reset[m] = 0;
            mb.lossCount = 0;
          }
          mb.records.push(record);
          opts.onRecord?.(m, record);
          const nonFinite = Object.entries(record).find(([, v]) => !Number.isFinite(v));
          const reason = nonFinite ? `non-finite ${nonFinite[0]}` : divergence(m, norms, null);
          if (reason) {
            mb.status = { state: 'diverged', step, reason };
            mb.active = false;
          } else if (step === mb.cfg.steps) {
            mb.status = { state: 'finished', step };
            mb.active = false;
          }
        });
        if (reset.some((r) => r === 0)) tf.tidy(() => lossSum.assign(tf.mul(lossSum, tf.tensor1d(reset))));
      }
      if (opts.onCheckpoint && performance.now() - lastCheckpoint >= checkpointMs && step < maxSteps) {
        const lv = await readTensor(lossSum);
        const seconds = (performance.now() - started) / 1000;
        for (const [m, mb] of members.entries()) if (mb.active) opts.onCheckpoint(m, await memberCheckpoint(m, step, recordedNow[m], lv[m], seconds));
        lastCheckpoint = performance.now();
      }
      const active = members.filter((mb) => mb.active).length;
      if (active === 0) break;
      if (opts.signal?.aborted) {
        const lv = await readTensor(lossSum);
        const seconds = (performance.now() - started) / 1000;
        for (const [m, mb] of members.entries()) {
          if (!mb.active) continue;
          if (opts.onCheckpoint) opts.onCheckpoint(m, await memberCheckpoint(m, step, recordedNow[m], lv[m], seconds));
          mb.status = { state: 'running', step };
        }
        break;
      }
      // 2. one SGD step for every active member (inactive ones get η = 0 and no data)
      const key = members.map((mb) => (mb.active ? '1' : '0')).join('');
      if (key !== activeKey) {
        activeKey = key;
        wts.fill(0);
        members.forEach((mb, m) => {
          etas[m] = mb.active ? mb.cfg.eta : 0;
          if (mb.active) wts.fill(1 / mb.cfg.batchSize, m * Bmax, m * Bmax + mb.cfg.batchSize);
        });
        tf.dispose([weights, etaT].filter((t): t is tf.Tensor3D => t !== null));
        weights = tf.tensor3d(wts, [K, Bmax, 1]);
        etaT = tf.tensor3d(etas, [K, 1, 1]);
      }
      members.forEach((mb, m) => {
        mb.forceRecord = false;
        if (!mb.active) {
          xs.fill(0, m * Bmax * M, (m + 1) * Bmax * M);
          return;
        }
        const batch = mb.task.nextBatch(mb.cfg.batchSize);
        xs.set(batch.x, m * Bmax * M);
        ys.set(batch.y, m * Bmax);
      });
      const w = weights as unknown as tf.Tensor3D;
      const eta = etaT as unknown as tf.Tensor3D;
      tf.tidy(() => {
        const x = tf.tensor3d(xs, [K, Bmax, M]);
        const y = tf.tensor1d(ys);
        const h = pre(x); // [K, B, N]
        const a = tf.relu(h);
        const f = logitsOf(a); // [K, B, C]
        let D: tf.Tensor; // dL/df of each member's batch mean, [K, B, C]
        let loss: tf.Tensor; // each member's batch-mean loss, [K]
        if (C === 1) {
          // the same losses as models/losses.ts, written on [K, B, 1] to save reshapes
          const t = tf.reshape(y, [K, Bmax, 1]);
          const diff = base.loss === 'mse' ? tf.sub(f, t) : null;
          D = tf.mul(diff ? tf.mul(diff, 2) : tf.sub(tf.sigmoid(f), t), w);
          loss = tf.sum(tf.mul(diff ? tf.square(diff) : tf.sub(tf.softplus(f), tf.mul(f, t)), w), [1, 2]);
        } else {
          const f2 = tf.reshape(f, [K * Bmax, C]) as tf.Tensor2D;
          D = tf.mul(tf.reshape(lossGradient(base.loss, f2, y), [K, Bmax, C]), w);
          loss = tf.sum(tf.mul(tf.reshape(perSampleLoss(base.loss, f2, y), [K, Bmax]), tf.reshape(w, [K, Bmax])), 1);
        }
        // η is folded into the small output gradients before the outer products; products with inner
        // dimension 1 are broadcasts (tfjs-backend-wasm matMul defect, see models/matmul.ts)
        const De = tf.mul(D, eta); // η·dL/df, [K, B, C]
        const dhe = tf.mul(C === 1 ? tf.mul(De, V) : tf.matMul(De, V), tf.step(h)); // η·dL/dh, [K, B, N]
        const stepV = Bmax === 1 ? tf.mul(tf.reshape(De, [K, C, 1]), a) : tf.matMul(De, a, true, false); // [K, C, N]
        const stepW = Bmax === 1 ? tf.mul(tf.reshape(dhe, [K, N, 1]), x) : tf.matMul(dhe, x, true, false); // [K, N, M]
        W.assign(tf.sub(W, stepW));
        V.assign(tf.sub(V, stepV));
        if (b) b.assign(tf.sub(b, tf.sum(dhe, 1, true)));
        lossSum.assign(tf.add(lossSum, loss)); // inactive members have weight 0: their loss adds 0
      });
      members.forEach((mb) => mb.active && mb.lossCount++);
      sinceProgress += active;
      const done = step + 1;
      if (done % checkEvery === 0) {
        const { norms, loss } = await normsAndLoss();
        members.forEach((mb, m) => {
          if (mb.active && divergence(m, norms, loss) !== null) mb.forceRecord = true;
        });
      }
      if (opts.onProgress && done % progressEvery === 0) {
        opts.onProgress(sinceProgress);
        sinceProgress = 0;
      }
    }
    if (opts.onProgress && sinceProgress > 0) opts.onProgress(sinceProgress);
  } finally {
    tf.dispose([W, V, lossSum, probeX, probeY, ...[weights, etaT].filter((t): t is tf.Tensor3D => t !== null)]);
    if (b) b.dispose();
  }
  const wallSeconds = (performance.now() - started) / 1000;
  return members.map((mb) => ({
    records: mb.records,
    status: { ...mb.status, wallSeconds, stepsPerSecond: mb.status.step / Math.max(wallSeconds, 1e-9) },
  }));
}
