/**
 * The shared-memory layout of the fused two-layer WASM engine (wasm/assembly/twolayer.ts reads
 * it): a header, one record per member, the sin/cos tables of Gaussian inputs, each member's
 * zero-padded parameters, and per thread a member list and a scratch area. The offsets mirror the module's exported HDR_* / REC_* globals
 * (layout.test.ts checks them).
 */
import type { InputName, LossName } from '../../core/config.js';

/** Header field offsets (bytes from the header). */
export const HDR = {
  M: 0,
  N: 4,
  C: 8,
  MP: 12,
  NP: 16,
  BIAS: 20,
  LOSS: 24,
  INPUT: 28,
  TRAIN_SIZE: 32,
  CHECK_EVERY: 36,
  RECORDS: 40,
  TABLES: 44,
  BYTES: 64,
} as const;

/** Member record field offsets (bytes from the record). */
export const REC = {
  SEED: 0,
  BATCH: 4,
  ETA: 8,
  THRESHOLD: 16,
  LOSS_SUM: 24,
  FROZEN: 32,
  FROZEN_STEP: 36,
  W: 40,
  B: 44,
  V: 48,
  BYTES: 64,
} as const;

/** The module's loss codes. */
export const LOSS_CODES: Readonly<Record<LossName, number>> = { bce: 0, mse: 1, 'softmax-ce': 2 };

/** The module's input codes (synthetic inputs only). */
export const INPUT_CODES: Readonly<Partial<Record<InputName, number>>> = { gaussian: 0, uniform: 1 };

/** Bytes of the sin/cos tables of Gaussian inputs (the module's TABLE_BYTES). */
export const TABLE_BYTES = 65536 + 64;

/** Largest address the module can use (its addresses are u32; the memory holds at most 4 GiB). */
export const MAX_BYTES = 2 ** 32 - 2 ** 16;

/** Where one member's parameters live (byte addresses). */
export interface ParamAddresses {
  W: number;
  b: number;
  V: number;
}

/** A planned layout. */
export interface Layout {
  /** M and N rounded up to 4 (the padded row lengths of W and V). */
  Mp: number;
  Np: number;
  /** Header address. */
  header: number;
  /** Address of member record 0. */
  records: number;
  /** Address of the sin/cos tables (shared by every thread). */
  tables: number;
  /** Each member's parameter addresses. */
  params: ParamAddresses[];
  /** Each thread's member list (room for every member, i32 each). */
  lists: number[];
  /** Each thread's scratch area. */
  scratch: number[];
  /** First byte past the layout. */
  end: number;
}

const align = (x: number, a = 64) => Math.ceil(x / a) * a;

/** Bytes of one thread's scratch area for batch size B (see twolayer.ts). */
export function scratchBytes(B: number, Mp: number, Np: number, C: number): number {
  return align(B * Mp * 4 + 2 * B * Np * 4 + B * C * 8 + Math.max(B * 8, Np * 4));
}

/** Plans the layout above `base` for K members of shape (M, N, C), largest batch size `maxBatch`, on `threads` threads. */
export function planLayout(base: number, M: number, N: number, C: number, K: number, maxBatch: number, threads: number): Layout {
  const Mp = align(M, 4);
  const Np = align(N, 4);
  const header = align(base);
  const records = header + HDR.BYTES;
  const tables = align(records + K * REC.BYTES);
  let at = align(tables + TABLE_BYTES);
  const params: ParamAddresses[] = [];
  for (let m = 0; m < K; m++) {
    const W = at;
    const b = align(W + Np * Mp * 4);
    const V = align(b + Np * 4);
    at = align(V + C * Np * 4);
    params.push({ W, b, V });
  }
  const lists: number[] = [];
  const scratch: number[] = [];
  for (let t = 0; t < threads; t++) {
    lists.push(at);
    at = align(at + K * 4);
  }
  for (let t = 0; t < threads; t++) {
    scratch.push(at);
    at += scratchBytes(maxBatch, Mp, Np, C);
  }
  return { Mp, Np, header, records, tables, params, lists, scratch, end: at };
}
