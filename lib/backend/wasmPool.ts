/**
 * A pool of worker threads that run exports of one WebAssembly module on one shared memory, so
 * that a WASM kernel can use every core. A call gives each thread its own arguments (its share of
 * the work) and blocks until all have returned: thread 0 is the calling thread itself, threads
 * 1 … n−1 are workers woken through Atomics (no message round trip). Blocking is what tfjs
 * kernels need (they are synchronous); the training loop calls engines in short chunks and yields
 * to the event loop between them.
 */
import * as os from 'node:os';
import { Worker } from 'node:worker_threads';

/** Most arguments one call passes to one thread. */
const MAX_ARGS = 14;
/** Control words per thread: [sequence, done sequence, function index, argument count, state]. */
const CTRL = 5;
/** Thread states in the last control word: starting, ready, failed. */
const STARTING = 0;
const READY = 1;
/** Atomics.waitAsync (Node ≥ 16; typed in lib es2024). */
type AtomicsWaitAsync = {
  waitAsync(a: Int32Array, index: number, value: number, timeout: number): { async: false; value: string } | { async: true; value: Promise<string> };
};
const FAILED = -1;
/** How long the constructor waits for the workers to start, ms. */
const START_MS = 60000;
/** Float64 slots per thread: arguments then the result. */
const SLOTS = MAX_ARGS + 1;
/** How long a waiting thread spins before it sleeps, ms (waking a sleeping thread costs about 0.1 ms). */
const SPIN_MS = 0.1;

const WORKER_SOURCE = `
// import(), not require: the source is read as a script, or as a module under node --input-type=module
import('node:worker_threads').then(({ workerData }) => {
const { module, memory, ctrl, slots, index, names } = workerData;
const c = new Int32Array(ctrl);
const a = new Float64Array(slots);
const base = index * ${CTRL};
const arg = index * ${SLOTS};
const state = base + 4;
try {
  const exportsOf = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const fns = names.map((n) => exportsOf[n]);
  Atomics.store(c, state, ${READY});
  Atomics.notify(c, state);
  let seen = 0;
  for (;;) {
    // spin a little before sleeping: a kernel's next call usually follows within microseconds
    const t0 = performance.now();
    while (Atomics.load(c, base) === seen && performance.now() - t0 < ${SPIN_MS}) {}
    Atomics.wait(c, base, seen);
    seen = Atomics.load(c, base);
    if (seen < 0) break;
    const f = fns[c[base + 2]];
    const n = c[base + 3];
    let r;
    try {
      r = f(...Array.from(a.subarray(arg, arg + n)));
    } catch (e) {
      r = NaN;
    }
    a[arg + ${MAX_ARGS}] = typeof r === 'number' ? r : 0;
    Atomics.store(c, base + 1, seen);
    Atomics.notify(c, base + 1);
  }
} catch (e) {
  // the calling thread blocks without an event loop: tell it through the shared state, not only by an event
  Atomics.store(c, state, ${FAILED});
  Atomics.notify(c, state);
  Atomics.notify(c, base + 1);
  throw e;
}
});
`;

/** The number of threads to use: $THERMO_THREADS, else the number of cores (at least 1). */
export function defaultThreads(): number {
  const env = Number(process.env.THERMO_THREADS);
  if (Number.isInteger(env) && env >= 1) return env;
  return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
}

/** Worker threads running one module's exports on a shared memory. */
export class WasmPool {
  /** Threads, the calling one included. */
  readonly threads: number;
  /** The module's exports, instantiated on the calling thread. */
  readonly exports: WebAssembly.Exports;
  private readonly names: string[];
  private readonly ctrl: Int32Array;
  private readonly args: Float64Array;
  private readonly workers: Worker[] = [];
  private seq = 0;
  private closed = false;
  /** A runAsync call is waiting for the workers (the shared memory is theirs until it returns). */
  private pending = false;
  private failure: string | null = null;

