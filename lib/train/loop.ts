/**
 * The one training loop. It owns the probe schedule, records, divergence verdicts, checkpoints
 * and cancellation, for any number of members, and drives an engine (engines/engine.ts) that does
 * the arithmetic: it advances all live members together up to the next step at which some member
 * has a record due (or must stop), in chunks short enough to handle signals within a fraction of a
 * second, and measures the due probes on a member axis.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../core/config.js';
import { memberData, type Samples } from '../data/source.js';
import type { BatchStats, Engine } from '../engines/engine.js';
import type { Architecture, MemberStats } from '../models/arch.js';
import { probesFor } from '../probes/builtin.js';
import { memberValue, type MemberModel, type Probe, type ProbeContext } from '../probes/probe.js';
import { configSchedule, nextDue, type Schedule } from '../probes/schedule.js';
import type { RunRecord, RunStatus } from '../records/types.js';
import { makeCheckpoint, type Checkpoint } from './checkpoint.js';
import { divergenceReason, recordReason } from '../engines/divergence.js';
import { selectMembers } from '../engines/selectMembers.js';
import { checkDevice } from '../backend/deviceErrors.js';

/** One member of the loop: its config, extra probes, resume point and where its results go. */
export interface LoopMember {
  cfg: RunConfig;
  /** Probes besides the config's built-in ones. */
  extraProbes?: readonly Probe[];
  /** Continue from this checkpoint (its parameters are loaded into the engine by the caller or the loop). */
  resumeFrom?: Checkpoint | null;
  /** Called with each record as soon as it is measured. */
  onRecord?: (record: RunRecord) => void;
  /** Called with a checkpoint after a record at most every `checkpointEverySeconds`, and when stopped. */
  onCheckpoint?: (checkpoint: Checkpoint) => void;
}

/** Options of {@link runLoop}. */
export interface LoopOptions {
  /** Stops every member early (status stays `running`); checkpoints are saved first. */
  signal?: AbortSignal;
  /** Default 30. 0: after every record. */
  checkpointEverySeconds?: number;
  /** Called with the network-steps done (summed over members) since the last call. */
  onProgress?: (networkSteps: number) => void;
  /** Longest stretch of training between looks at signals and progress, ms. Default 50. */
  sliceMs?: number;
  /** Probe-set floats measured at once (members are measured in chunks). Default 2²⁵. */
  measureFloats?: number;
}

/** What one member ended with. */
export interface TrainResult {
  records: RunRecord[];
  status: RunStatus;
}

