/**
 * The committed WebAssembly modules (wasm/build/*.wasm) are byte for byte what their AssemblyScript
 * sources give with the pinned compiler: `npm run build:wasm -- --check`, as CI runs it here.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

test('wasm/build matches wasm/assembly (npm run build:wasm rebuilds it byte for byte)', () => {
  const out = execFileSync(process.execPath, [path.resolve('wasm/build.mjs'), '--check'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  expect(out).toMatch(/wasm\/build matches its sources \(\d+ modules\)/);
}, 120000);