  /** Starts `threads − 1` workers; `names` lists the exports that {@link run} may call. */
  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, names: string[], threads = defaultThreads()) {
    this.threads = Math.max(1, threads);
    this.names = names;
    this.exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
    const ctrl = new SharedArrayBuffer(4 * CTRL * this.threads);
    const slots = new SharedArrayBuffer(8 * SLOTS * this.threads);
    this.ctrl = new Int32Array(ctrl);
    this.args = new Float64Array(slots);
    for (let i = 1; i < this.threads; i++) {
      const w = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module, memory, ctrl, slots, index: i, names },
      });
      w.unref();
      // a worker that dies between calls makes the next call throw (a call catches its own errors)
      w.on('error', (err) => (this.failure ??= err instanceof Error ? err.message : String(err)));
      w.on('exit', (code) => !this.closed && (this.failure ??= `worker exited with code ${code}`));
      this.workers.push(w);
    }
    this.awaitStart();
  }

  /**
   * Blocks until every worker has instantiated the module (a worker that cannot start would
   * otherwise leave the first call waiting for ever); throws, with the workers stopped, if one fails.
   */
  private awaitStart(): void {
    const deadline = performance.now() + START_MS;
    for (let t = 1; t < this.threads; t++) {
      const at = t * CTRL + 4;
      let s: number;
      while ((s = Atomics.load(this.ctrl, at)) === STARTING && performance.now() < deadline) {
        Atomics.wait(this.ctrl, at, STARTING, Math.max(1, deadline - performance.now()));
      }
      if (s !== READY) {
        this.close();
        const why = s === FAILED ? 'failed to start' : `did not start within ${START_MS / 1000} s`;
        throw new Error(`WasmPool: worker thread ${t} ${why}`);
      }
    }
  }

  /** Posts a call to the worker threads and runs thread 0's share here; the workers' results follow. */
  private start(name: string, args: readonly (readonly number[])[]): { seq: number; busy: number[]; results: number[] } {
    if (this.closed) throw new Error('WasmPool: used after close()');
    if (this.pending) throw new Error('WasmPool: a call is still running (await runAsync before the next)');
    if (this.failure) throw new Error(`WasmPool: a worker thread failed (${this.failure})`);
    const fn = this.names.indexOf(name);
    if (fn < 0) throw new Error(`WasmPool: '${name}' is not one of ${this.names.join(', ')}`);
    const seq = ++this.seq;
    const busy: number[] = [];
    for (let t = 1; t < Math.min(this.threads, args.length); t++) {
      const a = args[t];
      if (a.length > MAX_ARGS) throw new Error(`WasmPool: at most ${MAX_ARGS} arguments`);
      this.args.set(a, t * SLOTS);
      this.ctrl[t * CTRL + 2] = fn;
      this.ctrl[t * CTRL + 3] = a.length;
      Atomics.store(this.ctrl, t * CTRL, seq);
      Atomics.notify(this.ctrl, t * CTRL);
      busy.push(t);
    }
    const results = new Array<number>(args.length).fill(0);
    if (args.length > 0) results[0] = (this.exports[name] as (...a: number[]) => number)(...args[0]);
    return { seq, busy, results };
  }

  /** Throws if worker t stopped (its own catch, or an exit the event loop has reported). */
  private checkWorker(t: number): void {
    if (Atomics.load(this.ctrl, t * CTRL + 4) === FAILED) this.failure ??= `worker thread ${t} stopped`;
    if (this.failure) throw new Error(`WasmPool: a worker thread failed (${this.failure})`);
  }

  /**
   * Calls export `name` on every thread t with `args[t]` (threads without arguments are idle)
   * and returns each thread's result once all have finished. It blocks (tfjs kernels are
   * synchronous); a worker killed from outside in the middle of a call is only seen by
   * {@link runAsync}, whose waits let the worker's exit event through.
   */
  run(name: string, args: readonly (readonly number[])[]): number[] {
    const { seq, busy, results } = this.start(name, args);
    for (const t of busy) {
      const t0 = performance.now();
      while (Atomics.load(this.ctrl, t * CTRL + 1) !== seq && performance.now() - t0 < SPIN_MS) {
        /* spin */
      }
      let done: number;
      while ((done = Atomics.load(this.ctrl, t * CTRL + 1)) !== seq) {
        this.checkWorker(t);
        Atomics.wait(this.ctrl, t * CTRL + 1, done, 1000);
      }
      results[t] = this.args[t * SLOTS + MAX_ARGS];
    }
    return results;
  }

  /**
   * {@link run} that waits without blocking the event loop, so that a worker which dies in the
   * middle of the call (terminated, out of memory) makes it throw instead of waiting for ever.
   */
  async runAsync(name: string, args: readonly (readonly number[])[]): Promise<number[]> {
    const { seq, busy, results } = this.start(name, args);
    this.pending = true;
    // a pending Atomics.waitAsync does not keep Node's event loop alive (the workers are unref'd): a timer does
    const alive = setInterval(() => {}, 60_000);
    try {
      for (const t of busy) {
        let done: number;
        while ((done = Atomics.load(this.ctrl, t * CTRL + 1)) !== seq) {
          this.checkWorker(t);
          const w = (Atomics as unknown as AtomicsWaitAsync).waitAsync(this.ctrl, t * CTRL + 1, done, 100);
          if (w.async) await w.value;
          else await new Promise<void>((resolve) => setImmediate(resolve));
        }
        results[t] = this.args[t * SLOTS + MAX_ARGS];
      }
    } finally {
      clearInterval(alive);
      this.pending = false;
    }
    return results;
  }

  /** Stops the workers. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (let t = 1; t < this.threads; t++) {
      Atomics.store(this.ctrl, t * CTRL, -1);
      Atomics.notify(this.ctrl, t * CTRL);
    }
    for (const w of this.workers) void w.terminate();
  }
}