interface MemberState {
  cfg: RunConfig;
  probes: Probe[];
  schedule: Schedule;
  active: boolean;
  lastRecord: number;
  skipAt: number;
  records: RunRecord[];
  status: RunStatus;
  spec: LoopMember;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Thrown inside a record that the abort signal cut short. */
class Stopped extends Error {}

/** Whether probe p of member s is due at step. */
function probeDue(s: MemberState, p: Probe, step: number): boolean {
  return step === s.cfg.steps || (p.schedule ?? s.schedule).isDue(step);
}

/** Probe sets of the members, by seed (members sharing a seed share a probe set). */
class ProbeSets {
  private readonly sets = new Map<number, Promise<Samples>>();
  private readonly train = new Map<number, Promise<Samples | null>>();
  get(cfg: RunConfig): Promise<Samples> {
    let s = this.sets.get(cfg.seed);
    if (!s) this.sets.set(cfg.seed, (s = memberData(cfg).then((d) => d.probeSet(cfg.probeSamples))));
    return s;
  }
  /** The first min(size, probeSamples) samples of the member's training set (null for online SGD on synthetic data). */
  trainSample(cfg: RunConfig): Promise<Samples | null> {
    let s = this.train.get(cfg.seed);
    if (!s) this.train.set(cfg.seed, (s = memberData(cfg).then((d) => d.trainSample(cfg.probeSamples))));
    return s;
  }
}

/** Stacks the members' samples (all of one size) into [K', n, M] inputs and [K', n] labels. */
function stackSamples(sets: Samples[], M: number): { x: tf.Tensor3D; y: tf.Tensor2D } {
  const n = sets[0].size;
  const xs = new Float32Array(sets.length * n * M);
  const ys = new Float32Array(sets.length * n);
  sets.forEach((s, i) => {
    xs.set(s.x, i * n * M);
    ys.set(s.y, i * n);
  });
  return { x: tf.tensor3d(xs, [sets.length, n, M]), y: tf.tensor2d(ys, [sets.length, n]) };
}

/** The member-axis model of some members' parameters. */
function memberModel(arch: Architecture, params: Record<string, tf.Tensor>): MemberModel {
  return {
    arch,
    params,
    forward: (x) => arch.forward(params, x),
    perSampleGradientStats: (x, y) => arch.perSampleGradientStats(params, x, y),
  };
}

/**
 * Trains the members on `engine` from their common start step (0, or their checkpoints' step) to
 * their step budgets; returns each member's records and status. The engine's members are the
 * loop's, in order.
 */
export async function runLoop(engine: Engine, arch: Architecture, members: readonly LoopMember[], opts: LoopOptions = {}): Promise<TrainResult[]> {
  const starts = new Set(members.map((m) => m.resumeFrom?.step ?? 0));
  if (starts.size !== 1) throw new Error(`runLoop: members must start at one step, got ${[...starts].join(', ')}`);
  let step = [...starts][0];
  const states: MemberState[] = members.map((m) => ({
    cfg: m.cfg,
    probes: [...probesFor(m.cfg), ...(m.extraProbes ?? [])],
    schedule: configSchedule(m.cfg),
    active: true,
    lastRecord: m.resumeFrom?.lastRecord ?? 0,
    skipAt: m.resumeFrom?.recorded ? m.resumeFrom.step : -1,
    records: [],
    status: { state: 'running', step },
    spec: m,
  }));
  const probeSets = new ProbeSets();
  const checkpointMs = (opts.checkpointEverySeconds ?? 30) * 1000;
  const sliceMs = opts.sliceMs ?? 50;
  const priorSeconds = members.map((m) => m.resumeFrom?.wallSeconds ?? 0);
  const started = performance.now();
  let lastCheckpoint = performance.now();
  let lastYield = performance.now();
  let chunk = 1;

  /**
   * Yields to the event loop when sliceMs has passed since the last time; inside a record that may be cut
   * short, throws {@link Stopped} once the signal has fired.
   */
  const pause = async (): Promise<void> => {
    if (performance.now() - lastYield >= sliceMs) {
      await yieldToEventLoop();
      lastYield = performance.now();
    }
    if (opts.signal?.aborted) throw new Stopped();
  };

  /** Probe sets on the backend, uploaded once per group of members measured together (up to a memory cap). */
  const probeCache = new Map<string, { probeX: tf.Tensor3D; probeY: tf.Tensor2D }>();
  let cachedFloats = 0;
  const probeTensors = async (part: number[], stoppable: boolean): Promise<{ probeX: tf.Tensor3D; probeY: tf.Tensor2D; cached: boolean }> => {
    const key = part.join(',');
    const hit = probeCache.get(key);
    if (hit) return { ...hit, cached: true };
    // drawn member by member, looking at signals between them (thousands of members' sets take a while)
    const sets: Samples[] = [];
    for (const m of part) {
      sets.push(await probeSets.get(states[m].cfg));
      if (stoppable) await pause();
    }
    const M = states[part[0]].cfg.inputDim;
    const { x, y } = stackSamples(sets, M);
    const t = { probeX: x, probeY: y };
    const cache = cachedFloats + x.size <= (opts.measureFloats ?? 2 ** 25) * 2;
    if (cache) {
      probeCache.set(key, t);
      cachedFloats += x.size;
    }
    return { ...t, cached: cache };
  };

  /** Whether any member has a probe that reads the training batch's statistics (and the engine gives them). */
  const batchProbes = Boolean(engine.advanceWithBatchStats) && states.some((s) => s.probes.some((p) => p.batchStats));

  /** The statistics of the last step of the latest advance, kept for the records at the step it led to. */
  let lastBatch: (BatchStats & { step: number }) | null = null;
  const dropBatch = () => {
    if (lastBatch) for (const st of Object.values(lastBatch.stats)) tf.dispose([st.sumSq, st.mean]);
    lastBatch = null;
  };

  /** Measures the due probes of `ids` at `step` and records them; returns the records. */
  const measure = async (at: number, ids: number[], due: Probe[][], stoppable: boolean): Promise<RunRecord[]> => {
    const out: RunRecord[] = ids.map(() => ({ step: at }));
    const per = states[ids[0]].cfg.probeSamples * states[ids[0]].cfg.inputDim;
    const size = Math.max(1, Math.floor((opts.measureFloats ?? 2 ** 25) / Math.max(1, per * 4)));
    for (let c = 0; c < ids.length; c += size) {
      const part = ids.slice(c, c + size);
      if (stoppable) await pause();
      const { probeX, probeY, cached } = await probeTensors(part, stoppable);
      const given = await engine.paramTensors(part);
      // an engine that cannot select gives every member: take the part here
      const selected = Object.values(given)[0].shape[0] === part.length;
      const params = selected ? given : Object.fromEntries(Object.entries(given).map(([k, v]) => [k, selectMembers(v, part)]));
      let forward: ReturnType<MemberModel['forward']> | null = null;
      let train: Promise<{ x: tf.Tensor3D; y: tf.Tensor2D } | null> | null = null;
      const trainSample = async () => {
        const sets = await Promise.all(part.map((m) => probeSets.trainSample(states[m].cfg)));
        if (sets.some((s) => s === null) || new Set(sets.map((s) => s!.size)).size !== 1) return null;
        return stackSamples(sets as Samples[], states[part[0]].cfg.inputDim);
      };
      const model = memberModel(arch, params);
      const batch = lastBatch?.step === at ? lastBatch : null;
      let batchPart: ReturnType<ProbeContext['batchStats']> = null;
      const ctx: ProbeContext = {
        step: at,
        size: part.length,
        configs: part.map((m) => states[m].cfg),
        config: states[part[0]].cfg,
        model,
        probeX,
        probeY,
        forwardOnProbeSet: () => (forward ??= model.forward(probeX)),
        trainingSample: () => (train ??= trainSample()),
        batchStats: () => {
          if (!batch || batchPart) return batchPart;
          const stats: Record<string, MemberStats> = {};
          for (const [name, st] of Object.entries(batch.stats)) stats[name] = { sumSq: selectMembers(st.sumSq, part) as tf.Tensor1D, mean: selectMembers(st.mean, part) };
          return (batchPart = { stats, n: part.map((m) => batch.n[m]) });
        },
      };
      try {
        // members measured together share their due probes (the union, by name: copies of one probe with
        // other schedules are the same computation); each keeps the fields of the probes due for it
        const byName = new Map<string, Probe>();
        for (const m of part) for (const p of due[ids.indexOf(m)]) if (!byName.has(p.name)) byName.set(p.name, p);
        for (const [name, probe] of byName) {
          if (stoppable) await pause();
          const values = await probe.compute(ctx);
          part.forEach((m, i) => {
            if (!due[ids.indexOf(m)].some((p) => p.name === name)) return;
            const rec = out[c + i];
            for (const [field, v] of Object.entries(values)) rec[field] = memberValue(v, i);
          });
        }
      } finally {
        const fw = forward as ReturnType<MemberModel['forward']> | null;
        if (fw) tf.dispose([...fw.preActivations, fw.logits]);
        const tr = train ? await (train as Promise<{ x: tf.Tensor3D; y: tf.Tensor2D } | null>).catch(() => null) : null;
        if (tr) tf.dispose([tr.x, tr.y]);
        const bp = batchPart as ReturnType<ProbeContext['batchStats']>;
        if (bp) for (const st of Object.values(bp.stats)) tf.dispose([st.sumSq, st.mean]);
        tf.dispose([...(cached ? [] : [probeX, probeY]), ...(selected ? [] : Object.values(params))]);
      }
    }
    return out;
  };

  /**
   * Records `ids` at `at` (their due probes), with the training loss since their last record. A scheduled
   * record (not `forced`) stops part-way when the signal fires (a large group's probe sets and probes take
   * seconds): it then records nothing and returns false, and the checkpoint says the record is still due;
   * unless it reads the training batch's statistics of the step just taken, which a resume could not give.
   */
  const record = async (at: number, ids: number[], forced: boolean): Promise<boolean> => {
    if (ids.length === 0) return true;
    const due = ids.map((m) => (forced ? states[m].probes : states[m].probes.filter((p) => probeDue(states[m], p, at))));
    // a record that reads the statistics of the step that led to it is not cut: a resume could not give them
    const needsBatch = lastBatch?.step === at && due.some((ps) => ps.some((p) => p.batchStats));
    let recs: RunRecord[];
    try {
      recs = await measure(at, ids, due, !forced && !needsBatch);
    } catch (err) {
      if (err instanceof Stopped) return false;
      throw err;
    }
    const losses = await engine.lossSums();
    const squares = await engine.sumSquares();
    await checkDevice();
    ids.forEach((m, i) => {
      const s = states[m];
      const rec = recs[i];
      if (at > s.lastRecord) rec.trainLoss = losses[m] / (at - s.lastRecord);
      s.lastRecord = at;
      s.records.push(rec);
      s.spec.onRecord?.(rec);
      const reason = recordReason(rec) ?? divergenceReason(squares[m], null, s.cfg.divergenceThreshold);
      if (reason || forced) {
        s.status = { state: 'diverged', step: at, reason: reason ?? divergenceReason(squares[m], losses[m], s.cfg.divergenceThreshold) ?? "flagged by the engine's divergence check" };
        s.active = false;
      } else if (at === s.cfg.steps) {
        s.status = { state: 'finished', step: at };
        s.active = false;
      }
    });
    await engine.resetLoss(ids);
    return true;
  };

  /** Members the engine froze: a forced record at their freeze step (their parameters are as they were then). */
  const collectFrozen = async (): Promise<void> => {
    for (const f of await engine.takeFrozen()) {
      if (states[f.member].active) await record(f.step, [f.member], true);
    }
  };

  const checkpointAll = async (recordedNow: Set<number>): Promise<void> => {
    const made: [LoopMember, Checkpoint][] = [];
    for (const [m, s] of states.entries()) {
      if (!s.active || !s.spec.onCheckpoint) continue;
      const state = await engine.save(m);
      const wallSeconds = priorSeconds[m] + (performance.now() - started) / 1000;
      made.push([s.spec, makeCheckpoint(state, engine.paramShapes, { step, recorded: recordedNow.has(m), lastRecord: s.lastRecord, wallSeconds })]);
    }
    await checkDevice();
    for (const [spec, checkpoint] of made) spec.onCheckpoint!(checkpoint);
  };

  try {
    for (;;) {
      const dueIds = states.flatMap((s, m) => (s.active && step !== s.skipAt && s.probes.some((p) => probeDue(s, p, step)) ? [m] : []));
      const recordedNow = new Set<number>();
      if (dueIds.length > 0) {
        await collectFrozen();
        const still = dueIds.filter((m) => states[m].active);
        if (await record(step, still, false)) still.forEach((m) => recordedNow.add(m));
      }
      states.forEach((s, m) => step === s.skipAt && recordedNow.add(m));
      if (!states.some((s) => s.active)) break;
      const aborted = opts.signal?.aborted ?? false;
      if (aborted || (dueIds.length > 0 && performance.now() - lastCheckpoint >= checkpointMs)) {
        await collectFrozen();
        await checkpointAll(recordedNow);
        lastCheckpoint = performance.now();
      }
      if (aborted) break;
      // advance every live member to the next step at which one of them has a record due or ends
      let target = Infinity;
      for (const s of states) {
        if (!s.active) continue;
        target = Math.min(target, s.cfg.steps, ...s.probes.map((p) => nextDue(p.schedule ?? s.schedule, step, s.cfg.steps)));
      }
      const k = Math.max(1, Math.min(target - step, chunk));
      const live = states.map((s) => s.active);
      const t0 = performance.now();
      // a probe due at step + k that reads the training batch's statistics: the last step of this chunk gives them
      const reach = step + k;
      const wantStats = batchProbes && states.some((s) => s.active && s.probes.some((p) => p.batchStats && probeDue(s, p, reach)));
      dropBatch();
      if (wantStats) {
        const bs = await engine.advanceWithBatchStats!(step, k, live);
        lastBatch = bs ? { step: reach, ...bs } : null;
      } else {
        await engine.advance(step, k, live);
      }
      const took = performance.now() - t0;
      step += k;
      states.forEach((s) => s.active && (s.status = { state: 'running', step }));
      opts.onProgress?.(k * live.filter(Boolean).length);
      // size the next chunk to about sliceMs of work
      chunk = took < sliceMs / 4 ? chunk * 2 : took > sliceMs ? Math.max(1, Math.floor(chunk / 2)) : chunk;
      if (performance.now() - lastYield >= sliceMs) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    }
    await collectFrozen();
  } finally {
    for (const t of probeCache.values()) tf.dispose([t.probeX, t.probeY]);
    dropBatch();
  }
  const seconds = (performance.now() - started) / 1000;
  return states.map((s, m) => {
    const wallSeconds = priorSeconds[m] + seconds;
    return { records: s.records, status: { ...s.status, wallSeconds, stepsPerSecond: wallSeconds > 0 ? s.status.step / wallSeconds : 0 } };
  });
}
