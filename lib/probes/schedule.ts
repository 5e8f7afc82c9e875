/**
 * When probes run: every k steps, at log-spaced steps, or both. Step 0 (the initial state)
 * and the last step are always included.
 */

/** A probe schedule: says whether a probe is due at a step. */
export interface Schedule {
  /** Whether the probe runs after `step` SGD updates. */
  isDue(step: number): boolean;
  /** A short description for configs and reports. */
  readonly describe: string;
}

/** Steps 0, k, 2k, … (k ≥ 1). */
export function every(k: number): Schedule {
  return { isDue: (s) => s % k === 0, describe: `every ${k}` };
}

/** About `points` steps spaced evenly in log(step) between 1 and `maxStep`, plus 0. */
export function logSpaced(points: number, maxStep: number): Schedule {
  const due = new Set<number>([0]);
  if (points > 0 && maxStep >= 1) {
    const top = Math.log(maxStep);
    for (let i = 0; i < points; i++) due.add(Math.round(Math.exp((top * i) / Math.max(1, points - 1))));
  }
  return { isDue: (s) => due.has(s), describe: `${points} log-spaced to ${maxStep}` };
}

/** Due when any of `parts` is due. */
export function union(...parts: Schedule[]): Schedule {
  return { isDue: (s) => parts.some((p) => p.isDue(s)), describe: parts.map((p) => p.describe).join(' + ') };
}

/** `points` evenly spaced steps round(maxStep·i/points), i = 0..points. */
export function linearSpaced(points: number, maxStep: number): Schedule {
  const due = new Set<number>();
  for (let i = 0; i <= points; i++) due.add(Math.round((maxStep * i) / Math.max(1, points)));
  return { isDue: (s) => due.has(s), describe: `${points} evenly spaced to ${maxStep}` };
}

/** The schedule of a run's config: every `probeEvery` steps, log- and evenly spaced points, 0 and `steps`. */
export function configSchedule(cfg: { probeEvery: number; probeLogPoints: number; probeLinearPoints: number; steps: number }): Schedule {
  const parts: Schedule[] = [{ isDue: (s) => s === 0 || s === cfg.steps, describe: 'first and last' }];
  if (cfg.probeEvery > 0) parts.push(every(cfg.probeEvery));
  if (cfg.probeLogPoints > 0) parts.push(logSpaced(cfg.probeLogPoints, cfg.steps));
  if (cfg.probeLinearPoints > 0) parts.push(linearSpaced(cfg.probeLinearPoints, cfg.steps));
  return union(...parts);
}
