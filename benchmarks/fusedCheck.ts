/**
 * `node dist/benchmarks/fusedCheck.js`: the webgpu-fused engine against the naive reference
 * (engines/reference.ts) on this machine's WebGPU adapter, on fig2's config (M = N = 100, BCE,
 * Gaussian inputs, |B| = 1; η = 0.025 and 0.1, seed 0), after 1, 10, 100, 1,000, 5,000 and
 * `--steps` steps, with the engine's own dispatch size and with one step per dispatch, and as member
 * 0 and 64 of 128. A GPU check, not a test: CI's llvmpipe compiles WGSL through another backend,
 * and a kernel bug that only NVIDIA's Vulkan driver showed (values carried from one step of a
 * dispatch into the next) was found this way. Agreement within float32 drift (≤ 1e-4 relative up
 * to 1,000 steps; η = 0.1 is chaotic past that) is the pass mark; exit code 1 otherwise.
 */
import * as path from 'node:path';
import { Command } from 'commander';
import { makeConfig, type RunConfig } from '../lib/core/config.js';
import { useBackend } from '../lib/backend/backends.js';
import { referenceStep } from '../lib/engines/reference.js';
import { createWebgpuTwoLayerEngine, defaultInitial, type WebgpuEngineOptions } from '../lib/engines/webgpu/twoLayerEngine.js';

type Params = { W: Float32Array; b: Float32Array; V: Float32Array };

/** max |a − b| / max |b|. */
function relErr(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / (m || 1);
}

/** The reference's parameters of each config after each mark (cumulative step counts). */
function referenceSnapshots(configs: RunConfig[], marks: number[]): Params[][] {
  const ps = configs.map((cfg) => {
    const i = defaultInitial(cfg);
    return { cfg, p: { W: i.W, b: i.b ?? new Float32Array(0), V: i.V } };
  });
  let t = 0;
  return marks.map((mark) => {
    for (; t < mark; t++) for (const r of ps) referenceStep(r.cfg, r.p, t);
    return ps.map((r) => ({ W: r.p.W.slice(), b: r.p.b.slice(), V: r.p.V.slice() }));
  });
}

/** Worst relative error of members `which` (engine index → reference index) after each mark. */
async function check(configs: RunConfig[], which: [number, number][], marks: number[], refs: Params[][], opts: WebgpuEngineOptions): Promise<number[]> {
  const e = await createWebgpuTwoLayerEngine(configs, { checkEvery: 100, ...opts });
  const active = configs.map(() => true);
  const errs: number[] = [];
  let t = 0;
  for (let i = 0; i < marks.length; i++) {
    await e.advance(t, marks[i] - t, active);
    t = marks[i];
    let worst = 0;
    for (const [m, r] of which) {
      const s = await e.save(m);
      worst = Math.max(worst, relErr(s.params.W, refs[i][r].W), relErr(s.params.V, refs[i][r].V), relErr(s.params.b, refs[i][r].b));
    }
    errs.push(worst);
  }
  e.dispose();
  return errs;
}

async function main(): Promise<void> {
  const o = new Command('fusedCheck').option('--steps <n>', 'last mark', '20000').parse(process.argv).opts();
  const last = Number(o.steps);
  if (!Number.isInteger(last) || last <= 5000 || last > 1_000_000) {
    console.error(`--steps: got '${o.steps}'; allowed: an integer > 5000 and <= 1000000`);
    process.exit(2);
  }
  const info = await useBackend('webgpu');
  console.log(`webgpu: ${JSON.stringify(info.adapter)}`);
  const base = { model: 'two-layer', inputDim: 100, hidden: 100, bias: true, input: 'gaussian', loss: 'bce', batchSize: 1, probes: ['loss'] } as const;
  const two = [makeConfig({ ...base, eta: 0.025, seed: 0 }), makeConfig({ ...base, eta: 0.1, seed: 0 })];
  const marks = [1, 10, 100, 1000, 5000, last];
  const refs = referenceSnapshots(two, marks);
  const many = [0.025, 0.1].flatMap((eta) => Array.from({ length: 64 }, (_, s) => makeConfig({ ...base, eta, seed: s })));
  const rows: [string, number[]][] = [
    ['2 members, default dispatches', await check(two, [[0, 0], [1, 1]], marks, refs, {})],
    ['2 members, one step per dispatch', await check(two, [[0, 0], [1, 1]], marks, refs, { maxStepsPerDispatch: 1 })],
    ['128 members, members 0 and 64', await check(many, [[0, 0], [64, 1]], marks, refs, {})],
  ];
  console.log(`worst relative error after ${marks.join(', ')} steps:`);
  for (const [name, errs] of rows) console.log(`  ${name.padEnd(36)} ${errs.map((x) => x.toExponential(1)).join('  ')}`);
  const ok = rows.every(([, errs]) => errs.slice(0, 4).every((x) => x <= 1e-4));
  console.log(ok ? 'agrees with the reference (float32 drift)' : 'DISAGREES with the reference within 1,000 steps');
  process.exitCode = ok ? 0 : 1;
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) await main();
