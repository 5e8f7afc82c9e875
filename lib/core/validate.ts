/**
 * Small runtime checkers for options objects at public entry points: unknown keys are
 * rejected, numbers are range-checked, names are checked against string-literal unions.
 * Each failure throws a {@link ConfigError} naming the option path, the value and what is allowed.
 */
import { ConfigError } from './errors.js';

/** Throws unless `value` is a plain object whose keys are all in `allowed`. */
export function checkKeys(value: unknown, allowed: readonly string[], where: string): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(where, value, 'an object');
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new ConfigError(`${where}.${key}`, (value as Record<string, unknown>)[key], `no such option; known options: ${allowed.join(', ')}`);
    }
  }
}

/** Range constraints for {@link checkNumber}. */
export interface NumberRule {
  /** Must be an integer. */
  integer?: boolean;
  /** Exclusive lower bound. */
  gt?: number;
  /** Inclusive lower bound. */
  ge?: number;
  /** Inclusive upper bound. */
  le?: number;
  /** Exclusive upper bound. */
  lt?: number;
}

/** Throws unless `value` is a finite number satisfying `rule`. Returns it typed. */
export function checkNumber(value: unknown, rule: NumberRule, where: string): number {
  const parts: string[] = [];
  if (rule.integer) parts.push('an integer');
  else parts.push('a finite number');
  if (rule.gt !== undefined) parts.push(`> ${rule.gt}`);
  if (rule.ge !== undefined) parts.push(`>= ${rule.ge}`);
  if (rule.lt !== undefined) parts.push(`< ${rule.lt}`);
  if (rule.le !== undefined) parts.push(`<= ${rule.le}`);
  const allowed = parts.join(' ');
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ConfigError(where, value, allowed);
  if (rule.integer && !Number.isInteger(value)) throw new ConfigError(where, value, allowed);
  if (rule.gt !== undefined && !(value > rule.gt)) throw new ConfigError(where, value, allowed);
  if (rule.ge !== undefined && !(value >= rule.ge)) throw new ConfigError(where, value, allowed);
  if (rule.lt !== undefined && !(value < rule.lt)) throw new ConfigError(where, value, allowed);
  if (rule.le !== undefined && !(value <= rule.le)) throw new ConfigError(where, value, allowed);
  return value;
}

/** Throws unless `value` is one of `allowed`. Returns it typed as the union. */
export function checkEnum<T extends string>(value: unknown, allowed: readonly T[], where: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(where, value, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
  return value as T;
}

/** Throws unless `value` is a boolean. */
export function checkBoolean(value: unknown, where: string): boolean {
  if (typeof value !== 'boolean') throw new ConfigError(where, value, 'true or false');
  return value;
}

/** Throws unless `value` is a non-empty array; each element is checked by `each`. */
export function checkArray<T>(value: unknown, where: string, each: (v: unknown, where: string) => T): T[] {
  if (!Array.isArray(value) || value.length === 0) throw new ConfigError(where, value, 'a non-empty array');
  return value.map((v, i) => each(v, `${where}[${i}]`));
}

/** Throws unless `value` is undefined or an AbortSignal. */
export function checkSignal(value: unknown, where: string): void {
  if (value !== undefined && !(value instanceof AbortSignal)) throw new ConfigError(where, value, 'an AbortSignal (e.g. AbortSignal.timeout(ms))');
}
