/**
 * The divergence rule, written once: a run has diverged when its training-loss accumulator is
 * non-finite, or a parameter's norm is non-finite or above the config's `divergenceThreshold`.
 * The loop applies it at every record; engines apply it every `checkEvery` steps (the fused kernels
 * carry a line-by-line translation of it).
 */

/** Why a member diverged, from Σp² of each parameter and its loss accumulator (null: not checked), or null. */
export function divergenceReason(sumSquares: Record<string, number>, lossSum: number | null, threshold: number): string | null {
  if (lossSum !== null && !Number.isFinite(lossSum)) return `non-finite training loss (${lossSum})`;
  for (const [name, sq] of Object.entries(sumSquares)) {
    const norm = Math.sqrt(sq);
    if (!Number.isFinite(norm)) return `non-finite parameter ${name}`;
    if (norm > threshold) return `‖${name}‖ = ${norm.toExponential(3)} exceeds divergenceThreshold ${threshold}`;
  }
  return null;
}
