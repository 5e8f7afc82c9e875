#!/usr/bin/env node
/**
 * Builds the library's WebAssembly modules from their AssemblyScript sources (wasm/assembly/*.ts)
 * into wasm/build/*.wasm, offline and reproducibly (assemblyscript is pinned in package.json).
 * `npm run build:wasm` rebuilds them; `npm run build:wasm -- --check` rebuilds into a temporary
 * directory and fails unless every committed .wasm file is byte for byte what the sources give.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const asc = path.join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');

/** Flags shared by every module: SIMD, shared imported memory (for worker threads), no runtime checks. */
const COMMON = ['-O3', '--runtime', 'stub', '--enable', 'simd', '--enable', 'threads', '--importMemory', '--sharedMemory', '--initialMemory', '16', '--maximumMemory', '65536', '--noAssert', '--use', 'abort='];

/** Extra builds of a module: gemm also with relaxed SIMD (fused multiply-adds), picked at run time when the engine has it. */
const VARIANTS = { gemm: [{ suffix: '-relaxed', flags: ['--enable', 'relaxed-simd'] }] };

/** Every module build: its source, output name and extra flags. */
export const MODULES = fs
  .readdirSync(path.join(here, 'assembly'))
  .filter((f) => f.endsWith('.ts') && !f.startsWith('_'))
  .sort()
  .flatMap((f) => {
    const name = f.replace(/\.ts$/, '');
    const source = path.join(here, 'assembly', f);
    return [{ name, source, flags: [] }, ...(VARIANTS[name] ?? []).map((v) => ({ name: `${name}${v.suffix}`, source, flags: v.flags }))];
  });

function build(outDir) {
  fs.mkdirSync(outDir, { recursive: true });
  for (const m of MODULES) {
    execFileSync(process.execPath, [asc, path.relative(root, m.source), ...COMMON, ...m.flags, '-o', path.join(outDir, `${m.name}.wasm`)], { cwd: root, stdio: 'inherit' });
  }
}

const check = process.argv.includes('--check');
if (check) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thermo-wasm-'));
  try {
    build(tmp);
    const stale = [];
    for (const m of MODULES) {
      const built = fs.readFileSync(path.join(tmp, `${m.name}.wasm`));
      const file = path.join(here, 'build', `${m.name}.wasm`);
      if (!fs.existsSync(file) || !fs.readFileSync(file).equals(built)) stale.push(path.relative(root, file));
    }
    const extra = fs.existsSync(path.join(here, 'build'))
      ? fs.readdirSync(path.join(here, 'build')).filter((f) => f.endsWith('.wasm') && !MODULES.some((m) => `${m.name}.wasm` === f))
      : [];
    if (stale.length || extra.length) {
      console.error(`wasm/build is out of date: ${[...stale, ...extra.map((f) => `wasm/build/${f} (no source)`)].join(', ')}; run npm run build:wasm`);
      process.exit(1);
    }
    console.log(`wasm/build matches its sources (${MODULES.length} modules)`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
} else {
  build(path.join(here, 'build'));
  console.log(`built ${MODULES.map((m) => `wasm/build/${m.name}.wasm`).join(', ')}`);
}
