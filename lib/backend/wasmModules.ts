/**
 * The library's own WebAssembly modules (built from wasm/assembly by `npm run build:wasm` and
 * shipped in wasm/build): located from the package root, compiled once per process, and
 * instantiated on a shared memory so that worker threads can run them on the same data.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | null = null;

/** The package's root directory (the nearest ancestor holding this package's package.json). */
export function packageRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'sgd-thermophoresis') {
      root = dir;
      return dir;
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error('sgd-thermophoresis: package root not found');
    dir = up;
  }
}

const compiled = new Map<string, WebAssembly.Module>();

/** The compiled module `wasm/build/<name>.wasm`. */
export function wasmModule(name: string): WebAssembly.Module {
  let m = compiled.get(name);
  if (!m) {
    m = new WebAssembly.Module(fs.readFileSync(path.join(packageRoot(), 'wasm', 'build', `${name}.wasm`)));
    compiled.set(name, m);
  }
  return m;
}

/** A shared memory of `pages` 64 KiB pages (at most 65,536: 4 GiB), as every module imports. */
export function sharedMemory(pages: number, maximum = 65536): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: pages, maximum, shared: true });
}

/** Instantiates `name` on `memory` (the modules import `env.memory`). */
export function instantiate<T extends WebAssembly.Exports>(name: string, memory: WebAssembly.Memory): T {
  return new WebAssembly.Instance(wasmModule(name), { env: { memory } }).exports as T;
}
