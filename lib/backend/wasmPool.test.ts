import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { sharedMemory } from './wasmModules.js';
import { WasmPool } from './wasmPool.js';

/** (module (import "env" "memory" (memory 1 65536 shared)) (func (export "fill") (param p i32) (param n i32) (param v f64) (result f64) …)): writes v into n floats at p, returns n. */
const FILL = 'AGFzbQEAAAABCAFgA39/fAF8AhIBA2VudgZtZW1vcnkCAwGAgAQDAgEABwgBBGZpbGwAAAotASsBAX8CQANAIAMgAU4NASAAIANBAnRqIAK2OAIAIANBAWohAwwACwsgAbcL';

test('every thread runs its share on the shared memory; results come back per thread', () => {
  const memory = sharedMemory(2);
  const pool = new WasmPool(new WebAssembly.Module(Buffer.from(FILL, 'base64')), memory, ['fill'], 3);
  try {
    for (let round = 0; round < 50; round++) {
      const out = pool.run('fill', [[0, 100, round], [400, 100, round + 1], [800, 50, round + 2]]);
      expect(out).toEqual([100, 100, 50]);
      const f = new Float32Array(memory.buffer, 0, 250);
      expect([f[0], f[99], f[100], f[199], f[200], f[249]]).toEqual([round, round, round + 1, round + 1, round + 2, round + 2]);
    }
    expect(pool.run('fill', [[0, 3, 7]])).toEqual([3]);
    expect(() => pool.run('nope', [[0]])).toThrow(/'nope' is not one of fill/);
  } finally {
    pool.close();
  }
});

test('runAsync owns the pool until it returns: a second call meanwhile throws instead of corrupting the shared arguments', async () => {
  const memory = sharedMemory(2);
  const pool = new WasmPool(new WebAssembly.Module(Buffer.from(FILL, 'base64')), memory, ['fill'], 2);
  try {
    const first = pool.runAsync('fill', [[0, 100, 1], [400, 100, 2]]);
    expect(() => pool.run('fill', [[0, 3, 7], [400, 3, 8]])).toThrow(/a call is still running/);
    await expect(pool.runAsync('fill', [[0, 3, 7], [400, 3, 8]])).rejects.toThrow(/a call is still running/);
    expect(await first).toEqual([100, 100]);
    expect(await pool.runAsync('fill', [[0, 3, 7], [400, 3, 8]])).toEqual([3, 3]); // free again
  } finally {
    pool.close();
  }
});

/**
 * (module (import "env" "memory" (memory 1 65536 shared)) (start …) (func (export "one") (result f64) …)):
 * the start function traps unless it is the first instance on the memory (an atomic flag at 0).
 */
const FIRST_ONLY = 'AGFzbQEAAAABCAJgAABgAAF8AhIBA2VudgZtZW1vcnkCAwGAgAQDAwIAAQcHAQNvbmUAAQgBAAohAhMAQQBBAEEB/kgCAEEARwRAAAsLCwBEAAAAAAAA8D8L';

test('a worker that cannot start makes the constructor throw instead of a later call hanging', () => {
  const memory = sharedMemory(1);
  const module = new WebAssembly.Module(Buffer.from(FIRST_ONLY, 'base64'));
  expect(() => new WasmPool(module, memory, ['one'], 2)).toThrow(/worker thread 1 failed to start/);
});

test.each([
  [['--input-type=module']],
  [['--max-old-space-size=256', '--input-type=module']],
])('workers start under `node %j -e` (source read as a module; V8 flags inherited)', (flags) => {
  const pool = path.resolve('dist/lib/backend/wasmPool.js');
  const modules = path.resolve('dist/lib/backend/wasmModules.js');
  const script = `
    import { WasmPool } from ${JSON.stringify(pool)};
    import { sharedMemory } from ${JSON.stringify(modules)};
    const m = new WebAssembly.Module(Buffer.from(${JSON.stringify(FILL)}, 'base64'));
    const p = new WasmPool(m, sharedMemory(1), ['fill'], 2);
    console.log(JSON.stringify(p.run('fill', [[0, 4, 1], [64, 5, 2]])));
    p.close();
  `;
  const res = spawnSync(process.execPath, [...flags, '-e', script], { encoding: 'utf8', timeout: 20000 });
  expect(res.stderr).toBe('');
  expect(res.stdout.trim()).toBe('[4,5]');
}, 30000);
