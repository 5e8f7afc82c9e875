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
