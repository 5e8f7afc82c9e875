/**
 * When probes run: every k steps, at log-spaced steps, at evenly spaced steps, or a union of
 * these. Step 0 (the initial state) and the last step are always in a run's schedule. A schedule
 * can say which step is due next, so that engines can advance many steps at once.
 */

/** A probe schedule: says whether a probe is due at a step, and when next. */
export interface Schedule {
  /** Whether the probe runs after `step` SGD updates. */
  isDue(step: number): boolean;
  /** The first due step after `step` (Infinity if none). Schedules without it are asked step by step. */
  next?(step: number): number;
  /** A short description for configs and reports. */
  readonly describe: string;
}

/** The first due step of `s` after `step`. */
export function nextDue(s: Schedule, step: number, limit = Infinity): number {
  if (s.next) return s.next(step);
  for (let t = step + 1; t <= limit; t++) if (s.isDue(t)) return t;
  return Infinity;
}

/** Steps 0, k, 2k, … (k ≥ 1). */
export function every(k: number): Schedule {
  return { isDue: (s) => s % k === 0, next: (s) => (Math.floor(s / k) + 1) * k, describe: `every ${k}` };
}

/** A schedule of a finite set of steps. */
export function atSteps(steps: Iterable<number>, describe: string): Schedule {
  const sorted = [...new Set(steps)].sort((a, b) => a - b);
  const set = new Set(sorted);
  return {
    isDue: (s) => set.has(s),
    next: (s) => {
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid] <= s) lo = mid + 1;
        else hi = mid;
      }
      return lo < sorted.length ? sorted[lo] : Infinity;
    },
    describe,
  };
}

/** About `points` steps spaced evenly in log(step) between 1 and `maxStep`, plus 0. */
export function logSpaced(points: number, maxStep: number): Schedule {
  const due = [0];
  if (points > 0 && maxStep >= 1) {
    const top = Math.log(maxStep);
    for (let i = 0; i < points; i++) due.push(Math.round(Math.exp((top * i) / Math.max(1, points - 1))));
  }
  return atSteps(due, `${points} log-spaced to ${maxStep}`);
}

/** Due when any of `parts` is due. */
export function union(...parts: Schedule[]): Schedule {
  return {
    isDue: (s) => parts.some((p) => p.isDue(s)),
    next: parts.every((p) => p.next) ? (s) => Math.min(...parts.map((p) => p.next!(s))) : undefined,
    describe: parts.map((p) => p.describe).join(' + '),
  };
}

/** `points` evenly spaced steps round(maxStep·i/points), i = 0..points. */
export function linearSpaced(points: number, maxStep: number): Schedule {
  const due: number[] = [];
  for (let i = 0; i <= points; i++) due.push(Math.round((maxStep * i) / Math.max(1, points)));
  return atSteps(due, `${points} evenly spaced to ${maxStep}`);
}

/** The schedule of a run's config: every `probeEvery` steps, log- and evenly spaced points, 0 and `steps`. */
export function configSchedule(cfg: { probeEvery: number; probeLogPoints: number; probeLinearPoints: number; steps: number }): Schedule {
  const parts: Schedule[] = [atSteps([0, cfg.steps], 'first and last')];
  if (cfg.probeEvery > 0) parts.push(every(cfg.probeEvery));
  if (cfg.probeLogPoints > 0) parts.push(logSpaced(cfg.probeLogPoints, cfg.steps));
  if (cfg.probeLinearPoints > 0) parts.push(linearSpaced(cfg.probeLinearPoints, cfg.steps));
  return union(...parts);
}
