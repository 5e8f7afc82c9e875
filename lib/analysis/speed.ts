/** Training speed of a set of runs, in numbers and in words that never read "NaN steps/s". */
import type { RunStatus } from '../records/types.js';

/** Total wall time, steps/s (NaN when no wall time was recorded) and the speed in words. */
export function speedOf(statuses: RunStatus[]): { wallSeconds: number; stepsPerSecond: number; speed: string } {
  let wallSeconds = 0;
  let steps = 0;
  for (const s of statuses) {
    if (typeof s.wallSeconds === 'number' && Number.isFinite(s.wallSeconds) && s.wallSeconds > 0 && Number.isFinite(s.step)) {
      wallSeconds += s.wallSeconds;
      steps += s.step;
    }
  }
  const stepsPerSecond = wallSeconds > 0 ? steps / wallSeconds : NaN;
  return { wallSeconds, stepsPerSecond, speed: formatSpeed(wallSeconds, stepsPerSecond) };
}

/** "12.3 s of training at 4567 steps/s", or "speed not recorded" when either number is missing. */
export function formatSpeed(wallSeconds: number, stepsPerSecond: number): string {
  if (!(wallSeconds > 0) || !Number.isFinite(stepsPerSecond)) return 'speed not recorded';
  return `${wallSeconds.toFixed(1)} s of training at ${formatRate(stepsPerSecond)} steps/s`;
}

/**
 * A rate in words: whole numbers from 100, one decimal from 10, else two significant digits
 * (0.28, not 0); the cut-offs apply after rounding (99.97 reads 100).
 */
export function formatRate(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 99.5) return x.toFixed(0);
  if (a >= 9.95) return x.toFixed(1);
  return x === 0 ? '0' : String(Number(x.toPrecision(2)));
}
